# Config parsing sources
set(GARITA_COMMON_CONFIG_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/config/TomlTableReader.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/config/SiteConfig.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/config/SharedSettings.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/config/ConfigFile.cpp)

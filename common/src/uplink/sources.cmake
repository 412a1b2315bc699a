# Uplink codec sources (lane controller <-> garitad JSON bodies; included
# from common/CMakeLists.txt)
set(GARITA_COMMON_UPLINK_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/uplink/UplinkErrc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/uplink/UplinkMessages.cpp)

# Crossing store sources (list them here; included from common/CMakeLists.txt)
set(GARITA_COMMON_STORE_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/StoreErrc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/Schema.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/CrossingStore.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/GroupCommitter.cpp)

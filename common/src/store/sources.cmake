# Crossing store sources (list them here; included from common/CMakeLists.txt)
set(GARITA_COMMON_STORE_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/StoreErrc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/Schema.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/CrossingStore.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/GroupCommitter.cpp)
# Retention and disposal (docs/operations.md).
list(APPEND GARITA_COMMON_STORE_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/RetentionSchedule.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/RetentionDisposalCheck.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/store/RetentionPurge.cpp)
# The crossing row codec shared with garita-lane's journal.
list(APPEND GARITA_COMMON_STORE_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/src/store/CrossingRow.cpp)

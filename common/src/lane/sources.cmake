# Lane pipeline sources (list them here; included from common/CMakeLists.txt)
set(GARITA_COMMON_LANE_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/lane/LaneConfig.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/lane/ReaderClockTracker.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/lane/HostClockMonitor.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/lane/Debouncer.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/lane/LaneArbiter.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/lane/CrossingBuilder.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/lane/PipelineEvents.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/lane/LanePipeline.cpp)

# The lane uplink listener's handler (docs/uplink.md). Included from
# daemon/CMakeLists.txt.
set(GARITA_DAEMON_UPLINK_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/uplink/UplinkService.cpp)

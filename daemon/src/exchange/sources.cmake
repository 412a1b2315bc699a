# The weekly exchange with the partner agency (issue 7): port clock, exchange
# tables, export/import, `garita batch`. Included from daemon/CMakeLists.txt.
# Each helper adds its file here when it compiles.
set(GARITA_DAEMON_EXCHANGE_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/exchange/PortClock.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/exchange/ExchangeStore.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/exchange/BatchExchange.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/BatchCommand.cpp
)

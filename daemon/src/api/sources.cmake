# The people-facing HTTPS API and status page (issue 6; docs/api.md).
# Included from daemon/CMakeLists.txt. The page's files (daemon/www/) are
# compiled into the binary by EmbedWebAssets.cmake at build time.
set(GARITA_WEB_ASSET_FILES index.html app.js style.css)
set(GARITA_WEB_ASSET_DEPENDS "")
foreach(f IN LISTS GARITA_WEB_ASSET_FILES)
  list(APPEND GARITA_WEB_ASSET_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/www/${f})
endforeach()
add_custom_command(
  OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/generated/WebAssets.cpp
  COMMAND ${CMAKE_COMMAND} -DOUT=${CMAKE_CURRENT_BINARY_DIR}/generated/WebAssets.cpp
          -DDIR=${CMAKE_CURRENT_SOURCE_DIR}/www "-DFILES=${GARITA_WEB_ASSET_FILES}"
          -P ${CMAKE_CURRENT_SOURCE_DIR}/www/EmbedWebAssets.cmake
  DEPENDS ${GARITA_WEB_ASSET_DEPENDS} ${CMAKE_CURRENT_SOURCE_DIR}/www/EmbedWebAssets.cmake
  COMMENT "Embedding the status page (daemon/www) into garitad"
  VERBATIM)

# Its own library on top of garita_daemon (HTTP core, users and audit):
# garitad and garita link it.
add_library(garita_api STATIC
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/ApiErrc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/ApiRoutes.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/RequestTarget.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/RateLimiter.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/CrossingQuery.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/ExchangeJson.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/PrometheusText.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/StatusBoard.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/LiveFeed.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/LiveTickets.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/WebAssetLookup.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/ApiService.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/ApiRuntime.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/api/ApiClient.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/ApiCommands.cpp
  ${CMAKE_CURRENT_BINARY_DIR}/generated/WebAssets.cpp)
target_link_libraries(garita_api PUBLIC garita_daemon Boost::json OpenSSL::SSL OpenSSL::Crypto
                                 PRIVATE garita_warnings)

# The status page is also installed, for reading and for a reverse proxy.
install(FILES ${GARITA_WEB_ASSET_DEPENDS} DESTINATION ${CMAKE_INSTALL_DATADIR}/garita/www)

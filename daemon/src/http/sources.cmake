# garitad's HTTPS server core (Beast over TLS; contracts.md B), shared by the
# uplink listener and the API listener. Included from daemon/CMakeLists.txt.
set(GARITA_DAEMON_HTTP_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/HttpErrc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/TlsServerContext.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/HttpSession.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/WebSocketSession.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/http/HttpServer.cpp)

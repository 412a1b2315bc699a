# Users, tokens and the audit log (issue 6; docs/security.md). Included from
# daemon/CMakeLists.txt.
set(GARITA_DAEMON_SECURITY_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/security/Role.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/security/SecurityErrc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/security/ApiToken.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/security/SqliteFile.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/security/UserStore.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/security/AuditRecord.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/security/SigningKey.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/security/AuditLog.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/security/AuditVerifier.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/UserCommand.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/cli/AuditCommand.cpp)

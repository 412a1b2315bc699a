# Weekly partner exchange batches: content format and CMS protection (issue 7;
# docs/batch-format.md). Included from daemon/CMakeLists.txt.
set(GARITA_DAEMON_BATCH_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/batch/BatchErrc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/batch/BatchManifest.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/batch/FlatJsonLine.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/batch/BatchContent.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/batch/BatchCredentials.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/batch/BatchEnvelope.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/batch/BatchFile.cpp)

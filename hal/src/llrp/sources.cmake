# LLRP codec (pure: framing, parameter walking, message encode/decode; no I/O).
set(GARITA_HAL_LLRP_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/AccessSpec.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/EmptyMessage.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/Errc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/FrameLexer.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/Impinj.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/LlrpStatus.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/MessageType.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/MessageView.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/MessageWriter.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/ReaderCapabilities.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/ReaderConfig.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/ReaderConfigParameters.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/ReaderEventNotification.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/RoAccessReport.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/RoSpec.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/StatusMessage.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/TagReport.cpp

  # The LLRP client driver (I/O: Asio, TLS); the codec above stays pure.
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/LlrpClient.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/LlrpClientConnector.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/LlrpClientSession.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/LlrpClientSetup.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/LlrpClientTagRead.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/LlrpClientText.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/llrp/LlrpClientTls.cpp
)

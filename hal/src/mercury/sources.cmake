# Mercury (ThingMagic/JADAK) serial protocol: codec (pure: CRC, frame lexer,
# message encode/decode; no I/O) and the driver over a ByteStream.
set(GARITA_HAL_MERCURY_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/Commands.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/Crc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/Errc.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/Frame.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/MercuryFrameLexer.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/ModuleStatus.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/Opcode.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/Region.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/Responses.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/StreamMessages.cpp
)

list(APPEND GARITA_HAL_MERCURY_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/mercury/MercuryDriver.cpp)

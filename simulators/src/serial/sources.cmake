# garita_sim_serial: simulated Mercury serial modules on ptys (garita-sim
# serial) over the traffic model and the Mercury codec (hal/mercury).
set(GARITA_SIM_SERIAL_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/ModulePort.cpp
  ${CMAKE_CURRENT_LIST_DIR}/PseudoTerminal.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SerialFault.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SerialModule.cpp
  ${CMAKE_CURRENT_LIST_DIR}/SerialSimulator.cpp)

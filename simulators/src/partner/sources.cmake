# garita_sim_partner: the partner agency (garita-sim partner): a synthetic
# traveller registry, the return batch builder and the batch I/O, over the
# batch format library in garita_daemon (daemon/batch).
set(GARITA_SIM_PARTNER_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/PartnerRegistry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/PartnerReturnBuilder.cpp
  ${CMAKE_CURRENT_LIST_DIR}/PartnerSimulator.cpp)

#pragma once
// LLRP message type numbers (the 10-bit type field of the header), LLRP 1.1
// §17.1 and the LTK definition file llrp-1x0-def.xml; 46/47/56/57 are the
// 1.1 version-negotiation messages (§9).
#include <cstdint>
#include <string_view>

namespace garita::hal::llrp {

enum class MessageType : std::uint16_t {
  get_reader_capabilities = 1,
  get_reader_config = 2,
  set_reader_config = 3,
  close_connection_response = 4,
  get_reader_capabilities_response = 11,
  get_reader_config_response = 12,
  set_reader_config_response = 13,
  close_connection = 14,
  add_rospec = 20,
  delete_rospec = 21,
  start_rospec = 22,
  stop_rospec = 23,
  enable_rospec = 24,
  disable_rospec = 25,
  get_rospecs = 26,
  add_rospec_response = 30,
  delete_rospec_response = 31,
  start_rospec_response = 32,
  stop_rospec_response = 33,
  enable_rospec_response = 34,
  disable_rospec_response = 35,
  get_rospecs_response = 36,
  add_accessspec = 40,
  delete_accessspec = 41,
  enable_accessspec = 42,
  disable_accessspec = 43,
  get_accessspecs = 44,
  client_request_op = 45,
  get_supported_version = 46,
  set_protocol_version = 47,
  add_accessspec_response = 50,
  delete_accessspec_response = 51,
  enable_accessspec_response = 52,
  disable_accessspec_response = 53,
  get_accessspecs_response = 54,
  client_request_op_response = 55,
  get_supported_version_response = 56,
  set_protocol_version_response = 57,
  get_report = 60,
  ro_access_report = 61,
  keepalive = 62,
  reader_event_notification = 63,
  enable_events_and_reports = 64,
  keepalive_ack = 72,
  error_message = 100,
  custom_message = 1023,
};

// The LLRP name ("RO_ACCESS_REPORT"), or "UNKNOWN" for numbers LLRP 1.1
// does not define (logs print the number beside it).
std::string_view to_string(MessageType type) noexcept;

}  // namespace garita::hal::llrp

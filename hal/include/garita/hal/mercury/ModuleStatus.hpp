#pragma once
// The 16-bit status word of every Mercury response, as a std::error_code of
// category "mercury-status" (Mercury API tmr_status.h, TMR_ERROR_CODE_*;
// Embedded Module User Guide, "Error messages"). 0x0000 is success and maps
// to an empty error_code; every other word maps to {word, category}, so an
// unknown word keeps its value ("module status 0x7F23").
//
// Codes the driver treats specially:
//   0x0400 no tags found: in continuous reading the module streams an empty
//          0x22 frame with this status once per search cycle. It is the
//          keep-alive, not an error.
//   0x0504 temperature exceeded: the module throttles or stops transmitting.
//   0x0505 high return loss: an antenna port reflects most of the power
//          (cable unplugged, broken antenna).
#include <cstdint>
#include <string_view>
#include <system_error>

namespace garita::hal::mercury {

// Named status words (not exhaustive: any 16-bit value is a valid code).
enum class ModuleStatus : std::uint16_t {
  success = 0x0000,
  msg_wrong_number_of_data = 0x0100,
  invalid_opcode = 0x0101,
  unimplemented_opcode = 0x0102,
  msg_power_too_high = 0x0103,
  msg_invalid_freq_received = 0x0104,
  msg_invalid_parameter_value = 0x0105,
  msg_power_too_low = 0x0106,
  unimplemented_feature = 0x0109,
  invalid_baud_rate = 0x010A,
  invalid_region = 0x010B,
  invalid_license_key = 0x010C,
  bl_invalid_image_crc = 0x0200,
  bl_invalid_app_end_addr = 0x0201,
  flash_bad_erase_password = 0x0300,
  flash_bad_write_password = 0x0301,
  flash_undefined_error = 0x0302,
  flash_illegal_sector = 0x0303,
  flash_write_to_non_erased_area = 0x0304,
  flash_write_to_illegal_sector = 0x0305,
  flash_verify_failed = 0x0306,
  no_tags_found = 0x0400,
  no_protocol_defined = 0x0401,
  invalid_protocol_specified = 0x0402,
  write_passed_lock_failed = 0x0403,
  protocol_no_data_read = 0x0404,
  afe_not_on = 0x0405,
  protocol_write_failed = 0x0406,
  not_implemented_for_this_protocol = 0x0407,
  protocol_invalid_write_data = 0x0408,
  protocol_invalid_address = 0x0409,
  general_tag_error = 0x040A,
  data_too_large = 0x040B,
  protocol_invalid_kill_password = 0x040C,
  protocol_kill_failed = 0x040E,
  protocol_bit_decoding_failed = 0x040F,
  protocol_invalid_epc = 0x0410,
  protocol_invalid_num_data = 0x0411,
  gen2_protocol_other_error = 0x0420,
  gen2_protocol_memory_overrun_bad_pc = 0x0423,
  gen2_protocol_memory_locked = 0x0424,
  gen2_protocol_insufficient_power = 0x042B,
  gen2_protocol_non_specific_error = 0x042F,
  gen2_protocol_unknown_error = 0x0430,
  ahal_invalid_freq = 0x0500,
  ahal_channel_occupied = 0x0501,
  ahal_transmitter_on = 0x0502,
  antenna_not_connected = 0x0503,
  temperature_exceed_limits = 0x0504,
  high_return_loss = 0x0505,
  invalid_antenna_config = 0x0507,
  tag_id_buffer_not_enough_tags_available = 0x0600,
  tag_id_buffer_full = 0x0601,
  tag_id_buffer_repeated_tag_id = 0x0602,
  tag_id_buffer_num_tag_too_large = 0x0603,
  tag_id_buffer_auth_request = 0x0604,
  system_unknown_error = 0x7F00,
  tm_assert_failed = 0x7F01,
};

const std::error_category& module_status_category() noexcept;

// 0x0000 -> empty error_code; anything else -> {status, module_status_category()}.
std::error_code make_module_status_error(std::uint16_t status) noexcept;

inline std::error_code make_error_code(ModuleStatus s) noexcept {
  return make_module_status_error(static_cast<std::uint16_t>(s));
}

// The snake_case name ("no_tags_found") or empty for a word not listed.
std::string_view module_status_name(std::uint16_t status) noexcept;

}  // namespace garita::hal::mercury

template <>
struct std::is_error_code_enum<garita::hal::mercury::ModuleStatus> : std::true_type {};

#include "garita/hal/mercury/ModuleStatus.hpp"

#include <cstdio>
#include <string>

namespace garita::hal::mercury {
namespace {

// One line per status word (Mercury API tmr_status.h, TMR_ERROR_CODE_*).
std::string_view describe(std::uint16_t status) noexcept {
  switch (status) {
    case 0x0000: return "success";
    case 0x0100: return "wrong number of data bytes in the command";
    case 0x0101: return "opcode not valid (in this mode: bootloader or application)";
    case 0x0102: return "opcode not implemented by this firmware";
    case 0x0103: return "requested power above the module maximum";
    case 0x0104: return "frequency not allowed";
    case 0x0105: return "command parameter value not valid";
    case 0x0106: return "requested power below the module minimum";
    case 0x0109: return "feature not implemented";
    case 0x010A: return "baud rate not valid";
    case 0x010B: return "region not valid or not licensed";
    case 0x010C: return "license key not valid";
    case 0x0200: return "firmware image CRC not valid (bootloader)";
    case 0x0201: return "firmware image end address not valid (bootloader)";
    case 0x0300: return "flash erase password wrong";
    case 0x0301: return "flash write password wrong";
    case 0x0302: return "flash error";
    case 0x0303: return "flash sector not valid";
    case 0x0304: return "flash write to a non-erased area";
    case 0x0305: return "flash write to a sector not allowed";
    case 0x0306: return "flash verify failed";
    case 0x0400: return "no tags found";
    case 0x0401: return "no tag protocol set";
    case 0x0402: return "tag protocol not valid";
    case 0x0403: return "tag write passed, lock failed";
    case 0x0404: return "no data read from the tag";
    case 0x0405: return "radio front end not on";
    case 0x0406: return "tag write failed";
    case 0x0407: return "not implemented for this tag protocol";
    case 0x0408: return "tag write data not valid";
    case 0x0409: return "tag memory address not valid";
    case 0x040A: return "general tag error";
    case 0x040B: return "data too large";
    case 0x040C: return "tag kill password wrong";
    case 0x040E: return "tag kill failed";
    case 0x040F: return "tag reply could not be decoded";
    case 0x0410: return "EPC not valid";
    case 0x0411: return "number of tag data words not valid";
    case 0x0420: return "Gen2 tag error (other)";
    case 0x0423: return "Gen2 memory overrun or bad PC";
    case 0x0424: return "Gen2 memory locked";
    case 0x042B: return "Gen2 tag has insufficient power";
    case 0x042F: return "Gen2 non-specific tag error";
    case 0x0430: return "Gen2 unknown tag error";
    case 0x0500: return "frequency not valid for the region";
    case 0x0501: return "channel occupied (listen before talk)";
    case 0x0502: return "transmitter already on";
    case 0x0503: return "antenna not connected";
    case 0x0504: return "module temperature exceeded its limit";
    case 0x0505: return "high return loss on an antenna port (bad cable or antenna)";
    case 0x0507: return "antenna configuration not valid";
    case 0x0600: return "tag buffer: not enough tags";
    case 0x0601: return "tag buffer full";
    case 0x0602: return "tag buffer: repeated tag";
    case 0x0603: return "tag buffer: too many tags requested";
    case 0x0604: return "tag buffer: authentication request";
    case 0x7F00: return "module system error";
    case 0x7F01: return "module firmware assertion failed";
    default: return {};
  }
}

class ModuleStatusCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mercury-status"; }
  std::string message(int ev) const override {
    char code[16];
    // 16 bits as "0xHHHH": always fits in 16.
    static_cast<void>(
        std::snprintf(code, sizeof code, "0x%04X", static_cast<unsigned>(ev) & 0xFFFFU));
    const std::string_view text = describe(static_cast<std::uint16_t>(ev));
    if (text.empty()) return "module status " + std::string(code);
    return std::string(text) + " (module status " + code + ")";
  }
};

}  // namespace

const std::error_category& module_status_category() noexcept {
  static const ModuleStatusCategory category;
  return category;
}

std::error_code make_module_status_error(std::uint16_t status) noexcept {
  if (status == 0) return {};
  return {static_cast<int>(status), module_status_category()};
}

std::string_view module_status_name(std::uint16_t status) noexcept {
  switch (status) {
    case 0x0000: return "success";
    case 0x0100: return "msg_wrong_number_of_data";
    case 0x0101: return "invalid_opcode";
    case 0x0102: return "unimplemented_opcode";
    case 0x0103: return "msg_power_too_high";
    case 0x0104: return "msg_invalid_freq_received";
    case 0x0105: return "msg_invalid_parameter_value";
    case 0x0106: return "msg_power_too_low";
    case 0x0109: return "unimplemented_feature";
    case 0x010A: return "invalid_baud_rate";
    case 0x010B: return "invalid_region";
    case 0x010C: return "invalid_license_key";
    case 0x0200: return "bl_invalid_image_crc";
    case 0x0201: return "bl_invalid_app_end_addr";
    case 0x0300: return "flash_bad_erase_password";
    case 0x0301: return "flash_bad_write_password";
    case 0x0302: return "flash_undefined_error";
    case 0x0303: return "flash_illegal_sector";
    case 0x0304: return "flash_write_to_non_erased_area";
    case 0x0305: return "flash_write_to_illegal_sector";
    case 0x0306: return "flash_verify_failed";
    case 0x0400: return "no_tags_found";
    case 0x0401: return "no_protocol_defined";
    case 0x0402: return "invalid_protocol_specified";
    case 0x0403: return "write_passed_lock_failed";
    case 0x0404: return "protocol_no_data_read";
    case 0x0405: return "afe_not_on";
    case 0x0406: return "protocol_write_failed";
    case 0x0407: return "not_implemented_for_this_protocol";
    case 0x0408: return "protocol_invalid_write_data";
    case 0x0409: return "protocol_invalid_address";
    case 0x040A: return "general_tag_error";
    case 0x040B: return "data_too_large";
    case 0x040C: return "protocol_invalid_kill_password";
    case 0x040E: return "protocol_kill_failed";
    case 0x040F: return "protocol_bit_decoding_failed";
    case 0x0410: return "protocol_invalid_epc";
    case 0x0411: return "protocol_invalid_num_data";
    case 0x0420: return "gen2_protocol_other_error";
    case 0x0423: return "gen2_protocol_memory_overrun_bad_pc";
    case 0x0424: return "gen2_protocol_memory_locked";
    case 0x042B: return "gen2_protocol_insufficient_power";
    case 0x042F: return "gen2_protocol_non_specific_error";
    case 0x0430: return "gen2_protocol_unknown_error";
    case 0x0500: return "ahal_invalid_freq";
    case 0x0501: return "ahal_channel_occupied";
    case 0x0502: return "ahal_transmitter_on";
    case 0x0503: return "antenna_not_connected";
    case 0x0504: return "temperature_exceed_limits";
    case 0x0505: return "high_return_loss";
    case 0x0507: return "invalid_antenna_config";
    case 0x0600: return "tag_id_buffer_not_enough_tags_available";
    case 0x0601: return "tag_id_buffer_full";
    case 0x0602: return "tag_id_buffer_repeated_tag_id";
    case 0x0603: return "tag_id_buffer_num_tag_too_large";
    case 0x0604: return "tag_id_buffer_auth_request";
    case 0x7F00: return "system_unknown_error";
    case 0x7F01: return "tm_assert_failed";
    default: return {};
  }
}

}  // namespace garita::hal::mercury

#pragma once
// Responses of a Mercury module to the commands in Commands.hpp, as decoders
// (driver) and encoders (simulator). A decoder takes the DATA of a response
// whose status was 0x0000 (callers check ReaderFrame::status first: a
// non-zero status has no data to decode) and checks the opcode and length.
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "garita/hal/mercury/Frame.hpp"
#include "garita/hal/mercury/Region.hpp"

namespace garita::hal::mercury {

// VERSION 0x03 (Mercury API TMR_SR_cmdVersion, TMR_SR_VersionInfo): 20 bytes.
// Also answered by the bootloader, so it is the first command of a session.
struct VersionInfo {
  std::array<std::uint8_t, 4> bootloader{};
  // hardware[0] is the model: 0x18 M6e, 0x19 M6e-I, 0x20 M6e Micro,
  // 0x30 M6e Nano, 0x38 M7e (Pico/Hecto family).
  std::array<std::uint8_t, 4> hardware{};
  std::array<std::uint8_t, 4> firmware_date{};  // BCD yyyy mm dd
  std::array<std::uint8_t, 4> firmware_version{};
  std::uint32_t supported_protocols = 0;  // bit (protocol - 1) set when supported

  friend bool operator==(const VersionInfo&, const VersionInfo&) = default;
};
std::error_code decode_version_response(const ReaderFrame& frame, VersionInfo& out) noexcept;
std::vector<std::uint8_t> encode_version_data(const VersionInfo& info);
// "M6e Nano", "M7e", ... or "Mercury model 0x42".
std::string model_name(const VersionInfo& info);
// "01.0B.01.02 (2021-03-04)" style, for status pages.
std::string firmware_text(const VersionInfo& info);

// GET_CURRENT_PROGRAM 0x0C: one byte, low two bits 1 = bootloader,
// 2 = application (Mercury API TMR_SR_cmdGetCurrentProgram). A module
// powered up in its bootloader answers VERSION but no reader command until
// BOOT_FIRMWARE 0x04 starts the application.
enum class RunningProgram : std::uint8_t { bootloader = 1, application = 2 };
std::error_code decode_current_program_response(const ReaderFrame& frame,
                                                RunningProgram& out) noexcept;
// 0x11 (bootloader) / 0x12 (application), as modules answer.
std::vector<std::uint8_t> encode_current_program_data(RunningProgram program);

// GET_REGION 0x67: one byte (Region.hpp).
std::error_code decode_region_response(const ReaderFrame& frame, std::uint8_t& region) noexcept;
std::vector<std::uint8_t> encode_region_data(std::uint8_t region);

// GET_TEMPERATURE 0x72: one signed byte, degrees Celsius.
std::error_code decode_temperature_response(const ReaderFrame& frame,
                                            std::int8_t& celsius) noexcept;
std::vector<std::uint8_t> encode_temperature_data(std::int8_t celsius);

// Commands answered with status 0x0000 and no data: BOOT_FIRMWARE,
// SET_REGION, SET_TAG_PROTOCOL, SET_ANTENNA_PORT, SET_READ_TX_POWER,
// SET_USER_GPIO_OUTPUTS. MULTI_PROTOCOL_TAG_OP start/stop is answered with
// opcode 0x2F, status 0x0000 and an echo of its first three bytes
// (timeout, option); the driver only checks the status.

// GET_ANTENNA_PORT 0x61 option 0x06 (Mercury API TMR_SR_cmdGetAntennaReturnLoss):
// the option echoed, then (port u8, return loss u8 in dB) per port. Return
// loss is how much of the transmitted power does NOT come back: a good
// antenna gives 15-25 dB; under ~10 dB the cable or antenna is bad.
struct PortReturnLoss {
  std::uint8_t port = 0;
  std::uint8_t return_loss_db = 0;
  friend bool operator==(const PortReturnLoss&, const PortReturnLoss&) = default;
};
std::error_code decode_return_loss_response(const ReaderFrame& frame,
                                            std::vector<PortReturnLoss>& out);
std::vector<std::uint8_t> encode_return_loss_data(std::span<const PortReturnLoss> ports);

}  // namespace garita::hal::mercury

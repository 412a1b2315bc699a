// The module's answers to host commands: bootloader vs application, settings
// and their limits, malformed commands, what a reset forgets.
#include <catch2/catch.hpp>

#include "SimSerialTestSupport.hpp"
#include "garita/hal/mercury/ModuleStatus.hpp"
#include "garita/hal/mercury/Responses.hpp"

using namespace garita::sim::serial;
using namespace garita::sim::serial::test;
namespace mercury = garita::hal::mercury;

namespace {

std::uint16_t word(mercury::ModuleStatus s) { return static_cast<std::uint16_t>(s); }

std::uint8_t current_program(Bench& b) {
  const Sent s = b.transact(mercury::make_get_current_program_command());
  REQUIRE(s.status == 0);
  REQUIRE(s.data.size() == 1);
  return s.data[0];
}

}  // namespace

TEST_CASE("serial module: powers up in its bootloader, answering only bootloader commands") {
  Bench b;
  CHECK(b.module.program() == ModuleProgram::bootloader);
  // VERSION works in the bootloader and decodes as an M6e with Gen2.
  const Sent v = b.transact(mercury::make_version_command());
  REQUIRE(v.status == 0);
  mercury::ReaderFrame rf{v.opcode, v.status, v.data, true};
  mercury::VersionInfo info;
  REQUIRE_FALSE(mercury::decode_version_response(rf, info));
  CHECK(mercury::model_name(info) == "M6e");
  CHECK((info.supported_protocols & (1U << 4)) != 0);
  CHECK(current_program(b) == 1);
  // Reader commands are refused with 0x0101 until the firmware is booted.
  CHECK(b.transact(mercury::make_set_region_command(mercury::Region::na)).status ==
        word(mercury::ModuleStatus::invalid_opcode));
  CHECK(b.transact(mercury::make_start_continuous_read_command({})).status ==
        word(mercury::ModuleStatus::invalid_opcode));
  REQUIRE(b.transact(mercury::make_boot_firmware_command()).status == 0);
  CHECK(b.module.program() == ModuleProgram::application);
  CHECK(current_program(b) == 2);
  // The application has no bootloader opcodes.
  CHECK(b.transact(mercury::make_boot_firmware_command()).status ==
        word(mercury::ModuleStatus::invalid_opcode));
  CHECK(b.module.counters().boots == 1);
}

TEST_CASE("serial module: M7e identifies itself") {
  ModuleOptions o;
  o.model = ModuleModel::m7e;
  Bench b(o);
  const Sent v = b.transact(mercury::make_version_command());
  mercury::ReaderFrame rf{v.opcode, v.status, v.data, true};
  mercury::VersionInfo info;
  REQUIRE_FALSE(mercury::decode_version_response(rf, info));
  CHECK(mercury::model_name(info) == "M7e");
}

TEST_CASE("serial module: region, protocol, antennas, power and GPO are checked like a module") {
  Bench b;
  REQUIRE(b.transact(mercury::make_boot_firmware_command()).status == 0);
  // No region after power-up: the module will not transmit.
  Sent r = b.transact(mercury::make_get_region_command());
  REQUIRE(r.data.size() == 1);
  CHECK(r.data[0] == 0);
  const std::uint8_t both[] = {1, 2};
  REQUIRE(b.transact(mercury::make_set_antenna_ports_command(both)).status == 0);
  CHECK(b.transact(mercury::make_start_continuous_read_command({})).status ==
        word(mercury::ModuleStatus::invalid_region));
  CHECK(b.transact(mercury::make_set_region_command(mercury::Region::eu3)).status == 0);
  r = b.transact(mercury::make_get_region_command());
  CHECK(r.data[0] == static_cast<std::uint8_t>(mercury::Region::eu3));
  // Unknown region value.
  CHECK(b.transact({mercury::Opcode::set_region, {0x42}}).status ==
        word(mercury::ModuleStatus::invalid_region));

  CHECK(b.transact(mercury::make_set_tag_protocol_command(mercury::TagProtocol::iso18000_6b))
            .status == word(mercury::ModuleStatus::invalid_protocol_specified));
  CHECK(b.transact(mercury::make_set_tag_protocol_command(mercury::TagProtocol::gen2)).status == 0);

  const std::uint8_t bad_port[] = {1, 5};
  CHECK(b.transact(mercury::make_set_antenna_ports_command(bad_port)).status ==
        word(mercury::ModuleStatus::invalid_antenna_config));
  CHECK(b.module.antennas() == std::vector<std::uint8_t>{1, 2});

  CHECK(b.transact(mercury::make_set_read_tx_power_command(3200)).status ==
        word(mercury::ModuleStatus::msg_power_too_high));
  CHECK(b.transact(mercury::make_set_read_tx_power_command(100)).status ==
        word(mercury::ModuleStatus::msg_power_too_low));
  CHECK(b.transact(mercury::make_set_read_tx_power_command(2750)).status == 0);
  CHECK(b.module.read_power_cdbm() == 2750);

  CHECK(b.transact(mercury::make_set_gpo_command(2, true)).status == 0);
  CHECK(b.module.gpo_state() == 0x02);
  CHECK(b.transact(mercury::make_set_gpo_command(9, true)).status ==
        word(mercury::ModuleStatus::msg_invalid_parameter_value));
  const auto notices = b.module.take_notices();
  CHECK(std::find(notices.begin(), notices.end(), "GPO 2 on (lane light)") != notices.end());

  const Sent t = b.transact(mercury::make_get_temperature_command());
  mercury::ReaderFrame tf{t.opcode, t.status, t.data, true};
  std::int8_t celsius = 0;
  REQUIRE_FALSE(mercury::decode_temperature_response(tf, celsius));
  CHECK(celsius >= 25);
  CHECK(celsius <= 45);

  const Sent rl = b.transact(mercury::make_get_return_loss_command());
  mercury::ReaderFrame rlf{rl.opcode, rl.status, rl.data, true};
  std::vector<mercury::PortReturnLoss> ports;
  REQUIRE_FALSE(mercury::decode_return_loss_response(rlf, ports));
  REQUIRE(ports.size() == 4);
  CHECK(ports[0].return_loss_db > 10);
  CHECK(ports[3].return_loss_db < 10);
}

TEST_CASE("serial module: malformed commands get a status, bad CRCs get nothing") {
  Bench b;
  REQUIRE(b.transact(mercury::make_boot_firmware_command()).status == 0);
  // SET_REGION with three bytes (region, LBT flag and one too many).
  CHECK(b.transact({mercury::Opcode::set_region, {0x01, 0x00, 0x02}}).status ==
        word(mercury::ModuleStatus::msg_wrong_number_of_data));
  // An opcode the module does not have.
  const Sent unknown = b.transact({static_cast<mercury::Opcode>(0x5A), {}});
  CHECK(unknown.status == word(mercury::ModuleStatus::invalid_opcode));
  // A frame with a broken CRC is dropped by the module's lexer: no answer.
  auto frame = mercury::to_frame(mercury::make_version_command());
  frame.back() ^= 0x01;
  b.send_raw(frame);
  CHECK(b.drain().empty());
  CHECK(b.module.counters().host_bad_crc == 1);
  // A command split over several reads still gets one answer.
  const auto whole = mercury::to_frame(mercury::make_get_region_command());
  b.send_raw({whole.begin(), whole.begin() + 2});
  CHECK(b.drain().empty());
  b.send_raw({whole.begin() + 2, whole.end()});
  CHECK(b.drain().size() == 1);
}

TEST_CASE("serial module: half a command is forgotten after the receive timeout") {
  Bench b;
  REQUIRE(b.transact(mercury::make_boot_firmware_command()).status == 0);
  const auto whole = mercury::to_frame(mercury::make_get_region_command());
  b.send_raw({whole.begin(), whole.begin() + 3});
  REQUIRE(b.module.next_deadline().has_value());
  b.advance(SerialModule::kCommandIdleUs + 1);
  CHECK_FALSE(b.module.next_deadline().has_value());
  // The rest alone is not a command; a whole new one is answered.
  b.send_raw({whole.begin() + 3, whole.end()});
  CHECK(b.drain().empty());
  CHECK(b.transact(mercury::make_get_region_command()).status == 0);
}

TEST_CASE("serial module: a reset returns to the bootloader and forgets the settings") {
  Bench b;
  b.boot_and_configure();
  REQUIRE(b.transact(mercury::make_set_gpo_command(1, true)).status == 0);
  b.module.reboot(b.now, b.now + 250'000);
  CHECK(b.module.program() == ModuleProgram::off);
  // Silent while resetting: commands are not heard.
  b.send(mercury::make_version_command());
  CHECK(b.drain().empty());
  b.advance(250'000);
  CHECK(b.module.program() == ModuleProgram::bootloader);
  CHECK(b.module.region() == 0);
  CHECK(b.module.gpo_state() == 0);
  CHECK(b.module.antennas() == std::vector<std::uint8_t>{1});
  CHECK(b.transact(mercury::make_version_command()).status == 0);
  CHECK(b.transact(mercury::make_get_region_command()).status ==
        word(mercury::ModuleStatus::invalid_opcode));
  CHECK(b.module.counters().resets == 1);
}

#pragma once
// Helpers for the serial module tests: a TagLog that keeps its rows, host
// commands framed by the Mercury codec, the module's output split back into
// decoded frames, and model reads made to order.
#include <cstdint>
#include <string>
#include <vector>

#include "garita/hal/mercury/Commands.hpp"
#include "garita/hal/mercury/Frame.hpp"
#include "garita/sim/TagObservation.hpp"
#include "garita/sim/serial/SerialModule.hpp"

namespace garita::sim::serial::test {

inline constexpr std::int64_t kT0 = 1'700'000'000'000'000;  // model time of power-up

struct RecordingTagLog final : TagLog {
  std::vector<TagLogRow> rows;
  void record(const TagLogRow& row) override { rows.push_back(row); }
  std::size_t count(TagOutcome outcome, std::string_view detail = {}) const;
};

// One frame the module wrote, decoded (owning its bytes).
struct Sent {
  OutgoingFrame frame;
  std::uint8_t opcode = 0;
  std::uint16_t status = 0;
  std::vector<std::uint8_t> data;
  bool decoded = false;  // false: the bytes are not one valid frame (junk, damage)
};

// A module and its log, with shorthands for the host side.
struct Bench {
  explicit Bench(ModuleOptions options = {}, LaneId lane = 1);
  RecordingTagLog log;
  SerialModule module;
  std::int64_t now = kT0;

  // Sends one command (framed with a valid CRC) at `now`.
  void send(const hal::mercury::HostCommand& command);
  void send_raw(const std::vector<std::uint8_t>& bytes);
  // Pops every queued frame, hands it to on_delivered (connection 1) and
  // returns them decoded (with CRC expected unless told otherwise).
  std::vector<Sent> drain(bool crc_expected = true);
  // send() + drain(), expecting exactly one response; returns it.
  Sent transact(const hal::mercury::HostCommand& command);
  // Moves time forward by `us` and runs the module's timers.
  void advance(std::int64_t us);
  // Bootloader -> application, NA region, antennas 1 and 2.
  void boot_and_configure();
  // boot_and_configure() and start continuous reading with `plan`.
  void start_streaming(const hal::mercury::ContinuousReadPlan& plan = {});
};

// A read of lane 1's reader (index 0) at `time_us` on `antenna`.
TagObservation make_read(std::int64_t time_us, std::uint16_t antenna, std::uint8_t serial = 1,
                         std::int8_t rssi = -55, std::uint16_t channel = 7);

}  // namespace garita::sim::serial::test

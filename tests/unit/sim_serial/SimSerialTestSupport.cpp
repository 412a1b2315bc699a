#include "SimSerialTestSupport.hpp"

#include <catch2/catch.hpp>

namespace garita::sim::serial::test {
namespace mercury = hal::mercury;

std::size_t RecordingTagLog::count(TagOutcome outcome, std::string_view detail) const {
  std::size_t n = 0;
  for (const TagLogRow& r : rows) {
    if (r.outcome == outcome && (detail.empty() || r.detail == detail)) ++n;
  }
  return n;
}

Bench::Bench(ModuleOptions options, LaneId lane) : module(options, lane, log, kT0) {}

void Bench::send(const mercury::HostCommand& command) { send_raw(mercury::to_frame(command)); }

void Bench::send_raw(const std::vector<std::uint8_t>& bytes) { module.receive(bytes, now); }

std::vector<Sent> Bench::drain(bool crc_expected) {
  std::vector<Sent> out;
  while (auto f = module.pop_outgoing()) {
    Sent s;
    s.frame = *f;
    mercury::ReaderFrame rf;
    if (!mercury::decode_reader_frame(f->bytes, rf, crc_expected)) {
      s.decoded = true;
      s.opcode = rf.opcode;
      s.status = rf.status;
      s.data.assign(rf.data.begin(), rf.data.end());
    }
    module.on_delivered(*f, now, 1);
    out.push_back(std::move(s));
  }
  return out;
}

Sent Bench::transact(const mercury::HostCommand& command) {
  send(command);
  auto frames = drain();
  REQUIRE(frames.size() == 1);
  REQUIRE(frames[0].decoded);
  CHECK(frames[0].opcode == static_cast<std::uint8_t>(command.opcode));
  return frames[0];
}

void Bench::advance(std::int64_t us) {
  now += us;
  module.advance_to(now);
}

void Bench::boot_and_configure() {
  REQUIRE(transact(mercury::make_boot_firmware_command()).status == 0);
  REQUIRE(transact(mercury::make_set_region_command(mercury::Region::na)).status == 0);
  const std::uint8_t antennas[] = {1, 2};
  REQUIRE(transact(mercury::make_set_antenna_ports_command(antennas)).status == 0);
}

void Bench::start_streaming(const mercury::ContinuousReadPlan& plan) {
  boot_and_configure();
  REQUIRE(transact(mercury::make_start_continuous_read_command(plan)).status == 0);
  REQUIRE(module.streaming());
}

TagObservation make_read(std::int64_t time_us, std::uint16_t antenna, std::uint8_t serial,
                         std::int8_t rssi, std::uint16_t channel) {
  TagObservation r;
  r.time_us = time_us;
  r.lane = 1;
  r.reader = 0;
  r.antenna = antenna;
  r.pc = 0x3000;
  r.channel_index = channel;
  r.peak_rssi_dbm = rssi;
  r.rssi_cdbm = static_cast<std::int16_t>(rssi * 100);
  r.epc_len = 12;
  const std::uint8_t epc[12] = {0xE2, 0xC0, 0xDE, 0x01, 0, 0, 0, 0, 0, 0, 0, serial};
  std::copy(std::begin(epc), std::end(epc), r.epc.begin());
  r.tid_len = 12;
  const std::uint8_t tid[12] = {0xE2, 0x80, 0x11, 0x60, 0x20, 0x00, 0, 0, 0, 0, 0x10, serial};
  std::copy(std::begin(tid), std::end(tid), r.tid.begin());
  return r;
}

}  // namespace garita::sim::serial::test

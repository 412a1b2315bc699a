// The simulated Mercury module (garita-sim serial) under arbitrary host
// bytes, reads and faults: the input is a script of steps, each a control
// byte and a length byte then, for "host bytes", that many bytes:
//   ctrl % 6 == 0  host bytes to the module
//               1  advance model time by len * 10 ms
//               2  a read on antenna len % 4 + 1
//               3  deliver every queued frame to the host
//               4  a fault (len % 6: junk, badcrc, truncate, nocrc, reboot, unplug+replug)
//               5  a valid command from a fixed set (boot, region, antennas, start, stop, GPO)
// Invariants: no crash, every frame the module writes is junk, damaged, or
// one whole valid reader frame, and after finish() every read the model
// gave the module has exactly one sent-log row.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "garita/hal/mercury/Commands.hpp"
#include "garita/hal/mercury/Frame.hpp"
#include "garita/sim/serial/SerialModule.hpp"

using namespace garita::sim::serial;
namespace mercury = garita::hal::mercury;

namespace {

struct CountingLog final : TagLog {
  std::uint64_t rows = 0;
  void record(const TagLogRow&) override { ++rows; }
};

mercury::HostCommand fixed_command(std::uint8_t which) {
  const std::uint8_t antennas[] = {1, 2};
  switch (which % 7) {
    case 0: return mercury::make_boot_firmware_command();
    case 1: return mercury::make_set_region_command(mercury::Region::na);
    case 2: return mercury::make_set_antenna_ports_command(antennas);
    case 3: return mercury::make_start_continuous_read_command({});
    case 4: return mercury::make_stop_continuous_read_command();
    case 5: return mercury::make_set_gpo_command(static_cast<std::uint8_t>(which % 5), true);
    default: return mercury::make_version_command();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  CountingLog log;
  std::int64_t now = 1'700'000'000'000'000;
  ModuleOptions options;
  options.seed = size;
  SerialModule module(options, 1, log, now);
  std::uint64_t reads = 0;
  std::uint8_t serial = 0;
  auto deliver = [&] {
    while (auto f = module.pop_outgoing()) {
      if (f->kind != OutgoingFrame::Kind::junk && f->damage.empty()) {
        mercury::ReaderFrame rf;
        if (mercury::decode_reader_frame(f->bytes, rf, true) &&
            mercury::decode_reader_frame(f->bytes, rf, false)) {
          std::abort();  // an intact frame the host could not decode
        }
      }
      module.on_delivered(*f, now, 1);
    }
  };
  std::size_t i = 0;
  while (i + 2 <= size) {
    const std::uint8_t ctrl = data[i];
    const std::uint8_t len = data[i + 1];
    i += 2;
    switch (ctrl % 6) {
      case 0: {
        const std::size_t n = std::min<std::size_t>(len, size - i);
        module.receive(std::span<const std::uint8_t>(data + i, n), now);
        i += n;
        break;
      }
      case 1:
        now += std::int64_t{len} * 10'000;
        module.advance_to(now);
        break;
      case 2: {
        garita::sim::TagObservation r;
        r.time_us = now;
        r.lane = 1;
        r.antenna = static_cast<std::uint16_t>(len % 4 + 1);
        r.pc = 0x3000;
        r.channel_index = static_cast<std::uint16_t>(len % 50 + 1);
        r.peak_rssi_dbm = -60;
        r.epc_len = 12;
        r.epc[11] = ++serial;
        r.tid_len = static_cast<std::uint8_t>(len % 2 == 0 ? 12 : 4);
        r.tid[0] = 0xE2;
        module.on_observation(r);
        ++reads;
        break;
      }
      case 3: deliver(); break;
      case 4:
        switch (len % 6) {
          case 0: module.inject_junk(now); break;
          case 1: module.corrupt_next_frame_crc(); break;
          case 2: module.truncate_next_frame(); break;
          case 3: module.send_without_crc(now, now + 500'000); break;
          case 4: module.reboot(now, now + 250'000); break;
          default:
            module.power_off(now);
            module.power_on(now + 1'000);
            now += 1'000;
            break;
        }
        break;
      default: {
        const auto frame = mercury::to_frame(fixed_command(len));
        module.receive(frame, now);
        break;
      }
    }
  }
  deliver();
  module.finish(now);
  if (log.rows != reads) std::abort();  // a read without exactly one outcome
  return 0;
}

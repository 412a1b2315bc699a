// Mercury serial protocol fuzz target: the bytes feed the frame lexer in
// every direction/CRC mode (in uneven chunks picked by the first byte), and
// every frame that comes out goes through every decoder. Invariants: no
// crash, bounded buffering, decoded tag reads re-encode to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "garita/hal/mercury/Commands.hpp"
#include "garita/hal/mercury/MercuryFrameLexer.hpp"
#include "garita/hal/mercury/Responses.hpp"
#include "garita/hal/mercury/StreamMessages.hpp"

using namespace garita::hal::mercury;

namespace {

void decode_reader(const MercuryFrameLexer::Frame& f) {
  const ReaderFrame frame{f.opcode, f.status, f.data, f.had_crc};
  VersionInfo version;
  (void)decode_version_response(frame, version);
  RunningProgram program;
  (void)decode_current_program_response(frame, program);
  std::uint8_t region = 0;
  (void)decode_region_response(frame, region);
  std::int8_t celsius = 0;
  (void)decode_temperature_response(frame, celsius);
  std::vector<PortReturnLoss> loss;
  (void)decode_return_loss_response(frame, loss);
  ModuleStats stats;
  (void)decode_stats_report(frame, stats);
  (void)classify_stream_frame(frame);
  StreamTagRead read;
  if (!decode_stream_tag_read(frame, read)) {
    std::vector<std::uint8_t> again;
    if (encode_stream_tag_read(read, again)) std::abort();
    // The decoder accepts exactly what the encoder writes, except a data
    // bit count that is not a multiple of 8 (rounded up on decode).
    StreamTagRead twice;
    const ReaderFrame re{f.opcode, 0, again, true};
    if (decode_stream_tag_read(re, twice)) std::abort();
    if (!(twice.epc == read.epc) || twice.pc != read.pc) std::abort();
  }
}

void decode_host(const MercuryFrameLexer::Frame& f) {
  const HostFrame frame{f.opcode, f.data};
  std::uint8_t u8 = 0;
  std::uint16_t u16 = 0;
  bool high = false;
  std::vector<AntennaPortPair> ports;
  MultiProtocolCommand multi;
  (void)decode_set_region_command(frame, u8);
  (void)decode_set_tag_protocol_command(frame, u16);
  (void)decode_set_antenna_ports_command(frame, ports);
  (void)decode_set_read_tx_power_command(frame, u16);
  (void)decode_set_gpo_command(frame, u8, high);
  if (!decode_multi_protocol_command(frame, multi) && !multi.stop) {
    // A start command that decodes must encode back to identical bytes.
    const HostCommand again = make_start_continuous_read_command(multi.plan);
    if (again.data.size() != f.data.size() ||
        !std::equal(again.data.begin(), again.data.end(), f.data.begin())) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::span<const std::uint8_t> bytes(data + 1, size - 1);
  using L = MercuryFrameLexer;
  for (auto [dir_binding, crc] :
       {std::pair{L::Direction::reader_responses, L::CrcMode::required},
        std::pair{L::Direction::reader_responses, L::CrcMode::absent},
        std::pair{L::Direction::reader_responses, L::CrcMode::auto_detect},
        std::pair{L::Direction::host_commands, L::CrcMode::required}}) {
    const L::Direction dir = dir_binding;  // lambdas cannot capture bindings (clang 14)
    L lexer(dir, crc);
    const auto on_frame = [&](const L::Frame& f) {
      if (f.raw.size() > kMaxFrameSize) std::abort();
      if (dir == L::Direction::host_commands) {
        decode_host(f);
      } else {
        decode_reader(f);
      }
    };
    for (std::size_t at = 0; at < bytes.size(); at += chunk) {
      lexer.feed(bytes.subspan(at, std::min(chunk, bytes.size() - at)), on_frame);
      if (lexer.buffered_bytes() > kMaxFrameSize) std::abort();
    }
    lexer.flush(on_frame);
    if (lexer.buffered_bytes() != 0) std::abort();
  }
  return 0;
}

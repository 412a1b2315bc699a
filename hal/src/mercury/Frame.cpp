#include "garita/hal/mercury/Frame.hpp"

#include "garita/hal/mercury/Crc.hpp"
#include "garita/hal/mercury/Errc.hpp"

namespace garita::hal::mercury {
namespace {

void append_crc(std::vector<std::uint8_t>& out, std::size_t frame_start) {
  // CRC over LEN..DATA: everything after the 0xFF start byte.
  const std::span<const std::uint8_t> covered(out.data() + frame_start + 1,
                                              out.size() - frame_start - 1);
  const std::uint16_t crc = mercury_crc(covered);
  out.push_back(static_cast<std::uint8_t>(crc >> 8));
  out.push_back(static_cast<std::uint8_t>(crc));
}

bool crc_matches(std::span<const std::uint8_t> frame) noexcept {
  const std::size_t n = frame.size();
  const auto want = static_cast<std::uint16_t>((frame[n - 2] << 8) | frame[n - 1]);
  return mercury_crc(frame.subspan(1, n - 3)) == want;
}

}  // namespace

std::error_code encode_host_frame(std::uint8_t opcode, std::span<const std::uint8_t> data,
                                  std::vector<std::uint8_t>& out) {
  if (data.size() > kMaxDataLength) return Errc::data_too_long;
  const std::size_t start = out.size();
  out.push_back(kStartByte);
  out.push_back(static_cast<std::uint8_t>(data.size()));
  out.push_back(opcode);
  out.insert(out.end(), data.begin(), data.end());
  append_crc(out, start);
  return {};
}

std::error_code encode_reader_frame(std::uint8_t opcode, std::uint16_t status,
                                    std::span<const std::uint8_t> data,
                                    std::vector<std::uint8_t>& out, bool with_crc) {
  if (data.size() > kMaxDataLength) return Errc::data_too_long;
  const std::size_t start = out.size();
  out.push_back(kStartByte);
  out.push_back(static_cast<std::uint8_t>(data.size()));
  out.push_back(opcode);
  out.push_back(static_cast<std::uint8_t>(status >> 8));
  out.push_back(static_cast<std::uint8_t>(status));
  out.insert(out.end(), data.begin(), data.end());
  if (with_crc) append_crc(out, start);
  return {};
}

std::error_code decode_host_frame(std::span<const std::uint8_t> bytes, HostFrame& out) noexcept {
  if (bytes.size() < kHostOverhead) return Errc::frame_too_short;
  if (bytes[0] != kStartByte) return Errc::bad_start_byte;
  if (bytes.size() != bytes[1] + kHostOverhead) return Errc::length_mismatch;
  if (!crc_matches(bytes)) return Errc::bad_crc;
  out.opcode = bytes[2];
  out.data = bytes.subspan(3, bytes[1]);
  return {};
}

std::error_code decode_reader_frame(std::span<const std::uint8_t> bytes, ReaderFrame& out,
                                    bool crc_expected) noexcept {
  const std::size_t overhead = crc_expected ? kReaderOverhead : kReaderOverhead - 2;
  if (bytes.size() < overhead) return Errc::frame_too_short;
  if (bytes[0] != kStartByte) return Errc::bad_start_byte;
  if (bytes.size() != bytes[1] + overhead) return Errc::length_mismatch;
  if (crc_expected && !crc_matches(bytes)) return Errc::bad_crc;
  out.opcode = bytes[2];
  out.status = static_cast<std::uint16_t>((bytes[3] << 8) | bytes[4]);
  out.data = bytes.subspan(5, bytes[1]);
  out.had_crc = crc_expected;
  return {};
}

}  // namespace garita::hal::mercury

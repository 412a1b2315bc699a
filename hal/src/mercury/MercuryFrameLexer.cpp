#include "garita/hal/mercury/MercuryFrameLexer.hpp"

#include <algorithm>

#include "garita/hal/mercury/Crc.hpp"

namespace garita::hal::mercury {

MercuryFrameLexer::MercuryFrameLexer(Direction direction, CrcMode crc)
    : direction_(direction),
      // Host commands always carry a CRC (Embedded Module User Guide: only
      // module responses over native USB may omit it).
      configured_crc_(direction == Direction::host_commands ? CrcMode::required : crc),
      crc_(configured_crc_) {
  buffer_.reserve(kMaxFrameSize * 2);
}

void MercuryFrameLexer::reset() noexcept {
  buffer_.clear();
  start_ = 0;
  emitted_ = 0;
  crc_ = configured_crc_;
}

void MercuryFrameLexer::consume_emitted() noexcept {
  start_ += emitted_;
  emitted_ = 0;
}

void MercuryFrameLexer::compact() {
  if (start_ == 0) return;
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
  start_ = 0;
}

void MercuryFrameLexer::discard_pending() noexcept {
  if (buffered_bytes() > 0) ++counters_.truncated;
  buffer_.clear();
  start_ = 0;
  emitted_ = 0;
}

bool MercuryFrameLexer::next(Frame& out, bool at_idle) {
  const std::size_t header = direction_ == Direction::host_commands ? 3 : 5;
  for (;;) {
    // Skip to the next start byte; whatever lies before it is junk.
    const auto begin = buffer_.begin() + static_cast<std::ptrdiff_t>(start_);
    const auto ff = std::find(begin, buffer_.end(), kStartByte);
    counters_.junk_bytes += static_cast<std::uint64_t>(ff - begin);
    start_ = static_cast<std::size_t>(ff - buffer_.begin());
    const std::size_t avail = buffer_.size() - start_;
    if (avail < 2) return false;

    const std::uint8_t* p = buffer_.data() + start_;
    const std::size_t without_crc = header + p[1];
    const std::size_t with_crc = without_crc + 2;
    const auto crc_ok = [&] {
      const auto want = static_cast<std::uint16_t>((p[without_crc] << 8) | p[without_crc + 1]);
      return mercury_crc({p + 1, without_crc - 1}) == want;
    };
    const auto emit = [&](std::size_t size, bool had_crc) {
      out.opcode = p[2];
      out.status = header == 5 ? static_cast<std::uint16_t>((p[3] << 8) | p[4]) : 0;
      out.data = {p + header, p[1]};
      out.had_crc = had_crc;
      out.raw = {p, size};
      emitted_ = size;
      ++counters_.frames;
      return true;
    };
    const auto drop_start_byte = [&] {
      // Not a frame after all: scan again from the byte after this 0xFF,
      // so a real frame that began inside the bad one is still found.
      ++counters_.bad_crc;
      ++start_;
    };

    switch (crc_) {
      case CrcMode::required:
        if (avail < without_crc + 2 || avail < header) return false;
        if (crc_ok()) return emit(with_crc, true);
        drop_start_byte();
        continue;
      case CrcMode::absent:
        if (avail < without_crc) return false;
        return emit(without_crc, false);
      case CrcMode::auto_detect: {
        // Decide on the first frame that proves one form or the other.
        const bool next_starts_after_body = avail > without_crc && p[without_crc] == kStartByte;
        if (avail >= with_crc) {
          if (crc_ok()) {
            crc_ = CrcMode::required;
            return emit(with_crc, true);
          }
          if (next_starts_after_body) {
            crc_ = CrcMode::absent;
            return emit(without_crc, false);
          }
          drop_start_byte();
          continue;
        }
        if (at_idle && avail >= without_crc && (avail == without_crc || next_starts_after_body)) {
          crc_ = CrcMode::absent;
          return emit(without_crc, false);
        }
        return false;
      }
    }
    return false;
  }
}

}  // namespace garita::hal::mercury

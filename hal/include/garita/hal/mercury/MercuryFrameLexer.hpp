#pragma once
// Splits a Mercury byte stream into frames, in either direction: the driver
// lexes module responses, the simulator (garita-sim serial) lexes host
// commands with the same class.
//
// Unlike LLRP, a Mercury stream can always be re-synchronised: frames start
// with 0xFF and end with a CRC. So nothing is fatal here. The lexer
//   - skips bytes before a 0xFF (counted as junk_bytes: line noise, a module
//     booting, the tail of a frame we joined half-way);
//   - on a CRC mismatch drops only the 0xFF it started from and scans again
//     from the next byte, so a real frame hidden inside the bad one is still
//     found (counted as bad_crc);
//   - holds at most one frame (kMaxFrameSize bytes): memory is bounded no
//     matter what arrives;
//   - on flush() (the caller saw the line go quiet, e.g. 50 ms without bytes)
//     discards a frame that never completed (counted as truncated).
//
// CRC handling (CrcMode):
//   required     every frame must carry a valid CRC (serial links; host
//                commands, which always have one).
//   absent       module responses never carry a CRC (USB bulk links of
//                readers that send responses without one).
//   auto_detect  undecided until the first frame proves it: a frame whose CRC
//                matches latches `required`; a frame of LEN+5 bytes followed by
//                another 0xFF, or by silence (flush()), whose CRC does not match
//                latches `absent`. The decision holds until reset(). Used for
//                usb:// readers, whose firmware differs by model.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "garita/hal/mercury/Frame.hpp"

namespace garita::hal::mercury {

class MercuryFrameLexer {
 public:
  enum class Direction : std::uint8_t {
    host_commands,     // FF LEN OP DATA CRC (the simulator's side)
    reader_responses,  // FF LEN OP STATUS DATA CRC (the driver's side)
  };
  enum class CrcMode : std::uint8_t { required, absent, auto_detect };

  struct Counters {
    std::uint64_t frames = 0;      // frames handed out
    std::uint64_t junk_bytes = 0;  // bytes skipped while looking for 0xFF
    std::uint64_t bad_crc = 0;     // candidate frames dropped for a CRC mismatch
    std::uint64_t truncated = 0;   // incomplete frames discarded by flush()
  };

  // One frame, as a view valid only during the callback. For host commands
  // `status` is 0 and `had_crc` is true.
  struct Frame {
    std::uint8_t opcode = 0;
    std::uint16_t status = 0;
    std::span<const std::uint8_t> data;
    bool had_crc = true;
    // The whole frame as it was on the wire (FF through CRC), e.g. for a
    // debug-level hex dump.
    std::span<const std::uint8_t> raw;
  };

  explicit MercuryFrameLexer(Direction direction, CrcMode crc = CrcMode::required);

  // Consumes all of `chunk`, calling on_frame(const Frame&) for each frame
  // completed, in stream order. on_frame must not call feed() or flush().
  template <typename OnFrame>
  void feed(std::span<const std::uint8_t> chunk, OnFrame&& on_frame) {
    buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
    Frame frame;
    while (next(frame, false)) {
      on_frame(static_cast<const Frame&>(frame));
      consume_emitted();
    }
    compact();
  }

  // The line went quiet: in auto_detect mode a pending CRC-less frame that is
  // exactly complete is handed out (and `absent` latched); any other
  // incomplete frame is discarded and counted as truncated.
  template <typename OnFrame>
  void flush(OnFrame&& on_frame) {
    Frame frame;
    while (next(frame, true)) {
      on_frame(static_cast<const Frame&>(frame));
      consume_emitted();
    }
    discard_pending();
  }

  const Counters& counters() const noexcept { return counters_; }
  std::size_t buffered_bytes() const noexcept { return buffer_.size() - start_; }
  CrcMode crc_mode() const noexcept { return crc_; }  // the latched mode once decided
  Direction direction() const noexcept { return direction_; }

  // Forgets buffered bytes and an auto-detected CRC decision (new connection).
  // Counters are kept: they describe the link over the driver's life.
  void reset() noexcept;

 private:
  bool next(Frame& out, bool at_idle);
  void consume_emitted() noexcept;
  void compact();
  void discard_pending() noexcept;

  Direction direction_;
  CrcMode configured_crc_;
  CrcMode crc_;
  std::vector<std::uint8_t> buffer_;
  std::size_t start_ = 0;    // first unconsumed byte
  std::size_t emitted_ = 0;  // size of the frame handed out last
  Counters counters_;
};

}  // namespace garita::hal::mercury

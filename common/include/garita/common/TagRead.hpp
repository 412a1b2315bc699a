#pragma once
// One tag read as a driver reports it, before debouncing. Reads arrive at
// hundreds per second per lane, so a TagRead owns no heap memory: EPC and
// TID live in fixed buffers sized to what Gen2 allows.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace garita {

// A byte buffer of at most N bytes held inline.
template <std::size_t N>
class InlineBytes {
 public:
  static constexpr std::size_t capacity = N;

  InlineBytes() = default;
  // Copies `bytes`; returns false (and stores nothing) when they do not fit.
  bool assign(std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.size() > N) {
      size_ = 0;
      return false;
    }
    std::copy(bytes.begin(), bytes.end(), data_.begin());
    size_ = static_cast<std::uint8_t>(bytes.size());
    return true;
  }
  std::span<const std::uint8_t> view() const noexcept { return {data_.data(), size_}; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  void clear() noexcept { size_ = 0; }

  friend bool operator==(const InlineBytes& a, const InlineBytes& b) noexcept {
    return std::equal(a.view().begin(), a.view().end(), b.view().begin(), b.view().end());
  }

 private:
  std::array<std::uint8_t, N> data_{};
  std::uint8_t size_ = 0;
};

// Gen2 §6.3.2.1.2.2: the PC length field allows up to 31 words of EPC.
using EpcBytes = InlineBytes<62>;
// TID: class/MDID/TMN, XTID header, the longest serial (144 bits) and the
// optional segments fit in 32 bytes; longer reads are cut by the driver.
using TidBytes = InlineBytes<32>;

struct TagRead {
  std::uint32_t reader_id = 0;      // index of the reader in the daemon's config
  std::uint16_t antenna = 0;        // reader's antenna id, 1-based (LLRP AntennaID)
  std::optional<std::uint16_t> pc;  // Gen2 PC word, when the reader reports it
  EpcBytes epc;
  TidBytes tid;                                // empty when the reader gave no TID
  std::optional<std::int16_t> peak_rssi_cdbm;  // peak RSSI in hundredths of a dBm

  // Reader clock: UTC µs when the reader has a wall clock, else µs since
  // its boot (LLRP FirstSeenTimestampUptime). The pipeline tracks the offset
  // between the reader's clock and the host's to timestamp crossings.
  std::optional<std::int64_t> reader_first_seen_utc_us;
  std::optional<std::uint64_t> reader_first_seen_uptime_us;

  std::int64_t host_utc_us = 0;   // host wall clock when the read arrived
  std::int64_t host_mono_us = 0;  // host monotonic clock when the read arrived

  std::optional<std::uint16_t> channel;  // LLRP ChannelIndex, 1-based
  std::uint32_t seen_count = 1;          // reads folded into this report
};

}  // namespace garita

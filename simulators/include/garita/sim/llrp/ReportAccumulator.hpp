#pragma once
// The reader's tag report buffer between two RO_ACCESS_REPORTs: reads are
// aggregated into one TagReportData per tag and then turned into exactly the
// fields the ROReportSpec's TagReportContentSelector enabled (LLRP 1.1
// §14.2.1, §14.2.3).
//
// Aggregation: reads of the same EPC share one TagReportData (TagSeenCount
// counts them, PeakRSSI is their maximum, FirstSeen/ChannelIndex come from
// the first, LastSeen from the last) unless an enabled field tells them
// apart: with EnableAntennaID on, each antenna gets its own TagReportData
// (as Impinj and Zebra readers do), likewise for ROSpecID, SpecIndex and
// InventoryParameterSpecID. ChannelIndex and the timestamps describe the
// first read and never split a tag.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/ReaderConfigParameters.hpp"
#include "garita/hal/llrp/TagReport.hpp"
#include "garita/sim/TagObservation.hpp"
#include "garita/sim/llrp/ReaderProfile.hpp"
#include "garita/sim/llrp/TagLog.hpp"

namespace garita::sim::llrp {

// The outcome of the AccessSpec executed on a tag's first singulation in
// this report (LLRP 1.1 §12: results ride in the TagReportData).
struct AccessResult {
  std::uint32_t access_spec_id = 0;
  std::uint8_t read_count = 0;
  std::array<hal::llrp::C1G2ReadOpSpecResult, hal::llrp::TagReport::kMaxReadResults> reads{};
  std::array<hal::llrp::MemoryBank, hal::llrp::TagReport::kMaxReadResults> banks{};
};

// Where a read happened in the running ROSpec.
struct InventoryContext {
  std::uint32_t ro_spec_id = 0;
  std::uint16_t spec_index = 0;  // 1-based AISpec position in the ROSpec
  std::uint16_t inventory_parameter_spec_id = 0;
};

struct PendingTag {
  ReportedTag tag;  // lane, antenna, EPC, PC, first/last seen, count, RSSI, channel
  std::array<std::uint8_t, kMaxTidBytes> chip_tid{};  // the chip's TID (for FastID)
  std::uint8_t chip_tid_len = 0;
  InventoryContext context;
  std::optional<AccessResult> access;
};

class ReportAccumulator {
 public:
  // At most `capacity` distinct TagReportData are held; reads of new tags
  // beyond that are refused (the caller counts them as lost).
  explicit ReportAccumulator(std::size_t capacity) : capacity_(capacity) {}

  // Adds one read. False when it needed a new entry and the buffer is full.
  bool add(const TagObservation& read, const InventoryContext& context,
           const hal::llrp::TagReportContentSelector& selector, const AccessResult* access);

  std::size_t size() const noexcept { return pending_.size(); }
  bool empty() const noexcept { return pending_.empty(); }
  // Moves the entries out in first-seen order, leaving the buffer empty.
  std::vector<PendingTag> take();
  void clear() noexcept { pending_.clear(); }

 private:
  std::size_t capacity_;
  std::vector<PendingTag> pending_;
};

// How the reader renders TagReportData.
struct ReportRendering {
  ReaderClock clock = ReaderClock::utc;
  std::int64_t boot_us = 0;     // model time of the reader's boot (for Uptime timestamps)
  bool serialized_tid = false;  // Impinj FastID enabled and the extensions are on
};

// Fills `out` with the fields `spec`'s selector enables and nothing else;
// sets `tag.tid_len` in `pending` to the TID it attached (for the sent log).
void render_tag_report(PendingTag& pending, const hal::llrp::RoReportSpec& spec,
                       const ReportRendering& rendering, hal::llrp::TagReport& out);

}  // namespace garita::sim::llrp

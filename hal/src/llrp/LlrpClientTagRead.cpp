#include "garita/hal/llrp/LlrpClientTagRead.hpp"

#include <algorithm>
#include <limits>

#include "garita/hal/llrp/LlrpClientSetup.hpp"

namespace garita::hal::llrp {
namespace {

void assign_tid(TidBytes& tid, std::span<const std::uint8_t> bytes) noexcept {
  // Keep whole words only, and at most what a TagRead holds (TagRead.hpp).
  const std::size_t n = std::min(bytes.size() & ~std::size_t{1}, TidBytes::capacity);
  tid.assign(bytes.first(n));
}

}  // namespace

void to_tag_read(const TagReport& report, const TagReadContext& context, TagRead& out) noexcept {
  out.reader_id = context.reader_id;
  out.antenna = report.antenna_id.value_or(0);
  out.pc = report.pc_bits;
  out.epc.assign(report.epc.bytes());  // TagEpc and EpcBytes both hold Gen2's 62 bytes

  out.tid.clear();
  const C1G2ReadOpSpecResult* read = report.find_read_result(kTidReadOpSpecId);
  if (read != nullptr && read->result == C1G2ReadResult::success && read->data.stored_bytes > 0) {
    assign_tid(out.tid, read->data.bytes());
  } else if (report.impinj_serialized_tid) {
    assign_tid(out.tid, report.impinj_serialized_tid->bytes());
  }

  // LLRP PeakRSSI is whole dBm (s8); TagRead keeps hundredths.
  if (report.peak_rssi_dbm) {
    out.peak_rssi_cdbm = static_cast<std::int16_t>(*report.peak_rssi_dbm * 100);
  } else {
    out.peak_rssi_cdbm.reset();
  }

  // A UTC value past 2^63 µs is no date (year 294247): drop it, keep the read.
  out.reader_first_seen_utc_us.reset();
  if (report.first_seen_utc_us &&
      *report.first_seen_utc_us <=
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    out.reader_first_seen_utc_us = static_cast<std::int64_t>(*report.first_seen_utc_us);
  }
  out.reader_first_seen_uptime_us = report.first_seen_uptime_us;

  out.host_utc_us = context.host_utc_us;
  out.host_mono_us = context.host_mono_us;
  out.channel = report.channel_index;
  // TagSeenCount is at least 1 for a tag that was reported at all.
  out.seen_count = std::max<std::uint32_t>(report.tag_seen_count.value_or(1), 1);
}

}  // namespace garita::hal::llrp

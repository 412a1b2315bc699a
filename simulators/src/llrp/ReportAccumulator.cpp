#include "garita/sim/llrp/ReportAccumulator.hpp"

#include <algorithm>

#include "garita/sim/llrp/TagMemory.hpp"

namespace garita::sim::llrp {
namespace codec = garita::hal::llrp;
namespace {

constexpr std::uint16_t kMaxTagSeenCount = 0xFFFF;  // TagSeenCount is a u16 (§14.2.3.13)

bool same_entry(const PendingTag& p, const TagObservation& read, const InventoryContext& context,
                const codec::TagReportContentSelector& selector) {
  if (!std::equal(p.tag.epc_bytes().begin(), p.tag.epc_bytes().end(), read.epc_bytes().begin(),
                  read.epc_bytes().end())) {
    return false;
  }
  if (selector.enable_antenna_id && p.tag.antenna != read.antenna) return false;
  if (selector.enable_ro_spec_id && p.context.ro_spec_id != context.ro_spec_id) return false;
  if (selector.enable_spec_index && p.context.spec_index != context.spec_index) return false;
  if (selector.enable_inventory_parameter_spec_id &&
      p.context.inventory_parameter_spec_id != context.inventory_parameter_spec_id) {
    return false;
  }
  return true;
}

}  // namespace

bool ReportAccumulator::add(const TagObservation& read, const InventoryContext& context,
                            const codec::TagReportContentSelector& selector,
                            const AccessResult* access) {
  for (PendingTag& p : pending_) {
    if (!same_entry(p, read, context, selector)) continue;
    p.tag.last_seen_us = read.time_us;
    ++p.tag.seen_count;
    p.tag.peak_rssi_dbm = std::max(p.tag.peak_rssi_dbm, read.peak_rssi_dbm);
    if (!p.access && access != nullptr) p.access = *access;
    return true;
  }
  if (pending_.size() >= capacity_) return false;
  PendingTag& p = pending_.emplace_back();
  p.tag.lane = read.lane;
  p.tag.antenna = read.antenna;
  p.tag.pc = read.pc;
  p.tag.epc_len = read.epc_len;
  p.tag.epc = read.epc;
  p.tag.first_seen_us = read.time_us;
  p.tag.last_seen_us = read.time_us;
  p.tag.seen_count = 1;
  p.tag.peak_rssi_dbm = read.peak_rssi_dbm;
  p.tag.first_channel = read.channel_index;
  p.chip_tid = read.tid;
  p.chip_tid_len = read.tid_len;
  p.context = context;
  if (access != nullptr) p.access = *access;
  return true;
}

std::vector<PendingTag> ReportAccumulator::take() {
  std::vector<PendingTag> out;
  out.swap(pending_);
  return out;
}

void render_tag_report(PendingTag& pending, const codec::RoReportSpec& spec,
                       const ReportRendering& rendering, codec::TagReport& out) {
  const codec::TagReportContentSelector& s = spec.content;
  const ReportedTag& t = pending.tag;
  out.clear();
  out.epc.assign(t.epc_bytes(), static_cast<std::uint16_t>(t.epc_len * 8u));
  if (s.enable_ro_spec_id) out.ro_spec_id = pending.context.ro_spec_id;
  if (s.enable_spec_index) out.spec_index = pending.context.spec_index;
  if (s.enable_inventory_parameter_spec_id) {
    out.inventory_parameter_spec_id = pending.context.inventory_parameter_spec_id;
  }
  if (s.enable_antenna_id) out.antenna_id = t.antenna;
  if (s.enable_peak_rssi) out.peak_rssi_dbm = t.peak_rssi_dbm;
  if (s.enable_channel_index) out.channel_index = t.first_channel;
  const auto reader_time = [&rendering](std::int64_t model_us) {
    const std::int64_t v =
        rendering.clock == ReaderClock::utc ? model_us : model_us - rendering.boot_us;
    return static_cast<std::uint64_t>(std::max<std::int64_t>(v, 0));
  };
  if (s.enable_first_seen_timestamp) {
    if (rendering.clock == ReaderClock::utc) {
      out.first_seen_utc_us = reader_time(t.first_seen_us);
    } else {
      out.first_seen_uptime_us = reader_time(t.first_seen_us);
    }
  }
  if (s.enable_last_seen_timestamp) {
    if (rendering.clock == ReaderClock::utc) {
      out.last_seen_utc_us = reader_time(t.last_seen_us);
    } else {
      out.last_seen_uptime_us = reader_time(t.last_seen_us);
    }
  }
  if (s.enable_tag_seen_count) {
    out.tag_seen_count =
        static_cast<std::uint16_t>(std::min<std::uint32_t>(t.seen_count, kMaxTagSeenCount));
  }
  if (s.c1g2_epc_memory_selector) {
    const codec::C1G2EpcMemorySelector& m = *s.c1g2_epc_memory_selector;
    if (m.enable_pc_bits) out.pc_bits = t.pc;
    if (m.enable_crc) out.crc = gen2_stored_crc(t.pc, t.epc_bytes());
    // EnableXPCBits: the traffic model's tags carry no XPC (PC bit XI is
    // clear), and a reader reports C1G2_XPC_W1/W2 only for tags that have one.
  }
  pending.tag.tid_len = 0;
  if (pending.access) {
    const AccessResult& a = *pending.access;
    if (s.enable_access_spec_id) out.access_spec_id = a.access_spec_id;
    for (std::uint8_t i = 0; i < a.read_count; ++i) {
      out.read_results[i] = a.reads[i];
      const auto& r = a.reads[i];
      if (pending.tag.tid_len == 0 && a.banks[i] == codec::MemoryBank::tid &&
          r.result == codec::C1G2ReadResult::success && !r.data.bytes().empty()) {
        const auto bytes = r.data.bytes();
        const std::size_t n = std::min(bytes.size(), pending.tag.tid.size());
        std::copy_n(bytes.begin(), n, pending.tag.tid.begin());
        pending.tag.tid_len = static_cast<std::uint8_t>(n);
      }
    }
    out.read_result_count = a.read_count;
  }
  if (rendering.serialized_tid && spec.impinj && spec.impinj->enable_serialized_tid &&
      pending.chip_tid_len != 0) {
    const std::span<const std::uint8_t> tid{pending.chip_tid.data(), pending.chip_tid_len};
    out.impinj_serialized_tid.emplace().assign(tid);
    if (pending.tag.tid_len == 0) {
      std::copy(tid.begin(), tid.end(), pending.tag.tid.begin());
      pending.tag.tid_len = pending.chip_tid_len;
    }
  }
}

}  // namespace garita::sim::llrp

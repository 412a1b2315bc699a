#include "garita/common/lane/CrossingBuilder.hpp"

#include <algorithm>
#include <limits>

#include "garita/common/Epc.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/Tid.hpp"

namespace garita::lane {
namespace {

std::uint32_t add_saturating(std::uint32_t a, std::uint32_t b) noexcept {
  return a > std::numeric_limits<std::uint32_t>::max() - b
             ? std::numeric_limits<std::uint32_t>::max()
             : a + b;
}

// Crossing::peak_rssi_cdbm is 0 when no read carried an RSSI (0 dBm is no
// real tag reply at lane range).
std::int16_t recorded_rssi(const Evidence& e) noexcept {
  return e.peak_rssi_cdbm == kNoRssi ? std::int16_t{0} : e.peak_rssi_cdbm;
}

}  // namespace

void fill_card(Crossing& out, const EpcBytes& epc, std::optional<std::uint16_t> pc,
               const TidBytes& tid, const IssuerTable* issuers) {
  out.epc = epc;
  out.pc = pc;
  out.epc_hex = to_hex(epc.view());
  std::optional<PcWord> pc_word;
  if (pc) pc_word = PcWord{*pc};
  const DecodedEpc decoded = decode_epc(epc.view(), pc_word);
  out.epc_uri = decoded.tag_uri.empty() ? decoded.raw_uri : decoded.tag_uri;
  out.epc_scheme = std::string(to_string(decoded.scheme));

  out.tid = tid;
  out.tid_hex.clear();
  out.tid_maker.clear();
  out.tid_model.clear();
  out.tid_serial.clear();
  DecodedTid decoded_tid;
  const bool has_tid = !tid.empty();
  if (has_tid) {
    decoded_tid = decode_tid(tid.view());
    out.tid_hex = to_hex(tid.view());
    out.tid_maker = std::string(decoded_tid.manufacturer);
    out.tid_model = std::string(decoded_tid.model);
    out.tid_serial = decoded_tid.serial;
  }

  out.document = DocumentType::unknown;
  out.issuer_rule.clear();
  if (issuers != nullptr) {
    const DocumentMatch match = issuers->match(decoded, has_tid ? &decoded_tid : nullptr);
    out.document = match.document;
    if (match.rule != nullptr) out.issuer_rule = match.rule->name;
  }
}

void build_crossing(RearmEntry& out, const LaneConfig& lane, std::uint64_t sequence,
                    const EpcBytes& epc, const LaneSession& session, const IssuerTable* issuers) {
  Crossing& x = out.crossing;
  x.lane_id = lane.lane_id;
  x.sequence = sequence;
  x.port_code = lane.port_code;
  fill_card(x, epc, session.pc, session.tid, issuers);
  x.first_seen_utc_us = session.first.utc_us;
  x.last_seen_utc_us = std::max(session.last_utc_us, session.first.utc_us);
  x.time_source = session.first.source;
  x.clock_offset_us = session.first.offset_us;
  x.host_clock_synchronized = session.host_clock_synchronized;
  x.read_count = session.evidence.read_count;
  x.peak_rssi_cdbm = recorded_rssi(session.evidence);
  x.antenna_mask = session.antenna_mask;
  x.direction = direction_of(session.first_entry_mono_us, session.first_exit_mono_us,
                             lane.direction_min_separation_us);
  x.source = "INM-RFID";

  out.first_mono_us = session.first_mono_us;
  out.last_mono_us = session.last_mono_us;
  out.first_entry_mono_us = session.first_entry_mono_us;
  out.first_exit_mono_us = session.first_exit_mono_us;
}

void extend_crossing(RearmEntry& entry, const LaneConfig& lane, const LaneSession& session,
                     const IssuerTable* issuers) {
  Crossing& x = entry.crossing;
  if (session.first_mono_us < entry.first_mono_us) {
    // A session that began before the crossing (reads delivered late).
    entry.first_mono_us = session.first_mono_us;
    x.first_seen_utc_us = session.first.utc_us;
    x.time_source = session.first.source;
    x.clock_offset_us = session.first.offset_us;
    x.host_clock_synchronized = session.host_clock_synchronized;
  }
  if (session.last_mono_us >= entry.last_mono_us) {
    entry.last_mono_us = session.last_mono_us;
    x.last_seen_utc_us = std::max(session.last_utc_us, x.first_seen_utc_us);
  }
  x.read_count = add_saturating(x.read_count, session.evidence.read_count);
  if (session.evidence.peak_rssi_cdbm != kNoRssi &&
      (x.peak_rssi_cdbm == 0 || session.evidence.peak_rssi_cdbm > x.peak_rssi_cdbm)) {
    x.peak_rssi_cdbm = session.evidence.peak_rssi_cdbm;
  }
  x.antenna_mask |= session.antenna_mask;
  auto earliest = [](std::int64_t a, std::int64_t b) {
    if (a == kNoTime) return b;
    if (b == kNoTime) return a;
    return std::min(a, b);
  };
  entry.first_entry_mono_us = earliest(entry.first_entry_mono_us, session.first_entry_mono_us);
  entry.first_exit_mono_us = earliest(entry.first_exit_mono_us, session.first_exit_mono_us);
  x.direction = direction_of(entry.first_entry_mono_us, entry.first_exit_mono_us,
                             lane.direction_min_separation_us);
  if (x.tid.empty() && !session.tid.empty()) {
    // The first TID for this card: decode it (the document may depend on it).
    fill_card(x, x.epc, x.pc ? x.pc : session.pc, session.tid, issuers);
  }
}

}  // namespace garita::lane

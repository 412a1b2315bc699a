#include "garita/common/lane/PipelineEvents.hpp"

#include <cinttypes>
#include <cstdio>

#include "garita/common/Hex.hpp"

namespace garita::lane {

std::string_view to_string(CrossingEventKind kind) noexcept {
  switch (kind) {
    case CrossingEventKind::created: return "created";
    case CrossingEventKind::extended: return "extended";
  }
  return "created";
}

std::string_view to_string(PipelineEventKind kind) noexcept {
  switch (kind) {
    case PipelineEventKind::reader_clock_jump: return "reader_clock_jump";
    case PipelineEventKind::reader_clock_restart: return "reader_clock_restart";
    case PipelineEventKind::host_clock_jump: return "host_clock_jump";
    case PipelineEventKind::unknown_antenna: return "unknown_antenna";
    case PipelineEventKind::session_cap_hit: return "session_cap_hit";
    case PipelineEventKind::rearm_cap_hit: return "rearm_cap_hit";
    case PipelineEventKind::pending_cap_hit: return "pending_cap_hit";
    case PipelineEventKind::arbitration_lost: return "arbitration_lost";
    case PipelineEventKind::arbitration_timeout: return "arbitration_timeout";
  }
  return "unknown";
}

namespace {

// Seconds with a sign and six decimals.
std::string seconds(std::int64_t us) {
  char buf[48];
  const std::uint64_t mag =
      us < 0 ? 0 - static_cast<std::uint64_t>(us) : static_cast<std::uint64_t>(us);
  (void)std::snprintf(buf, sizeof buf, "%c%" PRIu64 ".%06" PRIu64 " s", us < 0 ? '-' : '+',
                      mag / 1'000'000, mag % 1'000'000);
  return buf;
}

}  // namespace

std::string describe(const PipelineEvent& e) {
  std::string s(to_string(e.kind));
  s += ": ";
  const std::string lane(e.lane_id);
  const std::string other(e.other_lane_id);
  switch (e.kind) {
    case PipelineEventKind::reader_clock_jump:
      s += "reader " + std::to_string(e.reader_id) + " clock offset (host UTC - reader) " +
           seconds(e.old_value_us) + " -> " + seconds(e.new_value_us);
      break;
    case PipelineEventKind::reader_clock_restart:
      s += "reader " + std::to_string(e.reader_id) +
           " changed timestamp kind (UTC/uptime); offset now " + seconds(e.new_value_us);
      break;
    case PipelineEventKind::host_clock_jump:
      s += "host UTC moved against the monotonic clock by " +
           seconds(e.new_value_us - e.old_value_us);
      break;
    case PipelineEventKind::unknown_antenna:
      s += "reads from reader " + std::to_string(e.reader_id) + " antenna " +
           std::to_string(e.antenna) + ", which no lane owns, are ignored";
      break;
    case PipelineEventKind::session_cap_hit:
      s += "lane " + lane + " had its maximum of open sessions; the oldest was closed early (" +
           std::to_string(e.count) + " times)";
      break;
    case PipelineEventKind::rearm_cap_hit:
      s += "lane " + lane + " rearm memory full; the oldest crossing was forgotten (" +
           std::to_string(e.count) + " times)";
      break;
    case PipelineEventKind::pending_cap_hit:
      s += "arbitration queue full; the oldest was decided at once (" + std::to_string(e.count) +
           " times)";
      break;
    case PipelineEventKind::arbitration_lost:
      s += "lane " + lane + " saw " + to_hex(e.epc.view()) + " but lane " + other +
           " had stronger evidence";
      break;
    case PipelineEventKind::arbitration_timeout:
      s += "lane " + lane + " decided " + to_hex(e.epc.view()) + " while lane " + other +
           " still had an overlapping session open";
      break;
  }
  return s;
}

}  // namespace garita::lane

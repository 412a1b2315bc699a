#include "garita/common/lane/LanePipeline.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include "garita/common/lane/CrossingBuilder.hpp"
#include "garita/common/lane/Debouncer.hpp"
#include "garita/common/lane/LaneArbiter.hpp"
#include "garita/common/lane/RearmMemory.hpp"

namespace garita::lane {
namespace {

// Reports a repeating condition at most once per interval, with the count
// of occurrences since the last report.
struct EventThrottle {
  std::int64_t last_us = kNoTime;
  std::uint64_t unreported = 0;

  // Returns how many occurrences to report now (0: stay quiet).
  std::uint64_t hit(std::int64_t now_us, std::int64_t interval_us) noexcept {
    ++unreported;
    if (last_us != kNoTime && now_us - last_us < interval_us) return 0;
    last_us = now_us;
    return std::exchange(unreported, 0);
  }
};

constexpr std::uint64_t route_key(std::uint32_t reader, std::uint16_t antenna) noexcept {
  return (std::uint64_t{reader} << 16) | antenna;
}

struct Route {
  std::uint64_t key = 0;
  std::uint32_t lane = 0;
  AntennaRole role = AntennaRole::both;
  std::uint32_t tracker = 0;
};

// How many distinct unbound (reader, antenna) pairs get their own event.
constexpr std::size_t kMaxUnknownAntennaEvents = 64;

}  // namespace

namespace {

std::size_t max_standing(const PipelineConfig& config) noexcept {
  std::size_t n = config.arbitration.max_pending;
  for (const LaneConfig& l : config.lanes) n += l.max_open_sessions;
  return n;
}

}  // namespace

struct LanePipeline::Impl final : ArbiterContext {
  struct Lane {
    Lane(const LaneConfig& c, std::uint64_t seed)
        : config(c), debouncer(c, seed), rearm(c, seed), sequence(c.last_sequence) {}
    LaneConfig config;
    Debouncer debouncer;
    RearmMemory rearm;
    LaneMetrics metrics;
    std::uint64_t sequence;
    EventThrottle session_cap;
    EventThrottle rearm_cap;
  };

  Impl(PipelineConfig c, LaneSink& s)
      : config(std::move(c)),
        sink(s),
        host(config.clock),
        arbiter(config.arbitration, max_standing(config)) {
    lanes.reserve(config.lanes.size());
    for (std::size_t i = 0; i < config.lanes.size(); ++i) {
      lanes.emplace_back(config.lanes[i], config.hash_seed + i);
      for (const AntennaBinding& b : config.lanes[i].antennas) {
        std::uint32_t tracker = 0;
        while (tracker < tracker_readers.size() && tracker_readers[tracker] != b.reader_id)
          ++tracker;
        if (tracker == tracker_readers.size()) {
          tracker_readers.push_back(b.reader_id);
          trackers.emplace_back(config.clock);
        }
        routes.push_back(Route{route_key(b.reader_id, b.antenna), static_cast<std::uint32_t>(i),
                               b.role, tracker});
      }
    }
    std::sort(routes.begin(), routes.end(),
              [](const Route& a, const Route& b) { return a.key < b.key; });
    unknown_reported.reserve(kMaxUnknownAntennaEvents);
  }

  // ---- routing and timing ---------------------------------------------------

  const Route* find_route(std::uint32_t reader, std::uint16_t antenna) const noexcept {
    auto lookup = [&](std::uint64_t key) -> const Route* {
      auto it = std::lower_bound(routes.begin(), routes.end(), key,
                                 [](const Route& r, std::uint64_t k) { return r.key < k; });
      return (it != routes.end() && it->key == key) ? &*it : nullptr;
    };
    if (const Route* r = lookup(route_key(reader, antenna))) return r;
    return antenna != 0 ? lookup(route_key(reader, 0)) : nullptr;
  }

  ReadTime time_read(const TagRead& read, std::uint32_t tracker_index) {
    ReadTime t;
    t.mono_us = read.host_mono_us;
    t.utc_us = read.host_utc_us;
    std::int64_t reader_time = 0;
    TimeSource kind;
    if (read.reader_first_seen_utc_us) {
      reader_time = *read.reader_first_seen_utc_us;
      kind = TimeSource::reader_utc;
    } else if (read.reader_first_seen_uptime_us &&
               *read.reader_first_seen_uptime_us <=
                   static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      reader_time = static_cast<std::int64_t>(*read.reader_first_seen_uptime_us);
      kind = TimeSource::reader_uptime;
    } else {
      ++reads_host_timed;
      return t;
    }
    const std::int64_t base = read.host_utc_us - read.host_mono_us;
    ReaderClockTracker& tracker = trackers[tracker_index];
    const ReaderClockTracker::Result r = tracker.observe(reader_time, kind, read.host_mono_us);
    if (r.restarted) {
      PipelineEvent e = event(PipelineEventKind::reader_clock_restart);
      e.reader_id = read.reader_id;
      e.new_value_us = tracker.offset_us() + base;
      sink.on_event(e);
    }
    if (r.jump) {
      ++reader_clock_jumps;
      PipelineEvent e = event(PipelineEventKind::reader_clock_jump);
      e.reader_id = read.reader_id;
      e.old_value_us = r.jump->old_offset_us + base;
      e.new_value_us = r.jump->new_offset_us + base;
      sink.on_event(e);
    }
    if (r.outlier) {
      ++reads_host_timed;
      return t;
    }
    t.mono_us = r.mono_us;
    t.utc_us = r.mono_us + base;
    t.offset_us = t.utc_us - reader_time;
    t.source = kind;
    return t;
  }

  PipelineEvent event(PipelineEventKind kind) const noexcept {
    PipelineEvent e;
    e.kind = kind;
    e.mono_us = now;
    return e;
  }

  void note_time(std::int64_t now_mono_us) noexcept {
    if (!started || now_mono_us > now) now = now_mono_us;
    started = true;
  }

  // ---- reads ----------------------------------------------------------------

  void on_read(const TagRead& read, std::int64_t now_mono_us) {
    note_time(now_mono_us);
    ++reads_in;
    if (const auto jump = host.observe(read.host_utc_us, read.host_mono_us)) {
      ++host_clock_jumps;
      PipelineEvent e = event(PipelineEventKind::host_clock_jump);
      e.old_value_us = jump->old_offset_us;
      e.new_value_us = jump->new_offset_us;
      sink.on_event(e);
    }
    const Route* route = find_route(read.reader_id, read.antenna);
    if (route == nullptr) {
      ++reads_unknown_antenna;
      report_unknown_antenna(read);
      return;
    }
    Lane& lane = lanes[route->lane];
    ++lane.metrics.reads_in;
    const ReadTime time = time_read(read, route->tracker);
    if (read.peak_rssi_cdbm) {
      if (*read.peak_rssi_cdbm < lane.config.min_rssi_cdbm) {
        ++lane.metrics.reads_below_rssi;
        return;
      }
    } else {
      ++reads_without_rssi;
    }
    const Debouncer::AddResult r =
        lane.debouncer.add(read, time, route->role, host_synced, closed_scratch, evicted_scratch);
    if (r.opened) ++lane.metrics.sessions_opened;
    if (r.closed_previous) add_candidate(route->lane, closed_scratch);
    if (r.evicted) {
      ++lane.metrics.session_cap_hits;
      if (const std::uint64_t n = lane.session_cap.hit(now, config.event_interval_us)) {
        PipelineEvent e = event(PipelineEventKind::session_cap_hit);
        e.lane_id = lane.config.lane_id;
        e.count = n;
        sink.on_event(e);
      }
      add_candidate(route->lane, evicted_scratch);
    }
    if (r.closed_previous || r.evicted) arbiter.decide(now, false, *this);
  }

  void report_unknown_antenna(const TagRead& read) {
    const std::uint64_t key = route_key(read.reader_id, read.antenna);
    if (unknown_reported.size() >= kMaxUnknownAntennaEvents ||
        std::find(unknown_reported.begin(), unknown_reported.end(), key) !=
            unknown_reported.end()) {
      return;
    }
    unknown_reported.push_back(key);
    PipelineEvent e = event(PipelineEventKind::unknown_antenna);
    e.reader_id = read.reader_id;
    e.antenna = read.antenna;
    e.count = 1;
    sink.on_event(e);
  }

  void add_candidate(std::size_t lane_index, const ClosedSession& closed) {
    Candidate c;
    c.lane = lane_index;
    c.group = lanes[lane_index].config.arbitration_group;
    c.epc_hash = hash_epc(closed.epc.view(), config.hash_seed);
    c.epc = closed.epc;
    c.session = closed.session;
    c.closed_mono_us = now;
    c.forced = closed.forced;
    if (!arbiter.add(c)) {
      ++pending_cap_hits;
      if (const std::uint64_t n = pending_cap.hit(now, config.event_interval_us)) {
        PipelineEvent e = event(PipelineEventKind::pending_cap_hit);
        e.count = n;
        sink.on_event(e);
      }
    }
  }

  // ---- time passing ---------------------------------------------------------

  void advance(std::int64_t now_mono_us) {
    note_time(now_mono_us);
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      lanes[i].debouncer.close_expired(now, config.close_grace_us,
                                       [&](ClosedSession&& s) { add_candidate(i, s); });
    }
    arbiter.decide(now, false, *this);
    prune_rearm();
  }

  void prune_rearm() {
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      Lane& lane = lanes[i];
      // A session can still begin up to grace + the clock outlier threshold
      // before `now` (reads delivered late); keep entries until then.
      const std::int64_t horizon =
          lane.config.rearm_us + config.close_grace_us + config.clock.reader_jump_threshold_us;
      lane.rearm.prune(now, horizon, [&](const EpcBytes& epc, const RearmEntry& entry) {
        // Pinned while an open or pending session of the card here may extend it.
        const LaneSession* open = lane.debouncer.find(epc);
        if (open != nullptr && open->first_mono_us - entry.last_mono_us < lane.config.rearm_us) {
          return true;
        }
        return arbiter.pending_in_lane(epc, hash_epc(epc.view(), config.hash_seed), i);
      });
    }
  }

  void flush() {
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      lanes[i].debouncer.close_all([&](ClosedSession&& s) { add_candidate(i, s); });
    }
    arbiter.decide(now, true, *this);
  }

  // ---- arbitration callbacks ------------------------------------------------

  OpenOverlap open_overlap(std::size_t lane_index, std::uint32_t group, const EpcBytes& epc,
                           const LaneSession& session, std::int64_t slack_us) const override {
    OpenOverlap out;
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      const Lane& other = lanes[i];
      if (i == lane_index || other.config.arbitration_group != group) continue;
      const LaneSession* s = other.debouncer.find(epc);
      if (s == nullptr || !LaneArbiter::overlaps(*s, session, slack_us)) continue;
      if (!out.any) out.any_lane = i;
      out.any = true;
      if (s->evidence.read_count >= other.config.min_reads &&
          (!out.any_qualifying || compare(s->evidence, out.best) > 0)) {
        out.any_qualifying = true;
        out.best = s->evidence;
        out.best_lane = i;
      }
    }
    return out;
  }

  // Slot of the crossing this session would extend, or npos.
  std::uint32_t extension_target(const Lane& lane, const EpcBytes& epc,
                                 const LaneSession& session) const noexcept {
    const std::uint32_t slot = lane.rearm.find(epc);
    if (slot == RearmMemory::npos) return slot;
    const RearmEntry& e = lane.rearm.at(slot);
    return session.first_mono_us - e.last_mono_us < lane.config.rearm_us ? slot : RearmMemory::npos;
  }

  bool eligible(const Candidate& c) const override {
    const Lane& lane = lanes[c.lane];
    return c.session.evidence.read_count >= lane.config.min_reads ||
           extension_target(lane, c.epc, c.session) != RearmMemory::npos;
  }

  void on_win(Candidate& c, bool timed_out, std::size_t open_lane) override {
    Lane& lane = lanes[c.lane];
    if (timed_out) {
      ++arbitration_timeouts;
      PipelineEvent e = event(PipelineEventKind::arbitration_timeout);
      e.lane_id = lane.config.lane_id;
      e.other_lane_id = lanes[open_lane].config.lane_id;
      e.epc = c.epc;
      sink.on_event(e);
    }
    const IssuerTable* issuers = config.issuers.get();
    const std::uint32_t target = extension_target(lane, c.epc, c.session);
    if (target != RearmMemory::npos) {
      RearmEntry& entry = lane.rearm.at(target);
      extend_crossing(entry, lane.config, c.session, issuers);
      lane.rearm.touch(target);
      ++lane.metrics.extended;
      emit(CrossingEventKind::extended, entry.crossing);
      return;
    }
    if (c.session.evidence.read_count < lane.config.min_reads) {  // not reached: eligible() said so
      ++lane.metrics.sessions_too_few_reads;
      return;
    }
    std::uint32_t slot = lane.rearm.find(c.epc);
    if (slot == RearmMemory::npos) {
      bool evicted = false;
      slot = lane.rearm.insert(c.epc, evicted);
      if (evicted) {
        ++lane.metrics.rearm_cap_hits;
        if (const std::uint64_t n = lane.rearm_cap.hit(now, config.event_interval_us)) {
          PipelineEvent e = event(PipelineEventKind::rearm_cap_hit);
          e.lane_id = lane.config.lane_id;
          e.count = n;
          sink.on_event(e);
        }
      }
    } else {
      lane.rearm.touch(slot);  // an old crossing past its rearm time: replaced
    }
    RearmEntry& entry = lane.rearm.at(slot);
    build_crossing(entry, lane.config, ++lane.sequence, c.epc, c.session, issuers);
    ++lane.metrics.crossings;
    emit(CrossingEventKind::created, entry.crossing);
  }

  void on_lose(Candidate& c, std::size_t winner_lane) override {
    Lane& lane = lanes[c.lane];
    ++lane.metrics.arbitration_losses;
    PipelineEvent e = event(PipelineEventKind::arbitration_lost);
    e.lane_id = lane.config.lane_id;
    e.other_lane_id = lanes[winner_lane].config.lane_id;
    e.epc = c.epc;
    sink.on_event(e);
  }

  void on_ineligible(Candidate& c) override { ++lanes[c.lane].metrics.sessions_too_few_reads; }

  void emit(CrossingEventKind kind, const Crossing& crossing) {
    crossing_scratch.kind = kind;
    crossing_scratch.crossing = crossing;  // reuses the scratch strings' capacity
    sink.on_crossing(crossing_scratch);
  }

  // ---- state ----------------------------------------------------------------

  PipelineConfig config;
  LaneSink& sink;
  std::vector<Lane> lanes;
  std::vector<Route> routes;  // sorted by key
  std::vector<std::uint32_t> tracker_readers;
  std::vector<ReaderClockTracker> trackers;
  HostClockMonitor host;
  LaneArbiter arbiter;
  std::vector<std::uint64_t> unknown_reported;
  EventThrottle pending_cap;
  ClosedSession closed_scratch;
  ClosedSession evicted_scratch;
  CrossingEvent crossing_scratch;
  std::int64_t now = 0;
  bool started = false;
  bool host_synced = false;

  std::uint64_t reads_in = 0;
  std::uint64_t reads_unknown_antenna = 0;
  std::uint64_t reads_without_rssi = 0;
  std::uint64_t reads_host_timed = 0;
  std::uint64_t arbitration_timeouts = 0;
  std::uint64_t pending_cap_hits = 0;
  std::uint64_t reader_clock_jumps = 0;
  std::uint64_t host_clock_jumps = 0;
};

namespace {

PipelineConfig checked(PipelineConfig config) {
  std::string error;
  if (validate(config, error)) throw std::invalid_argument("lane pipeline config: " + error);
  return config;
}

}  // namespace

LanePipeline::LanePipeline(PipelineConfig config, LaneSink& sink)
    : impl_(std::make_unique<Impl>(checked(std::move(config)), sink)) {}

LanePipeline::~LanePipeline() = default;

void LanePipeline::set_host_clock_synchronized(bool synced) noexcept {
  impl_->host_synced = synced;
}

void LanePipeline::on_read(const TagRead& read, std::int64_t now_mono_us) {
  impl_->on_read(read, now_mono_us);
}

void LanePipeline::advance(std::int64_t now_mono_us) { impl_->advance(now_mono_us); }

void LanePipeline::flush() { impl_->flush(); }

bool LanePipeline::restore_crossing(const Crossing& crossing, std::int64_t now_mono_us,
                                    std::int64_t now_utc_us) {
  const std::optional<std::size_t> index = lane_index(crossing.lane_id);
  if (!index) return false;
  Impl::Lane& lane = impl_->lanes[*index];
  const std::int64_t age_us = now_utc_us - crossing.last_seen_utc_us;
  if (age_us >= lane.config.rearm_us || crossing.epc.empty()) return false;
  std::uint32_t slot = lane.rearm.find(crossing.epc);
  if (slot == RearmMemory::npos) {
    bool evicted = false;
    slot = lane.rearm.insert(crossing.epc, evicted);
    if (evicted) ++lane.metrics.rearm_cap_hits;
  } else if (lane.rearm.at(slot).crossing.sequence > crossing.sequence) {
    return true;  // a later crossing of this card is already restored
  }
  RearmEntry& entry = lane.rearm.at(slot);
  entry.crossing = crossing;
  entry.last_mono_us = now_mono_us - std::max<std::int64_t>(age_us, 0);
  entry.first_mono_us =
      std::min(entry.last_mono_us,
               now_mono_us - std::max<std::int64_t>(now_utc_us - crossing.first_seen_utc_us, 0));
  // Only the crossing's summary survives a restart, not the first read on
  // each antenna: keep the stored direction by placing the two first reads
  // just far enough apart for direction_of() to give it back.
  const std::int64_t apart = lane.config.direction_min_separation_us + 1;
  switch (crossing.direction) {
    case Direction::with_flow:
      entry.first_entry_mono_us = entry.first_mono_us;
      entry.first_exit_mono_us = entry.first_mono_us + apart;
      break;
    case Direction::counter_flow:
      entry.first_exit_mono_us = entry.first_mono_us;
      entry.first_entry_mono_us = entry.first_mono_us + apart;
      break;
    case Direction::unknown:
      entry.first_entry_mono_us = kNoTime;
      entry.first_exit_mono_us = kNoTime;
      break;
  }
  lane.rearm.touch(slot);
  lane.sequence = std::max(lane.sequence, crossing.sequence);
  return true;
}

PipelineMetrics LanePipeline::metrics() const noexcept {
  const Impl& p = *impl_;
  PipelineMetrics m;
  m.reads_in = p.reads_in;
  m.reads_unknown_antenna = p.reads_unknown_antenna;
  m.reads_without_rssi = p.reads_without_rssi;
  m.reads_host_timed = p.reads_host_timed;
  m.arbitration_timeouts = p.arbitration_timeouts;
  m.pending_cap_hits = p.pending_cap_hits;
  m.reader_clock_jumps = p.reader_clock_jumps;
  m.host_clock_jumps = p.host_clock_jumps;
  m.pending = p.arbiter.pending();
  for (const Impl::Lane& l : p.lanes) {
    m.reads_below_rssi += l.metrics.reads_below_rssi;
    m.sessions_opened += l.metrics.sessions_opened;
    m.sessions_too_few_reads += l.metrics.sessions_too_few_reads;
    m.crossings += l.metrics.crossings;
    m.extended += l.metrics.extended;
    m.arbitration_losses += l.metrics.arbitration_losses;
    m.session_cap_hits += l.metrics.session_cap_hits;
    m.rearm_cap_hits += l.metrics.rearm_cap_hits;
    m.open_sessions += l.debouncer.size();
    m.rearm_entries += l.rearm.size();
  }
  return m;
}

LaneMetrics LanePipeline::lane_metrics(std::size_t lane) const {
  const Impl::Lane& l = impl_->lanes.at(lane);
  LaneMetrics m = l.metrics;
  m.open_sessions = l.debouncer.size();
  m.rearm_entries = l.rearm.size();
  return m;
}

std::size_t LanePipeline::lane_count() const noexcept { return impl_->lanes.size(); }

const LaneConfig& LanePipeline::lane_config(std::size_t lane) const {
  return impl_->lanes.at(lane).config;
}

std::optional<std::size_t> LanePipeline::lane_index(std::string_view lane_id) const noexcept {
  for (std::size_t i = 0; i < impl_->lanes.size(); ++i) {
    if (impl_->lanes[i].config.lane_id == lane_id) return i;
  }
  return std::nullopt;
}

std::uint64_t LanePipeline::last_sequence(std::size_t lane) const {
  return impl_->lanes.at(lane).sequence;
}

std::uint32_t LanePipeline::open_sessions(std::size_t lane) const {
  return impl_->lanes.at(lane).debouncer.size();
}

std::uint32_t LanePipeline::rearm_entries(std::size_t lane) const {
  return impl_->lanes.at(lane).rearm.size();
}

std::size_t LanePipeline::session_slots_allocated(std::size_t lane) const {
  return impl_->lanes.at(lane).debouncer.allocated();
}

std::size_t LanePipeline::rearm_slots_allocated(std::size_t lane) const {
  return impl_->lanes.at(lane).rearm.allocated();
}

std::size_t LanePipeline::pending() const noexcept { return impl_->arbiter.pending(); }

const ReaderClockTracker* LanePipeline::reader_clock(std::uint32_t reader_id) const noexcept {
  for (std::size_t i = 0; i < impl_->tracker_readers.size(); ++i) {
    if (impl_->tracker_readers[i] == reader_id) return &impl_->trackers[i];
  }
  return nullptr;
}

const HostClockMonitor& LanePipeline::host_clock() const noexcept { return impl_->host; }

}  // namespace garita::lane

#include "garita/common/lane/LaneArbiter.hpp"

#include <algorithm>
#include <limits>

namespace garita::lane {
namespace {

bool same_epc(std::uint32_t ha, const EpcBytes& a, std::uint32_t hb, const EpcBytes& b) noexcept {
  return ha == hb && a == b;
}

// a ranks above b: stronger evidence, then the earlier first read, then the lower lane.
bool ranks_above(const Candidate& a, const Candidate& b) noexcept {
  const int c = compare(a.session.evidence, b.session.evidence);
  if (c != 0) return c > 0;
  if (a.session.first_mono_us != b.session.first_mono_us) {
    return a.session.first_mono_us < b.session.first_mono_us;
  }
  return a.lane < b.lane;
}

}  // namespace

LaneArbiter::LaneArbiter(const ArbitrationConfig& config, std::size_t max_standing)
    : config_(config), max_standing_(std::max<std::size_t>(max_standing, 1)) {
  pending_.reserve(std::min<std::size_t>(config.max_pending, 256) + 1);
  group_.reserve(16);
  decided_.reserve(16);
}

bool LaneArbiter::add(Candidate candidate) {
  for (const Candidate& p : pending_) {
    if (!p.done && same_epc(p.epc_hash, p.epc, candidate.epc_hash, candidate.epc)) {
      candidate.has_earlier = true;
      break;
    }
  }
  const bool room = pending_.size() < config_.max_pending;
  pending_.push_back(candidate);
  dirty_ = true;
  return room;
}

bool LaneArbiter::pending_in_lane(const EpcBytes& epc, std::uint32_t epc_hash,
                                  std::size_t lane) const noexcept {
  for (const Candidate& p : pending_) {
    if (!p.done && p.lane == lane && same_epc(p.epc_hash, p.epc, epc_hash, epc)) return true;
  }
  return false;
}

void LaneArbiter::decide(std::int64_t now_mono_us, bool force, ArbiterContext& context) {
  if (pending_.empty() && decided_.empty()) return;
  // Nothing can have changed: no session closed since the last call (open
  // sessions only ever grow, so a waiting group is released only by a
  // closure or by its time limit).
  if (!force && !dirty_ && now_mono_us < next_deadline_us_ &&
      pending_.size() <= config_.max_pending) {
    return;
  }
  dirty_ = false;
  // Over the cap: the oldest are decided now, whatever they wait for.
  std::size_t over =
      pending_.size() > config_.max_pending ? pending_.size() - config_.max_pending : 0;
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    Candidate& c = pending_[i];
    if (c.done) continue;
    const bool forced = force || over > 0;
    if (!forced && c.has_earlier) {
      bool earlier = false;
      for (std::size_t j = 0; j < i && !earlier; ++j) {
        const Candidate& p = pending_[j];
        earlier = !p.done && same_epc(p.epc_hash, p.epc, c.epc_hash, c.epc);
      }
      if (earlier) continue;  // one EPC's candidates are decided in closing order
    }
    collect_group(i);
    // Open sessions elsewhere that overlap any member: wait for them (up to
    // max_wait after the oldest member closed), then judge them as they are.
    OpenOverlap open;
    for (std::size_t idx : group_) {
      const Candidate& m = pending_[idx];
      const OpenOverlap o =
          context.open_overlap(m.lane, m.group, m.epc, m.session, config_.overlap_slack_us);
      if (o.any && !open.any) open.any_lane = o.any_lane;
      open.any = open.any || o.any;
      if (o.any_qualifying && (!open.any_qualifying || compare(o.best, open.best) > 0)) {
        open.any_qualifying = true;
        open.best = o.best;
        open.best_lane = o.best_lane;
      }
    }
    const bool timed_out = now_mono_us - c.closed_mono_us >= config_.max_wait_us;
    if (open.any && !timed_out && !forced) continue;
    decide_group(open, context);
    if (over > 0) over = over > group_.size() ? over - group_.size() : 0;
  }
  std::erase_if(pending_, [](const Candidate& c) { return c.done; });
  next_deadline_us_ = std::numeric_limits<std::int64_t>::max();
  for (const Candidate& c : pending_) {
    next_deadline_us_ = std::min(next_deadline_us_, c.closed_mono_us + config_.max_wait_us);
  }

  // Forget decisions once nothing that overlaps them is open or pending.
  std::erase_if(decided_, [&](const Standing& s) {
    if (context.open_overlap(s.lane, s.group, s.epc, s.session, config_.overlap_slack_us).any) {
      return false;
    }
    for (const Candidate& p : pending_) {
      if (p.lane != s.lane && p.group == s.group &&
          same_epc(p.epc_hash, p.epc, s.epc_hash, s.epc) &&
          overlaps(p.session, s.session, config_.overlap_slack_us)) {
        return false;
      }
    }
    return true;
  });
}

void LaneArbiter::collect_group(std::size_t i) {
  // Every pending candidate of the EPC linked to candidate i by a chain of
  // overlaps across lanes (a long session in one lane can overlap several
  // sessions of another), in closing order.
  const std::int64_t slack = config_.overlap_slack_us;
  group_.clear();
  group_.push_back(i);
  const Candidate& c = pending_[i];
  for (std::size_t g = 0; g < group_.size(); ++g) {
    const Candidate& m = pending_[group_[g]];
    for (std::size_t k = i + 1; k < pending_.size(); ++k) {
      const Candidate& p = pending_[k];
      if (p.done || p.lane == m.lane || p.group != c.group ||
          !same_epc(p.epc_hash, p.epc, c.epc_hash, c.epc) ||
          !overlaps(m.session, p.session, slack) ||
          std::find(group_.begin(), group_.end(), k) != group_.end()) {
        continue;
      }
      group_.push_back(k);
    }
  }
  std::sort(group_.begin(), group_.end());
}

void LaneArbiter::decide_group(const OpenOverlap& open, ArbiterContext& context) {
  const std::int64_t slack = config_.overlap_slack_us;
  // The strongest candidate that can make or extend a crossing.
  eligible_.assign(group_.size(), false);
  std::size_t best = pending_.size();
  for (std::size_t g = 0; g < group_.size(); ++g) {
    const Candidate& p = pending_[group_[g]];
    eligible_[g] = context.eligible(p);
    if (eligible_[g] && (best == pending_.size() || ranks_above(p, pending_[best])))
      best = group_[g];
  }
  std::size_t winner_lane = best == pending_.size() ? 0 : pending_[best].lane;
  bool lost = best == pending_.size();
  if (!lost) {
    const Candidate& w = pending_[best];
    // A decision already taken for an overlapping session in another lane
    // stands unless this one is stronger.
    for (const Standing& s : decided_) {
      if (s.lane != w.lane && s.group == w.group &&
          same_epc(s.epc_hash, s.epc, w.epc_hash, w.epc) && overlaps(s.session, w.session, slack) &&
          compare(s.session.evidence, w.session.evidence) >= 0) {
        lost = true;
        winner_lane = s.lane;
        break;
      }
    }
    // Decided at the time limit: an open session already stronger keeps the card.
    if (!lost && open.any_qualifying && compare(open.best, w.session.evidence) > 0) {
      lost = true;
      winner_lane = open.best_lane;
    }
  }
  if (!lost && open.any) ++timeouts_;
  for (std::size_t g = 0; g < group_.size(); ++g) {
    Candidate& p = pending_[group_[g]];
    p.done = true;
    if (!lost && p.lane == winner_lane) {
      // Every session of the winning lane in the group counts there, in
      // order: the first makes the crossing, the later ones extend it.
      if (decided_.size() >= max_standing_) decided_.erase(decided_.begin());
      decided_.push_back(Standing{p.lane, p.group, p.epc_hash, p.epc, p.session});
      context.on_win(p, open.any, open.any_lane);
    } else if (eligible_[g]) {
      context.on_lose(p, winner_lane);
    } else {
      context.on_ineligible(p);
    }
  }
}

}  // namespace garita::lane

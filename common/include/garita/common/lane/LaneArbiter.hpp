#pragma once
// Arbitration across lanes: a card read in two lanes at once (a traveller
// near the divider, a neighbour antenna's side lobe) is one crossing, in
// the lane with the stronger evidence: higher peak RSSI, then more reads.
//
// Closed sessions become candidates here. A candidate is decided together
// with its group: every pending candidate of the same EPC linked to it by a
// chain of overlapping sessions in different lanes of its arbitration group
// (sessions overlap when they come within ArbitrationConfig::overlap_slack_us
// of each other; a long session in one lane can overlap several in another).
// The group waits while any member overlaps a session still open in another
// lane, at most max_wait_us after its oldest member closed; then the open
// sessions are judged on the evidence they have so far (those that already
// have min_reads take part). The strongest member that can make or extend a
// crossing decides the lane: every member in that lane counts there (the
// first makes the crossing, later ones extend it), the members in other
// lanes lose and record nothing. Candidates of one EPC are decided in the
// order they closed. Decisions are remembered while an overlapping session
// is still open or pending, so one that closes later (after a timeout)
// loses to a stronger earlier decision; a stronger one is kept too (a
// possible duplicate, never a loss).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "garita/common/TagRead.hpp"
#include "garita/common/lane/LaneConfig.hpp"
#include "garita/common/lane/LaneSession.hpp"

namespace garita::lane {

struct Candidate {
  std::size_t lane = 0;
  std::uint32_t group = 0;
  std::uint32_t epc_hash = 0;
  EpcBytes epc;
  LaneSession session;
  std::int64_t closed_mono_us = 0;
  bool forced = false;       // closed early (lane full)
  bool has_earlier = false;  // another candidate of this EPC was pending when it was added
  bool done = false;
};

// Open sessions of an EPC in other lanes that overlap a candidate.
struct OpenOverlap {
  bool any = false;             // at least one overlapping open session
  std::size_t any_lane = 0;     // the lane of one of them
  bool any_qualifying = false;  // one of them already has its lane's min_reads
  Evidence best;                // strongest qualifying one
  std::size_t best_lane = 0;
};

// What the arbiter needs from the pipeline.
class ArbiterContext {
 public:
  virtual ~ArbiterContext() = default;
  virtual OpenOverlap open_overlap(std::size_t lane, std::uint32_t group, const EpcBytes& epc,
                                   const LaneSession& session, std::int64_t slack_us) const = 0;
  // Whether the candidate can make (min_reads) or extend (rearm) a crossing.
  virtual bool eligible(const Candidate& c) const = 0;
  // The candidate won (or stood alone). `timed_out`: decided before
  // overlapping sessions in other lanes closed.
  virtual void on_win(Candidate& c, bool timed_out, std::size_t open_lane) = 0;
  virtual void on_lose(Candidate& c, std::size_t winner_lane) = 0;
  virtual void on_ineligible(Candidate& c) = 0;
};

class LaneArbiter {
 public:
  // `max_standing` bounds the decisions remembered for sessions still open
  // (each stands for an open session elsewhere, so the lanes' session caps
  // bound it already; this is the backstop).
  LaneArbiter(const ArbitrationConfig& config, std::size_t max_standing);

  // Queues a closed session. Returns false when the queue was full: the
  // caller should then decide() with the oldest forced (it is, by
  // decide() itself, when the queue is over its cap).
  bool add(Candidate candidate);

  // Decides every candidate that is ready at now_mono_us; `force` decides
  // all (shutdown).
  void decide(std::int64_t now_mono_us, bool force, ArbiterContext& context);

  std::size_t pending() const noexcept { return pending_.size(); }
  std::size_t remembered() const noexcept { return decided_.size(); }
  std::uint64_t timeouts() const noexcept { return timeouts_; }
  // Whether a pending candidate of `epc` exists in `lane`.
  bool pending_in_lane(const EpcBytes& epc, std::uint32_t epc_hash,
                       std::size_t lane) const noexcept;

  static bool overlaps(const LaneSession& a, const LaneSession& b, std::int64_t slack_us) noexcept {
    return a.first_mono_us <= b.last_mono_us + slack_us &&
           b.first_mono_us <= a.last_mono_us + slack_us;
  }

 private:
  // A winner decided while overlapping sessions were still open.
  struct Standing {
    std::size_t lane = 0;
    std::uint32_t group = 0;
    std::uint32_t epc_hash = 0;
    EpcBytes epc;
    LaneSession session;
  };

  void collect_group(std::size_t i);
  void decide_group(const OpenOverlap& open, ArbiterContext& context);

  ArbitrationConfig config_;
  std::size_t max_standing_;
  std::vector<Candidate> pending_;  // in closing order
  std::vector<std::size_t> group_;  // scratch: indices of one decision's candidates
  std::vector<bool> eligible_;      // scratch: per group_ member
  std::vector<Standing> decided_;
  std::uint64_t timeouts_ = 0;
  bool dirty_ = false;                 // a candidate was added since the last decide()
  std::int64_t next_deadline_us_ = 0;  // earliest time limit among pending candidates
};

}  // namespace garita::lane

#pragma once
// Turns a decided session into a Crossing, and folds a later session into
// an existing crossing (rearm). The EPC and TID are decoded here, once per
// crossing (and the TID again only if an extension brings the first one).
#include <cstdint>

#include "garita/common/Crossing.hpp"
#include "garita/common/IssuerTable.hpp"
#include "garita/common/lane/LaneConfig.hpp"
#include "garita/common/lane/LaneSession.hpp"
#include "garita/common/lane/RearmMemory.hpp"

namespace garita::lane {

// Fills the card fields of `out` (epc*, pc, tid*, document, issuer_rule)
// from the bytes. `issuers` may be null.
void fill_card(Crossing& out, const EpcBytes& epc, std::optional<std::uint16_t> pc,
               const TidBytes& tid, const IssuerTable* issuers);

// A new crossing (and its rearm bookkeeping) from a session.
void build_crossing(RearmEntry& out, const LaneConfig& lane, std::uint64_t sequence,
                    const EpcBytes& epc, const LaneSession& session, const IssuerTable* issuers);

// Folds a later (or, rarely, earlier) session of the same card into it.
void extend_crossing(RearmEntry& entry, const LaneConfig& lane, const LaneSession& session,
                     const IssuerTable* issuers);

}  // namespace garita::lane

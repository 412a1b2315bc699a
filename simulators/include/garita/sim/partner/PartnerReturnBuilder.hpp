#pragma once
// The partner's answer to an export batch (docs/batch-format.md §4.2): pure,
// an ExportBatch in, a ReturnBatch out (manifest and records, not yet
// sealed). Per export record:
//   * RFID ("INM-RFID"): one exit record for the card's holder when the
//     registry knows the card, echoing the exported EPC and the port-local
//     entry date and time exactly as exported (utc + offset, §4);
//   * officer-entered ("INM-OFFICER"): one exit record with the same person
//     and document and the same local date and time, EPC empty, when the
//     registry knows the document.
// Plus `extra` records that belong to nobody's crossing: EPCs no export
// record carries, local dates and times inside the period. The workstation
// must count them "received in error" and destroy them at import. Records
// are shuffled (seeded): the format puts no order on them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

#include "garita/daemon/batch/BatchContent.hpp"
#include "garita/sim/partner/PartnerRegistry.hpp"

namespace garita::sim::partner {

struct PartnerReturnOptions {
  std::uint64_t seed = 1;         // extras and record order
  std::size_t extra = 0;          // records that belong to no exported crossing
  std::string sender_id = "CBP";  // the return manifest's sender_id
  std::string sender_port;        // empty: the export's sender_port
  std::string period;             // empty: the export's period (tests: a wrong week)
};

struct PartnerReturnCounts {
  std::size_t records = 0;   // export records read
  std::size_t answered = 0;  // export records with an exit record
  std::size_t unknown = 0;   // export records the registry does not know
  std::size_t extra = 0;     // exit records for nobody's crossing
};

// batch::Errc::invalid_argument with a one-line `error` for a bad period,
// sender id or port (checked by the encoder's rules when sealed).
std::error_code build_partner_return(const batch::ExportBatch& in, const PartnerRegistry& registry,
                                     const PartnerReturnOptions& options, batch::ReturnBatch& out,
                                     PartnerReturnCounts& counts, std::string& error);

// The port-local date "YYYY-MM-DD" and time "hh:mm:ss" of an entry
// (utc_seconds + utc_offset_minutes), as an export record carries them.
std::string local_date(const batch::EntryTime& t);
std::string local_time(const batch::EntryTime& t);

}  // namespace garita::sim::partner

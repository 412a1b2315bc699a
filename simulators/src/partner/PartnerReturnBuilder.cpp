#include "garita/sim/partner/PartnerReturnBuilder.hpp"

#include <date/date.h>
#include <date/iso_week.h>

#include <charconv>
#include <cstdio>
#include <set>
#include <type_traits>
#include <variant>

#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/batch/BatchManifest.hpp"
#include "garita/daemon/exchange/PortClock.hpp"
#include "garita/sim/Random.hpp"

namespace garita::sim::partner {
namespace {

using Seconds = std::chrono::seconds;

// Monday of an ISO 8601 week "YYYY-Www" (validated by the caller).
date::sys_days monday_of(const std::string& period) {
  int year = 0;
  unsigned week = 0;
  std::from_chars(period.data(), period.data() + 4, year);
  std::from_chars(period.data() + 6, period.data() + 8, week);
  return date::sys_days{iso_week::year{year} / iso_week::weeknum{week} / iso_week::mon};
}

batch::ExitRecord exit_record_of(const RegistryPerson& p) {
  batch::ExitRecord r;
  r.first_name = p.first_name;
  r.last_name = p.last_name;
  r.middle_name = p.middle_name;
  r.birth_date = p.birth_date;
  r.nationality = p.nationality;
  r.gender = p.gender;
  r.document_type = p.document_type;
  r.document_number = p.document_number;
  r.document_country = p.document_country;
  r.exit_port = p.exit_port;
  return r;
}

// A demo WHTI EPC (E2 C0 DE <type> <8 bytes>) no export record carries.
std::string fresh_epc(Rng& rng, const std::set<std::string>& taken) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (;;) {
    std::string epc = "E2C0DE0";
    epc.push_back(static_cast<char>('1' + rng.below(7)));
    std::uint64_t w = rng.next_u64();
    for (int i = 0; i < 16; ++i, w >>= 4) epc.push_back(kHex[w & 0xF]);
    if (taken.count(epc) == 0) return epc;
  }
}

}  // namespace

// The partner echoes the local date and time exactly as the export wrote
// them: the same formatting code as the workstation (exchange::PortClock).
std::string local_date(const batch::EntryTime& t) { return exchange::local_date_of(t); }

std::string local_time(const batch::EntryTime& t) { return exchange::local_time_of(t); }

std::error_code build_partner_return(const batch::ExportBatch& in, const PartnerRegistry& registry,
                                     const PartnerReturnOptions& options, batch::ReturnBatch& out,
                                     PartnerReturnCounts& counts, std::string& error) {
  out = {};
  counts = {};
  const std::string period = options.period.empty() ? in.manifest.period : options.period;
  if (!batch::is_valid_iso_week(period)) {
    error = "period: \"" + period + "\" is not an ISO 8601 week such as 2026-W47";
    return batch::Errc::invalid_argument;
  }
  if (options.sender_id.empty()) {
    error = "sender id: empty";
    return batch::Errc::invalid_argument;
  }

  out.manifest.type = batch::BatchType::return_batch;
  out.manifest.period = period;
  out.manifest.sender_id = options.sender_id;
  out.manifest.sender_port =
      options.sender_port.empty() ? in.manifest.sender_port : options.sender_port;

  std::set<std::string> exported_epcs;
  for (const batch::ExportRecord& record : in.records) {
    ++counts.records;
    std::visit(
        [&](const auto& r) {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<T, batch::RfidEntryRecord>) {
            exported_epcs.insert(r.epc_hex);
            const auto person = registry.find_by_epc(r.epc_hex);
            if (!person) {
              ++counts.unknown;
              return;
            }
            batch::ExitRecord e = exit_record_of(*person);
            e.epc_hex = r.epc_hex;  // echoed exactly as exported
            e.entry_date = local_date(r.entry);
            e.entry_time = local_time(r.entry);
            out.records.push_back(std::move(e));
          } else {
            if (!registry.knows_document(r.document_type, r.document_number, r.document_country)) {
              ++counts.unknown;
              return;
            }
            // The partner's record of the same traveller: the same person
            // and document, the exit port from the registry, no RFID number.
            RegistryPerson p = registry.person_for(
                registry.epc_key(r.document_type + r.document_number + r.document_country), 0);
            p.first_name = r.first_name;
            p.middle_name = r.middle_name;
            p.last_name = r.last_name;
            p.birth_date = r.birth_date;
            p.nationality = r.nationality;
            p.gender = r.gender;
            p.document_type = r.document_type;
            p.document_number = r.document_number;
            p.document_country = r.document_country;
            batch::ExitRecord e = exit_record_of(p);
            e.entry_date = local_date(r.entry);
            e.entry_time = local_time(r.entry);
            out.records.push_back(std::move(e));
          }
          ++counts.answered;
        },
        record);
  }

  // Extras: people and cards the partner wrongly attributes to this port's
  // week (another port's crossing, a mistyped week). Times anywhere in the
  // period's seven local days.
  Rng rng(hash2(options.seed, 0x4558545241ULL /* "EXTRA" */));
  const date::sys_days monday = monday_of(period);
  for (std::size_t i = 0; i < options.extra; ++i) {
    const std::string epc = fresh_epc(rng, exported_epcs);
    exported_epcs.insert(epc);  // and no two extras alike
    batch::ExitRecord e =
        exit_record_of(registry.person_for(rng.next_u64(), demo_card_type_of(epc)));
    e.epc_hex = epc;
    // A local instant in the week: as an EntryTime whose offset is 0.
    const auto second = static_cast<std::int64_t>(rng.below(std::uint64_t{7} * 86'400));
    const batch::EntryTime local{std::int64_t{monday.time_since_epoch().count()} * 86'400 + second,
                                 0};
    e.entry_date = local_date(local);
    e.entry_time = local_time(local);
    out.records.push_back(std::move(e));
    ++counts.extra;
  }

  // Fisher-Yates with the seeded generator: the format has no record order
  // and the importer must not rely on one.
  for (std::size_t i = out.records.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng.below(i));
    std::swap(out.records[i - 1], out.records[j]);
  }
  return {};
}

}  // namespace garita::sim::partner

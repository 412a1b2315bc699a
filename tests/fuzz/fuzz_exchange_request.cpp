// The exchange endpoints' request bodies (what garitad parses from people:
// POST /v1/batches and POST /v1/entry-records, docs/api.md): any bytes are
// either accepted or refused with one line naming what was wrong; an
// accepted officer record has an entry time and a port, and what passes the
// batch format's field rules is what the export would write.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "garita/daemon/api/ExchangeJson.hpp"
#include "garita/daemon/batch/BatchManifest.hpp"
#include "garita/daemon/exchange/ExchangeStore.hpp"

namespace {

void check_why(const std::string& why) {
  if (why.empty() || why.find('\n') != std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace garita;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  std::string why;

  std::string period;
  if (daemon::api::parse_export_request(body, period, why)) {
    check_why(why);
  } else if (!batch::is_valid_iso_week(period)) {
    std::abort();  // accepted a period the export would refuse
  }

  batch::OfficerEntryRecord record;
  why.clear();
  if (daemon::api::parse_officer_record_request(body, "SYS", record, why)) {
    check_why(why);
  } else {
    if (record.port.empty()) std::abort();
    // Field rules: valid or one line naming the field, never a crash.
    const std::string field_problem = exchange::validate_officer_record(record);
    if (field_problem.find('\n') != std::string::npos) std::abort();
  }

  // The entry time parser on its own.
  (void)daemon::api::parse_utc_second(body);
  (void)daemon::api::is_batch_id(body);
  (void)daemon::api::parse_record_id(body);
  return 0;
}

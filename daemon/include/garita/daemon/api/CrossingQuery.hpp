#pragma once
// GET /v1/crossings and GET /v1/audit query parameters -> filters, and the
// crossing JSON the API, the live feed and `garita search` share. Pure.
//
// Paging: each page answers "next" (an opaque cursor "FIRSTSEEN.ID") when
// more rows match; the client passes it back as after=. Times are UTC like
// 2026-11-23T14:30:00Z, a date, or an age (15m, 2h, 1d).
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "garita/common/store/CrossingStore.hpp"
#include "garita/daemon/api/RequestTarget.hpp"

namespace garita::daemon::api {

inline constexpr std::size_t kMaxPageRows = 1000;
inline constexpr std::size_t kDefaultPageRows = 100;

// Refuses unknown parameters ("did you mean"-free: the list is short and
// named in the message), bad times, a bad EPC, an unknown document type, a
// limit outside 1..kMaxPageRows, a malformed cursor. `why` names the parameter.
std::error_code parse_crossing_query(const RequestTarget& target, std::int64_t now_utc_us,
                                     store::CrossingFilter& out, std::string& why);

std::string format_cursor(const store::CrossingCursor& cursor);
bool parse_cursor(std::string_view text, store::CrossingCursor& out);

struct AuditQuery {
  std::optional<std::int64_t> since_utc_us;
  std::optional<std::int64_t> until_utc_us;
  std::optional<std::string> user;
  std::int64_t after_id = 0;  // paging: rows after this id
  std::size_t limit = 100;
};
std::error_code parse_audit_query(const RequestTarget& target, std::int64_t now_utc_us,
                                  AuditQuery& out, std::string& why);

// The search terms exactly as given (name=value, in request order), for the
// audit row: an auditor sees what was asked, not our interpretation of it.
std::string search_terms_text(const RequestTarget& target);

// One crossing as JSON. `card_numbers` false masks what identifies a card:
// EPC and TID hex as security::mask_epc_hex gives them, EPC URI and TID
// serial null, and "masked": true says so.
boost::json::object crossing_to_json(const Crossing& crossing, bool card_numbers);
boost::json::object crossing_to_json(const store::StoredCrossing& row, bool card_numbers);

}  // namespace garita::daemon::api

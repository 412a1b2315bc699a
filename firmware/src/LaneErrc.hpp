#pragma once
// Error codes of the lane controller (category "lane"): its journal and its
// uplink to garitad. Operating-system and TLS failures keep their own codes
// (std::system_category, boost::asio::error, OpenSSL's); these are for what
// only garita-lane knows.
#include <system_error>

namespace garita::firmware {

enum class LaneErrc {
  journal_open_failed = 1,  // the journal file cannot be opened or created
  journal_foreign_file,     // the file is not a garita-lane journal
  journal_too_new,          // written by a newer garita-lane (schema version)
  journal_io,               // SQLite reported an error on a read or write
  journal_full,             // the journal reached its configured maximum size
  journal_not_open,         // used before open()
  uplink_tls_setup,         // CA / certificate / key file unusable
  uplink_tls_verify,        // garitad's certificate did not verify (reason in the text)
  uplink_timeout,           // connect, handshake or a request took too long
  uplink_http_status,       // garitad answered with an error status
  uplink_bad_response,      // garitad's body did not decode
  uplink_stopped,           // abandoned because the client was stopped
};

const std::error_category& lane_category() noexcept;

inline std::error_code make_error_code(LaneErrc e) noexcept {
  return {static_cast<int>(e), lane_category()};
}

}  // namespace garita::firmware

template <>
struct std::is_error_code_enum<garita::firmware::LaneErrc> : std::true_type {};

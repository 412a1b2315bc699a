#pragma once
// Error codes of reader drivers (category "reader"): what went wrong with a
// reader as a whole, as opposed to one malformed message (llrp::Errc) or an
// operating-system failure (boost::system / std::system_category codes, which
// drivers pass on unchanged, e.g. "Connection refused").
//
// Every error a driver reports comes with a one-line text for a person
// (ReaderStatus::last_error) that says what happened and, where it helps,
// what to check; the code is for programs (metrics, retry decisions, tests).
#include <system_error>

namespace garita::hal {

enum class DriverErrc {
  scheme_not_supported =
      1,                 // no driver for this URI scheme in this build (serial://, usb:// today)
  bad_options,           // DriverOptions or URI options that cannot work together
  tls_setup_failed,      // CA / certificate / key file missing, unreadable or not matching
  tls_handshake_failed,  // the TLS handshake failed (certificate not trusted, wrong name, ...)
  connect_timeout,       // TCP connect (and TLS handshake) did not finish in time
  response_timeout,      // the reader did not answer a request in time
  link_dead,             // nothing from the reader (not even a keepalive) for too long
  connection_refused_by_reader,  // ConnectionAttemptEvent other than Success
  reader_status_error,           // a response carried an LLRPStatus other than M_Success
  reader_error_message,          // the reader answered with ERROR_MESSAGE
  reader_closed_connection,      // ConnectionCloseEvent, or the reader closed the TCP connection
  protocol_violation,            // the reader sent something LLRP does not allow at that point
  write_queue_full,              // the reader stopped reading what we send
  not_running,                   // a command (e.g. a lane light) while no reader session is up
  busy,                          // too many commands waiting for the reader
  bad_argument,                  // a command argument the reader cannot take (e.g. GPO port 9 of 4)
  stopped,                       // the operation was abandoned because the driver was stopped
};

const std::error_category& driver_category() noexcept;

inline std::error_code make_error_code(DriverErrc e) noexcept {
  return {static_cast<int>(e), driver_category()};
}

}  // namespace garita::hal

template <>
struct std::is_error_code_enum<garita::hal::DriverErrc> : std::true_type {};

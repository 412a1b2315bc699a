#include "garita/hal/DriverErrc.hpp"

#include <string>

namespace garita::hal {
namespace {

class DriverCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "reader"; }
  std::string message(int ev) const override {
    switch (static_cast<DriverErrc>(ev)) {
      case DriverErrc::scheme_not_supported:
        return "no driver for this kind of reader in this build";
      case DriverErrc::bad_options: return "reader options cannot work together";
      case DriverErrc::tls_setup_failed: return "TLS files could not be loaded";
      case DriverErrc::tls_handshake_failed: return "TLS handshake with the reader failed";
      case DriverErrc::connect_timeout: return "timed out connecting to the reader";
      case DriverErrc::response_timeout: return "the reader did not answer in time";
      case DriverErrc::link_dead: return "no message from the reader for too long";
      case DriverErrc::connection_refused_by_reader:
        return "the reader refused the LLRP connection";
      case DriverErrc::reader_status_error: return "the reader reported an error status";
      case DriverErrc::reader_error_message: return "the reader sent an ERROR_MESSAGE";
      case DriverErrc::reader_closed_connection: return "the reader closed the connection";
      case DriverErrc::protocol_violation: return "the reader broke the LLRP protocol";
      case DriverErrc::write_queue_full: return "the reader is not reading what garita sends";
      case DriverErrc::not_running: return "no session with the reader";
      case DriverErrc::busy: return "too many commands waiting for the reader";
      case DriverErrc::bad_argument: return "the reader cannot take this argument";
      case DriverErrc::stopped: return "the driver was stopped";
    }
    return "unknown reader error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& driver_category() noexcept {
  static const DriverCategory category;
  return category;
}

}  // namespace garita::hal

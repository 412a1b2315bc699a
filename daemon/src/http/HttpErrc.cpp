#include "garita/daemon/http/HttpErrc.hpp"

#include <string>

namespace garita::daemon::http {
namespace {

class HttpCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "http"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::tls_setup_failed: return "TLS files are missing or unusable";
      case Errc::key_permissions: return "private key file is readable by group or others";
      case Errc::bad_address: return "listen address is not an IP address";
      case Errc::listen_failed: return "cannot listen on the address and port";
      case Errc::already_started: return "server already started";
    }
    return "unknown http error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& http_category() noexcept {
  static const HttpCategory category;
  return category;
}

}  // namespace garita::daemon::http

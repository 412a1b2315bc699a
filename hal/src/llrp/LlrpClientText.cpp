#include "LlrpClientText.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include "garita/hal/DriverErrc.hpp"

namespace garita::hal::llrp {

std::string format_duration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) + " s";
}

std::pair<std::error_code, std::string> describe_link_error(const boost::system::error_code& ec,
                                                            std::string_view doing,
                                                            const std::string& peer) {
  namespace error = boost::asio::error;
  if (ec == error::eof || ec == boost::asio::ssl::error::stream_truncated) {
    return {DriverErrc::reader_closed_connection,
            "the reader " + peer +
                " closed the connection (it may have rebooted, or another client took it over)"};
  }
  if (ec == error::connection_reset || ec == error::broken_pipe) {
    return {ec, "the connection to " + peer + " was reset while " + std::string(doing) +
                    " (the reader rebooted, or a switch or firewall dropped the connection)"};
  }
  std::string why = std::string(doing) + " " + peer + " failed: " + ec.message();
  if (ec.category() == boost::asio::error::get_ssl_category()) {
    // With TLS 1.3 a reader refuses garita's certificate after the
    // handshake, so the refusal shows up here, as an alert.
    why +=
        " (the reader ended the TLS session: check the client certificate (--tls-cert, --tls-key) "
        "and that the reader trusts the CA that signed it)";
  }
  return {ec, why};
}

std::string describe_connect_error(const boost::system::error_code& ec, const std::string& target) {
  namespace error = boost::asio::error;
  std::string why = "cannot connect to " + target + ": " + ec.message();
  if (ec == error::connection_refused) {
    why +=
        " (the host is up but nothing listens on that port: is LLRP enabled on the reader, and is "
        "the port right?)";
  } else if (ec == error::host_unreachable || ec == error::network_unreachable) {
    why += " (no route to the reader: check its cable, VLAN and IP address)";
  }
  return why;
}

}  // namespace garita::hal::llrp

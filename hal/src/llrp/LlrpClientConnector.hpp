#pragma once
// How an LLRP link comes to be: garita dials the reader (TCP, optionally TLS),
// or, in listen mode, the reader dials garita (LLRP 1.1 §19: "reader
// initiated connection"). Either way the result is one LlrpLink on the
// client's strand.
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "LlrpClientLink.hpp"
#include "garita/hal/DriverOptions.hpp"

namespace garita::hal::llrp {

using ClientStrand = boost::asio::strand<boost::asio::io_context::executor_type>;

class LlrpConnector {
 public:
  using Handler =
      std::function<void(std::error_code, const std::string& why, std::shared_ptr<LlrpLink>)>;

  virtual ~LlrpConnector() = default;

  // Opens one link. `handler` runs once on the strand, never inside this
  // call, with a link or with an error and a one-line reason.
  virtual void async_open(Handler handler) = 0;

  // Abandons the attempt under way: its handler is dropped without being
  // called. A listener also closes its listening socket.
  virtual void cancel() = 0;

  // What an attempt is doing, for logs: "dialling 10.0.4.21:5084".
  virtual std::string describe() const = 0;
};

// Dials host:port; with `tls`, then does a TLS handshake checking the
// reader's certificate. `timeout` bounds resolve + connect + handshake.
std::shared_ptr<LlrpConnector> make_dialer(const ClientStrand& strand, std::string host,
                                           std::uint16_t port, std::chrono::milliseconds timeout,
                                           const LinkLimits& limits, std::optional<TlsFiles> tls);

// Listens on address:port (an IP address of this host, 0.0.0.0 / :: for all)
// and accepts one reader connection per async_open().
std::shared_ptr<LlrpConnector> make_listener(const ClientStrand& strand, std::string address,
                                             std::uint16_t port, const LinkLimits& limits);

}  // namespace garita::hal::llrp

#pragma once
// A client turned away because the reader already has one (LLRP 1.1 §19.1):
// it gets one READER_EVENT_NOTIFICATION with ConnectionAttemptEvent
// Failed_Client_Initiated_Connection_Exists, then a FIN; the socket closes
// when the client hangs up or after 2 s.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <system_error>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace garita::sim::llrp {

class RefusedClient : public std::enable_shared_from_this<RefusedClient> {
 public:
  static constexpr std::chrono::seconds kLingerTimeout{2};

  RefusedClient(boost::asio::ip::tcp::socket socket, std::vector<std::uint8_t> message);
  void start();

 private:
  void on_write(boost::system::error_code ec);
  void do_drain();
  void on_drain(boost::system::error_code ec);
  void on_timeout(boost::system::error_code ec);
  void close();

  boost::asio::ip::tcp::socket socket_;
  std::vector<std::uint8_t> message_;
  std::array<std::uint8_t, 1024> discard_{};
  boost::asio::steady_timer timer_;
  bool closed_ = false;
};

}  // namespace garita::sim::llrp

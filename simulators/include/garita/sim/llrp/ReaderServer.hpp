#pragma once
// One simulated reader on the network: a TCP listener on its port, at most
// one client session (a second client is told
// Failed_Client_Initiated_Connection_Exists and closed, as readers do,
// LLRP 1.1 §19.1), the reader's engine, and the faults aimed at it.
//
// A connection fault (drop, stall, garble, nokeepalive) that comes due
// while no client is connected waits and hits the next client right after
// its ConnectionAttemptEvent has been written. A reboot closes the
// listener, so connection attempts are refused (RST) until it is over.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "garita/sim/TagObservation.hpp"
#include "garita/sim/llrp/FaultSpec.hpp"
#include "garita/sim/llrp/ReaderEngine.hpp"
#include "garita/sim/llrp/ReaderSession.hpp"
#include "garita/sim/llrp/SimClock.hpp"

namespace garita::sim::llrp {

class ReaderServer final : public SessionHost {
 public:
  struct Options {
    LaneId lane = 1;
    boost::asio::ip::address bind_address;
    std::uint16_t port = 0;  // 0: an ephemeral port, kept across reboots
    ReaderProfile profile;
    bool quiet = false;  // no per-event lines on the log stream
  };

  // `catch_up` brings every reader's model time up to now before a client
  // message is handled, so a command takes effect after the reads that came
  // before it. `log` and `tag_log` must outlive the server.
  ReaderServer(boost::asio::io_context& io, const SimClock& clock, Options options, TagLog& tag_log,
               std::ostream& log, std::function<void()> catch_up);
  ~ReaderServer();
  ReaderServer(const ReaderServer&) = delete;
  ReaderServer& operator=(const ReaderServer&) = delete;

  // Binds and listens; the error says why not (port in use, bad address).
  std::error_code listen();
  std::uint16_t port() const noexcept { return port_; }
  LaneId lane() const noexcept { return options_.lane; }

  // The air and the clock (called by the simulator's time loop).
  void on_observation(const TagObservation& read);
  void advance_to(std::int64_t now_us);
  std::optional<std::int64_t> next_deadline() const { return engine_.next_deadline(); }
  // Writes what the engine queued and prints its notices.
  void kick();

  void apply_fault(const FaultSpec& fault);

  // Says goodbye (ConnectionCloseEvent), closes the client and the listener.
  void shutdown();
  // After the io_context stopped: logs whatever was never sent.
  void finish();

  const ReaderEngine& engine() const noexcept { return engine_; }

  // SessionHost
  void on_session_message(ReaderSession& session, const hal::llrp::MessageView& message) override;
  std::optional<OutgoingMessage> take_outgoing(ReaderSession& session) override;
  void on_session_wrote(ReaderSession& session, const OutgoingMessage& message) override;
  void on_session_unsent(ReaderSession& session, OutgoingMessage&& message) override;
  void on_session_ended(ReaderSession& session, std::string_view why) override;

 private:
  std::error_code open_acceptor();
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void start_fault(const FaultSpec& fault);
  void apply_waiting_faults();
  void on_reboot_over(boost::system::error_code ec);
  void say(const std::string& text);

  const SimClock& clock_;
  Options options_;
  std::ostream& log_;
  std::function<void()> catch_up_;
  ReaderEngine engine_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer reboot_timer_;
  std::uint16_t port_ = 0;
  std::shared_ptr<ReaderSession> session_;
  std::vector<FaultSpec> waiting_faults_;  // due while no client was connected
  bool rebooting_ = false;
  bool shutting_down_ = false;
};

}  // namespace garita::sim::llrp

#pragma once
// The LLRP client's state machine (see garita/hal/llrp/LlrpClient.hpp for
// the sequence). Split over two files: LlrpClient.cpp runs the connection's
// life (open, watchdog, backoff, stop, status); LlrpClientSession.cpp speaks
// LLRP over one connection (requests and responses, reports, events).
//
// Everything here runs on strand_. Handlers carry the session id they were
// started for and do nothing once it has moved on, so a late completion from
// an old connection can never touch the current one.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "LlrpClientConnector.hpp"
#include "garita/common/TagRead.hpp"
#include "garita/hal/DriverOptions.hpp"
#include "garita/hal/ReaderDriver.hpp"
#include "garita/hal/ReaderUri.hpp"
#include "garita/hal/ReconnectBackoff.hpp"
#include "garita/hal/llrp/LlrpClientSetup.hpp"
#include "garita/hal/llrp/MessageType.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ReaderCapabilities.hpp"
#include "garita/hal/llrp/ReaderConfigParameters.hpp"
#include "garita/hal/llrp/ReaderEventNotification.hpp"
#include "garita/hal/llrp/TagReport.hpp"

namespace garita::hal::llrp {

class LlrpClient final : public ReaderDriver, public std::enable_shared_from_this<LlrpClient> {
 public:
  LlrpClient(boost::asio::io_context& io, const ReaderUri& uri, ReaderSink& sink,
             const DriverOptions& options);

  void start() override;
  void stop(std::function<void()> on_stopped) override;
  ReaderStatus status() const override;
  void set_output(std::uint16_t port, bool on, std::function<void(std::error_code)> done) override;

 private:
  using Clock = std::chrono::steady_clock;

  // Where the connection's life is.
  enum class Phase : std::uint8_t {
    idle,                       // not started
    opening,                    // dialling / waiting for the reader to dial
    awaiting_connection_event,  // connected; the reader has not said Success yet
    configuring,                // requests of the set-up sequence
    running,
    saying_goodbye,  // stop(): DISABLE_ROSPEC, CLOSE_CONNECTION
    backing_off,
    stopped,
  };

  // Every request garita sends that has a response.
  enum class Request : std::uint8_t {
    get_capabilities,
    impinj_enable_extensions,
    factory_reset,
    set_config,
    get_antenna_properties,
    delete_rospecs,
    delete_accessspecs,
    add_rospec,
    add_accessspec,
    enable_accessspec,
    enable_rospec,
    set_gpo,
    disable_rospec,
    close_connection,
  };

  struct Pending {
    Request request;
    std::uint32_t message_id = 0;
    Clock::time_point deadline;
  };

  struct Command {  // a lane-light write waiting for its turn
    GpoWriteData gpo;
    std::function<void(std::error_code)> done;
  };

  // --- the connection's life (LlrpClient.cpp) ---
  void do_start();
  void do_open();
  void on_open(std::uint64_t session, std::error_code ec, const std::string& why,
               std::shared_ptr<LlrpLink> link);
  void on_link_closed(std::uint64_t session, std::error_code ec, const std::string& why);
  void fail_session(std::error_code ec, const std::string& why);
  void end_session(bool graceful);
  void do_backoff();
  void on_backoff(std::uint64_t session, const boost::system::error_code& ec);
  void do_watchdog();
  void on_watchdog(std::uint64_t session, const boost::system::error_code& ec);
  void do_stop(std::function<void()> on_stopped);
  void finish_stop();
  void do_set_output(std::uint16_t port, bool on, std::function<void(std::error_code)> done);
  void fail_commands(std::error_code ec);
  void complete(std::function<void(std::error_code)>& done, std::error_code ec);

  // --- speaking LLRP (LlrpClientSession.cpp) ---
  void on_message(std::uint64_t session, const MessageView& message);
  void on_keepalive(const MessageView& message);
  void on_report(const MessageView& message);
  void on_reader_event(const MessageView& message);
  void on_connection_attempt(ConnectionAttemptStatus status);
  void on_error_message(const MessageView& message);
  void on_response(const MessageView& message);
  void after_response(Request request, std::error_code failure, const std::string& failure_text);
  bool apply_capabilities(const ReaderCapabilities& capabilities);
  void apply_antenna_properties(const std::vector<AntennaProperties>& antennas);
  std::optional<Request> next_request(Request done) const;
  void send_request(Request request);
  std::error_code encode_request(Request request, std::uint32_t message_id,
                                 std::vector<std::uint8_t>& out) const;
  bool send_message(std::vector<std::uint8_t> bytes, std::string_view what);
  void enter_running();
  void send_next_command();
  std::uint32_t next_message_id() noexcept;
  static std::string_view request_name(Request request) noexcept;
  static MessageType response_type(Request request) noexcept;

  // --- status, log, sink ---
  void set_state(DriverState state);
  void record_error(std::error_code ec, const std::string& why, Severity severity);
  void publish_status();
  void note_reader_time(std::optional<std::uint64_t> utc_us, std::optional<std::uint64_t> uptime_us,
                        std::int64_t host_utc_us);
  void ensure_antenna(std::uint16_t id);
  void log(Severity severity, std::string_view text) const;
  void deliver(const TagRead& read);

  // Construction-time constants.
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  ReaderUri uri_;
  std::string uri_text_;
  ReaderSink& sink_;
  DriverOptions options_;
  LinkLimits limits_;
  LaneSetup setup_;
  std::chrono::milliseconds dead_after_;
  std::chrono::milliseconds watchdog_tick_;

  // The connection's life.
  Phase phase_ = Phase::idle;
  std::uint64_t session_ = 0;  // bumped whenever a connection begins or ends
  bool stop_requested_ = false;
  bool sink_detached_ = false;  // after the stop completion: no more sink calls
  std::shared_ptr<LlrpConnector> connector_;
  std::shared_ptr<LlrpLink> link_;
  ReconnectBackoff backoff_;
  boost::asio::steady_timer backoff_timer_;
  boost::asio::steady_timer watchdog_;
  std::vector<std::function<void()>> stop_handlers_;

  // One connection's LLRP state.
  std::optional<Pending> pending_;
  Clock::time_point connection_event_deadline_{};
  Clock::time_point last_received_{};
  std::uint32_t last_message_id_ = 0;
  bool impinj_ = false;
  bool rospec_added_ = false;
  std::deque<Command> commands_;
  std::optional<Command> current_command_;

  // The hot path's reused storage (no allocation per tag).
  TagReport tag_;
  TagReport previous_tag_;  // for inherit_unreported_fields (§14.2.3)
  bool have_previous_tag_ = false;
  TagRead read_;
  std::vector<std::uint64_t> antenna_reads_;  // index i: antenna i+1

  // The snapshot. Written on the strand under the mutex; read anywhere.
  mutable std::mutex status_mutex_;
  ReaderStatus status_;
};

}  // namespace garita::hal::llrp

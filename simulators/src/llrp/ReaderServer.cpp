#include "garita/sim/llrp/ReaderServer.hpp"

#include <boost/asio/error.hpp>

#include "garita/sim/llrp/RefusedClient.hpp"

namespace garita::sim::llrp {
namespace asio = boost::asio;
using asio::ip::tcp;

ReaderServer::ReaderServer(asio::io_context& io, const SimClock& clock, Options options,
                           TagLog& tag_log, std::ostream& log, std::function<void()> catch_up)
    : clock_(clock),
      options_(std::move(options)),
      log_(log),
      catch_up_(std::move(catch_up)),
      engine_(options_.profile, options_.lane, tag_log, clock.now_us()),
      acceptor_(io),
      reboot_timer_(io),
      port_(options_.port) {}

ReaderServer::~ReaderServer() = default;

std::error_code ReaderServer::listen() {
  if (auto ec = open_acceptor()) return ec;
  do_accept();
  return {};
}

std::error_code ReaderServer::open_acceptor() {
  boost::system::error_code ec;
  const tcp::endpoint endpoint(options_.bind_address, port_);
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return ec;
  // A reboot closes and reopens the listener on the same port, perhaps with
  // the old connection still in TIME_WAIT.
  acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return ec;
  }
  port_ = acceptor_.local_endpoint(ec).port();
  return ec;
}

void ReaderServer::do_accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void ReaderServer::on_accept(boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open())
    return;  // closed: shutdown or reboot
  if (ec) {
    say("accept failed: " + ec.message());
    do_accept();
    return;
  }
  boost::system::error_code peer_ec;
  const auto remote = socket.remote_endpoint(peer_ec);
  const std::string peer = peer_ec
                               ? std::string("unknown peer")
                               : remote.address().to_string() + ":" + std::to_string(remote.port());
  if (shutting_down_) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  catch_up_();
  if (session_) {
    auto refusal = std::make_shared<RefusedClient>(std::move(socket),
                                                   engine_.refuse_connection(clock_.now_us()));
    refusal->start();
    say("refused " + peer + ": a client connection already exists");
    kick();
  } else {
    engine_.connect(clock_.now_us());
    session_ = std::make_shared<ReaderSession>(std::move(socket), *this, peer,
                                               engine_.connection_number());
    say("client " + peer + " connected (connection " + std::to_string(engine_.connection_number()) +
        ")");
    session_->start();
  }
  do_accept();
}

void ReaderServer::on_observation(const TagObservation& read) { engine_.on_observation(read); }

void ReaderServer::advance_to(std::int64_t now_us) { engine_.advance_to(now_us); }

void ReaderServer::kick() {
  for (const std::string& notice : engine_.take_notices()) say(notice);
  if (!session_) return;
  const std::shared_ptr<ReaderSession> session = session_;  // alive even if it ends below
  if (engine_.client_too_slow()) {
    session->abort("the client does not read its responses");
    return;
  }
  apply_waiting_faults();
  if (const std::shared_ptr<ReaderSession> current = session_) current->pump();
}

// --- faults ----------------------------------------------------------------

void ReaderServer::apply_fault(const FaultSpec& fault) {
  if (shutting_down_) return;
  if (fault.kind == FaultKind::reboot) {
    start_fault(fault);
    return;
  }
  waiting_faults_.push_back(fault);
  if (!session_) say("fault " + to_string(fault) + " waits for a client to connect");
  apply_waiting_faults();
}

void ReaderServer::apply_waiting_faults() {
  // A connection fault hits a client only once it has its
  // ConnectionAttemptEvent: before that there is no LLRP connection to break.
  if (!session_ || session_->ended() || session_->messages_written() == 0) return;
  std::vector<FaultSpec> due;
  due.swap(waiting_faults_);
  for (const FaultSpec& fault : due) start_fault(fault);
}

void ReaderServer::start_fault(const FaultSpec& fault) {
  const std::int64_t now = clock_.now_us();
  const std::shared_ptr<ReaderSession> session = session_;  // alive even if it ends below
  say("fault " + to_string(fault));
  switch (fault.kind) {
    case FaultKind::drop:
      if (session) session->close_gracefully("fault: drop");
      break;
    case FaultKind::stall:
      if (session) {
        // A hung reader sends no KEEPALIVEs either; none pile up for later.
        engine_.suppress_keepalives(now, now + fault.duration_us);
        session->stall(clock_.real_duration(fault.duration_us));
      }
      break;
    case FaultKind::garble:
      if (session) session->garble();
      break;
    case FaultKind::no_keepalive:
      engine_.suppress_keepalives(now, fault.duration_us != 0
                                           ? std::optional<std::int64_t>(now + fault.duration_us)
                                           : std::nullopt);
      break;
    case FaultKind::reboot: {
      if (rebooting_) {
        say("already rebooting; fault ignored");
        break;
      }
      rebooting_ = true;
      // The listener goes first: a client that sees its connection drop and
      // reconnects at once must be refused, not queued on a dying listener.
      boost::system::error_code ignored;
      acceptor_.close(ignored);  // connection attempts are refused until boot
      if (session) session->abort("fault: reboot");
      waiting_faults_.clear();
      engine_.reboot(now);
      reboot_timer_.expires_after(clock_.real_duration(fault.duration_us));
      reboot_timer_.async_wait([this](boost::system::error_code ec) { on_reboot_over(ec); });
      break;
    }
  }
}

void ReaderServer::on_reboot_over(boost::system::error_code ec) {
  if (ec == asio::error::operation_aborted || shutting_down_) return;
  catch_up_();
  rebooting_ = false;
  engine_.boot(clock_.now_us());
  if (auto listen_ec = open_acceptor()) {
    say("cannot listen again after the reboot: " + listen_ec.message());
    return;
  }
  say("rebooted; accepting connections on port " + std::to_string(port_));
  do_accept();
}

// --- shutdown --------------------------------------------------------------

void ReaderServer::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  reboot_timer_.cancel();
  if (const std::shared_ptr<ReaderSession> session = session_) {
    // ConnectionCloseEvent (§14.2.6.12): the reader is hanging up.
    engine_.announce_close(clock_.now_us());
    session->close_when_drained("simulator exiting");
  }
}

void ReaderServer::finish() {
  if (const std::shared_ptr<ReaderSession> session = session_) session->abort("simulator exited");
  engine_.finish(clock_.now_us());
  for (const std::string& notice : engine_.take_notices()) say(notice);
}

// --- SessionHost -----------------------------------------------------------

void ReaderServer::on_session_message(ReaderSession& session,
                                      const hal::llrp::MessageView& message) {
  if (&session != session_.get()) return;
  catch_up_();
  engine_.handle_message(message, clock_.now_us());
  kick();
}

std::optional<OutgoingMessage> ReaderServer::take_outgoing(ReaderSession& session) {
  if (&session != session_.get()) return std::nullopt;
  return engine_.pop_outgoing();
}

void ReaderServer::on_session_wrote(ReaderSession& session, const OutgoingMessage& message) {
  if (message.kind == OutgoingMessage::Kind::report) {
    engine_.on_report_written(message, clock_.now_us(), session.connection());
  }
  if (&session != session_.get()) return;
  if (message.type == hal::llrp::MessageType::close_connection_response &&
      engine_.close_requested()) {
    // §13.1.5: CLOSE_CONNECTION_RESPONSE is the last message; then the
    // reader closes. Reports made after it wait for the next client.
    session.close_gracefully("client sent CLOSE_CONNECTION");
    return;
  }
  if (session.messages_written() == 1) apply_waiting_faults();
}

void ReaderServer::on_session_unsent(ReaderSession& /*session*/, OutgoingMessage&& message) {
  if (message.kind == OutgoingMessage::Kind::report)
    engine_.return_unsent_report(std::move(message));
}

void ReaderServer::on_session_ended(ReaderSession& session, std::string_view why) {
  if (&session != session_.get()) return;
  say("client " + session.peer() + " gone (connection " + std::to_string(session.connection()) +
      "): " + std::string(why));
  engine_.disconnect(clock_.now_us());
  session_.reset();
}

void ReaderServer::say(const std::string& text) {
  if (options_.quiet) return;
  log_ << "garita-sim llrp: lane " << options_.lane << ": " << text << '\n';
}

}  // namespace garita::sim::llrp

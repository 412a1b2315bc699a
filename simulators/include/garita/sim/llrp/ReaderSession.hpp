#pragma once
// One client connection of a simulated reader: reads bytes, frames them
// into LLRP messages for its host (the ReaderServer, which owns the reader's
// engine), and writes the host's outgoing messages one at a time. The write
// path pulls from the host, so the only queues are the engine's, which are
// bounded.
//
// Faults act here: stall() stops reading and writing for a while (a read
// that completes meanwhile is kept for later, so even a client hang-up is
// only noticed when the stall ends); garble() writes one frame with a
// corrupt header and then nothing more.
//
// Closing: close_gracefully() sends FIN after what was already written,
// then reads and discards until the client closes (or 2 s pass) before
// closing the socket, so unread input never turns the FIN into a RST that
// would destroy data still in flight. abort() closes at once.
//
// All calls and handlers run on the io_context's single thread.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "garita/hal/llrp/FrameLexer.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/sim/llrp/OutgoingMessage.hpp"

namespace garita::sim::llrp {

class ReaderSession;

// What a session needs from the reader it belongs to.
class SessionHost {
 public:
  // A whole message arrived.
  virtual void on_session_message(ReaderSession& session,
                                  const hal::llrp::MessageView& message) = 0;
  // The next message to write, if any.
  virtual std::optional<OutgoingMessage> take_outgoing(ReaderSession& session) = 0;
  // `message` was handed to the kernel in full.
  virtual void on_session_wrote(ReaderSession& session, const OutgoingMessage& message) = 0;
  // A message taken with take_outgoing() could not be written (reports go
  // back to the reader's buffer).
  virtual void on_session_unsent(ReaderSession& session, OutgoingMessage&& message) = 0;
  // The session is over (called once); later messages are not the session's.
  virtual void on_session_ended(ReaderSession& session, std::string_view why) = 0;

 protected:
  ~SessionHost() = default;
};

class ReaderSession : public std::enable_shared_from_this<ReaderSession> {
 public:
  using Steady = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kLingerTimeout{2};

  // `connection` numbers the reader's connections from 1 (the sent log's column).
  ReaderSession(boost::asio::ip::tcp::socket socket, SessionHost& host, std::string peer,
                std::uint32_t connection);

  void start();
  // Writes whatever the host has now (call after the host queued something).
  void pump();
  // Writes everything the host has, then closes gracefully.
  void close_when_drained(std::string why);
  void close_gracefully(std::string_view why);
  void abort(std::string_view why);
  // Neither reads nor writes for `duration`.
  void stall(Steady::duration duration);
  // Writes a frame whose length field (3) is below the 10-byte header, then
  // stays silent on this connection.
  void garble();

  const std::string& peer() const noexcept { return peer_; }
  std::uint32_t connection() const noexcept { return connection_; }
  std::uint64_t messages_written() const noexcept { return messages_written_; }
  bool ended() const noexcept { return ended_; }
  bool stalled() const noexcept { return stalled_; }

 private:
  void do_read();
  void on_read(boost::system::error_code ec, std::size_t bytes);
  void handle_read(boost::system::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(boost::system::error_code ec, std::size_t bytes);
  void on_stall_end(boost::system::error_code ec);
  void shutdown_send();
  void on_linger_timeout(boost::system::error_code ec);
  void close_socket();
  void end(std::string_view why);

  boost::asio::ip::tcp::socket socket_;
  SessionHost& host_;
  std::string peer_;
  std::uint32_t connection_;
  hal::llrp::FrameLexer lexer_;
  std::array<std::uint8_t, std::size_t{16} * 1024> read_buffer_{};
  boost::asio::steady_timer stall_timer_;
  boost::asio::steady_timer linger_timer_;

  std::optional<OutgoingMessage> in_flight_;
  std::array<std::uint8_t, hal::llrp::kMessageHeaderSize> garbage_{};
  bool writing_garbage_ = false;
  bool garble_pending_ = false;
  bool silenced_ = false;

  bool reading_ = false;
  bool writing_ = false;
  bool stalled_ = false;
  std::optional<std::pair<boost::system::error_code, std::size_t>> deferred_read_;
  bool close_when_drained_ = false;
  std::string drain_reason_;
  bool closing_ = false;  // FIN sent or pending; input is discarded
  bool ended_ = false;
  bool socket_closed_ = false;
  std::uint64_t messages_written_ = 0;
};

}  // namespace garita::sim::llrp

#pragma once
// GET /v1/live: every committed crossing, as one JSON text message, to each
// connected WebSocket client; masked (security::mask_epc_hex) for roles that
// do not see card numbers. Bounded: at most `max_clients` at once, and the
// HTTP core drops a client whose queue is full (a slow client never holds
// garitad back). A client that is no longer alive() frees its place.
// Not thread-safe: ApiService holds a mutex around it.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "garita/common/Crossing.hpp"

namespace garita::daemon::api {

// What the feed needs of a client; the HTTP core's WebSocketClient is
// wrapped in it (ApiService), tests use a fake.
class LiveSink {
 public:
  virtual ~LiveSink() = default;
  // false: the client is gone (closed, or dropped for a full queue).
  virtual bool deliver(const std::string& text) = 0;
  virtual bool alive() const = 0;
  virtual void close() {}
};

class LiveFeed {
 public:
  explicit LiveFeed(std::size_t max_clients) : max_clients_(max_clients) {}

  // Room for one more? (Prunes clients that are gone first.)
  bool has_room();
  // Adds a client; false when full.
  bool add(std::shared_ptr<LiveSink> sink, bool card_numbers);
  // Sends `crossing` to every client; returns how many got it.
  std::size_t publish(const Crossing& crossing);

  std::size_t clients();
  // Closes and forgets every client (garitad stopping).
  void clear();
  std::uint64_t messages_sent() const noexcept { return sent_; }
  std::uint64_t clients_dropped() const noexcept { return dropped_; }
  std::size_t max_clients() const noexcept { return max_clients_; }

 private:
  struct Client {
    std::shared_ptr<LiveSink> sink;
    bool card_numbers = false;
  };
  void prune();

  std::size_t max_clients_;
  std::vector<Client> clients_;
  std::uint64_t sent_ = 0;
  std::uint64_t dropped_ = 0;
};

// The message text: {"type":"crossing","crossing":{...}} (crossing_to_json).
std::string live_message(const Crossing& crossing, bool card_numbers);

}  // namespace garita::daemon::api

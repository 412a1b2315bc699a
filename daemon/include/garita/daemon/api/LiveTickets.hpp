#pragma once
// One-time tickets for the browser's live-feed WebSocket. A browser cannot
// put an Authorization header on a WebSocket, and a token in a URL would end
// up in histories and logs; so the page asks POST /v1/live/ticket (with its
// token in the header) and opens wss://.../v1/live?ticket=T. A ticket is 16
// random bytes (RAND_bytes), valid once, for 30 s, bound to the caller who
// asked for it. At most `max_tickets` are outstanding. Thread-safe.
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "garita/daemon/security/UserStore.hpp"

namespace garita::daemon::api {

class LiveTickets {
 public:
  explicit LiveTickets(std::size_t max_tickets = 256, std::int64_t lifetime_us = 30'000'000)
      : max_(max_tickets), lifetime_us_(lifetime_us) {}

  // A new ticket for `caller`; empty when the CSPRNG failed.
  std::string issue(const security::Authenticated& caller, std::int64_t now_mono_us);
  // Takes the ticket (it is gone afterwards); nullopt when unknown or expired.
  std::optional<security::Authenticated> redeem(const std::string& ticket,
                                                std::int64_t now_mono_us);

  std::size_t outstanding() const;

 private:
  struct Entry {
    security::Authenticated caller;
    std::int64_t expires_mono_us = 0;
  };
  void purge_locked(std::int64_t now_mono_us);

  std::size_t max_;
  std::int64_t lifetime_us_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> tickets_;
};

}  // namespace garita::daemon::api

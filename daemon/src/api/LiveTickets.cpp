#include "garita/daemon/api/LiveTickets.hpp"

#include <openssl/rand.h>

#include <array>

#include "garita/common/Hex.hpp"

namespace garita::daemon::api {

void LiveTickets::purge_locked(std::int64_t now) {
  for (auto it = tickets_.begin(); it != tickets_.end();) {
    it = it->second.expires_mono_us <= now ? tickets_.erase(it) : std::next(it);
  }
}

std::string LiveTickets::issue(const security::Authenticated& caller, std::int64_t now) {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) return {};
  std::string ticket = to_hex(std::span<const std::uint8_t>(bytes.data(), bytes.size()));
  std::lock_guard lock(mutex_);
  purge_locked(now);
  if (tickets_.size() >= max_) {
    // The oldest (soonest to expire) goes: a page that asked long ago has
    // either used its ticket or will ask again.
    auto oldest = tickets_.begin();
    for (auto it = tickets_.begin(); it != tickets_.end(); ++it) {
      if (it->second.expires_mono_us < oldest->second.expires_mono_us) oldest = it;
    }
    tickets_.erase(oldest);
  }
  tickets_[ticket] = Entry{caller, now + lifetime_us_};
  return ticket;
}

std::optional<security::Authenticated> LiveTickets::redeem(const std::string& ticket,
                                                           std::int64_t now) {
  std::lock_guard lock(mutex_);
  purge_locked(now);
  auto it = tickets_.find(ticket);
  if (it == tickets_.end()) return std::nullopt;
  security::Authenticated caller = it->second.caller;
  tickets_.erase(it);
  return caller;
}

std::size_t LiveTickets::outstanding() const {
  std::lock_guard lock(mutex_);
  return tickets_.size();
}

}  // namespace garita::daemon::api

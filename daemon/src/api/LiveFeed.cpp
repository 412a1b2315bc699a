#include "garita/daemon/api/LiveFeed.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <utility>

#include "garita/daemon/api/CrossingQuery.hpp"

namespace garita::daemon::api {

std::string live_message(const Crossing& crossing, bool card_numbers) {
  boost::json::object o;
  o["type"] = "crossing";
  o["crossing"] = crossing_to_json(crossing, card_numbers);
  return boost::json::serialize(o);
}

void LiveFeed::prune() {
  const auto gone = [](const Client& c) { return !c.sink || !c.sink->alive(); };
  clients_.erase(std::remove_if(clients_.begin(), clients_.end(), gone), clients_.end());
}

bool LiveFeed::has_room() {
  prune();
  return clients_.size() < max_clients_;
}

bool LiveFeed::add(std::shared_ptr<LiveSink> sink, bool card_numbers) {
  if (!sink || !has_room()) return false;
  clients_.push_back({std::move(sink), card_numbers});
  return true;
}

void LiveFeed::clear() {
  for (Client& c : clients_) {
    if (c.sink) c.sink->close();
  }
  clients_.clear();
}

std::size_t LiveFeed::clients() {
  prune();
  return clients_.size();
}

std::size_t LiveFeed::publish(const Crossing& crossing) {
  prune();
  if (clients_.empty()) return 0;
  // Each form is built once, only if someone gets it.
  std::string whole;
  std::string masked;
  std::size_t delivered = 0;
  for (Client& c : clients_) {
    const auto& sink = c.sink;
    if (!sink) continue;
    std::string& text = c.card_numbers ? whole : masked;
    if (text.empty()) text = live_message(crossing, c.card_numbers);
    if (sink->deliver(text)) {
      ++delivered;
      ++sent_;
    } else {
      ++dropped_;
      c.sink.reset();
    }
  }
  prune();
  return delivered;
}

}  // namespace garita::daemon::api

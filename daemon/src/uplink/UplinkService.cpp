#include "garita/daemon/uplink/UplinkService.hpp"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/status.hpp>
#include <chrono>

#include "garita/common/Log.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/common/store/StoreErrc.hpp"
#include "garita/common/uplink/UplinkMessages.hpp"

namespace garita::daemon::uplink {
namespace {

namespace bhttp = boost::beast::http;
constexpr std::string_view kLog = "uplink";
constexpr std::int64_t kRefusalLogIntervalUs = 60'000'000;
constexpr std::int64_t kQuietHelloUs = 60'000'000;

std::int64_t system_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string peer_text(const http::Peer& peer) {
  const auto address = peer.remote.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(peer.remote.port());
}

// Text from the peer (certificate CN, controller name) made safe for one
// log line: printable ASCII, bounded.
std::string printable(std::string_view text, std::size_t max = 64) {
  std::string out;
  for (char c : text.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7F ? c : '?');
  }
  if (text.size() > max) out += "...";
  return out;
}

bool is_json(const http::Request& req) {
  const auto type = req[bhttp::field::content_type];
  std::string lower(type.substr(0, type.find(';')));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  while (!lower.empty() && lower.back() == ' ') lower.pop_back();
  return lower == "application/json";
}

}  // namespace

struct UplinkService::Batch {
  std::string lane;
  http::Peer peer;
  std::uint64_t backlog = 0;
  std::size_t size = 0;
  http::Responder respond;
  std::mutex mutex;
  std::size_t pending = 1;  // one for the submitting loop itself
  std::vector<std::uint64_t> acked;
  std::vector<garita::uplink::Rejection> rejected;
  std::size_t not_taken = 0;  // left for the lane to send again
  std::string not_taken_why;
};

UplinkService::UplinkService(std::vector<std::string> controller_lanes, std::uint32_t max_batch,
                             Submit submit, Clock now_utc_us)
    : lanes_(std::move(controller_lanes)),
      max_batch_(std::clamp<std::uint32_t>(max_batch, 1, garita::uplink::kMaxBatchLimit)),
      submit_(std::move(submit)),
      now_(now_utc_us ? std::move(now_utc_us) : Clock(system_now_us)) {
  for (const std::string& lane : lanes_) status_[lane].lane_id = lane;
}

std::vector<LaneUplinkStatus> UplinkService::snapshot() const {
  std::lock_guard lock(mutex_);
  std::vector<LaneUplinkStatus> out;
  out.reserve(lanes_.size());
  for (const std::string& lane : lanes_) out.push_back(status_.at(lane));
  return out;
}

void UplinkService::refuse(const http::Responder& respond, const http::Peer& peer,
                           const std::string* lane, unsigned status, std::string_view code,
                           const std::string& message) {
  const std::int64_t now = now_();
  bool log_it = false;
  {
    std::lock_guard lock(mutex_);
    if (lane != nullptr) {
      if (auto it = status_.find(*lane); it != status_.end()) {
        ++it->second.refused_requests;
        it->second.last_refusal = std::to_string(status) + " " + std::string(code) + ": " + message;
      }
    }
    const std::string key = peer.remote.address().to_string() + "|" + std::string(code);
    auto [it, fresh] = last_refusal_log_.try_emplace(key, now);
    log_it = fresh || now - it->second >= kRefusalLogIntervalUs;
    if (log_it) it->second = now;
    if (last_refusal_log_.size() > 1024) last_refusal_log_.clear();
  }
  if (log_it) {
    const std::string who =
        peer.cert_cn ? " (certificate CN '" + printable(*peer.cert_cn) + "')" : std::string();
    log::warning(kLog, "refused request from " + peer_text(peer) + who + ": " +
                           std::to_string(status) + " " + std::string(code) + ": " + message);
  }
  respond.send(http::error_response(static_cast<bhttp::status>(status), code, message));
}

void UplinkService::on_request(http::Request&& req, const http::Peer& peer,
                               http::Responder respond) {
  const std::string target(req.target());
  const bool is_hello = target == "/v1/uplink/hello";
  const bool is_crossings = target == "/v1/uplink/crossings";
  if (!is_hello && !is_crossings) {
    return refuse(respond, peer, nullptr, 404, "not_found",
                  "no such uplink endpoint (POST /v1/uplink/hello or /v1/uplink/crossings)");
  }
  if (req.method() != bhttp::verb::post) {
    return refuse(respond, peer, nullptr, 405, "method_not_allowed", "use POST");
  }
  // Contract A: the lane is its certificate's CN, and must be a controller lane.
  if (!peer.cert_cn) {
    return refuse(respond, peer, nullptr, 403, "no_lane_identity",
                  "the client certificate has no usable subject CN (the lane id)");
  }
  const std::string& lane = *peer.cert_cn;
  if (std::find(lanes_.begin(), lanes_.end(), lane) == lanes_.end()) {
    std::string configured;
    for (const std::string& l : lanes_) configured += (configured.empty() ? "" : ",") + l;
    return refuse(respond, peer, nullptr, 403, "unknown_lane",
                  "certificate CN '" + printable(lane) +
                      "' is not a controller lane here (controller lanes: " +
                      (configured.empty() ? "none" : configured) + ")");
  }
  if (!is_json(req)) {
    return refuse(respond, peer, &lane, 415, "unsupported_media_type",
                  "Content-Type must be application/json");
  }
  {
    std::lock_guard lock(mutex_);
    LaneUplinkStatus& s = status_[lane];
    s.last_request_utc_us = now_();
    s.peer_address = peer_text(peer);
  }
  if (is_hello) return hello(req, lane, peer, respond);
  crossings(req, lane, peer, respond);
}

void UplinkService::hello(const http::Request& req, const std::string& lane, const http::Peer& peer,
                          const http::Responder& respond) {
  garita::uplink::Hello hello;
  std::string error;
  if (garita::uplink::decode(req.body(), hello, error)) {
    return refuse(respond, peer, &lane, 400, "bad_request", error);
  }
  if (hello.lane != lane) {
    return refuse(
        respond, peer, &lane, 403, "lane_mismatch",
        "body lane '" + printable(hello.lane) + "' is not the certificate's lane '" + lane + "'");
  }
  const std::int64_t now = now_();
  bool reconnected = false;
  {
    std::lock_guard lock(mutex_);
    LaneUplinkStatus& s = status_[lane];
    // A lane says hello when it connects and then every few seconds while
    // idle: only a new connection (or one after a long silence) is news.
    reconnected = !s.last_hello_utc_us || s.hello_peer != peer_text(peer) ||
                  now - *s.last_hello_utc_us > kQuietHelloUs;
    s.hello_peer = peer_text(peer);
    s.last_hello_utc_us = now;
    s.controller = printable(hello.controller, garita::uplink::kMaxLabelBytes);
    s.reader_state = printable(hello.reader.state, garita::uplink::kMaxLabelBytes);
    s.reader_uri_scheme = printable(hello.reader.uri_scheme, garita::uplink::kMaxLabelBytes);
    s.backlog = hello.backlog;
  }
  log::write(reconnected ? log::Severity::info : log::Severity::debug, kLog,
             "lane " + lane + " connected from " + peer_text(peer) + " (" +
                 printable(hello.controller) + ", backlog " + std::to_string(hello.backlog) +
                 ", reader " + printable(hello.reader.state) + ")");
  http::Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = garita::uplink::encode(garita::uplink::HelloResponse{lane, now, max_batch_});
  res.prepare_payload();
  respond.send(std::move(res));
}

void UplinkService::crossings(const http::Request& req, const std::string& lane,
                              const http::Peer& peer, const http::Responder& respond) {
  garita::uplink::CrossingBatch decoded;
  std::string error;
  if (garita::uplink::decode(req.body(), decoded, error)) {
    return refuse(respond, peer, &lane, 400, "bad_request", error);
  }
  if (decoded.lane != lane) {
    return refuse(
        respond, peer, &lane, 403, "lane_mismatch",
        "body lane '" + printable(decoded.lane) + "' is not the certificate's lane '" + lane + "'");
  }
  if (decoded.crossings.size() > max_batch_) {
    return refuse(respond, peer, &lane, 400, "batch_too_large",
                  std::to_string(decoded.crossings.size()) + " crossings in one batch; at most " +
                      std::to_string(max_batch_) + " (max_batch from hello)");
  }

  auto batch = std::make_shared<Batch>();
  batch->lane = lane;
  batch->peer = peer;
  batch->backlog = decoded.backlog;
  batch->size = decoded.crossings.size();
  batch->respond = respond;
  for (std::size_t i = 0; i < decoded.crossings.size(); ++i) {
    Crossing& c = decoded.crossings[i];
    const std::uint64_t sequence = c.sequence;
    std::string why;
    if (store::validate_crossing(c, why)) {
      std::lock_guard lock(batch->mutex);
      batch->rejected.push_back({sequence, why});
      continue;
    }
    {
      std::lock_guard lock(batch->mutex);
      ++batch->pending;
    }
    // Writer thread, after COMMIT: only then does the sequence count as acked.
    auto on_committed = [this, batch, sequence](std::error_code ec) {
      bool last = false;
      {
        std::lock_guard lock(batch->mutex);
        if (!ec || ec == store::Errc::sequence_conflict) {
          batch->acked.push_back(sequence);  // conflict: kept in crossing_conflicts
        } else if (ec == store::Errc::invalid_crossing) {
          batch->rejected.push_back({sequence, "crossing " + batch->lane + "#" +
                                                   std::to_string(sequence) +
                                                   ": refused by the store at write time"});
        } else {
          ++batch->not_taken;
          batch->not_taken_why = ec.message();
        }
        last = --batch->pending == 0;
      }
      if (last) finish(*batch);
    };
    if (auto ec = submit_(std::move(c), std::move(on_committed), &why)) {
      std::lock_guard lock(batch->mutex);
      --batch->pending;
      if (ec == store::Errc::invalid_crossing) {
        batch->rejected.push_back({sequence, why.empty() ? ec.message() : why});
        continue;
      }
      // The store cannot take more now (queue full for the whole wait, or
      // stopping): the rest stays on the lane, which sends it again.
      batch->not_taken += decoded.crossings.size() - i;
      batch->not_taken_why = why.empty() ? ec.message() : why;
      break;
    }
  }
  bool last = false;
  {
    std::lock_guard lock(batch->mutex);
    last = --batch->pending == 0;
  }
  if (last) finish(*batch);
}

void UplinkService::finish(Batch& batch) {
  // Every callback has run: the batch is no longer shared.
  const std::int64_t now = now_();
  std::sort(batch.acked.begin(), batch.acked.end());
  batch.acked.erase(std::unique(batch.acked.begin(), batch.acked.end()), batch.acked.end());
  if (batch.acked.empty() && batch.rejected.empty() && batch.not_taken > 0) {
    return refuse(batch.respond, batch.peer, &batch.lane, 503, "store_busy",
                  "the crossing store cannot take crossings now (" + batch.not_taken_why +
                      "); send them again later");
  }
  {
    std::lock_guard lock(mutex_);
    LaneUplinkStatus& s = status_[batch.lane];
    s.last_batch_utc_us = now;
    s.backlog = batch.backlog;
    ++s.batches;
    s.acked += batch.acked.size();
    s.rejected += batch.rejected.size();
  }
  const std::string counts = "lane " + batch.lane + " batch of " + std::to_string(batch.size) +
                             ": " + std::to_string(batch.acked.size()) + " acked, " +
                             std::to_string(batch.rejected.size()) + " rejected";
  if (!batch.rejected.empty()) {
    // Reasons name lane and sequence only, never the card.
    log::warning(kLog, counts + " (first: " + batch.rejected.front().reason + ")");
  } else if (batch.not_taken > 0) {
    log::warning(kLog, counts + ", " + std::to_string(batch.not_taken) +
                           " left on the lane (store busy: " + batch.not_taken_why + ")");
  } else {
    log::debug(kLog, counts + ", backlog " + std::to_string(batch.backlog));
  }
  http::Response res{bhttp::status::ok, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = garita::uplink::encode(
      garita::uplink::CrossingsResponse{std::move(batch.acked), std::move(batch.rejected)});
  res.prepare_payload();
  batch.respond.send(std::move(res));
}

}  // namespace garita::daemon::uplink

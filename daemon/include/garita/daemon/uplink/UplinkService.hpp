#pragma once
// garitad's side of the lane uplink (contracts.md A, docs/uplink.md): the
// http::Handler behind the [uplink] listener.
//
//   POST /v1/uplink/hello      -> 200 {"lane","server_time_utc_us","max_batch"}
//   POST /v1/uplink/crossings  -> 200 {"acked":[...],"rejected":[...]}
//
// The lane is who its client certificate says (subject CN); it must be a
// configured controller lane, and the lane in the body must be the same
// (403 otherwise). Each crossing is validated (store::validate_crossing:
// invalid ones are "rejected", for the lane to dead-letter) and handed to
// the group committer; the answer is sent only after every accepted
// crossing's COMMIT returned, so "acked" means on disk. Crossings the store
// could not take now (queue full, stopping) are in neither list: the lane
// keeps them and sends them again (the store's upsert makes that harmless).
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include "garita/common/Crossing.hpp"
#include "garita/common/store/GroupCommitter.hpp"
#include "garita/daemon/http/HttpServer.hpp"
#include "garita/daemon/uplink/UplinkStatus.hpp"

namespace garita::daemon::uplink {

class UplinkService final : public http::Handler {
 public:
  // Hands one crossing to the store; `on_committed` runs on the writer thread
  // after its COMMIT (GroupCommitter::submit semantics).
  using Submit = std::function<std::error_code(Crossing, store::GroupCommitter::OnCommitted,
                                               std::string* why)>;
  using Clock = std::function<std::int64_t()>;  // host UTC µs

  UplinkService(std::vector<std::string> controller_lanes, std::uint32_t max_batch, Submit submit,
                Clock now_utc_us = {});

  void on_request(http::Request&& req, const http::Peer& peer, http::Responder respond) override;

  // Thread-safe copy of every controller lane's status, config order.
  std::vector<LaneUplinkStatus> snapshot() const;

 private:
  struct Batch;
  void hello(const http::Request& req, const std::string& lane, const http::Peer& peer,
             const http::Responder& respond);
  void crossings(const http::Request& req, const std::string& lane, const http::Peer& peer,
                 const http::Responder& respond);
  void refuse(const http::Responder& respond, const http::Peer& peer, const std::string* lane,
              unsigned status, std::string_view code, const std::string& message);
  void finish(Batch& batch);

  const std::vector<std::string> lanes_;
  const std::uint32_t max_batch_;
  Submit submit_;
  Clock now_;
  mutable std::mutex mutex_;
  std::map<std::string, LaneUplinkStatus> status_;  // by lane id
  // Refusals of one kind from one peer address are logged once a minute.
  std::map<std::string, std::int64_t> last_refusal_log_;
};

}  // namespace garita::daemon::uplink

#pragma once
// The lane's uplink to garitad (contracts.md A): an HTTPS/1.1 client over
// mutual TLS 1.3 that drains the journal into garitad, oldest first.
//
//   connect (TCP, TLS) -> POST /v1/uplink/hello -> 200: connected
//   loop: up to max_batch pending crossings -> POST /v1/uplink/crossings
//         -> 200: delete the acked ones from the journal, dead-letter the
//            rejected ones -> next batch; nothing pending: wait for notify()
//            or idle_poll; a hello every `heartbeat` keeps the link alive
//            and tells garitad the backlog and the reader's state.
//   any failure: close, log one line saying why, wait (capped exponential
//   backoff with jitter), reconnect and resume from the journal.
//
// A crossing leaves the journal only on garitad's ack of the revision that
// was sent, so a crash at any point means at worst a resend, which garitad's
// idempotent upsert absorbs.
//
// Threading: everything runs on the io_context given (one thread); the
// journal is used from that thread only. stop() may be called from it.
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "../LaneJournal.hpp"
#include "UplinkTls.hpp"
#include "garita/common/uplink/UplinkMessages.hpp"

namespace garita::firmware {

struct UplinkOptions {
  std::string url;  // for logs
  std::string host;
  std::uint16_t port = 443;
  UplinkTlsFiles tls;
  std::string lane_id;
  std::string controller = "garita-lane";
  std::uint32_t batch_size = uplink::kDefaultMaxBatch;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds backoff_initial{1'000};
  std::chrono::milliseconds backoff_max{60'000};
  std::chrono::milliseconds idle_poll{1'000};
  // Below garitad's idle timeout (30 s), so an idle link is not cut.
  std::chrono::milliseconds heartbeat{10'000};
  std::optional<std::uint64_t> backoff_seed;  // tests pin the jitter
};

struct UplinkCounters {
  std::uint64_t connects = 0;  // hellos answered 200 after a (re)connection
  std::uint64_t failures = 0;
  std::uint64_t batches = 0;  // batch requests answered 200
  std::uint64_t acked = 0;    // crossings deleted from the journal after an ack
  std::uint64_t rejected = 0;
};

class UplinkClient : public std::enable_shared_from_this<UplinkClient> {
 public:
  using ReaderStateFn = std::function<uplink::ReaderState()>;
  using ConnectedHook = std::function<void(bool connected)>;

  // `journal` must outlive the client (stop() first).
  static std::shared_ptr<UplinkClient> create(boost::asio::io_context& io, UplinkOptions options,
                                              LaneJournal& journal, ReaderStateFn reader_state,
                                              ConnectedHook on_connected);
  ~UplinkClient();

  void start();
  // Closes the connection and abandons what is in flight (unacked crossings
  // stay in the journal). No journal access after it returns.
  void stop();
  // New crossings are in the journal: send now rather than at the next poll.
  void notify();

  bool connected() const noexcept;
  UplinkCounters counters() const noexcept;
  // The last failure, one line (empty when none yet).
  const std::string& last_error() const noexcept;

 private:
  struct Impl;
  UplinkClient(boost::asio::io_context& io, UplinkOptions options, LaneJournal& journal,
               ReaderStateFn reader_state, ConnectedHook on_connected);
  std::shared_ptr<Impl> impl_;  // shared with its pending handlers
};

}  // namespace garita::firmware

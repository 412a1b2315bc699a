#pragma once
// garitad's core: one reader driver per configured reader, the lane pipeline
// for all lanes, and the crossing store behind a group committer. Runs on one
// io_context thread (drivers, pipeline, timers); the store's writer thread
// reports commits back onto it.
//
// Nothing is lost on a clean stop: stop() stops the readers, flushes the
// pipeline (every open session is decided), waits for the store to commit
// everything submitted, then closes it. A crossing counts as stored only
// after its COMMIT returned; garitad logs "crossing committed" then.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "garita/common/Crossing.hpp"
#include "garita/common/config/SiteConfig.hpp"
#include "garita/common/store/RetentionPurge.hpp"
#include "garita/daemon/api/DaemonStatus.hpp"
#include "garita/daemon/uplink/UplinkStatus.hpp"

namespace boost::asio {
class io_context;
}

namespace garita::daemon {

struct DaemonOptions {
  // How often sessions are closed and decided; bounds crossing latency.
  std::int64_t tick_us = 50'000;
  // How often a one-line summary is logged and sent to systemd as STATUS=.
  std::int64_t summary_every_us = 60'000'000;
  // Logs each committed crossing (lane and sequence only, never the EPC).
  bool log_commits = true;
};

class Daemon {
 public:
  Daemon(boost::asio::io_context& io, config::SiteConfig site, DaemonOptions options = {});
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Opens the store (creating or migrating it), resumes each lane's sequence,
  // starts every reader and the timers. On failure returns an error and sets
  // `error` to one line; nothing is left running.
  std::error_code start(std::string& error);

  // Graceful stop; `done` runs on the io_context once everything is committed
  // and closed. Safe to call more than once.
  void stop(std::function<void()> done);

  // Crossings whose COMMIT has returned since start.
  std::uint64_t committed() const noexcept;

  // For the people-facing API (issue 6), io thread only. `listener` gets
  // each crossing after its COMMIT returned (the live feed).
  void set_commit_listener(std::function<void(const Crossing&)> listener);
  // Lanes, readers and the store now: cumulative counters, no card numbers.
  api::DaemonStatus status_snapshot() const;
  // Runs work on the read-write store as a job on the store writer's thread,
  // between crossing transactions, and waits for it (the API's exports and
  // officer records, issue 7). Call from any thread but the io thread or the
  // writer; after stop(), the access answers store::Errc::not_running.
  store::StoreAccess store_access();
  // The lane controllers' uplink ([uplink], docs/uplink.md): per controller
  // lane, last hello, backlog, last batch, peer address. Any thread.
  uplink::UplinkStatus uplink_status() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace garita::daemon

#pragma once
// Support for the lane-uplink end-to-end tests: a PKI made by
// scripts/test-pki.sh, garitad with controller lanes and an [uplink]
// listener, garita-lane processes (one per lane) reading from
// garita-sim llrp, and readers for the lanes' logs and journals.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "BackgroundProcess.hpp"
#include "test_garitad_support.hpp"

namespace garita::test::uplink {

namespace fs = std::filesystem;
using LaneSeq = std::pair<std::string, std::uint64_t>;

// DIR/pki from scripts/test-pki.sh.
fs::path make_pki(const gd::ScratchDir& dir);

// garitad's config: controller lanes `lanes`, [uplink] on 127.0.0.1:port
// with the PKI's server certificate and CA, database DIR/crossings.db.
fs::path write_garitad_config(const gd::ScratchDir& dir, const fs::path& pki, std::uint16_t port,
                              const std::vector<std::string>& lanes);

struct LaneSetup {
  std::string lane;               // [lane] id
  std::string cert;               // PKI file stem for cert/key ("L1", "expired", "wrong-L1")
  std::uint16_t reader_port = 0;  // garita-sim's port for this lane (or a closed port)
  std::uint16_t uplink_port = 0;
  std::string name;  // file stem for config, journal, logs (default: lane)
};
fs::path write_lane_config(const gd::ScratchDir& dir, const fs::path& pki, const LaneSetup& setup);

// garita-lane --config FILE --ready-file F, waited for.
class LaneProcess {
 public:
  LaneProcess(const gd::ScratchDir& dir, const fs::path& config, const std::string& name);
  BackgroundProcess& process() { return *process_; }
  std::string log() const { return process_->stderr_text(); }
  bool started() const noexcept { return started_; }

 private:
  std::unique_ptr<BackgroundProcess> process_;
  bool started_ = false;
};

// (lane, seq) of every "journal: crossing stored lane=L seq=S" line.
std::set<LaneSeq> journaled(const std::string& lane_log);
// (lane, seq) -> epc_hex of the journal's pending rows (read-only).
std::map<LaneSeq, std::string> journal_pending(const fs::path& journal);
// (lane, seq) -> epc_hex of garitad's crossings.
std::map<LaneSeq, std::string> stored(const fs::path& db);
// Waits until every key of `expected` is in garitad's store; false after `limit`.
bool wait_stored(const fs::path& db, const std::set<LaneSeq>& expected,
                 std::chrono::milliseconds limit);

}  // namespace garita::test::uplink

#pragma once
// Support for the garitad end-to-end tests: a scratch directory, the LLRP
// reader simulator (`garita-sim llrp`) and garitad as background processes,
// the configuration scripts/demo.sh writes, garitad's "crossing committed"
// log lines parsed back, the database read back (read-only) and the
// simulator's ground truth and sent log, and a score of the stored crossings
// against the truth.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "BackgroundProcess.hpp"
#include "garita/common/store/CrossingStore.hpp"
#include "garita/sim/GroundTruth.hpp"

namespace garita::test::gd {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// A fresh directory under /tmp (mkdtemp), removed at the end unless the
// environment has GARITA_KEEP_TMP=1 (then its path is printed).
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const noexcept { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// "P01" for lane 1: the lane ids the tests configure (as scripts/demo.sh).
std::string lane_name(unsigned lane);

// Host UTC now, µs since the Unix epoch (the simulator's clock at --speed 1).
std::int64_t utc_now_us();

// `garita-sim llrp --port 0 --ready-file F --quiet ARGS`, waited for.
class Simulator {
 public:
  Simulator(const ScratchDir& dir, const std::vector<std::string>& args,
            const std::string& name = "sim");
  const std::map<unsigned, std::uint16_t>& ports() const noexcept { return ports_; }
  BackgroundProcess& process() { return *process_; }
  // Host UTC (µs) just before the simulator was started: its clock starts
  // at the host's wall clock, so fault times count from about here.
  std::int64_t started_utc_us() const noexcept { return started_utc_us_; }

 private:
  std::unique_ptr<BackgroundProcess> process_;
  std::map<unsigned, std::uint16_t> ports_;
  std::int64_t started_utc_us_ = 0;
};

// A port on 127.0.0.1 nothing listens on (bound, then closed).
std::uint16_t closed_port();

// Writes DIR/NAME: the demo's configuration (one reader per lane "rL" at
// llrp://127.0.0.1:PORT, lane "P0L" with antenna 1 entry, 2 exit; the
// shipped example issuer table; the database at `db`; `extra` TOML tables
// such as "[lane_defaults]\ngap_s = 0.5\n"). Returns its path.
fs::path write_config(const ScratchDir& dir, const std::map<unsigned, std::uint16_t>& ports,
                      const fs::path& db, const std::string& extra = "",
                      const std::string& name = "garitad.toml");

// garitad --config FILE in the background.
class Garitad {
 public:
  Garitad(const ScratchDir& dir, const fs::path& config, const std::string& name = "garitad");
  BackgroundProcess& process() { return *process_; }
  std::string log() const { return process_->stderr_text(); }
  // Waits until the log says "started:"; false if it exited or `limit` passed.
  bool wait_started(std::chrono::milliseconds limit = 30s);
  // Waits until the log holds at least `n` "crossing committed" lines.
  bool wait_commits(std::size_t n, std::chrono::milliseconds limit);
  // Waits until `text` occurs at least `n` times in the log.
  bool wait_log(const std::string& text, std::size_t n, std::chrono::milliseconds limit);

 private:
  std::unique_ptr<BackgroundProcess> process_;
};

// One "store: crossing committed lane=P01 seq=17 document=BCC reads=12" line.
struct CommitLine {
  std::string lane;
  std::uint64_t sequence = 0;
  std::string document;
  std::uint32_t reads = 0;
  bool extended = false;
};
std::vector<CommitLine> parse_commits(const std::string& log);
std::size_t count_of(const std::string& text, const std::string& needle);
// Lines of `log` that are not "crossing committed" lines (for failure messages).
std::string log_without_commits(const std::string& log, std::size_t max_lines = 60);

// Every crossing in the database, oldest first, opened read-only.
std::vector<store::StoredCrossing> read_crossings(const fs::path& db);
// Highest sequence per lane in the database (empty if there is no file).
std::map<std::string, std::uint64_t> max_sequences(const fs::path& db);

struct DbHealth {
  std::string integrity;  // PRAGMA integrity_check
  store::StoreCounts counts;
};
DbHealth db_health(const fs::path& db);

std::vector<sim::GroundTruthRecord> read_truth(const fs::path& csv);

// One row of the simulator's sent log (docs/simulators.md, "Sent log").
struct SentRow {
  std::int64_t time_us = 0;
  unsigned lane = 0;
  unsigned antenna = 0;
  std::string epc;
  std::int64_t first_seen_us = 0;
  int peak_rssi_dbm = 0;
  std::string outcome;
  std::string detail;
};
std::vector<SentRow> read_sent_log(const fs::path& csv);

// Stored crossings scored against the simulator's ground truth (as
// tests/unit/lane/test_lane_scoring.cpp does in process). Each card's EPC is
// unique in the model, so the EPC identifies the pass.
struct Score {
  std::size_t crossings = 0;    // crossings of traveller cards or unknown EPCs
  std::size_t correct = 0;      // passes with at least one crossing
  std::size_t duplicates = 0;   // further crossings of the same pass
  std::size_t unknown_epc = 0;  // EPC in no truth record and never read
  std::size_t in_progress = 0;  // crossings of travellers still walking when the simulator stopped
  std::size_t detectable = 0;   // detectable traveller passes the readers fully reported
  std::size_t detected = 0;     // ... with a crossing
  std::size_t excluded = 0;  // detectable, but a read was not reported (no ROSpec yet, reboot, ...)
  std::size_t lane_right = 0;  // correct passes whose (first) crossing is in the true lane
  std::size_t dir_known = 0, dir_right = 0, dir_unknown = 0;
  std::size_t counter_flow = 0, counter_flow_flagged = 0;
  std::size_t retail_crossings = 0;
  std::vector<std::int64_t> time_errors;  // first_seen - first true-lane read, µs
  std::map<std::string, std::size_t> missed_by_behaviour;
  std::map<std::string, std::size_t> wrong_lane_by_behaviour;

  double precision() const { return crossings ? double(correct) / double(crossings) : 0.0; }
  double recall() const { return detectable ? double(detected) / double(detectable) : 0.0; }
  double lane_accuracy() const { return correct ? double(lane_right) / double(correct) : 0.0; }
  double direction_accuracy() const {
    return dir_known ? double(dir_right) / double(dir_known) : 0.0;
  }
  std::int64_t time_error_quantile(double q) const;
  std::string summary() const;
};

// The simulator writes a truth record when its traveller has left, so a
// simulator stopped mid-stream has no record yet for those still walking;
// their crossings are `in_progress`, not errors, when the sent log shows
// the card was read. Passes with a read the reader did not report (no
// client yet, reboot, lost at exit: sent-log rows other than "sent") are
// left out of recall's denominator (`excluded`).
struct SentSummary {
  std::set<std::string> read;        // every EPC in the sent log
  std::set<std::string> unreported;  // EPCs with a row other than "sent"
};
SentSummary summarize(const std::vector<SentRow>& rows);

Score score_crossings(const std::vector<store::StoredCrossing>& stored,
                      const std::vector<sim::GroundTruthRecord>& truth, const SentSummary& sent);

}  // namespace garita::test::gd

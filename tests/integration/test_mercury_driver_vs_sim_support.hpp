#pragma once
// Support for the tests that run the real `garita-sim serial` against
// garita's Mercury driver (hal/mercury/MercuryDriver.hpp) in-process: the
// simulator as a background process on a pty behind a link in a scratch
// directory, the driver run for a while with test-sized timers, and both
// sides' reads collected for comparison with the sent log.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "BackgroundProcess.hpp"
#include "garita/hal/ReaderStatus.hpp"
#include "test_llrp_sim_support.hpp"

namespace garita::test {

// `garita-sim serial --link DIR/mercury --ready-file DIR/ready --sent-log
// DIR/sent.csv ARGS`, started and ready.
class SerialSimProcess {
 public:
  SerialSimProcess(const TempDir& dir, std::vector<std::string> args);
  const std::filesystem::path& link() const noexcept { return link_; }
  const std::filesystem::path& sent_log() const noexcept { return sent_log_; }
  // The slave device named in the ready file now.
  std::string device() const;
  BackgroundProcess& process() { return *process_; }
  ProcessResult stop(std::chrono::milliseconds limit = 15s) { return process_->stop(limit); }

 private:
  std::filesystem::path link_;
  std::filesystem::path ready_;
  std::filesystem::path sent_log_;
  std::unique_ptr<BackgroundProcess> process_;
};

// What one driver run produced, next to what the simulator says it sent.
struct DriverRun {
  ProcessResult sim;
  std::vector<SentRow> rows;
  std::multiset<std::string> driver_reads;  // "EPC/antenna/TID"
  std::multiset<std::string> sent;          // the same keys of the `sent` rows
  std::vector<hal::ReaderStatus> statuses;  // every status the driver reported
  hal::ReaderStatus final_status;
  std::size_t rows_with(const std::string& outcome, const std::string& detail) const;
  // The highest pty generation a `sent` row went out on.
  unsigned max_connection() const;
};

// Starts the simulator with `sim_args` (plus 10x speed, a traveller a
// second, and unless `sim_args` say otherwise one lane, clean preset), runs the driver on
// serial://LINK?region=NA&antennas=1,2 for `seconds` of real time, stops it, stops the simulator
// and collects.
DriverRun run_driver_against_sim(const std::vector<std::string>& sim_args, double seconds);

// The key of a read: EPC, antenna, TID (hex, upper case).
std::string read_key(const std::string& epc, unsigned antenna, const std::string& tid);

// Every `sent` row reached the driver's sink exactly once, and nothing else did.
void check_nothing_lost_or_doubled(const DriverRun& run);

}  // namespace garita::test

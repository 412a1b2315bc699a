#include "test_mercury_driver_vs_sim_support.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <sstream>

#include <boost/asio/io_context.hpp>

#include "garita/common/Hex.hpp"
#include "garita/hal/DriverTable.hpp"

namespace garita::test {

SerialSimProcess::SerialSimProcess(const TempDir& dir, std::vector<std::string> args)
    : link_(dir / "mercury"), ready_(dir / "ready"), sent_log_(dir / "sent.csv") {
  std::vector<std::string> argv = {GARITA_SIM,     "serial",          "--link",
                                   link_.string(), "--ready-file",    ready_.string(),
                                   "--sent-log",   sent_log_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<BackgroundProcess>(argv, dir.path(), "sim");
  if (!process_->wait_for_file(ready_, 10s)) {
    FAIL("garita-sim serial did not become ready: " << process_->stderr_text());
  }
  REQUIRE(std::filesystem::is_symlink(link_));
}

std::string SerialSimProcess::device() const {
  std::ifstream f(ready_);
  unsigned lane = 0;
  std::string device;
  f >> lane >> device;
  return device;
}

std::size_t DriverRun::rows_with(const std::string& outcome, const std::string& detail) const {
  return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [&](const SentRow& r) {
    return r.outcome == outcome && (detail.empty() || r.detail == detail);
  }));
}

unsigned DriverRun::max_connection() const {
  unsigned m = 0;
  for (const SentRow& r : rows) {
    if (r.outcome == "sent") m = std::max(m, r.connection);
  }
  return m;
}

std::string read_key(const std::string& epc, unsigned antenna, const std::string& tid) {
  return epc + "/" + std::to_string(antenna) + "/" + tid;
}

namespace {

class CollectingSink final : public hal::ReaderSink {
 public:
  void on_tag_read(const TagRead& read) override {
    std::string epc;
    append_hex(epc, read.epc.view());
    std::string tid;
    append_hex(tid, read.tid.view());
    reads.insert(read_key(epc, read.antenna, tid));
  }
  void on_status(const hal::ReaderStatus& status) override { statuses.push_back(status); }

  std::multiset<std::string> reads;
  std::vector<hal::ReaderStatus> statuses;
};

}  // namespace

DriverRun run_driver_against_sim(const std::vector<std::string>& sim_args, double seconds) {
  TempDir dir("mercury-driver");
  std::vector<std::string> args = {"--speed", "10", "--rate", "60", "--seed", "3"};
  const auto given = [&sim_args](const std::string& option) {
    return std::find(sim_args.begin(), sim_args.end(), option) != sim_args.end();
  };
  if (!given("--lanes")) args.insert(args.end(), {"--lanes", "1"});
  if (!given("--preset")) args.insert(args.end(), {"--preset", "clean"});
  args.insert(args.end(), sim_args.begin(), sim_args.end());
  SerialSimProcess sim(dir, args);

  boost::asio::io_context io;
  CollectingSink sink;
  hal::DriverOptions options;
  // Test-sized timers: a silent link is dead after 1.5 s, reconnects
  // start after 100 ms. The module streams a keep-alive every simulated
  // second (100 ms at 10x), so silence means a dead module.
  options.connect_timeout = std::chrono::milliseconds(1000);
  options.response_timeout = std::chrono::milliseconds(1000);
  options.keepalive_period = std::chrono::milliseconds(500);
  options.dead_after_keepalives = 3;
  options.backoff_initial = std::chrono::milliseconds(100);
  options.backoff_max = std::chrono::milliseconds(500);
  options.backoff_seed = 7;
  options.antennas = {1, 2};
  options.read_tid = true;
  hal::ReaderUri uri;
  std::string why;
  REQUIRE_FALSE(hal::parse_reader_uri("serial://" + sim.link().string() + "?region=NA&antennas=1,2",
                                      uri, why));
  std::error_code ec;
  auto driver = hal::make_reader_driver(uri, io, sink, options, ec, why);
  INFO("driver: " << why);
  REQUIRE(driver);
  driver->start();
  io.run_for(std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000)));
  bool stopped = false;
  driver->stop([&stopped] { stopped = true; });
  const auto limit = std::chrono::steady_clock::now() + 5s;
  while (!stopped && std::chrono::steady_clock::now() < limit) {
    io.run_for(std::chrono::milliseconds(50));
  }
  CHECK(stopped);

  DriverRun run;
  run.final_status = driver->status();
  run.sim = sim.stop();
  INFO("sim stderr: " << run.sim.err);
  CHECK(run.sim.exit_code == 0);
  run.statuses = std::move(sink.statuses);
  run.driver_reads = std::move(sink.reads);
  run.rows = read_sent_log(sim.sent_log());
  for (const SentRow& r : run.rows) {
    if (r.outcome == "sent") run.sent.insert(read_key(r.epc, r.antenna, r.tid));
  }
  return run;
}

void check_nothing_lost_or_doubled(const DriverRun& run) {
  REQUIRE_FALSE(run.sent.empty());
  std::multiset<std::string> missing;
  std::set_difference(run.sent.begin(), run.sent.end(), run.driver_reads.begin(),
                      run.driver_reads.end(), std::inserter(missing, missing.end()));
  std::multiset<std::string> extra;
  std::set_difference(run.driver_reads.begin(), run.driver_reads.end(), run.sent.begin(),
                      run.sent.end(), std::inserter(extra, extra.end()));
  INFO("sent " << run.sent.size() << ", driver got " << run.driver_reads.size() << " ("
               << missing.size() << " missing, " << extra.size()
               << " extra); first missing: " << (missing.empty() ? "-" : *missing.begin())
               << "; first extra: " << (extra.empty() ? "-" : *extra.begin())
               << "; driver last error: " << run.final_status.last_error
               << "; sim stderr: " << run.sim.err);
  CHECK(missing.empty());
  CHECK(extra.empty());
}

}  // namespace garita::test

// The reader simulators' shared options checks and run loop
// (garita/sim/ReaderSimulation.hpp), driven with a fake lane type: reads go
// to the lane of their reader, faults fire in time order on the lanes they
// name, --duration ends the run, and the files and summaries are closed
// and logged in order.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ScratchFiles.hpp"
#include "garita/sim/ReaderSimulation.hpp"

using namespace garita::sim;

namespace {

struct FakeFault {
  std::int64_t at_us = 0;
  LaneId lane = 0;
  int id = 0;
};

std::string to_string(const FakeFault& f) { return "fake#" + std::to_string(f.id); }

// What a fake lane saw; kept outside the lane, which the simulation owns
// and destroys when run() returns.
struct LaneRecord {
  int reads = 0;
  int misrouted = 0;
  int went_back = 0;
  int kicks = 0;
  int shutdowns = 0;
  int finishes = 0;
  std::int64_t last_advance_us = 0;
  std::vector<int> faults;
};

struct FakeLane {
  FakeLane(LaneId lane_id, LaneRecord& record) : id(lane_id), seen(record) {}
  LaneId lane() const noexcept { return id; }
  std::optional<std::int64_t> next_deadline() const { return std::nullopt; }
  void on_observation(const TagObservation& read) {
    ++seen.reads;
    if (read.reader + 1 != id) ++seen.misrouted;
  }
  void advance_to(std::int64_t now_us) {
    if (now_us < seen.last_advance_us) ++seen.went_back;
    seen.last_advance_us = now_us;
  }
  void kick() { ++seen.kicks; }
  void apply_fault(const FakeFault& f) { seen.faults.push_back(f.id); }
  void shutdown() { ++seen.shutdowns; }
  void finish() { ++seen.finishes; }

  LaneId id;
  LaneRecord& seen;
};

struct FakeOptions : ReaderSimulationOptions {
  std::vector<FakeFault> faults;
  std::vector<LaneId> skip;  // lanes the model has but not simulated
  int fail_set_up = kExitOk;
  bool ready_ok = true;
};

bool check_options(const FakeOptions& o, std::string& error) {
  return check_lane_count(o, error) && check_timing_options(o, error) &&
         check_fault_lanes(o.faults, o.lanes, error);
}

constexpr ReaderSimulationTraits kTraits{
    .name = "garita-sim test",
    .shutdown_grace = std::chrono::milliseconds{10},
    .sent_log_preamble = "# test\n",
};

class FakeSimulation final : public ReaderSimulation<FakeLane, FakeFault> {
 public:
  FakeSimulation(const FakeOptions& options, std::ostream& out, std::ostream& log)
      : ReaderSimulation(options, options.faults, kTraits, out, log), options_(options) {}

  // What each simulated lane of the last run saw, by lane.
  static inline std::map<LaneId, LaneRecord> records;

 private:
  int set_up_lanes() override {
    if (options_.fail_set_up != kExitOk) return options_.fail_set_up;
    records.clear();
    for (unsigned lane = 1; lane <= options_.lanes; ++lane) {
      if (std::find(options_.skip.begin(), options_.skip.end(), lane) != options_.skip.end())
        continue;
      const auto id = static_cast<LaneId>(lane);
      add_lane(std::make_unique<FakeLane>(id, records[id]));
    }
    return kExitOk;
  }
  bool announce_ready() override {
    out_ << "ready " << lanes().size() << '\n';
    return options_.ready_ok;
  }
  void log_summary(const FakeLane& lane) override {
    log_ << "summary lane " << lane.lane() << " reads " << lane.seen.reads << " faults "
         << lane.seen.faults.size() << '\n';
  }

  const FakeOptions& options_;
};

FakeOptions quick_run(const garita::test::ScratchFolder& dir) {
  FakeOptions o;
  o.lanes = 3;
  o.skip = {2};
  o.seed = 7;
  o.speed = 1000.0;
  o.duration_s = 20.0;
  o.travelers_per_min = 30.0;
  o.preset = TrafficPreset::clean;
  o.truth_file = dir.path / "truth.csv";
  o.sent_log_file = dir.path / "sent.csv";
  return o;
}

}  // namespace

TEST_CASE("reader simulation: shared option checks name the option") {
  ReaderSimulationOptions o;
  std::string error;
  CHECK(check_lane_count(o, error));
  o.lanes = 0;
  CHECK_FALSE(check_lane_count(o, error));
  CHECK(error == "--lanes must be 1..64");
  o.lanes = 65;
  CHECK_FALSE(check_lane_count(o, error));
  o.lanes = 64;
  CHECK(check_lane_count(o, error));

  CHECK(check_timing_options(o, error));
  o.speed = 0;
  CHECK_FALSE(check_timing_options(o, error));
  CHECK(error == "--speed must be above 0 and at most 1000");
  o.speed = 1000.5;
  CHECK_FALSE(check_timing_options(o, error));
  o.speed = 1000;
  o.duration_s = 0.0;
  CHECK_FALSE(check_timing_options(o, error));
  CHECK(error == "--duration must be a positive number of seconds");
  o.duration_s = 1.0;
  o.travelers_per_min = 600.5;
  CHECK_FALSE(check_timing_options(o, error));
  CHECK(error == "--rate must be 0..600 travellers per minute per lane");
  o.travelers_per_min = 0.0;
  CHECK(check_timing_options(o, error));

  const std::vector<FakeFault> faults{{0, 0, 1}, {0, 3, 2}};
  CHECK(check_fault_lanes(faults, 3, error));
  CHECK_FALSE(check_fault_lanes(faults, 2, error));
  CHECK(error == "fault 'fake#2' names lane 3 but there are 2 lane(s)");
}

TEST_CASE("reader simulation: the traffic model's configuration") {
  ReaderSimulationOptions o;
  o.lanes = 2;
  o.seed = 9;
  const TrafficConfig plain = make_traffic_config(o, 1'000'000);
  CHECK(plain.seed == 9);
  CHECK(plain.lanes.lane_ids == std::vector<LaneId>{1, 2});
  CHECK(plain.lanes.layout == ReaderLayout::reader_per_lane);
  CHECK(plain.arrivals.start_time_us == 1'000'000);
  CHECK(plain.arrivals.travelers_per_min_per_lane ==
        TrafficConfig::defaults().arrivals.travelers_per_min_per_lane);
  CHECK(plain.arrivals.end_time_us == TrafficConfig::defaults().arrivals.end_time_us);
  CHECK_FALSE(plain.truth.retain_records);

  o.duration_s = 2.5;
  o.travelers_per_min = 12.0;
  o.preset = TrafficPreset::clean;
  const TrafficConfig clean = make_traffic_config(o, 1'000'000);
  CHECK(clean.arrivals.end_time_us == 3'500'000);
  CHECK(clean.arrivals.travelers_per_min_per_lane == 12.0);
  TrafficConfig expected = TrafficConfig::clean();
  CHECK(clean.behaviour.lingerer_probability == expected.behaviour.lingerer_probability);
}

TEST_CASE("reader simulation: a run hands reads to their lanes and stops after --duration") {
  garita::test::ScratchFolder dir("sim-reader");
  FakeOptions o = quick_run(dir);
  o.faults = {{5'000'000, 3, 2}, {0, 0, 1}, {86'400'000'000, 0, 3}};
  std::ostringstream out;
  std::ostringstream log;
  REQUIRE(run_reader_simulation<FakeSimulation>(kTraits.name, o, out, log) == kExitOk);
  CHECK(out.str() == "ready 2\n");

  const auto& lanes = FakeSimulation::records;
  REQUIRE(lanes.size() == 2);
  REQUIRE(lanes.count(2) == 0);  // not simulated: its reads go nowhere
  for (const auto& [lane, seen] : lanes) {
    INFO("lane " << lane);
    CHECK(seen.reads > 0);
    CHECK(seen.misrouted == 0);
    CHECK(seen.went_back == 0);
    CHECK(seen.kicks > 0);
    CHECK(seen.shutdowns == 1);
    CHECK(seen.finishes == 1);
  }
  // Faults in time order, each on the lanes it names; the one a day away
  // never fires.
  CHECK(lanes.at(1).faults == std::vector<int>{1});
  CHECK(lanes.at(3).faults == std::vector<int>{1, 2});

  const std::string text = log.str();
  const auto stopping =
      text.find("garita-sim test: stopping (--duration reached and every traveller has left)\n");
  const auto summary1 = text.find("summary lane 1 reads ");
  const auto summary3 = text.find("summary lane 3 reads ");
  CHECK(stopping != std::string::npos);
  CHECK(summary1 != std::string::npos);
  CHECK(summary3 != std::string::npos);
  CHECK(stopping < summary1);
  CHECK(summary1 < summary3);
  CHECK(text.find("incomplete") == std::string::npos);

  CHECK(garita::test::read_whole_file(o.sent_log_file) == "# test\n" + std::string(kSentLogHeader));
  const std::string truth = garita::test::read_whole_file(o.truth_file);
  CHECK(truth.find("\n1,") != std::string::npos);  // at least one traveller's record
}

TEST_CASE("reader simulation: failures give their status and say why") {
  garita::test::ScratchFolder dir("sim-reader");
  std::ostringstream out;
  std::ostringstream log;

  FakeOptions bad = quick_run(dir);
  bad.lanes = 0;
  CHECK(run_reader_simulation<FakeSimulation>(kTraits.name, bad, out, log) == kExitBadInput);
  CHECK(log.str() == "garita-sim test: --lanes must be 1..64\n");

  log.str("");
  FakeOptions no_truth = quick_run(dir);
  no_truth.truth_file = dir.path / "missing" / "truth.csv";
  CHECK(run_reader_simulation<FakeSimulation>(kTraits.name, no_truth, out, log) ==
        kExitRuntimeError);
  CHECK(log.str() ==
        "garita-sim test: cannot write the truth file " + no_truth.truth_file.string() + "\n");

  log.str("");
  FakeOptions no_sent_log = quick_run(dir);
  no_sent_log.sent_log_file = dir.path / "missing" / "sent.csv";
  CHECK(run_reader_simulation<FakeSimulation>(kTraits.name, no_sent_log, out, log) ==
        kExitRuntimeError);
  CHECK(log.str() ==
        "garita-sim test: cannot write the sent log " + no_sent_log.sent_log_file.string() + "\n");

  log.str("");
  FakeOptions lanes_fail = quick_run(dir);
  lanes_fail.fail_set_up = kExitBadInput;
  CHECK(run_reader_simulation<FakeSimulation>(kTraits.name, lanes_fail, out, log) == kExitBadInput);
  CHECK(log.str().empty());

  FakeOptions not_ready = quick_run(dir);
  not_ready.ready_ok = false;
  CHECK(run_reader_simulation<FakeSimulation>(kTraits.name, not_ready, out, log) ==
        kExitRuntimeError);
}

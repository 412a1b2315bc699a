#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ScratchFiles.hpp"
#include "garita/common/Errc.hpp"
#include "garita/sim/GroundTruth.hpp"
#include "garita/sim/TrafficModel.hpp"

using namespace garita::sim;

namespace {

// A run with every kind of record: shielded (empty optionals), extra tags,
// counter-flow, lingerers, step-backs, groups.
std::vector<GroundTruthRecord> varied_truth(GroundTruthCsvWriter* writer) {
  TrafficConfig c;
  c.seed = 55;
  c.behaviour.lingerer_probability = 0.2;
  c.behaviour.step_back_probability = 0.1;
  c.behaviour.counter_flow_probability = 0.2;
  c.behaviour.shielded_probability = 0.2;
  c.behaviour.group_probability = 0.2;
  c.behaviour.extra_tag_probability = 0.2;
  c.arrivals.end_time_us = 900'000'000;
  TrafficModel m(c);
  if (writer) {
    m.set_truth_sink([writer](const GroundTruthRecord& r) { REQUIRE_FALSE(writer->write(r)); });
  }
  while (m.next()) {
  }
  return {m.truth().begin(), m.truth().end()};
}

}  // namespace

TEST_CASE("behaviour and direction names round-trip") {
  CHECK(behaviours_to_string(0) == "none");
  CHECK(behaviours_to_string(behaviour::lingerer | behaviour::shielded) == "lingerer|shielded");
  CHECK(behaviours_to_string(behaviour::step_back | behaviour::counter_flow | behaviour::group |
                             behaviour::extra_tag) == "step_back|counter_flow|group|extra_tag");
  for (std::uint32_t f = 0; f < 64; ++f)
    CHECK(behaviours_from_string(behaviours_to_string(f)) == f);
  CHECK_FALSE(behaviours_from_string("lingerer|dancing"));
  CHECK_FALSE(behaviours_from_string(""));
  CHECK(to_string(Direction::exit_to_entry) == "exit_to_entry");
  CHECK(direction_from_string("entry_to_exit") == Direction::entry_to_exit);
  CHECK_FALSE(direction_from_string("sideways"));
}

TEST_CASE("a row has the documented columns") {
  GroundTruthRecord r;
  r.traveler_id = 12;
  r.epc_hex = "E2C0DE0100112233445566AA";
  r.tid_hex = "E28011602000A1B2C3D4E5F6";
  r.document = garita::DocumentType::bcc;
  r.is_traveler_card = true;
  r.lane = 3;
  r.direction = Direction::exit_to_entry;
  r.behaviours = behaviour::counter_flow | behaviour::group;
  r.arrival_us = 1000;
  r.departure_us = 9000000;
  r.first_in_range_us = 2000000;
  r.last_in_range_us = 4000000;
  r.detectable = true;
  r.reads_true_lane = 40;
  r.qualifying_reads_true_lane = 31;
  r.peak_rssi_true_lane_cdbm = -5312;
  r.first_read_true_lane_us = 2100000;
  r.last_read_true_lane_us = 3900000;
  r.max_read_gap_true_lane_us = 250000;
  r.reads_other_lanes = 2;
  r.qualifying_reads_other_lanes = 0;
  r.busiest_other_lane = 4;
  std::string row;
  append_csv_row(row, r);
  CHECK(row ==
        "12,E2C0DE0100112233445566AA,E28011602000A1B2C3D4E5F6,BCC,true,3,exit_to_entry,"
        "counter_flow|group,1000,9000000,2000000,4000000,true,40,31,-5312,2100000,3900000,"
        "250000,2,0,,4\n");

  const std::string pre = ground_truth_csv_preamble();
  CHECK(pre.rfind("# garita pedestrian traffic model", 0) == 0);
  const auto last_line_start = pre.rfind('\n', pre.size() - 2) + 1;
  CHECK(pre.substr(last_line_start) ==
        "traveler_id,epc,tid,document_type,is_traveler_card,lane,direction,behaviours,"
        "arrival_us,departure_us,first_in_range_us,last_in_range_us,detectable,"
        "reads_true_lane,qualifying_reads_true_lane,peak_rssi_true_lane_cdbm,"
        "first_read_true_lane_us,last_read_true_lane_us,max_read_gap_true_lane_us,"
        "reads_other_lanes,qualifying_reads_other_lanes,peak_rssi_other_lanes_cdbm,"
        "busiest_other_lane\n");

  std::vector<GroundTruthRecord> back;
  std::string error;
  REQUIRE_FALSE(parse_ground_truth_csv(pre + row, "t.csv", back, error));
  REQUIRE(back.size() == 1);
  CHECK(back[0] == r);
}

TEST_CASE("the ground-truth CSV is written and parsed back unchanged") {
  garita::test::ScratchFile streamed("sim-streamed.csv"), batch("sim-batch.csv");
  GroundTruthCsvWriter writer;
  REQUIRE_FALSE(writer.open(streamed.path));
  const auto truth = varied_truth(&writer);
  REQUIRE_FALSE(writer.close());
  REQUIRE(truth.size() > 100);

  REQUIRE_FALSE(write_ground_truth_csv(batch.path, truth));
  CHECK(garita::test::read_whole_file(batch.path) == garita::test::read_whole_file(streamed.path));

  std::vector<GroundTruthRecord> back;
  std::string error;
  REQUIRE_FALSE(read_ground_truth_csv(batch.path, back, error));
  CHECK(error.empty());
  REQUIRE(back.size() == truth.size());
  CHECK(back == truth);

  // The run really had the awkward rows: empty optionals, non-cards, flags.
  bool empty_optional = false, non_card = false, counter = false;
  for (const auto& r : back) {
    empty_optional = empty_optional || !r.peak_rssi_true_lane_cdbm;
    non_card = non_card || !r.is_traveler_card;
    counter = counter || r.direction == Direction::exit_to_entry;
  }
  CHECK(empty_optional);
  CHECK(non_card);
  CHECK(counter);
}

TEST_CASE("bad ground-truth CSV is reported with file and line") {
  const std::string pre = ground_truth_csv_preamble();
  const auto header_line = static_cast<std::size_t>(
      std::count(pre.begin(), pre.end(), '\n'));  // the header's line number
  std::vector<GroundTruthRecord> out;
  std::string error;

  CHECK(parse_ground_truth_csv("# only comments\n", "x.csv", out, error) ==
        garita::Errc::config_bad_value);
  CHECK(error == "x.csv: no header line");

  CHECK(parse_ground_truth_csv("a,b,c\n", "x.csv", out, error) == garita::Errc::config_bad_value);
  CHECK(error.rfind("x.csv:1: expected the header line", 0) == 0);

  const std::string good =
      "1,E2C0DE01,E280,BCC,true,1,entry_to_exit,none,0,1,,,false,0,0,,,,0,0,0,,0\n";
  REQUIRE_FALSE(parse_ground_truth_csv(pre + good, "x.csv", out, error));
  REQUIRE(out.size() == 1);
  CHECK_FALSE(out[0].first_in_range_us);

  const std::string row_line = std::to_string(header_line + 1);
  CHECK(parse_ground_truth_csv(pre + "1,E2C0DE01,E280,BCC,true,1\n", "x.csv", out, error) ==
        garita::Errc::config_bad_value);
  CHECK(error == "x.csv:" + row_line + ": direction: too few fields");
  CHECK(out.empty());

  CHECK(parse_ground_truth_csv(pre + "1,E2C0DE01,E280,LASER_VISA,true,1,entry_to_exit,none,0,1,,,"
                                     "false,0,0,,,,0,0,0,,0\n",
                               "x.csv", out, error) == garita::Errc::config_bad_value);
  CHECK(error == "x.csv:" + row_line + ": document_type: unknown document type 'LASER_VISA'");

  CHECK(parse_ground_truth_csv(pre + good.substr(0, good.size() - 1) + ",9\n", "x.csv", out,
                               error) == garita::Errc::config_bad_value);
  CHECK(error == "x.csv:" + row_line + ": busiest_other_lane: too many fields");

  CHECK(parse_ground_truth_csv(pre + "1,E2C0DE01,E280,BCC,yes,1,entry_to_exit,none,0,1,,,false,0,"
                                     "0,,,,0,0,0,,0\n",
                               "x.csv", out, error) == garita::Errc::config_bad_value);
  CHECK(error == "x.csv:" + row_line + ": is_traveler_card: expected true or false");

  CHECK(parse_ground_truth_csv(pre + "1,E2C0DE01,E280,BCC,true,1,entry_to_exit,none,0,1,12x,,"
                                     "false,0,0,,,,0,0,0,,0\n",
                               "x.csv", out, error) == garita::Errc::config_bad_value);
  CHECK(error == "x.csv:" + row_line + ": first_in_range_us: not a number: '12x'");

  CHECK(read_ground_truth_csv("/nonexistent/dir/truth.csv", out, error) == garita::Errc::io_error);
  GroundTruthCsvWriter w;
  CHECK(w.open("/nonexistent/dir/truth.csv") == garita::Errc::io_error);
  CHECK(w.write(GroundTruthRecord{}) == garita::Errc::io_error);
}

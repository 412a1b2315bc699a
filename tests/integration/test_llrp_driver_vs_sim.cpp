// garita's LLRP driver (through `garita reader check --json`) against the
// simulated reader (`garita-sim llrp`), fault by fault: every read the
// simulator put on the wire must come out of the driver exactly once, across
// reconnects; the only reads missing are those the reader itself lost (its
// sent log says which). Plus Wireshark's LLRP dissector as an independent
// judge of what both sides put on the wire.
//
// The driver's timers are real time (keepalive 5 s, dead after 3 silent
// periods), so the stall case lasts ~30 s: the stall must outlast 15 s of
// silence for the driver's dead-link detection to fire.
#include <catch2/catch.hpp>

#include <algorithm>
#include <boost/json.hpp>
#include <csignal>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/RoSpec.hpp"
#include "test_llrp_sim_support.hpp"

using namespace garita::test;
namespace codec = garita::hal::llrp;
namespace json = boost::json;

namespace {

struct CheckOutcome {
  ProcessResult check;
  ProcessResult sim;
  std::vector<SentRow> rows;
  std::multiset<std::string> driver_reads;  // epc/antenna/first-seen/tid
  std::multiset<std::string> sent;
  std::int64_t reconnects = -1;
  std::int64_t errors = -1;
};

std::string read_key(const std::string& epc, unsigned antenna, std::uint64_t first_seen,
                     const std::string& tid) {
  return report_key(epc, antenna, first_seen) + "/" + tid;
}

// Runs `garita reader check` for `seconds` against a fresh simulator started
// with `sim_args`, then stops the simulator and collects both sides.
CheckOutcome check_against_sim(const std::vector<std::string>& sim_args, double seconds) {
  TempDir dir("llrp-driver");
  std::vector<std::string> args = {"--lanes", "1", "--sent-log", (dir / "sent.csv").string()};
  args.insert(args.end(), sim_args.begin(), sim_args.end());
  SimProcess sim(dir, args);
  CheckOutcome o;
  o.check =
      run_process({GARITA_CLI, "reader", "check", "llrp://127.0.0.1:" + std::to_string(sim.port()),
                   "--seconds", std::to_string(seconds), "--json"},
                  std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000) + 60'000));
  o.sim = sim.stop();
  INFO("check stderr: " << o.check.err);
  INFO("sim stderr: " << o.sim.err);
  REQUIRE_FALSE(o.check.timed_out);
  CHECK(o.check.exit_code == 0);
  CHECK(o.sim.exit_code == 0);

  std::istringstream lines(o.check.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    const json::object event = json::parse(line).as_object();
    const std::string kind(event.at("event").as_string());
    if (kind == "read") {
      const std::string tid =
          event.contains("tid") ? std::string(event.at("tid").as_string()) : std::string();
      o.driver_reads.insert(read_key(
          std::string(event.at("epc").as_string()), event.at("antenna").to_number<unsigned>(),
          event.at("reader_first_seen_utc_us").to_number<std::uint64_t>(), tid));
    } else if (kind == "summary") {
      o.reconnects = event.at("reconnects").to_number<std::int64_t>();
      o.errors = event.at("errors").to_number<std::int64_t>();
    }
  }
  o.rows = read_sent_log(dir / "sent.csv");
  for (const SentRow& r : o.rows) {
    if (r.outcome == "sent") {
      o.sent.insert(read_key(r.epc, r.antenna, static_cast<std::uint64_t>(r.first_seen_us), r.tid));
    }
  }
  return o;
}

std::size_t rows_with(const CheckOutcome& o, const std::string& outcome,
                      const std::string& detail) {
  std::size_t n = 0;
  for (const SentRow& r : o.rows) n += (r.outcome == outcome && r.detail == detail) ? 1u : 0u;
  return n;
}

// Every TagReportData on the wire reached the driver's output once.
void check_nothing_lost_or_doubled(const CheckOutcome& o) {
  REQUIRE_FALSE(o.sent.empty());
  std::multiset<std::string> missing;
  std::set_difference(o.sent.begin(), o.sent.end(), o.driver_reads.begin(), o.driver_reads.end(),
                      std::inserter(missing, missing.end()));
  std::multiset<std::string> extra;
  std::set_difference(o.driver_reads.begin(), o.driver_reads.end(), o.sent.begin(), o.sent.end(),
                      std::inserter(extra, extra.end()));
  INFO("sent " << o.sent.size() << ", driver printed " << o.driver_reads.size()
               << "; first missing: " << (missing.empty() ? "-" : *missing.begin())
               << "; first extra: " << (extra.empty() ? "-" : *extra.begin()));
  CHECK(missing.empty());
  CHECK(extra.empty());
}

// Common traffic: a clean lane at 10x, a traveller a second per lane.
std::vector<std::string> traffic(std::initializer_list<std::string> more) {
  std::vector<std::string> v = {"--speed", "10", "--rate", "60", "--preset", "clean"};
  v.insert(v.end(), more.begin(), more.end());
  return v;
}

}  // namespace

TEST_CASE("driver vs sim: no fault, generic reader (TID by AccessSpec)") {
  const auto o = check_against_sim(traffic({}), 3);
  check_nothing_lost_or_doubled(o);
  CHECK(o.reconnects == 0);
}

TEST_CASE("driver vs sim: no fault, Impinj reader (FastID)") {
  const auto o = check_against_sim(traffic({"--vendor", "impinj"}), 3);
  check_nothing_lost_or_doubled(o);
  CHECK(o.reconnects == 0);
}

TEST_CASE("driver vs sim: drop") {
  const auto o = check_against_sim(traffic({"--fault", "drop@10s"}), 4);
  check_nothing_lost_or_doubled(o);
  CHECK(o.reconnects >= 1);
}

TEST_CASE("driver vs sim: garble") {
  const auto o = check_against_sim(traffic({"--fault", "garble@10s"}), 4);
  check_nothing_lost_or_doubled(o);
  CHECK(o.reconnects >= 1);
}

TEST_CASE("driver vs sim: nokeepalive") {
  // Reads keep the link visibly alive, so the driver need not reconnect;
  // either way nothing may be lost.
  const auto o = check_against_sim(traffic({"--fault", "nokeepalive@10s"}), 4);
  check_nothing_lost_or_doubled(o);
}

TEST_CASE("driver vs sim: reboot") {
  const auto o = check_against_sim(traffic({"--fault", "reboot@10s+20s"}), 5);
  check_nothing_lost_or_doubled(o);
  CHECK(o.reconnects >= 1);
  CHECK(rows_with(o, "not_read", "reader_rebooting") > 0);
}

TEST_CASE("driver vs sim: stall long enough for the driver's dead-link detection") {
  // 10 s of simulated time in (1 s), the reader hangs for 200 s (20 s): the
  // driver gives up after 15 s of silence, is refused while the hung reader
  // still holds the old connection, and gets back in when the stall ends.
  const auto o = check_against_sim(traffic({"--fault", "stall@10s+200s"}), 26);
  check_nothing_lost_or_doubled(o);
  CHECK(o.reconnects >= 1);
  CHECK(o.sim.err.find("refused ") != std::string::npos);
}

TEST_CASE("tshark's LLRP dissector finds nothing malformed in a session") {
  if (std::string(GARITA_TSHARK).empty()) {
    WARN("tshark not found: skipped");
    return;
  }
  if (::geteuid() != 0) {
    WARN("capturing on lo needs root: skipped");
    return;
  }
  for (const std::string vendor : {"generic", "impinj"}) {
    INFO("--vendor " << vendor);
    TempDir dir("llrp-tshark");
    SimProcess sim(dir, traffic({"--lanes", "1", "--vendor", vendor}));
    const std::string port = std::to_string(sim.port());
    const auto capture = dir / "llrp.pcapng";
    BackgroundProcess tshark(
        {GARITA_TSHARK, "-i", "lo", "-f", "tcp port " + port, "-w", capture.string()}, dir.path(),
        "tshark");
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (tshark.stderr_text().find("Capturing on") == std::string::npos) {
      REQUIRE(tshark.running());
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      std::this_thread::sleep_for(20ms);
    }
    // tshark prints "Capturing on" a little before the kernel filter is
    // attached; on a loaded machine the first packets could be missed.
    std::this_thread::sleep_for(1s);

    // The driver's whole life cycle: set-up, reads, keepalives, stop.
    const auto check = run_process(
        {GARITA_CLI, "reader", "check", "llrp://127.0.0.1:" + port, "--seconds", "2", "--json"},
        60s);
    CHECK(check.exit_code == 0);

    // Requests the driver does not make, and error responses.
    LlrpTestClient c;
    REQUIRE_FALSE(c.connect(sim.port()));
    expect_connection_event(c);
    std::vector<std::uint8_t> b;
    // Each part of the configuration in its own response (1-11), so a
    // dissector quirk in one parameter cannot hide problems in the others.
    for (unsigned part = 1; part <= 11; ++part) {
      codec::GetReaderConfig get;
      get.requested_data = static_cast<codec::ReaderConfigRequest>(part);
      b.clear();
      REQUIRE_FALSE(codec::encode_get_reader_config(b, c.next_id(), get));
      c.send(b);
      (void)c.expect(codec::MessageType::get_reader_config_response);
    }
    codec::RoSpec bad;
    bad.id = 9;
    codec::AiSpec ai;
    ai.antenna_ids = {1, 9};
    codec::InventoryParameterSpec ips;
    ips.id = 1;
    ai.inventory_parameter_specs.push_back(ips);
    bad.ai_specs.push_back(ai);
    b.clear();
    REQUIRE_FALSE(codec::encode_add_rospec(b, c.next_id(), bad));
    CHECK_FALSE(c.transact(b, codec::MessageType::add_rospec_response).ok());
    b.clear();
    REQUIRE_FALSE(
        codec::encode_rospec_command(b, codec::MessageType::start_rospec, c.next_id(), 77));
    CHECK_FALSE(c.transact(b, codec::MessageType::start_rospec_response).ok());
    for (const auto type : {codec::MessageType::get_rospecs, codec::MessageType::get_accessspecs}) {
      b.clear();
      REQUIRE_FALSE(codec::encode_empty_message(b, type, c.next_id()));
      c.send(b);
      (void)c.receive(5s);
    }
    run_lane_setup(c, 500);
    for (int i = 0; i < 20; ++i) (void)c.receive(50ms);
    b.clear();
    REQUIRE_FALSE(
        codec::encode_empty_message(b, codec::MessageType::close_connection, c.next_id()));
    c.send(b);
    (void)c.expect(codec::MessageType::close_connection_response);
    CHECK(c.wait_closed(5s));
    c.close();

    std::this_thread::sleep_for(300ms);
    tshark.send_signal(SIGINT);
    const auto capture_done = tshark.wait(20s);
    REQUIRE_FALSE(capture_done.timed_out);
    CHECK(sim.stop().exit_code == 0);

    const std::string decode_as = "tcp.port==" + port + ",llrp";
    // Two parameters Wireshark 4.0's dissector gets wrong, so the frames that
    // carry them are judged by our codec tests instead of here:
    // - Identification.ReaderID is a u8v (16-bit byte count, then the bytes;
    //   LLRP 1.1 §13.2.2, sllurp decodes it so) but the dissector does not
    //   step over the count and reports 2 bytes too many;
    // - ImpinjSerializedTID.TID is a u16v (a word count, as Impinj's LTK
    //   definition and sllurp have it) but the dissector reads a byte count.
    const std::string quirks = "llrp.param.reader_id || llrp.param.impinj_tid";
    const std::string bad_filter =
        "(_ws.malformed || _ws.expert.severity >= error) && !(" + quirks + ")";
    const auto problems = run_process(
        {GARITA_TSHARK, "-r", capture.string(), "-d", decode_as, "-Y", bad_filter}, 60s);
    CHECK(problems.exit_code == 0);
    INFO("tshark: " << problems.out);
    CHECK(problems.out.empty());
    // The quirk frames are exactly the one Identification response and, from
    // an Impinj reader, the FastID reports.
    const auto quirk_frames = run_process(
        {GARITA_TSHARK, "-r", capture.string(), "-d", decode_as, "-Y", "llrp.param.reader_id"},
        60s);
    CHECK(std::count(quirk_frames.out.begin(), quirk_frames.out.end(), '\n') == 1);

    const auto types = run_process({GARITA_TSHARK, "-r", capture.string(), "-d", decode_as, "-Y",
                                    "llrp", "-T", "fields", "-e", "llrp.type"},
                                   60s);
    CHECK(types.exit_code == 0);
    std::map<std::string, std::size_t> seen;
    std::istringstream s(types.out);
    std::string line;
    while (std::getline(s, line)) {
      std::istringstream cells(line);
      std::string type;
      while (std::getline(cells, type, ',')) ++seen[type];
    }
    CHECK(seen["61"] > 10);  // RO_ACCESS_REPORT
    CHECK(seen["63"] > 0);   // READER_EVENT_NOTIFICATION
    CHECK(seen["11"] > 0);   // GET_READER_CAPABILITIES_RESPONSE
    CHECK(seen["12"] > 0);   // GET_READER_CONFIG_RESPONSE
    CHECK(seen["30"] > 0);   // ADD_ROSPEC_RESPONSE
    CHECK(seen["62"] > 0);   // KEEPALIVE
    CHECK(seen["4"] > 0);    // CLOSE_CONNECTION_RESPONSE
  }
}

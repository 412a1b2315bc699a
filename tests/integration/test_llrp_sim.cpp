// `garita-sim llrp` as a client sees it: the real binary on loopback with
// ephemeral ports and a fast clock, driven by a scripted LLRP client built
// from the codec. Each case runs a few seconds.
#include <catch2/catch.hpp>

#include <csignal>
#include <set>
#include <thread>

#include "garita/common/Hex.hpp"
#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ReaderCapabilities.hpp"
#include "garita/hal/llrp/RoSpec.hpp"
#include "garita/hal/llrp/StatusMessage.hpp"
#include "test_llrp_sim_support.hpp"

using namespace garita::test;
namespace codec = garita::hal::llrp;
using codec::MessageType;
using codec::StatusCode;

namespace {

// 1 s of simulated time = 50 ms of real time.
const std::string kSpeed = "20";

std::vector<std::uint8_t> empty_message(LlrpTestClient& c, MessageType type) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_empty_message(b, type, c.next_id()));
  return b;
}

// Receives (answering KEEPALIVEs) for `duration`.
void receive_for(LlrpTestClient& c, std::chrono::milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  while (std::chrono::steady_clock::now() < end && c.is_open() && !c.eof() && !c.framing_error()) {
    (void)c.receive(std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now()));
  }
}

// CLOSE_CONNECTION, then everything up to the reader's FIN.
void close_connection(LlrpTestClient& c) {
  c.send(empty_message(c, MessageType::close_connection));
  (void)c.expect(MessageType::close_connection_response);
  CHECK(c.wait_closed(5s));
  c.close();
}

codec::GetRoSpecsResponse get_rospecs(LlrpTestClient& c) {
  c.send(empty_message(c, MessageType::get_rospecs));
  const auto m = c.expect(MessageType::get_rospecs_response);
  codec::GetRoSpecsResponse r;
  REQUIRE_FALSE(codec::decode_get_rospecs_response(m.view(), r));
  return r;
}

std::multiset<std::string> received_keys(const std::vector<codec::TagReport>& tags) {
  std::multiset<std::string> keys;
  for (const auto& t : tags) {
    REQUIRE(t.antenna_id);
    REQUIRE(t.first_seen_utc_us);
    keys.insert(report_key(garita::to_hex(t.epc.bytes()), *t.antenna_id, *t.first_seen_utc_us));
  }
  return keys;
}

std::multiset<std::string> sent_keys(const std::vector<SentRow>& rows) {
  std::multiset<std::string> keys;
  for (const auto& r : rows) {
    if (r.outcome == "sent")
      keys.insert(report_key(r.epc, r.antenna, static_cast<std::uint64_t>(r.first_seen_us)));
  }
  return keys;
}

std::size_t count_rows(const std::vector<SentRow>& rows, const std::string& outcome,
                       const std::string& detail) {
  std::size_t n = 0;
  for (const auto& r : rows)
    n += (r.outcome == outcome && (detail.empty() || r.detail == detail)) ? 1u : 0u;
  return n;
}

void check_clean_exit(const ProcessResult& r) {
  INFO("stderr: " << r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("stopping (SIGTERM)") != std::string::npos);
}

}  // namespace

TEST_CASE(
    "llrp sim: ports, ConnectionAttemptEvent first, second client refused, clean SIGTERM exit") {
  TempDir dir("llrp-sim");
  SimProcess sim(dir, {"--lanes", "2", "--speed", kSpeed, "--rate", "60", "--truth",
                       (dir / "truth.csv").string(), "--sent-log", (dir / "sent.csv").string()});
  CHECK(sim.port(1) != sim.port(2));
  const std::string out = sim.process().stdout_text();
  CHECK(out.find("lane 1 reader listening on 127.0.0.1:" + std::to_string(sim.port(1))) !=
        std::string::npos);
  CHECK(out.find("lane 2 reader listening on 127.0.0.1:" + std::to_string(sim.port(2))) !=
        std::string::npos);

  LlrpTestClient first;
  REQUIRE_FALSE(first.connect(sim.port(1)));
  const auto hello = expect_connection_event(first);
  CHECK(hello.connection_attempt == codec::ConnectionAttemptStatus::success);
  CHECK_FALSE(hello.timestamp.is_uptime);
  CHECK(hello.timestamp.microseconds > 1'700'000'000'000'000u);  // a UTC wall clock

  LlrpTestClient second;
  REQUIRE_FALSE(second.connect(sim.port(1)));
  const auto refused = expect_connection_event(second);
  CHECK(refused.connection_attempt ==
        codec::ConnectionAttemptStatus::failed_client_initiated_connection_exists);
  CHECK(second.wait_closed(5s));

  const auto notice = first.expect(MessageType::reader_event_notification);
  codec::ReaderEventNotification event;
  REQUIRE_FALSE(codec::decode_reader_event_notification(notice.view(), event));
  CHECK(event.connection_attempt == codec::ConnectionAttemptStatus::another_connection_attempted);

  LlrpTestClient lane2;
  REQUIRE_FALSE(lane2.connect(sim.port(2)));
  CHECK(expect_connection_event(lane2).connection_attempt ==
        codec::ConnectionAttemptStatus::success);

  // SIGTERM: ConnectionCloseEvent, FIN, exit 0 with the files written.
  sim.process().send_signal(SIGTERM);
  const auto bye = first.expect(MessageType::reader_event_notification);
  codec::ReaderEventNotification close_event;
  REQUIRE_FALSE(codec::decode_reader_event_notification(bye.view(), close_event));
  CHECK(close_event.connection_close);
  CHECK(first.wait_closed(5s));
  first.close();
  lane2.close();
  const auto r = sim.process().wait(15s);
  check_clean_exit(r);
  CHECK(r.err.find("lane 1: reads ") != std::string::npos);
  CHECK(r.err.find("refused 1") != std::string::npos);
  CHECK(read_text(dir / "truth.csv").find("traveler_id") != std::string::npos);
  const auto rows = read_sent_log(dir / "sent.csv");
  CHECK(count_rows(rows, "sent", "") == 0);  // nobody started an ROSpec
  CHECK(count_rows(rows, "not_read", "no_active_rospec") == rows.size());
}

TEST_CASE("llrp sim: bad requests get LLRPStatus errors like a reader's") {
  TempDir dir("llrp-sim");
  SimProcess sim(dir, {"--lanes", "1", "--speed", kSpeed, "--vendor", "impinj"});
  LlrpTestClient c;
  REQUIRE_FALSE(c.connect(sim.port()));
  expect_connection_event(c);

  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(
      codec::encode_get_reader_capabilities(b, c.next_id(), codec::CapabilitiesRequest::all));
  c.send(b);
  codec::ReaderCapabilities caps;
  REQUIRE_FALSE(codec::decode_get_reader_capabilities_response(
      c.expect(MessageType::get_reader_capabilities_response).view(), caps));
  CHECK(caps.general->manufacturer == 25882u);
  CHECK(caps.general->max_antennas == 4);

  run_lane_setup(c, 10'000);
  codec::RoSpec again;
  again.id = 1;
  codec::AiSpec ai;
  ai.antenna_ids = {7};
  codec::InventoryParameterSpec ips;
  ips.id = 1;
  ai.inventory_parameter_specs.push_back(ips);
  again.ai_specs.push_back(ai);
  b.clear();
  REQUIRE_FALSE(codec::encode_add_rospec(b, c.next_id(), again));
  const auto bad_antenna = c.transact(b, MessageType::add_rospec_response);
  CHECK(bad_antenna.code == StatusCode::m_parameter_error);
  CHECK(bad_antenna.error_description.find("antenna 7") != std::string::npos);

  again.ai_specs[0].antenna_ids = {1};
  b.clear();
  REQUIRE_FALSE(codec::encode_add_rospec(b, c.next_id(), again));
  const auto duplicate = c.transact(b, MessageType::add_rospec_response);
  CHECK(duplicate.code == StatusCode::m_parameter_error);
  CHECK(duplicate.error_description == "ROSpec 1 already exists");

  b.clear();
  REQUIRE_FALSE(codec::encode_rospec_command(b, MessageType::start_rospec, c.next_id(), 9));
  const auto unknown = c.transact(b, MessageType::start_rospec_response);
  CHECK(unknown.code == StatusCode::m_field_error);
  CHECK(unknown.error_description == "no ROSpec 9");

  b.clear();
  REQUIRE_FALSE(codec::encode_rospec_command(b, MessageType::start_rospec, c.next_id(), 1));
  const auto active = c.transact(b, MessageType::start_rospec_response);
  CHECK(active.code == StatusCode::m_field_error);  // already Active (immediate start trigger)

  b.clear();
  REQUIRE_FALSE(codec::encode_empty_message(b, MessageType::get_rospecs, c.next_id(),
                                            codec::ProtocolVersion::v1_1));
  const auto version = c.transact(b, MessageType::error_message);
  CHECK(version.code == StatusCode::m_unsupported_version);

  b.clear();
  codec::MessageWriter w(b, static_cast<MessageType>(999), c.next_id());
  REQUIRE_FALSE(w.finish());
  const auto unsupported = c.transact(b, MessageType::error_message);
  CHECK(unsupported.code == StatusCode::m_unsupported_message);

  close_connection(c);
  check_clean_exit(sim.stop());
}

TEST_CASE(
    "llrp sim: reports carry the selected fields and the TID; keepalives; the sent log matches") {
  TempDir dir("llrp-sim");
  SimProcess sim(dir, {"--lanes", "1", "--speed", kSpeed, "--rate", "120", "--preset", "clean",
                       "--sent-log", (dir / "sent.csv").string()});
  LlrpTestClient c;
  REQUIRE_FALSE(c.connect(sim.port()));
  expect_connection_event(c);
  run_lane_setup(c, 500);  // a KEEPALIVE every 500 ms of simulated time = 25 ms here
  receive_for(c, 3s);
  close_connection(c);
  const auto r = sim.stop();
  check_clean_exit(r);

  REQUIRE(c.tags.size() > 20);
  for (const auto& t : c.tags) {
    CHECK(t.antenna_id);
    CHECK(t.peak_rssi_dbm);
    CHECK(t.first_seen_utc_us);
    CHECK(t.tag_seen_count == 1);  // N = 1: every read is its own report
    CHECK(t.access_spec_id == 1u);
    // Not enabled, so not sent:
    CHECK_FALSE(t.channel_index);
    CHECK_FALSE(t.last_seen_utc_us);
    CHECK_FALSE(t.ro_spec_id);
    CHECK_FALSE(t.spec_index);
    CHECK_FALSE(t.pc_bits);
    CHECK_FALSE(t.impinj_serialized_tid);
    const auto* tid = t.find_read_result(1);
    REQUIRE(tid != nullptr);
    CHECK(tid->result == codec::C1G2ReadResult::success);
    CHECK(tid->data.bytes().size() == 12);
    CHECK(tid->data.bytes()[0] == 0xE2);
  }
  CHECK(c.keepalives >= 40);
  // The reader counted our KEEPALIVE_ACKs (but those sent after
  // CLOSE_CONNECTION, which it no longer reads).
  const auto acked_at = r.err.find("(acked ");
  REQUIRE(acked_at != std::string::npos);
  const std::size_t acked = std::stoul(r.err.substr(acked_at + 7));
  CHECK(acked <= c.keepalives);
  CHECK(acked + 2 >= c.keepalives);

  // Every TagReportData the reader logged as sent reached the client, once.
  const auto rows = read_sent_log(dir / "sent.csv");
  CHECK(sent_keys(rows) == received_keys(c.tags));
  for (const auto& row : rows) {
    if (row.outcome == "sent") CHECK(row.tid.size() == 24);
  }
}

TEST_CASE(
    "llrp sim: drop fault closes the connection; the ROSpec keeps running and nothing is lost") {
  TempDir dir("llrp-sim");
  SimProcess sim(dir, {"--lanes", "1", "--speed", kSpeed, "--rate", "120", "--preset", "clean",
                       "--sent-log", (dir / "sent.csv").string(), "--fault", "drop@10s"});
  LlrpTestClient c;
  REQUIRE_FALSE(c.connect(sim.port()));
  expect_connection_event(c);
  run_lane_setup(c, 1000);
  CHECK(c.wait_closed(5s));  // the drop: a FIN after what was written
  c.close();
  std::this_thread::sleep_for(300ms);  // the reader inventories on, alone

  LlrpTestClient again;
  REQUIRE_FALSE(again.connect(sim.port()));
  CHECK(expect_connection_event(again).connection_attempt ==
        codec::ConnectionAttemptStatus::success);
  const auto specs = get_rospecs(again);
  REQUIRE(specs.ro_specs.size() == 1);  // a dropped connection is not a reset
  CHECK(specs.ro_specs[0].current_state == codec::RoSpecState::active);
  receive_for(again, 500ms);
  close_connection(again);
  check_clean_exit(sim.stop());

  std::vector<codec::TagReport> all = c.tags;
  all.insert(all.end(), again.tags.begin(), again.tags.end());
  REQUIRE_FALSE(c.tags.empty());
  REQUIRE_FALSE(again.tags.empty());
  const auto rows = read_sent_log(dir / "sent.csv");
  CHECK(sent_keys(rows) == received_keys(all));
  CHECK(count_rows(rows, "lost", "") == count_rows(rows, "lost", "simulator_exit"));
}

TEST_CASE(
    "llrp sim: stall fault silences the reader until the client gives up; it refuses a new client "
    "meanwhile") {
  TempDir dir("llrp-sim");
  // The stall starts 500 ms after the start and lasts 60 s of simulated time: 3 s here.
  SimProcess sim(dir,
                 {"--lanes", "1", "--speed", kSpeed, "--rate", "60", "--fault", "stall@10s+60s"});
  LlrpTestClient c;
  REQUIRE_FALSE(c.connect(sim.port()));
  expect_connection_event(c);
  run_lane_setup(c, 500);
  // Dead-link detection: nothing for 20 keepalive periods.
  const auto started = std::chrono::steady_clock::now();
  while (c.receive(500ms)) {
    REQUIRE(std::chrono::steady_clock::now() - started < 5s);
  }
  CHECK_FALSE(c.eof());  // silence, not a close
  c.close();

  LlrpTestClient retry;
  REQUIRE_FALSE(retry.connect(sim.port()));
  CHECK(expect_connection_event(retry).connection_attempt ==
        codec::ConnectionAttemptStatus::failed_client_initiated_connection_exists);
  retry.close();

  // When the stall ends the reader sees the old client gone and accepts again.
  bool accepted = false;
  const auto deadline = std::chrono::steady_clock::now() + 8s;
  while (!accepted && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(200ms);
    LlrpTestClient next;
    if (next.connect(sim.port())) continue;
    accepted =
        expect_connection_event(next).connection_attempt == codec::ConnectionAttemptStatus::success;
    if (accepted) close_connection(next);
  }
  CHECK(accepted);
  check_clean_exit(sim.stop());
}

TEST_CASE("llrp sim: garble fault breaks the client's framing") {
  TempDir dir("llrp-sim");
  SimProcess sim(dir, {"--lanes", "1", "--speed", kSpeed, "--fault", "garble@10s"});
  LlrpTestClient c;
  REQUIRE_FALSE(c.connect(sim.port()));
  expect_connection_event(c);
  run_lane_setup(c, 1000);
  receive_for(c, 3s);
  CHECK(c.framing_error() == codec::Errc::message_length_too_small);
  c.close();
  // A new connection works normally.
  LlrpTestClient again;
  bool accepted = false;
  for (int i = 0; i < 20 && !accepted; ++i) {
    REQUIRE_FALSE(again.connect(sim.port()));
    accepted = expect_connection_event(again).connection_attempt ==
               codec::ConnectionAttemptStatus::success;
    if (!accepted) std::this_thread::sleep_for(100ms);
  }
  REQUIRE(accepted);
  close_connection(again);
  check_clean_exit(sim.stop());
}

TEST_CASE(
    "llrp sim: nokeepalive fault stops KEEPALIVEs for the rest of the connection, not the "
    "reports") {
  TempDir dir("llrp-sim");
  SimProcess sim(dir, {"--lanes", "1", "--speed", kSpeed, "--rate", "120", "--preset", "clean",
                       "--fault", "nokeepalive@10s"});
  LlrpTestClient c;
  REQUIRE_FALSE(c.connect(sim.port()));
  expect_connection_event(c);
  run_lane_setup(c, 500);
  receive_for(c, 1s);  // the fault comes 500 ms after start
  const std::size_t keepalives = c.keepalives;
  const std::size_t tags = c.tags.size();
  CHECK(keepalives <= 24);  // at most 10 s / 500 ms, plus slack
  receive_for(c, 1s);
  CHECK(c.keepalives == keepalives);
  CHECK(c.tags.size() > tags);
  close_connection(c);

  LlrpTestClient again;
  REQUIRE_FALSE(again.connect(sim.port()));
  expect_connection_event(again);
  receive_for(again, 500ms);  // same KeepaliveSpec, new connection: they are back
  CHECK(again.keepalives >= 5);
  close_connection(again);
  check_clean_exit(sim.stop());
}

TEST_CASE(
    "llrp sim: reboot fault forgets everything, refuses connections, then boots with a fresh "
    "uptime") {
  TempDir dir("llrp-sim");
  SimProcess sim(
      dir, {"--lanes", "1", "--speed", kSpeed, "--rate", "120", "--preset", "clean", "--clock",
            "uptime", "--sent-log", (dir / "sent.csv").string(), "--fault", "reboot@10s+40s"});
  LlrpTestClient c;
  REQUIRE_FALSE(c.connect(sim.port()));
  const auto hello = expect_connection_event(c);
  CHECK(hello.timestamp.is_uptime);
  run_lane_setup(c, 1000);
  CHECK(c.wait_closed(5s));
  c.close();

  bool refused = false;
  bool accepted = false;
  codec::ReaderEventNotification boot_event;
  LlrpTestClient again;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!accepted && std::chrono::steady_clock::now() < deadline) {
    if (const auto ec = again.connect(sim.port())) {
      refused = refused || ec == std::errc::connection_refused;
      std::this_thread::sleep_for(100ms);
      continue;
    }
    boot_event = expect_connection_event(again);
    accepted = true;
  }
  CHECK(refused);
  REQUIRE(accepted);
  CHECK(boot_event.connection_attempt == codec::ConnectionAttemptStatus::success);
  CHECK(boot_event.timestamp.is_uptime);
  CHECK(boot_event.timestamp.microseconds < 20'000'000u);  // uptime restarted at the boot
  CHECK(get_rospecs(again).ro_specs.empty());              // specs forgotten
  close_connection(again);
  check_clean_exit(sim.stop());

  const auto rows = read_sent_log(dir / "sent.csv");
  CHECK(count_rows(rows, "not_read", "reader_rebooting") > 0);
  CHECK(count_rows(rows, "sent", "") == c.tags.size());
}

TEST_CASE(
    "llrp sim: --duration ends the run by itself; --help documents the faults; bad options exit "
    "2") {
  TempDir dir("llrp-sim");
  {
    BackgroundProcess p(
        {GARITA_SIM, "llrp", "--port", "0", "--speed", "50", "--duration", "5", "--rate", "60",
         "--preset", "clean", "--truth", (dir / "truth.csv").string()},
        dir.path(), "duration");
    const auto r = p.wait(20s);
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("--duration reached") != std::string::npos);
  }
  const auto help = run_process({GARITA_SIM, "llrp", "--help"});
  CHECK(help.exit_code == 0);
  for (const char* needle :
       {"--ready-file", "--fault", "stall@T+D", "reboot@T+D", "nokeepalive@T[+D]", "garble@T",
        "drop@T", "PORT + L - 1", "--clock", "--vendor", "100 ms"}) {
    INFO(needle);
    CHECK(help.out.find(needle) != std::string::npos);
  }
  const auto bad_fault = run_process({GARITA_SIM, "llrp", "--fault", "stall@3s"});
  CHECK(bad_fault.exit_code == 2);
  CHECK(bad_fault.err ==
        "garita-sim llrp: fault 'stall@3s': stall needs a duration, e.g. stall@40s+5s\n");
  const auto bad_lane =
      run_process({GARITA_SIM, "llrp", "--lanes", "2", "--fault", "drop@3s:lane=3"});
  CHECK(bad_lane.exit_code == 2);
  const auto bad_speed = run_process({GARITA_SIM, "llrp", "--speed", "0"});
  CHECK(bad_speed.exit_code == 2);
}

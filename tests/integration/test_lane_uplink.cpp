// The lane uplink end to end with the real programs on loopback:
// garita-sim llrp (one reader per lane) -> garita-lane (one per lane, its
// own SQLite journal) -> mutual TLS 1.3 -> garitad (controller lanes,
// [uplink]) -> crossings database. PKI from scripts/test-pki.sh.
//
//   link down      garitad absent while every lane journals a busy stretch of
//                  traffic; then garitad starts and every journaled crossing
//                  arrives once, with its EPC, and the journals empty
//   SIGKILL        garitad or a lane killed at random moments, restarted:
//                  everything any lane journaled ends up stored
//   refusals       wrong CA, expired certificate, a CN that is no controller
//                  lane, body/certificate lane mismatch, plain TCP: each
//                  refused, each with its log line in garitad's log
//
// The simulator runs at --speed 1 (see test_garitad.cpp for why); busy lanes
// (hundreds of travellers a minute) keep each case short.
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <iostream>
#include <random>
#include <thread>

#include "test_lane_uplink_support.hpp"

using namespace garita::test;
using namespace garita::test::gd;
using namespace garita::test::uplink;

namespace {

std::string lane_id(unsigned i) { return "L" + std::to_string(i); }

std::set<LaneSeq> keys(const std::map<LaneSeq, std::string>& m) {
  std::set<LaneSeq> out;
  for (const auto& [k, v] : m) out.insert(k);
  return out;
}

std::string first_missing(const std::set<LaneSeq>& expected,
                          const std::map<LaneSeq, std::string>& have, std::size_t& missing) {
  std::string text;
  missing = 0;
  for (const LaneSeq& k : expected) {
    if (have.count(k)) continue;
    if (++missing <= 10) text += " " + k.first + "#" + std::to_string(k.second);
  }
  return text;
}

// Waits until the lanes' journaled sets stop growing for `quiet`.
std::set<LaneSeq> settle(const std::function<std::set<LaneSeq>()>& sample,
                         std::chrono::milliseconds quiet, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::set<LaneSeq> last = sample();
  auto since = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    std::set<LaneSeq> now = sample();
    if (now != last) {
      last = std::move(now);
      since = std::chrono::steady_clock::now();
    } else if (std::chrono::steady_clock::now() - since >= quiet) {
      break;
    }
  }
  return last;
}

bool journals_empty(const ScratchDir& dir, const std::vector<std::string>& names,
                    std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::size_t pending = 0;
    for (const std::string& n : names) pending += journal_pending(dir / (n + "-journal.db")).size();
    if (pending == 0) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

std::set<std::string> sent_epcs(const fs::path& sent_log) {
  std::set<std::string> out;
  for (const SentRow& row : read_sent_log(sent_log)) out.insert(row.epc);
  return out;
}

}  // namespace

TEST_CASE("link down: crossings wait in the lanes' journals, then each arrives exactly once") {
  ScratchDir dir("garita-uplink-down");
  const fs::path pki = make_pki(dir);
  const std::uint16_t port = closed_port();
  constexpr unsigned kLanes = 4;
  // 4 lanes x 600 travellers a minute (the simulator's most) for 55 s: about 2400 crossings.
  Simulator sim(
      dir, {"--lanes", std::to_string(kLanes), "--seed", "515", "--rate", "600", "--duration", "55",
            "--preset", "default", "--sent-log", (dir / "sent.csv").string()});
  std::vector<std::unique_ptr<LaneProcess>> lanes;
  std::vector<std::string> names;
  for (unsigned i = 1; i <= kLanes; ++i) {
    const fs::path config =
        write_lane_config(dir, pki, {lane_id(i), lane_id(i), sim.ports().at(i), port, ""});
    lanes.push_back(std::make_unique<LaneProcess>(dir, config, lane_id(i)));
    names.push_back(lane_id(i));
    INFO(lanes.back()->log());
    REQUIRE(lanes.back()->started());
  }
  // garitad is not running: the lanes journal and retry.
  const ProcessResult sim_result = sim.process().wait(std::chrono::seconds(120));
  REQUIRE(!sim_result.timed_out);
  auto all_journaled = [&] {
    std::set<LaneSeq> all;
    for (auto& lane : lanes) all.merge(journaled(lane->log()));
    return all;
  };
  const std::set<LaneSeq> expected =
      settle(all_journaled, std::chrono::seconds(3), std::chrono::seconds(30));
  std::map<LaneSeq, std::string> pending;
  for (const std::string& n : names) pending.merge(journal_pending(dir / (n + "-journal.db")));
  CHECK(keys(pending) == expected);
  for (auto& lane : lanes) {
    CHECK(lane->log().find("cannot connect to 127.0.0.1:" + std::to_string(port)) !=
          std::string::npos);
  }
  std::cout << "lane uplink: " << expected.size() << " crossings waited in " << kLanes
            << " lane journals while garitad was down\n";
  REQUIRE(expected.size() >= 2000);  // thousands, as the issue asks

  const fs::path db = dir / "crossings.db";
  Garitad garitad(dir, write_garitad_config(dir, pki, port, names));
  REQUIRE(garitad.wait_started());
  const auto t0 = std::chrono::steady_clock::now();
  const bool all_stored = wait_stored(db, expected, std::chrono::seconds(120));
  const double drain_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "lane uplink: " << expected.size() << " crossings delivered in " << drain_s
            << " s after garitad started\n";
  CHECK(all_stored);
  CHECK(journals_empty(dir, names, std::chrono::seconds(30)));

  // Exactly the journaled crossings, each once, with the same card.
  const std::map<LaneSeq, std::string> have = stored(db);
  std::size_t missing = 0;
  const std::string which = first_missing(expected, have, missing);
  INFO("missing:" << which);
  CHECK(missing == 0);
  CHECK(have == pending);
  const DbHealth health = db_health(db);
  CHECK(health.integrity == "ok");
  CHECK(health.counts.crossings == expected.size());
  CHECK(health.counts.conflicts == 0);
  const std::set<std::string> cards = sent_epcs(dir / "sent.csv");
  std::size_t unknown = 0;
  for (const auto& [key, epc] : have) unknown += cards.count(epc) == 0 ? 1u : 0u;
  CHECK(unknown == 0);
  for (unsigned i = 1; i <= kLanes; ++i) {
    CHECK(count_of(garitad.log(), "uplink: lane " + lane_id(i) + " connected from 127.0.0.1:") >=
          1);
  }

  for (auto& lane : lanes) CHECK(lane->process().stop().exit_code == 0);
  const ProcessResult gd_result = garitad.process().stop();
  INFO(log_without_commits(garitad.log()));
  CHECK(gd_result.exit_code == 0);
}

TEST_CASE("SIGKILL of garitad or a lane at random moments loses nothing journaled or acked") {
  ScratchDir dir("garita-uplink-kill");
  const fs::path pki = make_pki(dir);
  const std::uint16_t port = closed_port();
  constexpr unsigned kLanes = 2;
  Simulator sim(dir, {"--lanes", std::to_string(kLanes), "--seed", "99", "--rate", "600",
                      "--preset", "default", "--sent-log", (dir / "sent.csv").string()});
  const fs::path db = dir / "crossings.db";
  std::vector<std::string> names;
  std::vector<fs::path> configs;
  for (unsigned i = 1; i <= kLanes; ++i) {
    names.push_back(lane_id(i));
    configs.push_back(
        write_lane_config(dir, pki, {lane_id(i), lane_id(i), sim.ports().at(i), port, ""}));
  }
  const fs::path gd_config = write_garitad_config(dir, pki, port, names);

  auto garitad = std::make_unique<Garitad>(dir, gd_config, "garitad-0");
  REQUIRE(garitad->wait_started());
  std::vector<std::unique_ptr<LaneProcess>> lanes;
  for (unsigned i = 0; i < kLanes; ++i) {
    lanes.push_back(std::make_unique<LaneProcess>(dir, configs[i], names[i] + "-0"));
    REQUIRE(lanes.back()->started());
  }

  std::string old_lane_logs;  // of killed incarnations
  const unsigned seed = std::random_device{}();
  std::mt19937 rng(seed);
  INFO("random seed " << seed);
  std::uniform_int_distribution<int> pause_ms(200, 2500);
  std::uniform_int_distribution<unsigned> victim(0, kLanes);  // 0 = garitad
  unsigned garitad_kills = 0, lane_kills = 0;
  for (int round = 1; round <= 12; ++round) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    const unsigned v = victim(rng);
    if (v == 0) {
      garitad->process().send_signal(SIGKILL);
      garitad->process().wait(std::chrono::seconds(10));
      ++garitad_kills;
      // Sometimes stay down a while: the lanes build a backlog, and the next
      // kill may then land in the middle of its catch-up batches.
      if (rng() % 2 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
      garitad = std::make_unique<Garitad>(dir, gd_config, "garitad-" + std::to_string(round));
      REQUIRE(garitad->wait_started());
    } else {
      auto& lane = lanes[v - 1];
      lane->process().send_signal(SIGKILL);
      lane->process().wait(std::chrono::seconds(10));
      old_lane_logs += lane->log();
      ++lane_kills;
      lane = std::make_unique<LaneProcess>(dir, configs[v - 1],
                                           names[v - 1] + "-" + std::to_string(round));
      INFO(lane->log());
      REQUIRE(lane->started());
    }
  }
  // Traffic stops; the lanes decide their last sessions and catch up.
  sim.process().stop();
  auto all_journaled = [&] {
    std::set<LaneSeq> all = journaled(old_lane_logs);
    for (auto& lane : lanes) all.merge(journaled(lane->log()));
    return all;
  };
  const std::set<LaneSeq> expected =
      settle(all_journaled, std::chrono::seconds(3), std::chrono::seconds(30));
  std::cout << "lane uplink: " << garitad_kills << " garitad and " << lane_kills
            << " lane SIGKILLs; " << expected.size() << " crossings journaled\n";
  REQUIRE(expected.size() >= 50);
  CHECK(wait_stored(db, expected, std::chrono::seconds(60)));
  CHECK(journals_empty(dir, names, std::chrono::seconds(30)));

  const std::map<LaneSeq, std::string> have = stored(db);
  std::size_t missing = 0;
  const std::string which = first_missing(expected, have, missing);
  INFO("missing:" << which);
  CHECK(missing == 0);
  const DbHealth health = db_health(db);
  CHECK(health.integrity == "ok");
  CHECK(health.counts.conflicts == 0);
  const std::set<std::string> cards = sent_epcs(dir / "sent.csv");
  std::size_t unknown = 0;
  for (const auto& [key, epc] : have) unknown += cards.count(epc) == 0 ? 1u : 0u;
  CHECK(unknown == 0);

  for (auto& lane : lanes) CHECK(lane->process().stop().exit_code == 0);
  CHECK(garitad->process().stop().exit_code == 0);
}

TEST_CASE("refused: wrong CA, expired certificate, unknown lane, lane mismatch, plain TCP") {
  ScratchDir dir("garita-uplink-refused");
  const fs::path pki = make_pki(dir);
  const std::uint16_t port = closed_port();
  const std::uint16_t no_reader = closed_port();
  const fs::path db = dir / "crossings.db";
  Garitad garitad(dir, write_garitad_config(dir, pki, port, {"L1", "L2"}));
  REQUIRE(garitad.wait_started());

  struct Case {
    std::string lane, cert, name;
    std::string garitad_line;
  };
  const Case cases[] = {
      {"L1", "wrong-L1", "wrong-ca",
       "failed: certificate verify failed (unable to get local issuer certificate; the client "
       "certificate is not issued by the configured client CA)"},
      {"L1", "expired", "expired",
       "failed: certificate verify failed (certificate has expired; check the certificate's "
       "dates and both clocks)"},
      {"L3", "L3", "not-controller",
       "(certificate CN 'L3'): 403 unknown_lane: certificate CN 'L3' is not a controller lane "
       "here (controller lanes: L1,L2)"},
      {"L1", "L2", "mismatch",
       "(certificate CN 'L2'): 403 lane_mismatch: body lane 'L1' is not the certificate's lane "
       "'L2'"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    const fs::path config = write_lane_config(dir, pki, {c.lane, c.cert, no_reader, port, c.name});
    LaneProcess lane(dir, config, c.name);
    REQUIRE(lane.started());
    const bool seen = garitad.wait_log(c.garitad_line, 1, std::chrono::seconds(20));
    INFO(log_without_commits(garitad.log()));
    CHECK(seen);
    // The lane says so too (its own line, maybe a moment later), and never
    // counts itself connected.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (lane.log().find("uplink: ") == std::string::npos &&
           std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(lane.log().find("uplink: ") != std::string::npos);
    CHECK(lane.log().find("uplink: connected") == std::string::npos);
    lane.process().stop();
  }
  {
    // Plain TCP (an HTTP request) to the TLS port.
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    boost::asio::write(s, boost::asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
    std::array<char, 512> buf{};
    boost::system::error_code ec;
    s.read_some(boost::asio::buffer(buf), ec);
    CHECK(garitad.wait_log("(not TLS: plain HTTP or TCP sent to this HTTPS port)", 1,
                           std::chrono::seconds(10)));
  }
  CHECK(stored(db).empty());
  // The listener still serves a lane with the right certificate.
  LaneProcess good(dir, write_lane_config(dir, pki, {"L1", "L1", no_reader, port, "good"}), "good");
  REQUIRE(good.started());
  CHECK(garitad.wait_log("uplink: lane L1 connected from 127.0.0.1:", 1, std::chrono::seconds(20)));
  good.process().stop();
  const std::string log = garitad.log();
  // No card data and no certificate contents beyond the CN (a lane id) in the log.
  CHECK(log.find("BEGIN CERTIFICATE") == std::string::npos);
  CHECK(garitad.process().stop().exit_code == 0);
}

// The Mercury driver against a scripted fake module over a socketpair:
// start-up sequence, tag reads with TID, health, GPO, timeouts, dead link,
// unplug/replug, graceful stop. Timeouts are milliseconds.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>

#include "FakeMercuryModule.hpp"
#include "garita/hal/DriverErrc.hpp"
#include "garita/hal/mercury/MercuryDriver.hpp"
#include "garita/hal/mercury/ModuleStatus.hpp"

namespace garita::test {
namespace {

using namespace std::chrono_literals;
using hal::DriverState;

struct Sink final : hal::ReaderSink {
  std::vector<TagRead> reads;
  std::vector<hal::ReaderStatus> statuses;
  bool stopped = false;
  int calls_after_stop = 0;
  void on_tag_read(const TagRead& r) override {
    if (stopped) ++calls_after_stop;
    reads.push_back(r);
  }
  void on_status(const hal::ReaderStatus& s) override {
    if (stopped) ++calls_after_stop;
    statuses.push_back(s);
  }
};

hal::DriverOptions fast_options() {
  hal::DriverOptions o;
  o.reader_id = 3;
  o.response_timeout = 300ms;
  o.keepalive_period = 200ms;
  o.dead_after_keepalives = 3;
  o.backoff_initial = 10ms;
  o.backoff_max = 40ms;
  o.backoff_seed = 7;
  return o;
}

template <typename Done>
bool run_until(asio::io_context& io, Done done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_for(5ms);
  }
  return true;
}

struct Harness {
  asio::io_context io;
  FakeMercuryModule module{io};
  Sink sink;
  std::vector<std::string> log;
  std::shared_ptr<hal::ReaderDriver> driver;

  explicit Harness(std::string uri_text = "serial:///dev/ttyFAKE?region=NA2",
                   hal::DriverOptions options = fast_options()) {
    options.log = [this](hal::Severity s, std::string_view line) {
      log.push_back(std::string(hal::to_string(s)) + ": " + std::string(line));
    };
    hal::ReaderUri uri;
    std::string why;
    REQUIRE_FALSE(hal::parse_reader_uri(uri_text, uri, why));
    std::error_code ec;
    driver = hal::mercury::make_mercury_driver(uri, io, sink, options, module.opener(), ec, why);
    INFO(why);
    REQUIRE(driver);
  }

  hal::ReaderStatus status() const { return driver->status(); }
  template <typename Done>
  bool run(Done done, std::chrono::milliseconds limit = 5s) {
    if (run_until(io, done, limit)) return true;
    std::string text;
    for (const auto& l : log) text += l + "\n";
    UNSCOPED_INFO("driver log:\n" << text);
    return false;
  }
  bool run_until_state(DriverState s, std::chrono::milliseconds limit = 5s) {
    return run([&] { return status().state == s; }, limit);
  }
  bool stop() {
    int done = 0;
    driver->stop([&] {
      ++done;
      sink.stopped = true;
    });
    return run([&] { return done > 0; }) && done == 1;
  }
};

const std::vector<std::uint8_t> kEpc{0x30, 0x14, 0x5A, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x00, 0x00, 0x2A};
const std::vector<std::uint8_t> kTid{0xE2, 0x80, 0x11, 0x05, 0x20, 0x00,
                                     0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC};

}  // namespace

TEST_CASE("mercury driver: start-up sequence, then tag reads with TID reach the sink") {
  Harness h;
  h.driver->start();
  REQUIRE(h.run_until_state(DriverState::running));
  using m::Opcode;
  // stop(stale) version program region protocol antennas return-loss temperature start
  const std::vector<std::uint8_t> expected{0x2F, 0x03, 0x0C, 0x67, 0x93, 0x91, 0x61, 0x72, 0x2F};
  CHECK(h.module.opcodes == expected);  // region already NA2: no SET_REGION
  CHECK(h.module.streaming);
  CHECK(h.module.plan.tid_words == 6);
  CHECK((h.module.plan.search_flags & m::search_flag::embedded_command) != 0);

  h.module.send_tag(kEpc, kTid, 1, -48, 1500);
  // A module timer that restarts without a keep-alive never makes the reader
  // clock run backwards.
  h.module.send_tag(kEpc, kTid, 1, -48, 2000);
  h.module.send_tag(kEpc, kTid, 1, -48, 10);
  h.module.send_keep_alive();
  REQUIRE(h.run([&] { return h.sink.reads.size() == 3; }));
  REQUIRE(h.sink.reads[2].reader_first_seen_uptime_us);
  CHECK(*h.sink.reads[1].reader_first_seen_uptime_us -
            *h.sink.reads[0].reader_first_seen_uptime_us ==
        500'000);  // 2000 ms - 1500 ms on the module's timer
  CHECK(*h.sink.reads[2].reader_first_seen_uptime_us >=
        *h.sink.reads[1].reader_first_seen_uptime_us);
  const TagRead& r = h.sink.reads[0];
  CHECK(r.reader_id == 3);
  CHECK(r.antenna == 1);
  CHECK(std::vector<std::uint8_t>(r.epc.view().begin(), r.epc.view().end()) == kEpc);
  CHECK(std::vector<std::uint8_t>(r.tid.view().begin(), r.tid.view().end()) == kTid);
  CHECK(r.pc == 0x3000);
  CHECK(r.peak_rssi_cdbm == -4800);
  CHECK(r.reader_first_seen_uptime_us.has_value());
  CHECK(r.host_utc_us > 0);

  const auto s = h.status();
  CHECK(s.read_count == 3);
  REQUIRE(s.identity);
  CHECK(s.identity->firmware_version.find("M6e Nano") != std::string::npos);
  REQUIRE(s.health);
  CHECK(s.health->temperature_c == 31);
  REQUIRE(s.health->return_loss_db.size() == 2);
  CHECK(s.health->return_loss_db[0] == 19);
  CHECK(s.health->link == "/dev/ttyFAKE at 115200 baud");
  CHECK(s.antennas.at(0).read_count == 3);
  CHECK(s.antennas.at(0).state == hal::AntennaState::connected);
  CHECK(s.antennas.size() == 1);  // port 2 reported by the module but not read
  // No EPC in any log line at info level or above.
  for (const auto& line : h.log) CHECK(line.find("30145A") == std::string::npos);

  REQUIRE(h.stop());
  CHECK(h.module.count(Opcode::multi_protocol_tag_op) == 3);  // stale stop, start, stop
  CHECK_FALSE(h.module.streaming);
  CHECK(h.status().state == DriverState::stopped);
  h.module.send_tag(kEpc, kTid);
  h.io.run_for(30ms);
  CHECK(h.sink.calls_after_stop == 0);
}

TEST_CASE(
    "mercury driver: a module in its bootloader is booted and a region is set when differing") {
  Harness h("serial:///dev/ttyFAKE?region=EU3&power=2500&antennas=1,2");
  h.module.start_in_bootloader = true;
  h.driver->start();
  REQUIRE(h.run_until_state(DriverState::running));
  const std::vector<std::uint8_t> expected{0x2F, 0x03, 0x0C, 0x04, 0x03, 0x67, 0x97,
                                           0x93, 0x91, 0x92, 0x61, 0x72, 0x2F};
  CHECK(h.module.opcodes == expected);
  CHECK(h.module.region == 0x08);
  // Antennas 1,2 as the search list, power 25 dBm.
  CHECK(h.module.command_data[8] == std::vector<std::uint8_t>{0x02, 1, 1, 2, 2});
  CHECK(h.module.command_data[9] == std::vector<std::uint8_t>{0x09, 0xC4});
  // Port 2 reports 4 dB return loss: a poor antenna, shown, not "connected".
  const auto s = h.status();
  REQUIRE(s.antennas.size() == 2);
  CHECK(s.antennas[1].state == hal::AntennaState::unknown);
  CHECK(s.health->return_loss_db.at(1) == 4);
}

TEST_CASE("mercury driver: firmware refusing stats streaming still reads, without it") {
  Harness h;
  h.module.refuse_stats_streaming = true;
  h.driver->start();
  REQUIRE(h.run_until_state(DriverState::running));
  CHECK((h.module.plan.search_flags & m::search_flag::stats_report_streaming) == 0);
  CHECK((h.module.plan.search_flags & m::search_flag::embedded_command) != 0);
  h.module.send_tag(kEpc, kTid);
  REQUIRE(h.run([&] { return h.sink.reads.size() == 1; }));
}

TEST_CASE("mercury driver: a module without a region is refused with a clear reason") {
  Harness h("serial:///dev/ttyFAKE");
  h.module.region = 0;
  h.driver->start();
  REQUIRE(h.run([&] { return h.status().error_count > 0; }));
  const auto s = h.status();
  CHECK(s.last_error_code == hal::DriverErrc::bad_options);
  CHECK(s.last_error.find("no regulatory region") != std::string::npos);
  CHECK(h.module.count(m::Opcode::multi_protocol_tag_op) == 1);  // never started reading
}

TEST_CASE("mercury driver: an error status names the step and the module's code") {
  Harness h;
  h.module.statuses[0x93] = 0x0402;  // invalid protocol
  h.driver->start();
  REQUIRE(h.run([&] { return h.status().error_count > 0; }));
  const auto s = h.status();
  CHECK(s.last_error_code == hal::DriverErrc::reader_status_error);
  CHECK(s.last_error ==
        "SET_TAG_PROTOCOL Gen2 failed: tag protocol not valid (module status 0x0402)");
  // It keeps retrying with backoff.
  REQUIRE(h.run([&] { return h.module.opens >= 2; }));
}

TEST_CASE("mercury driver: response timeout, and optional steps may stay silent") {
  SECTION("a silent VERSION fails the session") {
    Harness h;
    h.module.silent.insert(0x03);
    h.driver->start();
    REQUIRE(h.run([&] { return h.status().error_count > 0; }));
    CHECK(h.status().last_error_code == hal::DriverErrc::response_timeout);
    CHECK(h.status().last_error.find("no answer to VERSION within 300 ms") != std::string::npos);
  }
  SECTION("silent return loss and temperature are skipped") {
    Harness h;
    h.module.silent = {0x61, 0x72};
    h.driver->start();
    REQUIRE(h.run_until_state(DriverState::running));
    CHECK_FALSE(h.status().health->temperature_c);
  }
}

TEST_CASE("mercury driver: keep-alives hold the link and silence is a dead link, then reconnect") {
  Harness h;
  h.driver->start();
  REQUIRE(h.run_until_state(DriverState::running));
  // Keep-alives every 100 ms for 1 s: still running on the first session.
  for (int i = 0; i < 10; ++i) {
    h.module.send_keep_alive();
    h.io.run_for(100ms);
  }
  CHECK(h.status().state == DriverState::running);
  CHECK(h.module.opens == 1);
  // Silence: 3 x 200 ms without a frame.
  REQUIRE(h.run([&] { return h.status().last_error_code == hal::DriverErrc::link_dead; }));
  REQUIRE(h.run([&] { return h.module.opens == 2 && h.status().state == DriverState::running; }));
  CHECK(h.status().reconnect_count >= 1);
}

TEST_CASE("mercury driver: unplug and replug recover on their own") {
  Harness h;
  h.driver->start();
  REQUIRE(h.run_until_state(DriverState::running));
  h.module.unplug();
  REQUIRE(h.run([&] { return h.status().state == DriverState::backing_off; }));
  // The device path is gone for a while: opens keep failing, with the reason.
  REQUIRE(h.run([&] { return h.status().last_error.find("No such file") != std::string::npos; }));
  h.module.replug();
  REQUIRE(h.run_until_state(DriverState::running));
  CHECK(h.module.opens == 2);
  h.module.send_tag(kEpc, kTid);
  REQUIRE(h.run([&] { return h.sink.reads.size() == 1; }));
}

TEST_CASE("mercury driver: health from the stream (temperature, throttling, return loss)") {
  Harness h;
  h.driver->start();
  REQUIRE(h.run_until_state(DriverState::running));
  h.module.send_stats(57);
  h.module.send_status(0x0504);
  REQUIRE(h.run([&] { return h.status().health->throttled; }));
  auto s = h.status();
  CHECK(s.health->temperature_c == 57);
  CHECK(s.health->throttle_events == 1);
  CHECK(s.last_error_code == m::ModuleStatus::temperature_exceed_limits);
  CHECK(s.state == DriverState::running);  // a warning, not a reconnect
  h.module.send_keep_alive();
  REQUIRE(h.run([&] { return !h.status().health->throttled; }));
  h.module.send_status(0x0505);
  REQUIRE(h.run([&] { return h.status().health->return_loss_events == 1; }));
  CHECK(h.status().last_error.find("antenna cable") != std::string::npos);
}

TEST_CASE("mercury driver: set_output drives a GPO and refusals") {
  Harness h;
  std::vector<std::error_code> results;
  auto record = [&](std::error_code ec) { results.push_back(ec); };
  h.driver->set_output(1, true, record);  // not running yet
  REQUIRE(h.run([&] { return results.size() == 1; }));
  CHECK(results[0] == hal::DriverErrc::not_running);
  h.driver->start();
  REQUIRE(h.run_until_state(DriverState::running));
  std::optional<std::error_code> lit, bad_port;
  h.driver->set_output(2, true, [&](std::error_code ec) { lit = ec; });
  h.driver->set_output(9, true, [&](std::error_code ec) { bad_port = ec; });
  REQUIRE(h.run([&] { return lit && bad_port; }));
  CHECK_FALSE(*lit);
  CHECK(*bad_port == hal::DriverErrc::bad_argument);
  CHECK(h.module.gpo == std::vector<std::pair<std::uint8_t, bool>>{{2, true}});
}

TEST_CASE("mercury driver: junk and corrupted frames on the line are survived and counted") {
  Harness h;
  h.driver->start();
  REQUIRE(h.run_until_state(DriverState::running));
  h.module.send_raw({0x00, 0x11, 0x22});                                // noise
  h.module.send_raw({0xFF, 0x01, 0x22, 0x00, 0x00, 0x99, 0x12, 0x34});  // bad CRC
  h.module.send_tag(kEpc, kTid);
  REQUIRE(h.run([&] { return h.sink.reads.size() == 1; }));
  const auto s = h.status();
  CHECK(s.health->junk_bytes >= 3);
  CHECK(s.health->bad_crc >= 1);
  CHECK(s.state == DriverState::running);
}

TEST_CASE("mercury driver: usb-style responses without CRC are auto-detected") {
  // usb:// turns on auto-detection; the fake stands in for the bulk link.
  Harness h("usb://1325:c029?region=NA2");
  h.module.with_crc = false;
  h.driver->start();
  REQUIRE(h.run_until_state(DriverState::running));
  h.module.send_tag(kEpc, kTid);
  REQUIRE(h.run([&] { return h.sink.reads.size() == 1; }));
}

TEST_CASE("mercury driver: stop while backing off, and a stop the module never confirms") {
  SECTION("backing off") {
    Harness h;
    h.module.plugged = false;
    h.driver->start();
    REQUIRE(h.run_until_state(DriverState::backing_off));
    REQUIRE(h.stop());
    CHECK(h.status().state == DriverState::stopped);
  }
  SECTION("silent stop") {
    Harness h;
    h.driver->start();
    REQUIRE(h.run_until_state(DriverState::running));
    h.module.silent.insert(0x2F);
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(h.stop());
    CHECK(std::chrono::steady_clock::now() - t0 < 3s);
  }
}

TEST_CASE("mercury driver: bad options are refused when it is made") {
  asio::io_context io;
  Sink sink;
  hal::ReaderUri uri;
  std::string why;
  REQUIRE_FALSE(hal::parse_reader_uri("serial:///dev/ttyUSB0?region=MARS", uri, why));
  std::error_code ec;
  CHECK_FALSE(hal::mercury::make_mercury_driver(uri, io, sink, fast_options(), ec, why));
  CHECK(ec == hal::DriverErrc::bad_options);
  CHECK(why.find("unknown region 'MARS'") != std::string::npos);
  auto o = fast_options();
  o.tid_words = 40;
  REQUIRE_FALSE(hal::parse_reader_uri("serial:///dev/ttyUSB0", uri, why));
  CHECK_FALSE(hal::mercury::make_mercury_driver(uri, io, sink, o, ec, why));
  CHECK(why.find("tid_words 40") != std::string::npos);
}

}  // namespace garita::test

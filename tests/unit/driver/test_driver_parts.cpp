// The driver's pure parts: backoff, the driver table, option checks, and
// the TagReport -> TagRead conversion.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "FakeReader.hpp"
#include "garita/common/Hex.hpp"
#include "garita/hal/DriverErrc.hpp"
#include "garita/hal/DriverTable.hpp"
#include "garita/hal/ReconnectBackoff.hpp"
#include "garita/hal/llrp/LlrpClientSetup.hpp"
#include "garita/hal/llrp/LlrpClientTagRead.hpp"

using namespace garita;
using namespace garita::test;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct Made {
  std::shared_ptr<hal::ReaderDriver> driver;
  std::error_code ec;
  std::string why;
};

Made make(const std::string& uri_text, const hal::DriverOptions& options = {}) {
  static asio::io_context io;
  static RecordingSink sink;
  hal::ReaderUri uri;
  Made made;
  REQUIRE_FALSE(hal::parse_reader_uri(uri_text, uri, made.why));
  made.driver = hal::make_reader_driver(uri, io, sink, options, made.ec, made.why);
  return made;
}

}  // namespace

TEST_CASE("backoff: doubles from initial to the cap, jittered in [d/2, d], reset starts over") {
  hal::ReconnectBackoff backoff(100ms, 1000ms, 1234);
  const std::chrono::milliseconds ceilings[] = {100ms, 200ms, 400ms, 800ms, 1000ms, 1000ms, 1000ms};
  for (const auto ceiling : ceilings) {
    const auto d = backoff.next();
    INFO("ceiling " << ceiling.count() << " got " << d.count());
    CHECK(d >= ceiling / 2);
    CHECK(d <= ceiling);
  }
  CHECK(backoff.failures() == 7);
  backoff.reset();
  const auto d = backoff.next();
  CHECK(d >= 50ms);
  CHECK(d <= 100ms);

  // Jitter: two lanes with different seeds do not retry in lockstep.
  hal::ReconnectBackoff a(1000ms, 30000ms, 1), b(1000ms, 30000ms, 2);
  bool differ = false;
  for (int i = 0; i < 5; ++i) differ = differ || a.next() != b.next();
  CHECK(differ);

  // Thousands of failures neither overflow nor pass the cap.
  hal::ReconnectBackoff long_outage(1000ms, 30000ms, 3);
  for (int i = 0; i < 5000; ++i) REQUIRE(long_outage.next() <= 30000ms);
}

TEST_CASE("driver table: every scheme has a driver; serial and usb make the Mercury driver") {
  // Made, not started: nothing is opened (and libusb is not touched) yet.
  const auto serial = make("serial:///dev/ttyUSB0?region=NA2");
  REQUIRE(serial.driver);
  CHECK_FALSE(serial.ec);
  CHECK(serial.driver->status().state == hal::DriverState::disconnected);
  const auto usb = make("usb://1325:c029");
  CHECK(usb.driver);
  // A region the Mercury driver does not know is refused when it is made.
  const auto bad = make("serial:///dev/ttyUSB0?region=XX");
  CHECK_FALSE(bad.driver);
  CHECK(bad.ec == hal::DriverErrc::bad_options);
  CHECK(contains(bad.why, "unknown region 'XX'"));
  const auto llrp = make("llrp://10.0.4.21");
  CHECK(llrp.driver);
  CHECK_FALSE(llrp.ec);
  CHECK(llrp.driver->status().state == hal::DriverState::disconnected);
  CHECK(llrp.driver->status().uri == "llrp://10.0.4.21:5084");
  CHECK(hal::driver_table().size() == 4);
  for (const auto& entry : hal::driver_table()) CHECK(entry.make != nullptr);
}

TEST_CASE("LLRP driver options that cannot work are refused with the reason") {
  hal::DriverOptions tls_on_plain;
  tls_on_plain.tls.ca_file = "/etc/garita/ca.pem";
  auto made = make("llrp://r", tls_on_plain);
  CHECK(made.ec == hal::DriverErrc::bad_options);
  CHECK(contains(made.why, "which is plain TCP: use llrps://"));

  made = make("llrps://0.0.0.0?listen=1");
  CHECK(contains(made.why, "listen mode over TLS"));

  hal::DriverOptions antenna_zero;
  antenna_zero.antennas = {0, 1};
  CHECK(contains(make("llrp://r", antenna_zero).why, "antenna ids start at 1"));

  hal::DriverOptions no_tid_words;
  no_tid_words.tid_words = 0;
  CHECK(contains(make("llrp://r", no_tid_words).why, "tid_words must be 1 to 16"));

  hal::DriverOptions one_keepalive;
  one_keepalive.dead_after_keepalives = 1;
  CHECK(contains(make("llrp://r", one_keepalive).why, "at least 2"));

  hal::DriverOptions zero_timeout;
  zero_timeout.response_timeout = 0ms;
  CHECK(make("llrp://r", zero_timeout).ec == hal::DriverErrc::bad_options);
}

TEST_CASE("driver error codes have a category and a message each") {
  const std::error_code ec = hal::DriverErrc::link_dead;
  CHECK(std::string(ec.category().name()) == "reader");
  for (int e = 1; e <= static_cast<int>(hal::DriverErrc::stopped); ++e) {
    CHECK_FALSE(contains(std::error_code(e, hal::driver_category()).message(), "unknown"));
  }
}

TEST_CASE("TagReport -> TagRead: TID source, RSSI units, clocks, limits") {
  hal::llrp::TagReadContext context{3, 1'700'000'000'000'000, 42};
  TagRead read;

  // A long TID read is cut to what a TagRead holds.
  auto t = tag("3074257BF7194E4000001A85");
  with_tid_read(t, std::string(80, 'A'));  // 40 bytes
  t.peak_rssi_dbm = -70;
  t.first_seen_uptime_us = 123;
  hal::llrp::to_tag_read(t, context, read);
  CHECK(read.reader_id == 3);
  CHECK(read.tid.size() == TidBytes::capacity);
  CHECK(read.peak_rssi_cdbm == std::optional<std::int16_t>(-7000));
  CHECK(read.reader_first_seen_uptime_us == std::optional<std::uint64_t>(123));
  CHECK_FALSE(read.reader_first_seen_utc_us);
  CHECK(read.host_utc_us == context.host_utc_us);
  CHECK(read.host_mono_us == 42);
  CHECK(read.seen_count == 1);
  CHECK(read.antenna == 0);

  // Another OpSpec's read is not the TID; FastID is used when present.
  auto other = tag("3074257BF7194E4000001A85");
  with_tid_read(other, "AAAA", 9);
  hal::llrp::to_tag_read(other, context, read);
  CHECK(read.tid.empty());
  with_impinj_tid(other, "E2801160200074CF085909AD");
  hal::llrp::to_tag_read(other, context, read);
  CHECK(to_hex(read.tid.view()) == "E2801160200074CF085909AD");

  // A UTC stamp past 2^63 µs is dropped, the read kept.
  auto odd = tag("3074257BF7194E4000001A85");
  odd.first_seen_utc_us = ~std::uint64_t{0};
  odd.tag_seen_count = 0;
  hal::llrp::to_tag_read(odd, context, read);
  CHECK_FALSE(read.reader_first_seen_utc_us);
  CHECK(read.seen_count == 1);
  CHECK_FALSE(read.peak_rssi_cdbm);
}

TEST_CASE("lane setup: report spec, ROSpec and AccessSpec follow the options") {
  hal::llrp::LaneSetup setup;
  setup.report_every_n_tags = 5;
  setup.tid_words = 8;
  setup.impinj_fast_id = true;
  const auto report = hal::llrp::lane_report_spec(setup);
  CHECK(report.n == 5);
  REQUIRE(report.impinj);
  CHECK(report.impinj->enable_serialized_tid);
  CHECK(hal::llrp::tid_access_spec(setup).reads.at(0).word_count == 8);
  setup.read_tid = false;
  CHECK_FALSE(hal::llrp::lane_report_spec(setup).impinj->enable_serialized_tid);
  setup.report_buffer_warnings = false;
  const auto config = hal::llrp::lane_reader_config(setup);
  for (const auto& state : config.config.reader_event_notification_spec->states) {
    CHECK(state.event != hal::llrp::ReaderEventType::report_buffer_fill_warning);
  }
  const auto gpo = hal::llrp::gpo_write_config(3, true);
  REQUIRE(gpo.config.gpo_write_data.size() == 1);
  CHECK(gpo.config.gpo_write_data[0].port == 3);
  CHECK(hal::llrp::manufacturer_name(25882) == "Impinj");
  CHECK(hal::llrp::manufacturer_name(1) == "PEN 1");
}

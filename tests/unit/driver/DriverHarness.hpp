#pragma once
// One driver under test against one fake reader, with fast timeouts.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "FakeReader.hpp"
#include "garita/hal/DriverOptions.hpp"
#include "garita/hal/DriverTable.hpp"
#include "garita/hal/ReaderUri.hpp"

namespace garita::test {

// Timeouts in milliseconds so the whole binary runs in seconds. The
// keepalive period is long enough that no test but the dead-link one
// trips the liveness check.
inline hal::DriverOptions fast_options() {
  using std::chrono::milliseconds;
  hal::DriverOptions o;
  o.reader_id = 7;
  o.connect_timeout = milliseconds(2'000);
  o.response_timeout = milliseconds(1'000);
  o.keepalive_period = milliseconds(1'000);
  o.dead_after_keepalives = 3;
  o.backoff_initial = milliseconds(10);
  o.backoff_max = milliseconds(40);
  o.backoff_seed = 42;
  return o;
}

// A port nothing listens on (bound, read, released).
inline std::uint16_t unused_port() {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

struct DriverHarness {
  asio::io_context io;
  FakeReader reader{io};
  RecordingSink sink;
  std::vector<std::string> log_lines;
  std::shared_ptr<hal::ReaderDriver> driver;

  // Makes the driver for `uri` and starts it unless `start` is false. An
  // empty `uri`, or just a scheme ("llrps"), means the harness's fake reader.
  explicit DriverHarness(hal::DriverOptions options = fast_options(), std::string uri = {},
                         bool start = true) {
    options.log = [this](hal::Severity severity, std::string_view line) {
      log_lines.push_back(std::string(hal::to_string(severity)) + ": " + std::string(line));
    };
    hal::ReaderUri parsed;
    std::string why;
    if (uri.empty()) uri = reader.uri();
    if (uri.find("://") == std::string::npos) uri = reader.uri(uri);
    REQUIRE_FALSE(hal::parse_reader_uri(uri, parsed, why));
    std::error_code ec;
    driver = hal::make_reader_driver(parsed, io, sink, options, ec, why);
    INFO(why);
    REQUIRE(driver);
    if (start) driver->start();
  }

  // No goodbye here: the io_context's destructor drops every pending
  // handler and coroutine without running it, so scripts never touch the
  // test's locals after the test body (tests that check stop() call it).
  ~DriverHarness() = default;

  DriverHarness(const DriverHarness&) = delete;
  DriverHarness& operator=(const DriverHarness&) = delete;

  hal::ReaderStatus status() const { return driver->status(); }
  hal::DriverState state() const { return driver->status().state; }

  bool run_until_state(hal::DriverState wanted,
                       std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    return run(limit, [&] { return state() == wanted; });
  }

  // run_until() that prints the driver's log when the condition never came.
  template <typename Done>
  bool run(std::chrono::milliseconds limit, Done done) {
    if (run_until(io, done, limit)) return true;
    UNSCOPED_INFO("driver log:\n" << log_text());
    return false;
  }
  template <typename Done>
  bool run(Done done) {
    return run(std::chrono::seconds(5), done);
  }

  // stop() and wait for its completion; true if it came in time.
  bool stop(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    int completions = 0;
    driver->stop([&] {
      ++completions;
      sink.stop_completed = true;
    });
    const bool ok = run(limit, [&] { return completions > 0; });
    return ok && completions == 1;
  }

  std::string log_text() const {
    std::string s;
    for (const auto& line : log_lines) s += line + "\n";
    return s;
  }
};

}  // namespace garita::test

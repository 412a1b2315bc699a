// `garita reader check` in-process against the fake reader (which runs on
// its own io_context and thread: the command runs its own, blocking).
#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>
#include <sstream>
#include <thread>

#include "DriverHarness.hpp"
#include "FakeReader.hpp"
#include "garita/daemon/ReaderCommand.hpp"

using namespace garita;
using namespace garita::test;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

awaitable<void> reader_with_two_tags(FakeReader& reader, FakeReaderSpec spec) {
  auto c = co_await reader.accept();
  (void)co_await c.serve_startup(spec);
  auto a = tag("3074257BF7194E4000001A85");
  a.antenna_id = 1;
  a.peak_rssi_dbm = -52;
  with_tid_read(a, "E2801160200074CF085909AD");
  auto b = tag("3074257BF7194E4000001A86");
  auto report = ro_access_report({a, b}, 1);  // outside co_await: GCC 12
  co_await c.send(std::move(report));
  co_await c.serve_until_closed(spec);
}

// Runs the check against a fake reader serving `spec` on another thread.
struct CheckRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CheckRun run_check(daemon::ReaderCheckOptions options, const FakeReaderSpec& spec) {
  asio::io_context io;
  FakeReader reader(io);
  if (options.uri.empty()) options.uri = reader.uri();
  ScriptResult script;
  spawn(io, reader_with_two_tags(reader, spec), script);
  auto guard = asio::make_work_guard(io);
  std::thread fake([&] { io.run(); });
  std::ostringstream out, err;
  CheckRun run;
  run.exit_code = daemon::run_reader_check(options, out, err);
  guard.reset();
  io.stop();
  fake.join();
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace

TEST_CASE("reader check: identity, antennas, each read and a summary, exit 0") {
  daemon::ReaderCheckOptions options;
  options.seconds = 0.3;
  const auto run = run_check(options, FakeReaderSpec::generic());
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK(contains(run.out, "checking llrp://127.0.0.1:"));
  CHECK(
      contains(run.out,
               "reader: PEN 10642 model 7, firmware 3.1.4, 4 antennas, 2 GPIs, 3 GPOs, UTC clock, "
               "TIDs by AccessSpec\n"));
  CHECK(contains(run.out, "antennas: 1 connected, 2 disconnected, 3 connected, 4 connected\n"));
  CHECK(contains(run.out, "running: reading tags for 0.3 s"));
  CHECK(contains(
      run.out,
      "read  ant 1  -52.0 dBm  EPC 3074257BF7194E4000001A85  TID E2801160200074CF085909AD\n"));
  CHECK(contains(run.out, "EPC 3074257BF7194E4000001A86"));
  CHECK(contains(run.out, "summary: 2 reads in 0."));
  CHECK(contains(run.out, "2 distinct EPCs, 0 errors, 0 reconnects"));
  CHECK(contains(run.out, "  antenna 1: connected, 2 reads\n"));
  CHECK(run.err.empty());
}

TEST_CASE("reader check --json: one JSON object per line, ending with the summary") {
  daemon::ReaderCheckOptions options;
  options.seconds = 0.3;
  options.json = true;
  const auto run = run_check(options, FakeReaderSpec::impinj());
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  std::istringstream lines(run.out);
  std::vector<std::string> events;
  std::string line;
  boost::json::object last;
  while (std::getline(lines, line)) {
    boost::system::error_code ec;
    auto value = boost::json::parse(line, ec);
    REQUIRE_FALSE(ec);
    last = value.as_object();
    events.push_back(std::string(last.at("event").as_string()));
  }
  CHECK(events ==
        std::vector<std::string>{"reader", "antennas", "running", "read", "read", "summary"});
  CHECK(last.at("ok").as_bool());
  CHECK(last.at("reads").to_number<int>() == 2);
  CHECK(last.at("distinct_epcs").to_number<int>() == 2);
  CHECK(contains(run.out, R"("tid_source":"impinj_fastid")"));
  CHECK(contains(run.out, R"("rssi_dbm":-5.2E1)"));
}

TEST_CASE("reader check: a reader that does not run is exit 1 with one line saying why") {
  daemon::ReaderCheckOptions refused;
  refused.uri = "llrp://127.0.0.1:" + std::to_string(unused_port());
  auto run = run_check(refused, FakeReaderSpec::generic());
  CHECK(run.exit_code == daemon::kExitReaderFailed);
  CHECK(run.err.rfind("garita: reader check failed: cannot connect to 127.0.0.1:", 0) == 0);
  CHECK(contains(run.err, "Connection refused"));
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);

  auto spec = FakeReaderSpec::generic();
  spec.failures[MessageType::add_rospec] =
      failed_status(hal::llrp::StatusCode::a_out_of_range, "antenna 9");
  daemon::ReaderCheckOptions options;
  options.seconds = 0.3;
  run = run_check(options, spec);
  CHECK(run.exit_code == daemon::kExitReaderFailed);
  CHECK(contains(
      run.err,
      "garita: reader check failed: the reader refused ADD_ROSPEC: A_OutOfRange: antenna 9"));
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
}

TEST_CASE("reader check: bad arguments are exit 2") {
  daemon::ReaderCheckOptions options;
  options.uri = "llrp://";
  std::ostringstream out, err;
  CHECK(daemon::run_reader_check(options, out, err) == 2);
  CHECK(contains(err.str(), "no reader host"));
  options.uri = "llrp://r";
  options.seconds = 0;
  err.str("");
  CHECK(daemon::run_reader_check(options, out, err) == 2);
  CHECK(contains(err.str(), "--seconds"));
  options.seconds = 1;
  options.uri = "llrps://r";
  options.tls_ca = "/nonexistent/ca.pem";
  err.str("");
  CHECK(daemon::run_reader_check(options, out, err) == 2);
  CHECK(contains(err.str(), "/nonexistent/ca.pem' cannot be opened"));
}

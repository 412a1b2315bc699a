// garita's Mercury driver (serial://, in-process) against the simulated
// module (`garita-sim serial` on a pty), fault by fault: every tag record
// the module put on the line and the host read must come out of the driver
// exactly once, across unplugs and resets; the only reads missing are those
// the module itself lost or a fault damaged (its sent log says which).
// Plus the simulator's own command line: ready file, link, exit statuses.
//
// The simulator runs at 10x, so a fault at 15 s of simulated time happens
// 1.5 s into the test; each case runs the driver for a few real seconds.
#include <catch2/catch.hpp>

#include <cerrno>
#include <csignal>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

#include "test_mercury_driver_vs_sim_support.hpp"

using namespace garita::test;

namespace {

std::uint64_t health_counter(const DriverRun& run,
                             std::uint64_t garita::hal::ReaderHealth::*field) {
  return run.final_status.health ? (*run.final_status.health).*field : 0;
}

}  // namespace

TEST_CASE("mercury driver vs sim: no fault") {
  const DriverRun run = run_driver_against_sim({}, 3.0);
  check_nothing_lost_or_doubled(run);
  CHECK(run.final_status.reconnect_count == 0);
  // Every read carried its TID (embedded read) and both antennas read.
  for (const auto& key : run.driver_reads) CHECK(key.back() != '/');
  CHECK(run.rows_with("not_read", "module_booting") + run.rows_with("not_read", "not_streaming") <
        run.rows.size());
  REQUIRE(run.final_status.health.has_value());
  CHECK(run.final_status.health->temperature_c.has_value());
  CHECK(run.final_status.health->bad_crc == 0);
}

TEST_CASE("mercury driver vs sim: realistic traffic, lane 2's M7e among two lanes") {
  // Lingerers, shielded cards and reads bleeding in from lane 1: the module
  // reports what it hears, and so must the driver.
  const DriverRun run = run_driver_against_sim(
      {"--lanes", "2", "--lane", "2", "--preset", "default", "--model", "m7e"}, 3.0);
  check_nothing_lost_or_doubled(run);
  for (const SentRow& r : run.rows) CHECK(r.lane == 2);
  CHECK_THAT(run.sim.out, Catch::Contains("ready (1 module(s), m7e"));
}

TEST_CASE("mercury driver vs sim: no TID readable") {
  const DriverRun run = run_driver_against_sim({"--tid", "no"}, 2.5);
  check_nothing_lost_or_doubled(run);
  for (const auto& key : run.driver_reads) CHECK(key.back() == '/');
}

TEST_CASE("mercury driver vs sim: junk between frames loses nothing") {
  const DriverRun run = run_driver_against_sim({"--fault", "junk@15s", "--fault", "junk@20s"}, 3.5);
  check_nothing_lost_or_doubled(run);
  CHECK(run.rows_with("lost", "") == run.rows_with("lost", "simulator_exit"));
  CHECK(health_counter(run, &garita::hal::ReaderHealth::junk_bytes) +
            health_counter(run, &garita::hal::ReaderHealth::bad_crc) >
        0);
}

TEST_CASE("mercury driver vs sim: bad CRC frame is dropped, nothing else") {
  const DriverRun run = run_driver_against_sim({"--fault", "badcrc@15s"}, 3.5);
  check_nothing_lost_or_doubled(run);
  CHECK(run.rows_with("lost", "bad_crc") <= 1);
  CHECK(health_counter(run, &garita::hal::ReaderHealth::bad_crc) >= 1);
}

TEST_CASE("mercury driver vs sim: truncated frame is dropped, nothing else") {
  const DriverRun run = run_driver_against_sim({"--fault", "truncate@15s"}, 3.5);
  check_nothing_lost_or_doubled(run);
  CHECK(run.rows_with("lost", "truncated_frame") <= 1);
  CHECK(health_counter(run, &garita::hal::ReaderHealth::bad_crc) +
            health_counter(run, &garita::hal::ReaderHealth::truncated) >=
        1);
}

TEST_CASE("mercury driver vs sim: hangup, the driver reopens the link and boots the module") {
  const DriverRun run = run_driver_against_sim({"--fault", "hangup@15s+10s"}, 6.0);
  check_nothing_lost_or_doubled(run);
  CHECK(run.final_status.reconnect_count >= 1);
  // Reads went out on the second pty too: the driver recovered.
  CHECK(run.max_connection() == 2);
  CHECK(run.rows_with("not_read", "module_booting") > 0);  // while unplugged
  CHECK_THAT(run.sim.err, Catch::Contains("plugged in again as /dev/pts/"));
  CHECK_THAT(run.sim.err, Catch::Contains("boots 2, resets 1, ptys 2"));
}

TEST_CASE("mercury driver vs sim: reboot, the driver notices the silence and boots again") {
  const DriverRun run = run_driver_against_sim({"--fault", "reboot@15s+500ms"}, 7.0);
  check_nothing_lost_or_doubled(run);
  CHECK(run.final_status.reconnect_count >= 1);
  // Reads after the reset were delivered: the first sent row after the
  // first module_booting row of the reset.
  std::int64_t reset_at = 0;
  bool after = false;
  for (const SentRow& r : run.rows) {
    if (reset_at == 0 && r.outcome == "not_read" && r.detail == "module_booting" &&
        r.time_us > run.rows.front().time_us + 10'000'000) {
      reset_at = r.time_us;
    }
    if (reset_at != 0 && r.outcome == "sent" && r.time_us > reset_at) after = true;
  }
  CHECK(reset_at != 0);
  CHECK(after);
  CHECK_THAT(run.sim.err, Catch::Contains("module back in its bootloader"));
  CHECK_THAT(run.sim.err, Catch::Contains("boots 2, resets 1, ptys 1"));
}

TEST_CASE("mercury driver vs sim: responses without CRC are refused on a serial line") {
  const DriverRun run = run_driver_against_sim({"--fault", "nocrc@15s+5s"}, 6.0);
  check_nothing_lost_or_doubled(run);
  CHECK(health_counter(run, &garita::hal::ReaderHealth::bad_crc) >= 1);
}

TEST_CASE("serial sim: ready file, link, device and a clean SIGTERM") {
  TempDir dir("mercury-sim");
  SerialSimProcess sim(
      dir, {"--speed", "10", "--preset", "clean", "--truth", (dir / "truth.csv").string()});
  const std::string device = sim.device();
  CHECK(device.rfind("/dev/pts/", 0) == 0);
  CHECK(std::filesystem::read_symlink(sim.link()) == device);
  const int fd = ::open(sim.link().c_str(), O_RDWR | O_NOCTTY);
  CHECK(fd >= 0);
  if (fd >= 0) ::close(fd);
  const ProcessResult r = sim.stop();
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("ready (1 module(s), m6e"));
  CHECK_THAT(r.err, Catch::Contains("ptys 1"));
  // The link goes with the simulator.
  CHECK_FALSE(std::filesystem::exists(std::filesystem::symlink_status(sim.link())));
  CHECK(read_text(dir / "truth.csv").find("traveler_id") != std::string::npos);
}

TEST_CASE("serial sim: a hangup closes the pty under the host and re-points the link") {
  TempDir dir("mercury-sim");
  SerialSimProcess sim(dir, {"--speed", "10", "--fault", "hangup@5s+5s"});
  // The host has the module open when it is unplugged.
  const int host = ::open(sim.link().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
  REQUIRE(host >= 0);
  bool vanished = false;
  for (int i = 0; i < 200 && !vanished; ++i) {
    vanished = !std::filesystem::exists(std::filesystem::symlink_status(sim.link()));
    if (!vanished) ::usleep(10'000);
  }
  CHECK(vanished);
  // Its descriptor now reads a hang-up (EIO or end of file), never "no data yet".
  char byte = 0;
  const ssize_t n = ::read(host, &byte, 1);
  CHECK((n == 0 || (n < 0 && errno == EIO)));
  ::close(host);
  bool back = false;
  for (int i = 0; i < 300 && !back; ++i) {
    back = std::filesystem::is_symlink(sim.link());
    if (!back) ::usleep(10'000);
  }
  REQUIRE(back);
  // The ready file names the new device (Linux may reuse the pty number).
  std::string device;
  for (int i = 0; i < 100; ++i) {
    device = sim.device();
    if (device == std::filesystem::read_symlink(sim.link()).string()) break;
    ::usleep(10'000);
  }
  CHECK(device == std::filesystem::read_symlink(sim.link()).string());
  const int again = ::open(sim.link().c_str(), O_RDWR | O_NOCTTY);
  CHECK(again >= 0);
  if (again >= 0) ::close(again);
  const ProcessResult r = sim.stop();
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Catch::Contains("ptys 2"));
}

TEST_CASE("serial sim: bad options exit 2 with one line") {
  TempDir dir("mercury-sim");
  struct Bad {
    std::vector<std::string> args;
    std::string says;
  };
  const Bad cases[] = {
      {{"--fault", "hangup@5s"}, "hangup needs a duration"},
      {{"--lanes", "2", "--link", (dir / "m").string()}, "put {lane} in it"},
      {{"--lanes", "2", "--lane", "3"}, "--lane 3 but the model has 2 lane(s)"},
      {{"--link", "/nonexistent-garita/m"}, "does not exist"},
      {{"--model", "m5e"}, "--model"},
  };
  for (const Bad& b : cases) {
    std::vector<std::string> argv = {GARITA_SIM, "serial"};
    argv.insert(argv.end(), b.args.begin(), b.args.end());
    const ProcessResult r = run_process(argv, 10s);
    INFO(b.says << " / " << r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(b.says));
  }
}

TEST_CASE("serial sim: --duration ends the run; one module per lane with {lane} links") {
  TempDir dir("mercury-sim");
  const ProcessResult r =
      run_process({GARITA_SIM, "serial", "--lanes", "2", "--link",
                   (dir / "mercury-{lane}").string(), "--speed", "50", "--duration", "5", "--rate",
                   "30", "--preset", "clean", "--sent-log", (dir / "sent.csv").string()},
                  20s);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("lane 1 module on /dev/pts/"));
  CHECK_THAT(r.out, Catch::Contains("lane 2 module on /dev/pts/"));
  CHECK_THAT(r.out, Catch::Contains((dir / "mercury-2").string()));
  // Nobody booted the modules: every read is not_read/module_booting.
  const auto rows = read_sent_log(dir / "sent.csv");
  REQUIRE_FALSE(rows.empty());
  for (const SentRow& row : rows) CHECK(row.detail == "module_booting");
}

// The sent log both reader simulators write (garita/sim/SentLogWriter.hpp).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ScratchFiles.hpp"
#include "garita/common/Errc.hpp"
#include "garita/sim/SentLogWriter.hpp"

using namespace garita::sim;
using garita::sim::llrp::TagLogRow;
using garita::sim::llrp::TagOutcome;

namespace {

TagLogRow sample_row(TagOutcome outcome) {
  TagLogRow row;
  row.time_us = 1'700'000'000'123'456;
  row.outcome = outcome;
  row.detail = outcome == TagOutcome::sent ? "" : "simulator_exit";
  row.connection = 2;
  row.message_id = 77;
  row.tag.lane = 3;
  row.tag.antenna = 1;
  row.tag.epc_len = 2;
  row.tag.epc[0] = 0xE2;
  row.tag.epc[1] = 0x0a;
  row.tag.first_seen_us = 10;
  row.tag.last_seen_us = 20;
  row.tag.seen_count = 4;
  row.tag.peak_rssi_dbm = -61;
  row.tag.first_channel = 7;
  row.tag.tid_len = 1;
  row.tag.tid[0] = 0xff;
  return row;
}

}  // namespace

TEST_CASE("sent log: rows carry connection and message id only when sent") {
  std::string out;
  append_sent_log_row(out, sample_row(TagOutcome::sent));
  CHECK(out == "1700000000123456,3,1,E20A,10,20,4,-61,7,FF,sent,,2,77\n");
  out.clear();
  append_sent_log_row(out, sample_row(TagOutcome::lost));
  CHECK(out == "1700000000123456,3,1,E20A,10,20,4,-61,7,FF,lost,simulator_exit,,\n");
  out.clear();
  TagLogRow bare = sample_row(TagOutcome::not_read);
  bare.tag.tid_len = 0;
  append_sent_log_row(out, bare);
  CHECK(out == "1700000000123456,3,1,E20A,10,20,4,-61,7,,not_read,simulator_exit,,\n");
}

TEST_CASE("sent log: the preamble, the header, then the rows") {
  garita::test::ScratchFile file("sim-reader-sent.csv");
  SentLogWriter writer;
  CHECK_FALSE(writer.is_open());
  writer.record(sample_row(TagOutcome::sent));  // not open: ignored
  REQUIRE_FALSE(writer.open(file.path, "# a preamble\n# second line\n"));
  CHECK(writer.is_open());
  // open() writes the preamble at once, so a test can see the file.
  CHECK(garita::test::read_whole_file(file.path) ==
        "# a preamble\n# second line\n" + std::string(kSentLogHeader));
  writer.record(sample_row(TagOutcome::sent));
  REQUIRE_FALSE(writer.flush());
  writer.record(sample_row(TagOutcome::lost));
  REQUIRE_FALSE(writer.close());
  CHECK_FALSE(writer.is_open());
  CHECK(garita::test::read_whole_file(file.path) ==
        "# a preamble\n# second line\n" + std::string(kSentLogHeader) +
            "1700000000123456,3,1,E20A,10,20,4,-61,7,FF,sent,,2,77\n"
            "1700000000123456,3,1,E20A,10,20,4,-61,7,FF,lost,simulator_exit,,\n");
  CHECK(kSentLogHeader ==
        "time_us,lane,antenna,epc,first_seen_us,last_seen_us,seen_count,peak_rssi_dbm,channel,tid,"
        "outcome,detail,connection,message_id\n");
}

TEST_CASE("sent log: a file that cannot be created is an io_error") {
  SentLogWriter writer;
  CHECK(writer.open("/nonexistent-garita-dir/sent.csv", "# x\n") == garita::Errc::io_error);
  CHECK_FALSE(writer.is_open());
  CHECK_FALSE(writer.flush());
  CHECK_FALSE(writer.close());
}

TEST_CASE("sent log: a write that fails is reported by flush and close") {
  REQUIRE(std::filesystem::exists("/dev/full"));
  SentLogWriter writer;
  // /dev/full accepts open() and fails every write with ENOSPC.
  CHECK(writer.open("/dev/full", "# x\n") == garita::Errc::io_error);
  writer.record(sample_row(TagOutcome::sent));
  CHECK(writer.flush() == garita::Errc::io_error);
  CHECK(writer.close() == garita::Errc::io_error);
}

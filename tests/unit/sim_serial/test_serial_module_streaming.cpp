// Continuous reading: streamed tag records with metadata and the embedded
// TID, keep-alives and stats, the sent log, and what each fault does to it.
#include <catch2/catch.hpp>

#include "SimSerialTestSupport.hpp"
#include "garita/hal/mercury/ModuleStatus.hpp"
#include "garita/hal/mercury/StreamMessages.hpp"

using namespace garita::sim::serial;
using namespace garita::sim::serial::test;
namespace mercury = garita::hal::mercury;
using garita::sim::llrp::TagOutcome;

namespace {

mercury::StreamTagRead decode_record(const Sent& s) {
  REQUIRE(s.decoded);
  mercury::ReaderFrame rf{s.opcode, s.status, s.data, true};
  REQUIRE(mercury::classify_stream_frame(rf) == mercury::StreamFrameKind::tag_read);
  mercury::StreamTagRead r;
  REQUIRE_FALSE(mercury::decode_stream_tag_read(rf, r));
  return r;
}

std::size_t count_kind(const std::vector<Sent>& frames, OutgoingFrame::Kind kind) {
  return static_cast<std::size_t>(std::count_if(
      frames.begin(), frames.end(), [kind](const Sent& s) { return s.frame.kind == kind; }));
}

}  // namespace

TEST_CASE("serial module: gen2_stored_crc is CRC-16/GENIBUS") {
  // The catalogue check value of CRC-16/GENIBUS over "123456789" is 0xD64E.
  const std::uint8_t rest[] = {'3', '4', '5', '6', '7', '8', '9'};
  CHECK(gen2_stored_crc(0x3132, rest) == 0xD64E);
  CHECK(channel_frequency_khz(1) == 902'750);
  CHECK(channel_frequency_khz(50) == 927'250);
}

TEST_CASE("serial module: a streamed record carries the read, its metadata and the TID") {
  Bench b;
  b.start_streaming();
  b.now += 1'234'000;
  b.module.on_observation(make_read(b.now, 2, 7, -61, 12));
  auto frames = b.drain();
  // The first search cycle (1 s) ended without tags: its keep-alive first.
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].frame.kind == OutgoingFrame::Kind::keep_alive);
  frames.erase(frames.begin());
  const mercury::StreamTagRead r = decode_record(frames[0]);
  CHECK(r.read_count == 1);
  CHECK(r.rssi_dbm == -61);
  CHECK(r.antenna == 0x22);
  CHECK(r.antenna_number() == 2);
  CHECK(r.frequency_khz == channel_frequency_khz(12));
  CHECK(r.timestamp_ms == 234);  // since the keep-alive that ended the first cycle
  CHECK(r.protocol == 0x05);
  CHECK(r.pc == 0x3000);
  REQUIRE(r.epc.size() == 12);
  CHECK(r.epc.view()[11] == 7);
  REQUIRE(r.data.size() == 12);  // six TID words
  CHECK(r.data.view()[0] == 0xE2);
  CHECK(r.data.view()[11] == 7);
  CHECK(r.tag_crc == gen2_stored_crc(0x3000, r.epc.view()));

  REQUIRE(b.log.rows.size() == 1);
  const TagLogRow& row = b.log.rows[0];
  CHECK(row.outcome == TagOutcome::sent);
  CHECK(row.tag.antenna == 2);
  CHECK(row.tag.tid_len == 12);
  CHECK(row.connection == 1);
  CHECK(row.message_id == frames[0].frame.frame_number);
  CHECK(row.tag.first_seen_us == b.now);
}

TEST_CASE("serial module: timestamps count from the search start, then from each keep-alive") {
  Bench b;
  mercury::ContinuousReadPlan plan;
  plan.cycle_timeout_ms = 1000;
  b.start_streaming(plan);
  const std::int64_t start = b.now;
  b.module.on_observation(make_read(start + 400'000, 1, 1));
  // That cycle had a tag: no keep-alive, the timer keeps counting.
  b.module.on_observation(make_read(start + 1'700'000, 1, 2));
  // Cycle 2 (1.0-2.0 s) had a tag too; cycle 3 (2.0-3.0 s) is quiet: keep-alive at 3.0 s.
  b.module.on_observation(make_read(start + 3'250'000, 1, 3));
  std::vector<std::uint32_t> stamps;
  for (const Sent& s : b.drain()) {
    if (s.frame.kind == OutgoingFrame::Kind::tag_record)
      stamps.push_back(*decode_record(s).timestamp_ms);
  }
  CHECK(stamps == std::vector<std::uint32_t>{400, 1700, 250});
}

TEST_CASE("serial module: no TID without an embedded read, or when TIDs are unreadable") {
  SECTION("plan without TID words") {
    Bench b;
    mercury::ContinuousReadPlan plan;
    plan.tid_words = 0;
    b.start_streaming(plan);
    b.module.on_observation(make_read(b.now, 1));
    const auto frames = b.drain();
    REQUIRE(frames.size() == 1);
    CHECK(decode_record(frames[0]).data.empty());
    CHECK(b.log.rows.at(0).tag.tid_len == 0);
  }
  SECTION("--tid no") {
    ModuleOptions o;
    o.tid_readable = false;
    Bench b(o);
    b.start_streaming();
    b.module.on_observation(make_read(b.now, 1));
    const auto frames = b.drain();
    REQUIRE(frames.size() == 1);
    CHECK(decode_record(frames[0]).data.empty());
    CHECK(b.log.rows.at(0).tag.tid_len == 0);
  }
}

TEST_CASE("serial module: reads while not streaming are logged not_read with the reason") {
  Bench b;
  b.module.on_observation(make_read(b.now, 1));
  CHECK(b.log.count(TagOutcome::not_read, detail::module_booting) == 1);
  b.boot_and_configure();
  b.module.on_observation(make_read(b.now, 1));
  CHECK(b.log.count(TagOutcome::not_read, detail::not_streaming) == 1);
  // Antenna 1 only: antenna 2's reads are not in the search list.
  const std::uint8_t one[] = {1};
  REQUIRE(b.transact(mercury::make_set_antenna_ports_command(one)).status == 0);
  REQUIRE(b.transact(mercury::make_start_continuous_read_command({})).status == 0);
  b.module.on_observation(make_read(b.now, 2));
  CHECK(b.log.count(TagOutcome::not_read, detail::antenna_not_selected) == 1);
  b.module.on_observation(make_read(b.now, 1));
  CHECK(b.drain().size() == 1);
  CHECK(b.log.count(TagOutcome::sent) == 1);
  CHECK(b.module.counters().reads_not_read == 3);
}

TEST_CASE("serial module: keep-alive once per cycle without tags, stats every 5 s") {
  Bench b;
  mercury::ContinuousReadPlan plan;
  plan.cycle_timeout_ms = 500;
  b.start_streaming(plan);
  // A cycle with a tag: no keep-alive for it.
  b.module.on_observation(make_read(b.now + 100'000, 1));
  b.advance(500'000);
  auto frames = b.drain();
  CHECK(count_kind(frames, OutgoingFrame::Kind::tag_record) == 1);
  CHECK(count_kind(frames, OutgoingFrame::Kind::keep_alive) == 0);
  // Nine quiet cycles: nine keep-alives ("no tags found", no data), and the
  // 5 s stats report with a temperature.
  b.advance(4'500'000);
  frames = b.drain();
  CHECK(count_kind(frames, OutgoingFrame::Kind::keep_alive) == 9);
  REQUIRE(count_kind(frames, OutgoingFrame::Kind::stats) == 1);
  for (const Sent& s : frames) {
    mercury::ReaderFrame rf{s.opcode, s.status, s.data, true};
    if (s.frame.kind == OutgoingFrame::Kind::keep_alive) {
      CHECK(mercury::classify_stream_frame(rf) == mercury::StreamFrameKind::keep_alive);
      CHECK(s.status == static_cast<std::uint16_t>(mercury::ModuleStatus::no_tags_found));
    }
    if (s.frame.kind == OutgoingFrame::Kind::stats) {
      CHECK(mercury::classify_stream_frame(rf) == mercury::StreamFrameKind::stats_report);
      mercury::ModuleStats stats;
      REQUIRE_FALSE(mercury::decode_stats_report(rf, stats));
      REQUIRE(stats.temperature_c.has_value());
      CHECK(*stats.temperature_c >= 25);
      CHECK(stats.protocol == 0x05);
    }
  }
  CHECK(b.module.counters().keep_alives == 9);
}

TEST_CASE("serial module: stop ends the stream after the records already queued") {
  Bench b;
  b.start_streaming();
  b.module.on_observation(make_read(b.now, 1, 1));
  b.module.on_observation(make_read(b.now, 2, 2));
  b.send(mercury::make_stop_continuous_read_command());
  const auto frames = b.drain();
  REQUIRE(frames.size() == 3);
  CHECK(frames[0].frame.kind == OutgoingFrame::Kind::tag_record);
  CHECK(frames[1].frame.kind == OutgoingFrame::Kind::tag_record);
  CHECK(frames[2].opcode == 0x2F);
  CHECK(frames[2].status == 0);
  CHECK_FALSE(b.module.streaming());
  b.advance(10'000'000);
  CHECK(b.drain().empty());  // no keep-alives once stopped
  b.module.on_observation(make_read(b.now, 1));
  CHECK(b.log.count(TagOutcome::not_read, detail::not_streaming) == 1);
}

TEST_CASE("serial module: a second start while streaming is refused") {
  Bench b;
  b.start_streaming();
  CHECK(b.transact(mercury::make_start_continuous_read_command({})).status ==
        static_cast<std::uint16_t>(mercury::ModuleStatus::ahal_transmitter_on));
  CHECK(b.module.streaming());
}

TEST_CASE("serial module: badcrc and truncate damage one frame; its read is logged lost") {
  SECTION("badcrc") {
    Bench b;
    b.start_streaming();
    b.module.corrupt_next_frame_crc();
    b.module.on_observation(make_read(b.now, 1, 1));
    b.module.on_observation(make_read(b.now, 1, 2));
    const auto frames = b.drain();
    REQUIRE(frames.size() == 2);
    CHECK_FALSE(frames[0].decoded);  // the CRC does not match
    CHECK(frames[1].decoded);
    CHECK(b.log.count(TagOutcome::lost, detail::bad_crc) == 1);
    CHECK(b.log.count(TagOutcome::sent) == 1);
  }
  SECTION("truncate") {
    Bench b;
    b.start_streaming();
    b.module.truncate_next_frame();
    b.module.on_observation(make_read(b.now, 1, 1));
    b.module.on_observation(make_read(b.now, 1, 2));
    const auto frames = b.drain();
    REQUIRE(frames.size() == 2);
    CHECK_FALSE(frames[0].decoded);
    CHECK(frames[0].frame.bytes.size() < frames[1].frame.bytes.size());
    CHECK(b.log.count(TagOutcome::lost, detail::truncated_frame) == 1);
    CHECK(b.log.count(TagOutcome::sent) == 1);
  }
}

TEST_CASE("serial module: junk goes between frames and costs no read") {
  Bench b;
  b.start_streaming();
  b.module.on_observation(make_read(b.now, 1, 1));
  b.module.inject_junk(b.now);
  b.module.on_observation(make_read(b.now, 1, 2));
  const auto frames = b.drain();
  REQUIRE(frames.size() == 3);
  CHECK(frames[1].frame.kind == OutgoingFrame::Kind::junk);
  CHECK(frames[1].frame.bytes.size() >= 3);
  // The host's lexer finds both records around the junk.
  std::vector<std::uint8_t> line;
  for (const Sent& s : frames) line.insert(line.end(), s.frame.bytes.begin(), s.frame.bytes.end());
  mercury::MercuryFrameLexer lexer(mercury::MercuryFrameLexer::Direction::reader_responses);
  std::size_t records = 0;
  lexer.feed(line, [&](const mercury::MercuryFrameLexer::Frame& f) {
    records += f.opcode == 0x22 && f.status == 0 ? 1U : 0U;
  });
  lexer.flush([&](const mercury::MercuryFrameLexer::Frame& f) {
    records += f.opcode == 0x22 && f.status == 0 ? 1U : 0U;
  });
  CHECK(records == 2);
  CHECK(b.log.count(TagOutcome::sent) == 2);
}

TEST_CASE("serial module: nocrc sends frames without CRC for a while") {
  Bench b;
  b.start_streaming();
  b.module.send_without_crc(b.now, b.now + 1'000'000);
  b.module.on_observation(make_read(b.now, 1, 1));
  auto frames = b.drain(false);
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].decoded);  // a valid frame for a host that expects no CRC
  CHECK(frames[0].frame.bytes.size() == frames[0].data.size() + 5);
  // A serial host requires the CRC, so the read counts as lost.
  CHECK(b.log.count(TagOutcome::lost, detail::no_crc) == 1);
  b.advance(1'000'000);
  b.module.on_observation(make_read(b.now, 1, 2));
  frames = b.drain();
  REQUIRE_FALSE(frames.empty());
  CHECK(frames.back().decoded);
  CHECK(b.log.count(TagOutcome::sent) == 1);
}

TEST_CASE("serial module: reboot loses queued records and stops streaming") {
  Bench b;
  b.start_streaming();
  b.module.on_observation(make_read(b.now, 1, 1));
  b.module.on_observation(make_read(b.now, 1, 2));
  b.module.reboot(b.now, b.now + 500'000);
  CHECK(b.log.count(TagOutcome::lost, detail::module_rebooted) == 2);
  CHECK(b.drain().empty());
  CHECK_FALSE(b.module.streaming());
  b.module.on_observation(make_read(b.now + 100'000, 1, 3));
  CHECK(b.log.count(TagOutcome::not_read, detail::module_booting) == 1);
  b.advance(500'000);
  CHECK(b.module.program() == ModuleProgram::bootloader);
  // The host must boot and configure again before reads flow.
  b.module.on_observation(make_read(b.now, 1, 4));
  CHECK(b.log.count(TagOutcome::not_read, detail::module_booting) == 2);
  b.start_streaming();
  b.module.on_observation(make_read(b.now, 1, 5));
  CHECK(b.drain().size() == 1);
  CHECK(b.log.count(TagOutcome::sent) == 1);
}

TEST_CASE("serial module: unplugged, written-but-unread and exit losses are logged") {
  Bench b;
  b.start_streaming();
  b.module.on_observation(make_read(b.now, 1, 1));
  b.module.on_observation(make_read(b.now, 1, 2));
  // The first went onto the line but the host never read it.
  auto first = b.module.pop_outgoing();
  REQUIRE(first);
  b.module.on_undelivered(*first, b.now, detail::unplugged);
  b.module.power_off(b.now);
  CHECK(b.log.count(TagOutcome::lost, detail::unplugged) == 2);
  CHECK(b.module.program() == ModuleProgram::off);
  b.module.power_on(b.now + 1'000'000);
  CHECK(b.module.program() == ModuleProgram::bootloader);
  b.now += 1'000'000;
  b.start_streaming();
  b.module.on_observation(make_read(b.now, 1, 3));
  b.module.finish(b.now);
  CHECK(b.log.count(TagOutcome::lost, detail::simulator_exit) == 1);
}

TEST_CASE("serial module: a host that does not read fills the record buffer, then reads are lost") {
  Bench b;
  b.start_streaming();
  for (std::size_t i = 0; i < SerialModule::kRecordBufferCapacity + 5; ++i) {
    b.module.on_observation(make_read(b.now, 1, static_cast<std::uint8_t>(i)));
  }
  CHECK(b.module.queued_records() == SerialModule::kRecordBufferCapacity);
  CHECK(b.log.count(TagOutcome::lost, detail::record_buffer_full) == 5);
}

// Known-answer tests: every real-reader capture in tests/data/llrp-captures
// decodes to exactly the values the LLRP Toolkit lists in the .xml beside it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "LlrpTestSupport.hpp"
#include "garita/common/Hex.hpp"
#include "garita/hal/llrp/FrameLexer.hpp"
#include "garita/hal/llrp/ReaderEventNotification.hpp"
#include "garita/hal/llrp/RoAccessReport.hpp"

using namespace garita::hal::llrp;
using namespace garita::hal::llrp::test;

namespace {

const std::vector<std::string> kCaptures = {
    "edgex_ROAccessReport-001.bin",       "edgex_ROAccessReport-002.bin",
    "edgex_ROAccessReport-003.bin",       "sllurp_issue115_zebra_ro.bin",
    "sllurp_issue160_ren_uptime.bin",     "sllurp_ren_decode.bin",
    "sllurp_ro_access_report_stream.bin",
};

// Frames every message of a capture with the lexer (one feed).
std::vector<std::vector<std::uint8_t>> frame_all(const std::vector<std::uint8_t>& bytes) {
  std::vector<std::vector<std::uint8_t>> messages;
  FrameLexer lexer;
  const auto ec = lexer.feed(
      bytes, [&](const MessageView& m) { messages.emplace_back(m.bytes.begin(), m.bytes.end()); });
  REQUIRE_FALSE(ec);
  REQUIRE(lexer.buffered_bytes() == 0);
  return messages;
}

MessageView view_of(const std::vector<std::uint8_t>& bytes) {
  MessageView view;
  REQUIRE_FALSE(parse_message(bytes, view));
  return view;
}

}  // namespace

TEST_CASE("every capture decodes to the values of its LTK XML decode") {
  for (const std::string& name : kCaptures) {
    INFO(name);
    const auto bytes = read_file_bytes(capture_path(name));
    REQUIRE(!bytes.empty());
    const auto expected = parse_ltk_xml(read_file_text(capture_path(name + ".xml")));
    const auto messages = frame_all(bytes);
    REQUIRE(messages.size() == expected.size());
    for (std::size_t i = 0; i < messages.size(); ++i) {
      INFO("message " << i);
      LtkMessage decoded;
      REQUIRE_FALSE(render_decoded(view_of(messages[i]), decoded));
      CHECK(decoded.name == expected[i].name);
      CHECK(decoded.message_id == expected[i].message_id);
      CHECK(decoded.leaves == expected[i].leaves);
    }
  }
}

TEST_CASE("the XML comparison really compares something") {
  // Guards the generic test above against a parser that finds no leaves.
  const auto expected =
      parse_ltk_xml(read_file_text(capture_path("sllurp_ro_access_report_stream.bin.xml")));
  REQUIRE(expected.size() == 45);
  std::size_t leaves = 0;
  for (const auto& m : expected) leaves += m.leaves.size();
  CHECK(leaves == 44 * 5 + 6);  // 44 EPC-96 reports of 5 leaves, one EPCData report of 6
}

TEST_CASE("EdgeX report 001: EPC-96, antenna, RSSI, first seen UTC") {
  const auto bytes = read_file_bytes(capture_path("edgex_ROAccessReport-001.bin"));
  const MessageView m = view_of(bytes);
  CHECK(m.header.version == 1);
  CHECK(m.header.type == MessageType::ro_access_report);
  CHECK(m.header.message_id == 1);
  TagReportReader reader(m);
  TagReport tag;
  REQUIRE(reader.next(tag));
  CHECK(garita::to_hex(tag.epc.bytes()) == "3000ABCDEF00000000000003");
  CHECK(tag.epc.bit_count == 96);
  CHECK(tag.antenna_id == 1);
  CHECK(tag.peak_rssi_dbm == -48);
  REQUIRE(tag.first_seen_utc_us);
  CHECK(format_utc_microseconds(*tag.first_seen_utc_us) == "2020-07-08T02:20:05.140192Z");
  CHECK_FALSE(tag.channel_index);
  CHECK_FALSE(tag.tag_seen_count);
  CHECK_FALSE(reader.next(tag));
  CHECK_FALSE(reader.error());
}

TEST_CASE("Zebra FX9600 report: ChannelIndex, LastSeenTimestampUTC, TagSeenCount") {
  const auto bytes = read_file_bytes(capture_path("sllurp_issue115_zebra_ro.bin"));
  const MessageView m = view_of(bytes);
  CHECK(m.header.message_id == 446);
  std::vector<TagReport> tags;
  REQUIRE_FALSE(for_each_tag_report(m, [&](const TagReport& t) { tags.push_back(t); }));
  REQUIRE(tags.size() == 1);
  CHECK(garita::to_hex(tags[0].epc.bytes()) == "E2005037590701270270EDAF");
  CHECK(tags[0].channel_index == 24);
  REQUIRE(tags[0].last_seen_utc_us);
  CHECK(format_utc_microseconds(*tags[0].last_seen_utc_us) == "2019-09-06T14:06:10.704026Z");
  CHECK(tags[0].tag_seen_count == 5374);
  CHECK_FALSE(tags[0].antenna_id);
  CHECK_FALSE(tags[0].first_seen_utc_us);
}

TEST_CASE("reader event with Uptime instead of UTC (no wall clock)") {
  const auto bytes = read_file_bytes(capture_path("sllurp_issue160_ren_uptime.bin"));
  ReaderEventNotification e;
  REQUIRE_FALSE(decode_reader_event_notification(view_of(bytes), e));
  CHECK(e.timestamp.is_uptime);
  CHECK(e.timestamp.microseconds == 3661366333u);
  CHECK(e.connection_attempt == ConnectionAttemptStatus::success);
  CHECK_FALSE(e.connection_close);
}

TEST_CASE("reader event with UTCTimestamp and ConnectionAttemptEvent") {
  const auto bytes = read_file_bytes(capture_path("sllurp_ren_decode.bin"));
  const MessageView m = view_of(bytes);
  CHECK(m.header.message_id == 179472585u);
  ReaderEventNotification e;
  REQUIRE_FALSE(decode_reader_event_notification(m, e));
  CHECK_FALSE(e.timestamp.is_uptime);
  CHECK(format_utc_microseconds(e.timestamp.microseconds) == "2014-05-01T09:33:30.740479Z");
  CHECK(e.connection_attempt == ConnectionAttemptStatus::success);
}

TEST_CASE("the 45-message stream: EPCData with a 144-bit EPC") {
  const auto messages =
      frame_all(read_file_bytes(capture_path("sllurp_ro_access_report_stream.bin")));
  REQUIRE(messages.size() == 45);
  int epc_data = 0;
  for (const auto& bytes : messages) {
    REQUIRE_FALSE(for_each_tag_report(view_of(bytes), [&](const TagReport& t) {
      if (t.epc.bit_count != 96) {
        ++epc_data;
        CHECK(t.epc.bit_count == 144);
        CHECK(garita::to_hex(t.epc.bytes()) == "1FB41F712AC9C37AB79D618173188324001A");
        CHECK(t.peak_rssi_dbm == -17);
      }
    }));
  }
  CHECK(epc_data == 1);
}

TEST_CASE("the 45-message stream through the lexer in chunks of 1, 7 and 1000 bytes") {
  const auto stream = read_file_bytes(capture_path("sllurp_ro_access_report_stream.bin"));
  const auto expected =
      parse_ltk_xml(read_file_text(capture_path("sllurp_ro_access_report_stream.bin.xml")));
  const auto whole = frame_all(stream);
  std::size_t longest = 0;
  for (const auto& m : whole) longest = std::max(longest, m.size());
  for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
    INFO("chunk size " << chunk);
    FrameLexer lexer;
    std::vector<std::vector<std::uint8_t>> got;
    for (std::size_t at = 0; at < stream.size(); at += chunk) {
      const std::span<const std::uint8_t> piece(stream.data() + at,
                                                std::min(chunk, stream.size() - at));
      REQUIRE_FALSE(lexer.feed(piece, [&](const MessageView& m) {
        LtkMessage decoded;
        REQUIRE_FALSE(render_decoded(m, decoded));
        REQUIRE(got.size() < expected.size());
        CHECK(decoded.leaves == expected[got.size()].leaves);
        CHECK(decoded.message_id == expected[got.size()].message_id);
        got.emplace_back(m.bytes.begin(), m.bytes.end());
      }));
      CHECK(lexer.buffered_bytes() < longest);  // never more than part of one message
    }
    CHECK(got == whole);
    CHECK(lexer.buffered_bytes() == 0);
  }
}

// Malformed input: truncations at every byte, mutated bytes, and each
// structural error the codec names. Nothing may crash or read out of bounds
// (this suite runs under ASan/UBSan); errors must be the documented ones.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "LlrpTestSupport.hpp"
#include "garita/common/Hex.hpp"
#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/BigEndian.hpp"
#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FrameLexer.hpp"
#include "garita/hal/llrp/Impinj.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ReaderCapabilities.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/ReaderEventNotification.hpp"
#include "garita/hal/llrp/RoAccessReport.hpp"
#include "garita/hal/llrp/RoSpec.hpp"
#include "garita/hal/llrp/StatusMessage.hpp"

using namespace garita::hal::llrp;
using namespace garita::hal::llrp::test;

namespace {

const std::vector<std::string> kCaptures = {
    "edgex_ROAccessReport-001.bin",       "edgex_ROAccessReport-002.bin",
    "edgex_ROAccessReport-003.bin",       "sllurp_issue115_zebra_ro.bin",
    "sllurp_issue160_ren_uptime.bin",     "sllurp_ren_decode.bin",
    "sllurp_ro_access_report_stream.bin",
};

std::vector<std::vector<std::uint8_t>> split_messages(const std::vector<std::uint8_t>& stream) {
  std::vector<std::vector<std::uint8_t>> out;
  FrameLexer lexer;
  REQUIRE_FALSE(lexer.feed(
      stream, [&](const MessageView& m) { out.emplace_back(m.bytes.begin(), m.bytes.end()); }));
  return out;
}

// Every real and encoded message the tests know, one per entry.
std::vector<std::vector<std::uint8_t>> corpus() {
  std::vector<std::vector<std::uint8_t>> all;
  for (const auto& name : kCaptures) {
    for (auto& m : split_messages(read_file_bytes(capture_path(name)))) all.push_back(std::move(m));
  }
  auto add = [&](auto encode) {
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode(out));
    all.push_back(std::move(out));
  };
  LlrpStatus status;
  status.code = StatusCode::p_field_error;
  status.error_description = "x";
  status.field_error = FieldError{1, StatusCode::a_invalid};
  status.parameter_errors = {
      {177, StatusCode::p_parameter_error, FieldError{0, StatusCode::a_out_of_range}},
      {178, StatusCode::p_missing_parameter, std::nullopt}};
  add([&](auto& o) { return encode_status_message(o, MessageType::error_message, 1, status); });
  add([&](auto& o) { return encode_empty_message(o, MessageType::keepalive, 2); });
  add([&](auto& o) { return encode_get_reader_capabilities(o, 3, CapabilitiesRequest::all); });
  ReaderCapabilities caps;
  caps.general = GeneralDeviceCapabilities{2, true, false, 25882, 1, "fw", {{1, 0}}, 2, 2};
  caps.llrp = LlrpCapabilities{};
  RegulatoryCapabilities reg;
  reg.transmit_power_levels = {{1, 1000}};
  reg.hop_tables = {{1, {902750}}};
  reg.fixed_frequencies_khz = {865700};
  reg.rf_modes = {C1G2RfMode{}};
  caps.regulatory = reg;
  caps.c1g2 = C1G2LlrpCapabilities{};
  add([&](auto& o) { return encode_get_reader_capabilities_response(o, 4, caps); });
  RoSpec spec;
  spec.id = 1;
  spec.start_trigger = RoSpecStartTrigger{RoSpecStartTriggerType::periodic,
                                          PeriodicTriggerValue{1, 2, 3}, std::nullopt};
  spec.stop_trigger =
      RoSpecStopTrigger{RoSpecStopTriggerType::gpi_with_timeout, 0, GpiTriggerValue{1, true, 5}};
  AiSpec ai;
  ai.antenna_ids = {0};
  ai.stop_trigger.tag_observation = TagObservationTrigger{0, 1, 2, 3, 4};
  InventoryParameterSpec ips;
  ips.antenna_configurations.push_back(AntennaConfiguration{
      1, RfReceiver{1}, RfTransmitter{1, 0, 10},
      C1G2InventoryCommand{false, C1G2RfControl{1, 0}, C1G2SingulationControl{2, 4, 0}}});
  ai.inventory_parameter_specs.push_back(ips);
  spec.ai_specs.push_back(ai);
  RoReportSpec report;
  report.content.enable_antenna_id = true;
  report.content.c1g2_epc_memory_selector = C1G2EpcMemorySelector{true, true, true};
  report.impinj = ImpinjTagReportContentSelector{true};
  spec.report_spec = report;
  add([&](auto& o) { return encode_add_rospec(o, 5, spec); });
  add([&](auto& o) {
    return encode_get_rospecs_response(o, 6, GetRoSpecsResponse{status, {spec}});
  });
  AccessSpec access;
  access.id = 1;
  C1G2TargetTag tag;
  tag.mask_bit_count = 8;
  tag.mask = {0xFF};
  tag.data_bit_count = 8;
  tag.data = {0x30};
  access.tag_patterns = {tag};
  access.reads = {C1G2Read{1, 0, MemoryBank::tid, 0, 6}};
  access.report_spec = AccessReportSpec{};
  add([&](auto& o) { return encode_add_accessspec(o, 7, access); });
  add([&](auto& o) {
    return encode_get_accessspecs_response(o, 8, GetAccessSpecsResponse{status, {access}});
  });
  SetReaderConfig set;
  set.config.keepalive_spec = KeepaliveSpec{KeepaliveTrigger::periodic, 1};
  set.config.reader_event_notification_spec =
      ReaderEventNotificationSpec{{{ReaderEventType::antenna_event, true}}};
  set.config.ro_report_spec = report;
  set.config.gpo_write_data = {{1, true}};
  set.config.gpi_port_states = {{1, true, GpiState::high}};
  set.config.events_and_reports = EventsAndReports{true};
  set.config.access_report_spec = AccessReportSpec{};
  set.config.antenna_properties = {{true, 1, 5}};
  set.config.antenna_configurations = ips.antenna_configurations;
  add([&](auto& o) { return encode_set_reader_config(o, 9, set); });
  GetReaderConfigResponse got;
  got.status = status;
  got.config = set.config;
  got.config.identification = Identification{IdentificationType::epc, {1, 2, 3}};
  got.config.llrp_configuration_state_value = 5;
  add([&](auto& o) { return encode_get_reader_config_response(o, 10, got); });
  add([&](auto& o) { return encode_get_reader_config(o, 11, GetReaderConfig{}); });
  ReaderEventNotification e;
  e.hopping = HoppingEvent{1, 2};
  e.gpi = GpiEvent{1, true};
  e.ro_spec = RoSpecEvent{};
  e.report_buffer_level_warning_percent = 1;
  e.report_buffer_overflow = true;
  e.reader_exception = ReaderExceptionEvent{"m", 1, 2, 3, 4, 5, 6};
  e.ai_spec = AiSpecEvent{};
  e.antenna = AntennaEvent{};
  e.connection_attempt = ConnectionAttemptStatus::success;
  e.connection_close = true;
  add([&](auto& o) { return encode_reader_event_notification(o, 12, e); });
  TagReport t;
  const std::uint8_t epc[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  t.epc.assign(epc, 128);
  t.antenna_id = 1;
  t.first_seen_uptime_us = 5;
  t.pc_bits = 0x4000;
  t.read_results[0].data.assign(std::span<const std::uint8_t>(epc, 12));
  t.read_result_count = 1;
  t.impinj_serialized_tid.emplace().assign(std::span<const std::uint8_t>(epc, 12));
  const std::vector<TagReport> tags = {t, t};
  add([&](auto& o) { return encode_ro_access_report(o, 13, tags); });
  add([&](auto& o) { return encode_impinj_enable_extensions(o, 14); });
  add([&](auto& o) { return encode_impinj_enable_extensions_response(o, 15, status); });
  add([&](auto& o) { return encode_rospec_command(o, MessageType::start_rospec, 16, 1); });
  add([&](auto& o) { return encode_accessspec_command(o, MessageType::enable_accessspec, 17, 1); });
  return all;
}

std::error_code decode_bytes(const std::vector<std::uint8_t>& bytes) {
  MessageView view;
  if (auto ec = parse_message(bytes, view)) return ec;
  return decode_any(view);
}

}  // namespace

TEST_CASE("every message of the corpus decodes whole") {
  for (const auto& m : corpus()) {
    INFO(garita::to_hex(m));
    CHECK_FALSE(decode_bytes(m));
  }
}

TEST_CASE("truncation at every byte: the lexer waits, decoders fail cleanly") {
  for (const auto& m : corpus()) {
    INFO(garita::to_hex(m));
    for (std::size_t k = 0; k < m.size(); ++k) {
      // As a stream prefix: need more data, never a message or an error.
      FrameLexer lexer;
      bool got = false;
      REQUIRE_FALSE(lexer.feed(std::span(m).first(k), [&](const MessageView&) { got = true; }));
      CHECK_FALSE(got);
      CHECK(lexer.buffered_bytes() == k);
      // As a well-framed message whose body was cut: decoding never crashes.
      if (k >= kMessageHeaderSize) (void)decode_bytes(truncated_copy(m, k));
    }
  }
}

TEST_CASE("truncating a one-tag report anywhere inside its TagReportData is an error") {
  for (const char* name : {"edgex_ROAccessReport-001.bin", "sllurp_issue115_zebra_ro.bin"}) {
    INFO(name);
    const auto m = read_file_bytes(capture_path(name));
    for (std::size_t k = kMessageHeaderSize + 1; k < m.size(); ++k) {
      INFO("cut at " << k);
      const auto cut = truncated_copy(m, k);
      MessageView view;
      REQUIRE_FALSE(parse_message(cut, view));
      const auto ec = for_each_tag_report(view, [](const TagReport&) {});
      CHECK((ec == Errc::parameter_truncated || ec == Errc::parameter_overruns_parent));
    }
    // Cut right after the header: a valid, empty report.
    const auto empty = truncated_copy(m, kMessageHeaderSize);
    MessageView view;
    REQUIRE_FALSE(parse_message(empty, view));
    int tags = 0;
    CHECK_FALSE(for_each_tag_report(view, [&](const TagReport&) { ++tags; }));
    CHECK(tags == 0);
  }
}

TEST_CASE("mutating any byte never crashes a decoder") {
  for (const auto& m : corpus()) {
    for (std::size_t i = 0; i < m.size(); ++i) {
      for (const std::uint8_t value :
           {std::uint8_t{0x00}, std::uint8_t{0xFF}, static_cast<std::uint8_t>(m[i] ^ 0x80),
            static_cast<std::uint8_t>(m[i] + 1)}) {
        auto copy = m;
        copy[i] = value;
        (void)decode_bytes(copy);
        FrameLexer lexer;
        (void)lexer.feed(copy, [](const MessageView& v) { (void)decode_any(v); });
      }
    }
  }
}

TEST_CASE("bad version is refused by every decoder") {
  for (const auto& original : corpus()) {
    for (const unsigned version : {0u, 3u, 7u}) {
      auto m = original;
      m[0] = static_cast<std::uint8_t>((m[0] & 0xE3u) | (version << 2));
      MessageView view;
      CHECK(parse_message(m, view) == Errc::unsupported_version);
      // A view framed by the lexer (which does not check versions).
      view.header =
          read_message_header(std::span<const std::uint8_t>(m).first<kMessageHeaderSize>());
      view.bytes = m;
      const auto ec = decode_any(view);
      if (view.header.type == MessageType::custom_message || is_status_message(view.header.type) ||
          view.header.type == MessageType::ro_access_report) {
        CHECK(ec == Errc::unsupported_version);
      }
    }
  }
}

namespace {

// An RO_ACCESS_REPORT whose only TagReportData body is `trd_body`.
std::vector<std::uint8_t> report_with(const std::vector<std::uint8_t>& trd_body) {
  std::vector<std::uint8_t> out;
  MessageWriter w(out, MessageType::ro_access_report, 1);
  const auto p = w.begin(ParameterType::tag_report_data);
  w.bytes(trd_body);
  w.end(p);
  REQUIRE_FALSE(w.finish());
  return out;
}

std::error_code decode_report(const std::vector<std::uint8_t>& bytes) {
  MessageView view;
  if (auto ec = parse_message(bytes, view)) return ec;
  return for_each_tag_report(view, [](const TagReport&) {});
}

const std::vector<std::uint8_t> kEpc96 = {0x8D, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

std::vector<std::uint8_t> plus(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("TagReportData structural errors") {
  CHECK_FALSE(decode_report(report_with(kEpc96)));
  CHECK(decode_report(report_with({0x81, 0x00, 0x01})) == Errc::missing_parameter);
  CHECK(decode_report(report_with(plus(kEpc96, kEpc96))) == Errc::duplicate_parameter);
  CHECK(decode_report(report_with(plus(kEpc96, {0xA0, 0x00}))) == Errc::unknown_tv_type);
  // A TLV inside TagReportData claiming more bytes than TagReportData holds.
  CHECK(decode_report(report_with(plus(kEpc96, {0x01, 0x5D, 0x00, 0x20, 0x00, 0x00}))) ==
        Errc::parameter_overruns_parent);
  // EPCData claiming 96 bits but carrying 2 bytes.
  CHECK(decode_report(report_with({0x00, 0xF1, 0x00, 0x08, 0x00, 0x60, 0xAA, 0xBB})) ==
        Errc::field_truncated);
  // EPCData of 63 bytes: longer than any Gen2 EPC.
  std::vector<std::uint8_t> huge = {0x00, 0xF1, 0x00, 4 + 2 + 63, 0x01, 0xF8};
  huge.resize(huge.size() + 63, 0xEE);
  CHECK(decode_report(report_with(huge)) == Errc::value_too_large);
  // C1G2ReadOpSpecResult whose word count runs past its end.
  CHECK(decode_report(report_with(plus(kEpc96, {0x01, 0x5D, 0x00, 0x0B, 0x00, 0x00, 0x01, 0x00,
                                                0x05, 0xAA, 0xBB}))) == Errc::field_truncated);
  // A TV at the top level of RO_ACCESS_REPORT.
  std::vector<std::uint8_t> top;
  MessageWriter w(top, MessageType::ro_access_report, 1);
  w.tv_u16(ParameterType::antenna_id, 1);
  REQUIRE_FALSE(w.finish());
  CHECK(decode_report(top) == Errc::unexpected_parameter);
}

TEST_CASE("a message of another type is refused") {
  std::vector<std::uint8_t> keepalive;
  REQUIRE_FALSE(encode_empty_message(keepalive, MessageType::keepalive, 1));
  MessageView view;
  REQUIRE_FALSE(parse_message(keepalive, view));
  CHECK(for_each_tag_report(view, [](const TagReport&) {}) == Errc::wrong_message_type);
  ReaderEventNotification e;
  CHECK(decode_reader_event_notification(view, e) == Errc::wrong_message_type);
  LlrpStatus s;
  CHECK(decode_status_message(view, s) == Errc::wrong_message_type);
  RoSpec r;
  CHECK(decode_add_rospec(view, r) == Errc::wrong_message_type);
  CHECK(decode_empty_message(view, MessageType::keepalive_ack) == Errc::wrong_message_type);
  CHECK(decode_impinj_enable_extensions(view) == Errc::wrong_message_type);

  std::vector<std::uint8_t> other_vendor;
  MessageWriter w(other_vendor, MessageType::custom_message, 1);
  w.u32(161);  // Motorola/Zebra
  w.u8(21);
  w.u32(0);
  REQUIRE_FALSE(w.finish());
  REQUIRE_FALSE(parse_message(other_vendor, view));
  CHECK(decode_impinj_enable_extensions(view) == Errc::wrong_message_type);
}

TEST_CASE("READER_EVENT_NOTIFICATION structural errors") {
  auto decode = [](const std::vector<std::uint8_t>& data_body) {
    std::vector<std::uint8_t> out;
    MessageWriter w(out, MessageType::reader_event_notification, 1);
    const auto p = w.begin(ParameterType::reader_event_notification_data);
    w.bytes(data_body);
    w.end(p);
    REQUIRE_FALSE(w.finish());
    MessageView view;
    REQUIRE_FALSE(parse_message(out, view));
    ReaderEventNotification e;
    return decode_reader_event_notification(view, e);
  };
  const std::vector<std::uint8_t> utc = {0x00, 0x80, 0x00, 0x0C, 0, 0, 0, 0, 0, 0, 0, 1};
  const std::vector<std::uint8_t> uptime = {0x00, 0x81, 0x00, 0x0C, 0, 0, 0, 0, 0, 0, 0, 1};
  CHECK_FALSE(decode(utc));
  CHECK(decode({0x01, 0x00, 0x00, 0x06, 0x00, 0x00}) == Errc::missing_parameter);
  CHECK(decode(plus(utc, uptime)) == Errc::duplicate_parameter);
  CHECK(decode({0x00, 0x80, 0x00, 0x08, 0, 0, 0, 0}) == Errc::field_truncated);
  CHECK(decode(plus(utc, {0x01, 0x00, 0x00, 0x05, 0x00})) == Errc::field_truncated);

  std::vector<std::uint8_t> none;
  MessageWriter w(none, MessageType::reader_event_notification, 1);
  REQUIRE_FALSE(w.finish());
  MessageView view;
  REQUIRE_FALSE(parse_message(none, view));
  ReaderEventNotification e;
  CHECK(decode_reader_event_notification(view, e) == Errc::missing_parameter);
}

TEST_CASE("status messages: missing status, deep ParameterError nesting") {
  std::vector<std::uint8_t> out;
  {
    MessageWriter w(out, MessageType::add_rospec_response, 1);
    REQUIRE_FALSE(w.finish());
  }
  MessageView view;
  REQUIRE_FALSE(parse_message(out, view));
  LlrpStatus s;
  CHECK(decode_status_message(view, s) == Errc::missing_parameter);

  // 40 nested ParameterErrors: decoded iteratively, refused past the limit.
  out.clear();
  {
    MessageWriter w(out, MessageType::error_message, 2);
    const auto status = w.begin(ParameterType::llrp_status);
    w.u16(100);
    w.u16(0);
    std::vector<MessageWriter::ParameterStart> open;
    for (int i = 0; i < 40; ++i) {
      open.push_back(w.begin(ParameterType::parameter_error));
      w.u16(177);
      w.u16(200);
    }
    while (!open.empty()) {
      w.end(open.back());
      open.pop_back();
    }
    w.end(status);
    REQUIRE_FALSE(w.finish());
  }
  REQUIRE_FALSE(parse_message(out, view));
  CHECK(decode_status_message(view, s) == Errc::nesting_too_deep);

  LlrpStatus too_deep;
  too_deep.parameter_errors.resize(kMaxParameterErrorDepth + 1);
  out.clear();
  CHECK(encode_status_message(out, MessageType::error_message, 1, too_deep) ==
        Errc::nesting_too_deep);
  CHECK(out.empty());
}

TEST_CASE("the error category names itself and every code") {
  const std::error_code ec = Errc::parameter_overruns_parent;
  CHECK(std::string(ec.category().name()) == "llrp");
  CHECK(ec.message() == "parameter length overruns its parent");
  for (int i = 1; i <= static_cast<int>(Errc::nesting_too_deep); ++i) {
    CHECK(std::error_code(i, llrp_category()).message().find("unknown llrp error") ==
          std::string::npos);
  }
  CHECK(std::error_code(999, llrp_category()).message() == "unknown llrp error 999");
}

TEST_CASE("every fuzz seed frames and decodes") {
  const std::filesystem::path dir =
      std::filesystem::path(GARITA_TEST_DATA) / ".." / "fuzz" / "corpus" / "llrp";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    INFO(entry.path().string());
    const auto bytes = read_file_bytes(entry.path().string());
    FrameLexer lexer;
    std::size_t messages = 0;
    REQUIRE_FALSE(lexer.feed(bytes, [&](const MessageView& m) {
      ++messages;
      CHECK_FALSE(decode_any(m));
    }));
    CHECK(messages > 0);
    CHECK(lexer.buffered_bytes() == 0);
    ++files;
  }
  CHECK(files >= 20);
}

TEST_CASE("random multi-byte corruption never crashes (deterministic, bounded)") {
  std::uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&]() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (const auto& m : corpus()) {
    for (int round = 0; round < 300; ++round) {
      auto copy = m;
      const int edits = 1 + static_cast<int>(next() % 4);
      for (int e = 0; e < edits; ++e)
        copy[next() % copy.size()] = static_cast<std::uint8_t>(next());
      if (next() % 4 == 0 && copy.size() > kMessageHeaderSize) {
        copy =
            truncated_copy(copy, kMessageHeaderSize + next() % (copy.size() - kMessageHeaderSize));
      }
      (void)decode_bytes(copy);
    }
  }
}

TEST_CASE("the whole corpus as one stream, split at random points, frames identically") {
  const auto messages = corpus();
  std::vector<std::uint8_t> stream;
  for (const auto& m : messages) stream.insert(stream.end(), m.begin(), m.end());
  std::uint64_t state = 12345;
  for (int trial = 0; trial < 50; ++trial) {
    FrameLexer lexer;
    std::vector<std::vector<std::uint8_t>> got;
    std::size_t at = 0;
    while (at < stream.size()) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const std::size_t n = std::min<std::size_t>(1 + (state >> 33) % 300, stream.size() - at);
      REQUIRE_FALSE(lexer.feed(std::span(stream).subspan(at, n), [&](const MessageView& v) {
        got.emplace_back(v.bytes.begin(), v.bytes.end());
      }));
      at += n;
    }
    CHECK(got == messages);
  }
}

// Encode -> frame -> decode round trips for every message the codec
// encodes, plus byte-exact checks of a few encodings against the spec.
#include <catch2/catch.hpp>

#include <vector>

#include "garita/common/Hex.hpp"
#include "garita/hal/llrp/AccessSpec.hpp"
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

namespace {

MessageView frame(const std::vector<std::uint8_t>& bytes) {
  MessageView view;
  REQUIRE_FALSE(parse_message(bytes, view));
  return view;
}

std::string hex(const std::vector<std::uint8_t>& bytes) { return garita::to_hex(bytes); }

std::vector<std::uint8_t> bytes_of(std::initializer_list<std::uint8_t> b) { return b; }

// The ROSpec a lane installs: immediate start, null stop, one AISpec over
// the lane's antennas, report every tag with the fields the lane logs.
RoSpec lane_rospec() {
  RoSpec spec;
  spec.id = 1;
  spec.priority = 0;
  spec.current_state = RoSpecState::disabled;
  spec.start_trigger.type = RoSpecStartTriggerType::immediate;
  spec.stop_trigger.type = RoSpecStopTriggerType::null;
  AiSpec ai;
  ai.antenna_ids = {1, 2};
  ai.stop_trigger.type = AiSpecStopTriggerType::null;
  InventoryParameterSpec ips;
  ips.id = 1;
  ips.protocol = AirProtocol::epc_global_class1_gen2;
  AntennaConfiguration ac;
  ac.antenna_id = 0;
  ac.rf_transmitter = RfTransmitter{1, 0, 81};
  ac.c1g2_inventory_command =
      C1G2InventoryCommand{false, C1G2RfControl{1002, 0}, C1G2SingulationControl{1, 32, 0}};
  ips.antenna_configurations.push_back(ac);
  ai.inventory_parameter_specs.push_back(ips);
  spec.ai_specs.push_back(ai);
  RoReportSpec report;
  report.trigger = RoReportTrigger::upon_n_tags_or_end_of_ai_spec;
  report.n = 1;
  report.content.enable_antenna_id = true;
  report.content.enable_peak_rssi = true;
  report.content.enable_channel_index = true;
  report.content.enable_first_seen_timestamp = true;
  report.content.enable_last_seen_timestamp = true;
  report.content.enable_tag_seen_count = true;
  report.content.enable_access_spec_id = true;
  report.content.c1g2_epc_memory_selector = C1G2EpcMemorySelector{false, true, false};
  report.impinj = ImpinjTagReportContentSelector{true};
  spec.report_spec = report;
  return spec;
}

// The AccessSpec that reads the TID bank (MB 2, word 0, 6 words) of any tag.
AccessSpec tid_access_spec() {
  AccessSpec spec;
  spec.id = 7;
  spec.antenna_id = 0;
  spec.protocol = AirProtocol::epc_global_class1_gen2;
  spec.is_active = false;
  spec.ro_spec_id = 1;
  spec.stop_trigger = AccessSpecStopTriggerType::null;
  C1G2TargetTag any;
  any.bank = MemoryBank::epc;
  any.match = true;
  any.pointer = 0x20;
  spec.tag_patterns.push_back(any);
  spec.reads.push_back(C1G2Read{11, 0, MemoryBank::tid, 0, 6});
  spec.report_spec = AccessReportSpec{AccessReportTrigger::whenever_ro_report_is_generated};
  return spec;
}

TagReport full_tag(std::uint8_t seed) {
  TagReport t;
  const std::uint8_t epc[12] = {0x30, 0x08, 0x33, 0xB2, 0xDD, 0xD9,
                                0x06, 0xC0, 0x00, 0x00, 0x00, seed};
  t.epc.assign(epc, 96);
  t.antenna_id = 2;
  t.peak_rssi_dbm = static_cast<std::int8_t>(-40 - seed % 30);
  t.channel_index = 17;
  t.first_seen_utc_us = 1'700'000'000'000'000ull + seed;
  t.last_seen_utc_us = 1'700'000'000'500'000ull + seed;
  t.first_seen_uptime_us = 123456;
  t.last_seen_uptime_us = 223456;
  t.tag_seen_count = 3;
  t.ro_spec_id = 1;
  t.spec_index = 1;
  t.inventory_parameter_spec_id = 1;
  t.access_spec_id = 7;
  t.pc_bits = 0x3000;
  t.xpc_w1 = 0x0200;
  t.xpc_w2 = 0x0001;
  t.crc = 0xBEEF;
  const std::uint8_t tid[12] = {0xE2, 0x80, 0x11, 0x60, 0x20, 0x00,
                                0x12, 0x34, 0x56, 0x78, 0x9A, seed};
  t.read_results[0].result = C1G2ReadResult::success;
  t.read_results[0].op_spec_id = 11;
  t.read_results[0].data.assign(tid);
  t.read_result_count = 1;
  t.impinj_serialized_tid.emplace().assign(tid);
  return t;
}

void check_same_tag(const TagReport& a, const TagReport& b) {
  CHECK(hex(std::vector<std::uint8_t>(a.epc.bytes().begin(), a.epc.bytes().end())) ==
        hex(std::vector<std::uint8_t>(b.epc.bytes().begin(), b.epc.bytes().end())));
  CHECK(a.epc.bit_count == b.epc.bit_count);
  CHECK(a.antenna_id == b.antenna_id);
  CHECK(a.peak_rssi_dbm == b.peak_rssi_dbm);
  CHECK(a.channel_index == b.channel_index);
  CHECK(a.first_seen_utc_us == b.first_seen_utc_us);
  CHECK(a.first_seen_uptime_us == b.first_seen_uptime_us);
  CHECK(a.last_seen_utc_us == b.last_seen_utc_us);
  CHECK(a.last_seen_uptime_us == b.last_seen_uptime_us);
  CHECK(a.tag_seen_count == b.tag_seen_count);
  CHECK(a.ro_spec_id == b.ro_spec_id);
  CHECK(a.spec_index == b.spec_index);
  CHECK(a.inventory_parameter_spec_id == b.inventory_parameter_spec_id);
  CHECK(a.access_spec_id == b.access_spec_id);
  CHECK(a.pc_bits == b.pc_bits);
  CHECK(a.xpc_w1 == b.xpc_w1);
  CHECK(a.xpc_w2 == b.xpc_w2);
  CHECK(a.crc == b.crc);
  REQUIRE(a.read_result_count == b.read_result_count);
  for (std::size_t i = 0; i < a.read_result_count; ++i) {
    CHECK(a.read_results[i].result == b.read_results[i].result);
    CHECK(a.read_results[i].op_spec_id == b.read_results[i].op_spec_id);
    CHECK(garita::to_hex(a.read_results[i].data.bytes()) ==
          garita::to_hex(b.read_results[i].data.bytes()));
  }
  REQUIRE(a.impinj_serialized_tid.has_value() == b.impinj_serialized_tid.has_value());
  if (a.impinj_serialized_tid) {
    CHECK(garita::to_hex(a.impinj_serialized_tid->bytes()) ==
          garita::to_hex(b.impinj_serialized_tid->bytes()));
  }
}

}  // namespace

TEST_CASE("header-only messages: byte-exact and round trip") {
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_empty_message(out, MessageType::keepalive_ack, 5));
  // 000 | 001 | 0001001000 (72), length 10, id 5 (LLRP 1.1 §17.1.1).
  CHECK(hex(out) == "04480000000A00000005");
  for (const MessageType t :
       {MessageType::keepalive, MessageType::keepalive_ack, MessageType::enable_events_and_reports,
        MessageType::close_connection, MessageType::get_report, MessageType::get_rospecs,
        MessageType::get_accessspecs, MessageType::get_supported_version}) {
    out.clear();
    REQUIRE_FALSE(encode_empty_message(out, t, 42, ProtocolVersion::v1_1));
    const MessageView m = frame(out);
    CHECK(m.header.version == 2);
    CHECK(m.header.type == t);
    CHECK_FALSE(decode_empty_message(m, t));
  }
  CHECK(encode_empty_message(out, MessageType::add_rospec, 1) == Errc::wrong_message_type);
}

TEST_CASE("status messages carry LLRPStatus with nested errors") {
  LlrpStatus status;
  status.code = StatusCode::m_parameter_error;
  status.error_description = "bad ROSpec";
  status.field_error = FieldError{2, StatusCode::a_out_of_range};
  status.parameter_errors.push_back(
      ParameterError{177, StatusCode::p_parameter_error, std::nullopt});
  status.parameter_errors.push_back(
      ParameterError{183, StatusCode::p_field_error, FieldError{0, StatusCode::a_invalid}});
  for (const MessageType t :
       {MessageType::close_connection_response, MessageType::set_reader_config_response,
        MessageType::add_rospec_response, MessageType::delete_rospec_response,
        MessageType::start_rospec_response, MessageType::stop_rospec_response,
        MessageType::enable_rospec_response, MessageType::disable_rospec_response,
        MessageType::add_accessspec_response, MessageType::delete_accessspec_response,
        MessageType::enable_accessspec_response, MessageType::disable_accessspec_response,
        MessageType::error_message}) {
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_status_message(out, t, 9, status));
    LlrpStatus decoded;
    REQUIRE_FALSE(decode_status_message(frame(out), decoded));
    CHECK(decoded == status);
  }
  CHECK(status.describe() ==
        "M_ParameterError: bad ROSpec (field 2: A_OutOfRange; parameter 177: P_ParameterError; "
        "parameter 183: P_FieldError; field 0: A_Invalid)");
}

TEST_CASE("a success LLRPStatus is byte-exact") {
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_status_message(out, MessageType::add_rospec_response, 3, LlrpStatus{}));
  // type 30; LLRPStatus TLV 287 (0x011F), length 8, code 0, empty description.
  CHECK(hex(out) == "041E0000001200000003011F000800000000");
}

TEST_CASE("every status code has its LLRP name") {
  CHECK(to_string(StatusCode::m_success) == "M_Success");
  CHECK(to_string(StatusCode::m_unsupported_version) == "M_UnsupportedVersion");
  CHECK(to_string(StatusCode::m_unexpected_message) == "M_UnexpectedMessage");
  CHECK(to_string(StatusCode::p_unsupported_parameter) == "P_UnsupportedParameter");
  CHECK(to_string(StatusCode::a_out_of_range) == "A_OutOfRange");
  CHECK(to_string(StatusCode::r_device_error) == "R_DeviceError");
  CHECK(to_string(static_cast<StatusCode>(999)) == "unknown");
  LlrpStatus s;
  s.code = static_cast<StatusCode>(999);
  CHECK(s.describe() == "status 999");
}

TEST_CASE("GET_READER_CAPABILITIES and its response") {
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_get_reader_capabilities(out, 1, CapabilitiesRequest::all));
  CHECK(hex(out) == "04010000000B0000000100");
  CapabilitiesRequest req{};
  REQUIRE_FALSE(decode_get_reader_capabilities(frame(out), req));
  CHECK(req == CapabilitiesRequest::all);

  ReaderCapabilities caps;
  caps.general = GeneralDeviceCapabilities{
      4, true, true, 25882, 2001002, "7.6.0.240", {{1, 0}, {2, 10}}, 4, 4};
  caps.llrp = LlrpCapabilities{false, true, false, true, true, 1, 0, 1, 32, 1, 508, 8};
  RegulatoryCapabilities reg;
  reg.country_code = 840;
  reg.communications_standard = 1;
  for (std::uint16_t i = 1; i <= 3; ++i)
    reg.transmit_power_levels.push_back({i, static_cast<std::int16_t>(1000 + 25 * i)});
  reg.hopping = true;
  reg.hop_tables.push_back(FrequencyHopTable{1, {902750, 903250, 927250}});
  reg.rf_modes.push_back(C1G2RfMode{1002, true, true, 2, 0, 3, 160000, 1500, 20000, 20000, 0});
  caps.regulatory = reg;
  caps.c1g2 = C1G2LlrpCapabilities{true, true, false, false, false, true, 2};
  out.clear();
  REQUIRE_FALSE(encode_get_reader_capabilities_response(out, 1, caps));
  ReaderCapabilities decoded;
  REQUIRE_FALSE(decode_get_reader_capabilities_response(frame(out), decoded));
  CHECK(decoded == caps);
}

TEST_CASE("GET_READER_CONFIG, SET_READER_CONFIG and GET_READER_CONFIG_RESPONSE") {
  std::vector<std::uint8_t> out;
  const GetReaderConfig get{0, ReaderConfigRequest::keepalive_spec, 0, 0};
  REQUIRE_FALSE(encode_get_reader_config(out, 2, get));
  CHECK(hex(out) == "0402000000110000000200000800000000");
  GetReaderConfig get_back;
  REQUIRE_FALSE(decode_get_reader_config(frame(out), get_back));
  CHECK(get_back == get);

  SetReaderConfig set;
  set.reset_to_factory_default = true;
  set.config.keepalive_spec = KeepaliveSpec{KeepaliveTrigger::periodic, 10000};
  set.config.reader_event_notification_spec =
      ReaderEventNotificationSpec{{{ReaderEventType::ro_spec_event, true},
                                   {ReaderEventType::antenna_event, true},
                                   {ReaderEventType::reader_exception_event, true},
                                   {ReaderEventType::upon_hopping_to_next_channel, false}}};
  set.config.ro_report_spec = lane_rospec().report_spec;
  set.config.access_report_spec = AccessReportSpec{AccessReportTrigger::end_of_access_spec};
  set.config.gpo_write_data = {{1, true}, {2, false}};  // lane light: green on, red off
  set.config.events_and_reports = EventsAndReports{false};
  set.config.antenna_properties = {{true, 1, 600}};
  set.config.antenna_configurations.push_back(
      lane_rospec().ai_specs[0].inventory_parameter_specs[0].antenna_configurations[0]);
  set.config.gpi_port_states = {{1, true, GpiState::unknown}};
  out.clear();
  REQUIRE_FALSE(encode_set_reader_config(out, 3, set));
  SetReaderConfig set_back;
  REQUIRE_FALSE(decode_set_reader_config(frame(out), set_back));
  CHECK(set_back == set);

  SetReaderConfig bad = set;
  bad.config.llrp_configuration_state_value = 1;
  out.clear();
  CHECK(encode_set_reader_config(out, 3, bad) == Errc::unexpected_parameter);

  GetReaderConfigResponse response;
  response.config = set.config;
  response.config.identification = Identification{IdentificationType::mac_address,
                                                  {0, 0x16, 0x25, 0xFF, 0xFE, 0x12, 0x34, 0x56}};
  response.config.llrp_configuration_state_value = 0xDEADBEEF;
  out.clear();
  REQUIRE_FALSE(encode_get_reader_config_response(out, 2, response));
  GetReaderConfigResponse response_back;
  REQUIRE_FALSE(decode_get_reader_config_response(frame(out), response_back));
  CHECK(response_back == response);
}

TEST_CASE("a minimal SET_READER_CONFIG is byte-exact") {
  SetReaderConfig set;
  set.config.keepalive_spec = KeepaliveSpec{KeepaliveTrigger::periodic, 5000};
  set.config.gpo_write_data = {{1, true}};
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_set_reader_config(out, 4, set));
  // type 3; ResetToFactoryDefault 0 + 7 reserved; KeepaliveSpec (220) 0x00DC
  // len 9: periodic, 5000 ms; GPOWriteData (219) 0x00DB len 7: port 1, data 1.
  CHECK(hex(out) ==
        "04030000001B0000000400"
        "00DC00090100001388"
        "00DB0007000180");
}

TEST_CASE("ADD_ROSPEC round trip and the ROSpec commands") {
  const RoSpec spec = lane_rospec();
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_add_rospec(out, 5, spec));
  RoSpec back;
  REQUIRE_FALSE(decode_add_rospec(frame(out), back));
  CHECK(back == spec);

  RoSpec gpi = spec;
  gpi.start_trigger =
      RoSpecStartTrigger{RoSpecStartTriggerType::gpi, std::nullopt, GpiTriggerValue{1, true, 0}};
  gpi.stop_trigger = RoSpecStopTrigger{RoSpecStopTriggerType::gpi_with_timeout, 0,
                                       GpiTriggerValue{1, false, 30000}};
  gpi.ai_specs[0].stop_trigger =
      AiSpecStopTrigger{AiSpecStopTriggerType::tag_observation, 0, std::nullopt,
                        TagObservationTrigger{1, 0, 0, 500, 5000}};
  gpi.report_spec.reset();
  RoSpec periodic = spec;
  periodic.start_trigger =
      RoSpecStartTrigger{RoSpecStartTriggerType::periodic,
                         PeriodicTriggerValue{100, 1000, 1'700'000'000'000'000ull}, std::nullopt};
  periodic.stop_trigger = RoSpecStopTrigger{RoSpecStopTriggerType::duration, 800, std::nullopt};
  for (const RoSpec& s : {gpi, periodic}) {
    out.clear();
    REQUIRE_FALSE(encode_add_rospec(out, 5, s));
    RoSpec b;
    REQUIRE_FALSE(decode_add_rospec(frame(out), b));
    CHECK(b == s);
  }

  for (const MessageType t :
       {MessageType::delete_rospec, MessageType::start_rospec, MessageType::stop_rospec,
        MessageType::enable_rospec, MessageType::disable_rospec}) {
    out.clear();
    REQUIRE_FALSE(encode_rospec_command(out, t, 6, 1));
    std::uint32_t id = 0;
    REQUIRE_FALSE(decode_rospec_command(frame(out), t, id));
    CHECK(id == 1);
    CHECK(decode_rospec_command(frame(out), MessageType::add_rospec, id) ==
          Errc::wrong_message_type);
  }
  out.clear();
  REQUIRE_FALSE(encode_rospec_command(out, MessageType::enable_rospec, 6, 1));
  CHECK(hex(out) == "04180000000E0000000600000001");

  GetRoSpecsResponse listed{LlrpStatus{}, {spec, periodic}};
  out.clear();
  REQUIRE_FALSE(encode_get_rospecs_response(out, 8, listed));
  GetRoSpecsResponse listed_back;
  REQUIRE_FALSE(decode_get_rospecs_response(frame(out), listed_back));
  CHECK(listed_back == listed);
}

TEST_CASE("ADD_ACCESSSPEC reading the TID bank, and the AccessSpec commands") {
  const AccessSpec spec = tid_access_spec();
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_add_accessspec(out, 10, spec));
  AccessSpec back;
  REQUIRE_FALSE(decode_add_accessspec(frame(out), back));
  CHECK(back == spec);
  CHECK(back.reads.at(0).bank == MemoryBank::tid);
  CHECK(back.reads.at(0).word_count == 6);

  AccessSpec two = spec;
  C1G2TargetTag pattern;
  pattern.bank = MemoryBank::epc;
  pattern.match = false;
  pattern.pointer = 32;
  pattern.mask_bit_count = 12;
  pattern.mask = {0xFF, 0xF0};
  pattern.data_bit_count = 12;
  pattern.data = {0x30, 0x00};
  two.tag_patterns.push_back(pattern);
  two.reads.push_back(C1G2Read{12, 0x12345678, MemoryBank::user, 0, 2});
  two.stop_trigger = AccessSpecStopTriggerType::operation_count;
  two.operation_count = 5;
  out.clear();
  REQUIRE_FALSE(encode_add_accessspec(out, 10, two));
  REQUIRE_FALSE(decode_add_accessspec(frame(out), back));
  CHECK(back == two);

  for (const MessageType t : {MessageType::delete_accessspec, MessageType::enable_accessspec,
                              MessageType::disable_accessspec}) {
    out.clear();
    REQUIRE_FALSE(encode_accessspec_command(out, t, 11, 7));
    std::uint32_t id = 0;
    REQUIRE_FALSE(decode_accessspec_command(frame(out), t, id));
    CHECK(id == 7);
  }

  GetAccessSpecsResponse listed{LlrpStatus{}, {spec, two}};
  out.clear();
  REQUIRE_FALSE(encode_get_accessspecs_response(out, 12, listed));
  GetAccessSpecsResponse listed_back;
  REQUIRE_FALSE(decode_get_accessspecs_response(frame(out), listed_back));
  CHECK(listed_back == listed);

  AccessSpec none = spec;
  none.tag_patterns.clear();
  out.clear();
  CHECK(encode_add_accessspec(out, 10, none) == Errc::missing_parameter);
  CHECK(out.empty());
}

TEST_CASE("the C1G2Read OpSpec is byte-exact") {
  AccessSpec spec = tid_access_spec();
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_add_accessspec(out, 10, spec));
  // C1G2Read (341 = 0x0155), length 15: OpSpecID 11, password 0, MB 2 << 6, ptr 0, count 6.
  CHECK(hex(out).find("0155000F000B000000008000000006") != std::string::npos);
}

TEST_CASE("RO_ACCESS_REPORT round trip, 1 and 100 tags with every field") {
  for (const std::size_t count : {std::size_t{1}, std::size_t{100}}) {
    std::vector<TagReport> tags;
    for (std::size_t i = 0; i < count; ++i) tags.push_back(full_tag(static_cast<std::uint8_t>(i)));
    // One non-96-bit EPC (EPCData) and one tag with only the mandatory EPC.
    if (count > 2) {
      const std::uint8_t epc[16] = {0xE2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
      tags[1].epc.assign(epc, 128);
      tags[2] = TagReport{};
      tags[2].epc.assign(epc, 7 * 16 - 3);
    }
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_ro_access_report(out, 77, tags));
    std::size_t i = 0;
    REQUIRE_FALSE(for_each_tag_report(frame(out), [&](const TagReport& t) {
      REQUIRE(i < tags.size());
      check_same_tag(t, tags[i++]);
    }));
    CHECK(i == count);
  }
}

TEST_CASE("RO_ACCESS_REPORT with a Custom and an RFSurveyReportData beside the tags") {
  std::vector<std::uint8_t> out;
  MessageWriter w(out, MessageType::ro_access_report, 1);
  const auto custom = w.begin_custom(12345, 1);
  w.u32(0xCAFEBABE);
  w.end(custom);
  write_tag_report_data(w, full_tag(1));
  const auto survey = w.begin(ParameterType::rf_survey_report_data);
  w.tv_u32(ParameterType::ro_spec_id, 1);
  w.end(survey);
  REQUIRE_FALSE(w.finish());
  TagReportReader reader(frame(out));
  TagReport tag;
  REQUIRE(reader.next(tag));
  CHECK_FALSE(reader.next(tag));
  CHECK_FALSE(reader.error());
  CHECK(reader.skipped_parameters() == 2);
}

TEST_CASE("TagReport: long read data is kept truncated, not lost") {
  TagReport t = full_tag(1);
  std::vector<std::uint8_t> words(100, 0xAB);  // 50 words of user memory
  t.read_results[0].data.assign(words);
  CHECK(t.read_results[0].data.truncated());
  CHECK(t.read_results[0].data.word_count == 50);
  CHECK(t.read_results[0].data.stored_bytes == C1G2ReadOpSpecResult::kMaxDataBytes);

  // On the wire the reader sends all 50 words; the decoder keeps 64 bytes.
  std::vector<std::uint8_t> out;
  MessageWriter w(out, MessageType::ro_access_report, 1);
  const auto trd = w.begin(ParameterType::tag_report_data);
  w.tv_bytes(ParameterType::epc_96, t.epc.bytes());
  const auto rr = w.begin(ParameterType::c1g2_read_op_spec_result);
  w.u8(0);
  w.u16(3);
  w.word_field(std::span<const std::uint8_t>(words));
  w.end(rr);
  w.end(trd);
  REQUIRE_FALSE(w.finish());
  TagReportReader reader(frame(out));
  TagReport got;
  REQUIRE(reader.next(got));
  REQUIRE(got.read_result_count == 1);
  CHECK(got.read_results[0].data.truncated());
  CHECK(got.read_results[0].data.word_count == 50);
  CHECK(got.find_read_result(3) == &got.read_results[0]);
  CHECK(got.find_read_result(4) == nullptr);
}

TEST_CASE("TagReport: unreported fields inherit the previous report's values (LLRP 1.1 §14.2.3)") {
  TagReport previous = full_tag(1);
  TagReport now;
  const std::uint8_t epc[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  now.epc.assign(epc, 96);
  now.peak_rssi_dbm = -70;
  inherit_unreported_fields(now, previous);
  CHECK(now.antenna_id == previous.antenna_id);
  CHECK(now.peak_rssi_dbm == -70);
  CHECK(now.channel_index == previous.channel_index);
  CHECK(now.read_result_count == 0);
  CHECK_FALSE(now.impinj_serialized_tid);
  CHECK(now.epc.bytes()[0] == 1);
}

TEST_CASE("READER_EVENT_NOTIFICATION round trip, every event kind") {
  ReaderEventNotification e;
  e.timestamp = LlrpTimestamp{1'700'000'000'123'456ull, false};
  e.hopping = HoppingEvent{1, 5};
  e.gpi = GpiEvent{1, true};
  e.ro_spec = RoSpecEvent{RoSpecEventType::preemption, 1, 2};
  e.report_buffer_level_warning_percent = 90;
  e.report_buffer_overflow = true;
  e.reader_exception = ReaderExceptionEvent{"antenna 3 VSWR", 1, 1, 1, 3, 7, 11};
  e.ai_spec = AiSpecEvent{0, 1, 1};
  e.antenna = AntennaEvent{AntennaEventType::disconnected, 3};
  e.connection_attempt = ConnectionAttemptStatus::failed_client_initiated_connection_exists;
  e.connection_close = true;
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_reader_event_notification(out, 1, e));
  ReaderEventNotification back;
  REQUIRE_FALSE(decode_reader_event_notification(frame(out), back));
  CHECK(back == e);

  ReaderEventNotification uptime;
  uptime.timestamp = LlrpTimestamp{3661366333u, true};
  uptime.connection_attempt = ConnectionAttemptStatus::success;
  out.clear();
  REQUIRE_FALSE(encode_reader_event_notification(out, 0, uptime));
  // Byte-identical to the real reader's capture (sllurp issue 160).
  CHECK(hex(out) ==
        "043F000000200000000000F60016008100"
        "0C00000000DA3C043D0100000600"
        "00");
}

TEST_CASE("IMPINJ_ENABLE_EXTENSIONS and its response") {
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_impinj_enable_extensions(out, 20));
  // CUSTOM_MESSAGE 1023, length 19, vendor 25882, subtype 21, reserved u32.
  CHECK(hex(out) == "07FF00000013000000140000651A1500000000");
  REQUIRE_FALSE(decode_impinj_enable_extensions(frame(out)));
  LlrpStatus s;
  CHECK(decode_impinj_enable_extensions_response(frame(out), s) == Errc::wrong_message_type);

  LlrpStatus status;
  status.code = StatusCode::r_device_error;
  status.error_description = "no";
  out.clear();
  REQUIRE_FALSE(encode_impinj_enable_extensions_response(out, 20, status));
  REQUIRE_FALSE(decode_impinj_enable_extensions_response(frame(out), s));
  CHECK(s == status);
}

TEST_CASE("messages encoded back to back frame cleanly through the lexer") {
  std::vector<std::uint8_t> stream;
  REQUIRE_FALSE(encode_get_reader_capabilities(stream, 1, CapabilitiesRequest::all));
  REQUIRE_FALSE(encode_add_rospec(stream, 2, lane_rospec()));
  REQUIRE_FALSE(encode_add_accessspec(stream, 3, tid_access_spec()));
  REQUIRE_FALSE(encode_rospec_command(stream, MessageType::enable_rospec, 4, 1));
  REQUIRE_FALSE(encode_empty_message(stream, MessageType::keepalive_ack, 5));
  std::vector<std::uint32_t> ids;
  FrameLexer lexer;
  REQUIRE_FALSE(
      lexer.feed(stream, [&](const MessageView& m) { ids.push_back(m.header.message_id); }));
  CHECK(ids == std::vector<std::uint32_t>{1, 2, 3, 4, 5});
}

TEST_CASE("the writer refuses oversized parameters and leaves the buffer as it was") {
  std::vector<std::uint8_t> out = bytes_of({0xAA});
  MessageWriter w(out, MessageType::ro_access_report, 1);
  const auto p = w.begin(ParameterType::tag_report_data);
  for (int i = 0; i < 70000; ++i) w.u8(0);
  w.end(p);
  CHECK(w.finish() == Errc::value_too_large);
  CHECK(out == bytes_of({0xAA}));
}

TEST_CASE("message type names") {
  CHECK(to_string(MessageType::ro_access_report) == "RO_ACCESS_REPORT");
  CHECK(to_string(MessageType::keepalive_ack) == "KEEPALIVE_ACK");
  CHECK(to_string(static_cast<MessageType>(999)) == "UNKNOWN");
}

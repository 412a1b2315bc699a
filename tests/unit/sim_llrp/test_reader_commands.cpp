// The simulated reader's answers to client commands: connection events,
// capabilities, configuration, ROSpec/AccessSpec validation and state
// machine, keepalives, unsupported messages and versions.
#include <catch2/catch.hpp>

#include "SimLlrpTestSupport.hpp"
#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/Impinj.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ReaderCapabilities.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/StatusMessage.hpp"

using namespace garita::sim::llrp;
using namespace garita::sim::llrp::test;
namespace codec = garita::hal::llrp;
using codec::MessageType;
using codec::StatusCode;

namespace {

std::vector<std::uint8_t> rospec_command(Harness& h, MessageType type, std::uint32_t id) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_rospec_command(b, type, h.next_id(), id));
  return b;
}

std::vector<std::uint8_t> add_rospec(Harness& h, const codec::RoSpec& spec) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_add_rospec(b, h.next_id(), spec));
  return b;
}

std::vector<std::uint8_t> add_accessspec(Harness& h, const codec::AccessSpec& spec) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_add_accessspec(b, h.next_id(), spec));
  return b;
}

codec::TagReportContentSelector antenna_only() {
  codec::TagReportContentSelector c;
  c.enable_antenna_id = true;
  return c;
}

codec::ReaderCapabilities capabilities(Harness& h) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(
      codec::encode_get_reader_capabilities(b, h.next_id(), codec::CapabilitiesRequest::all));
  h.send(b);
  const auto out = h.drain();
  REQUIRE(out.size() == 1);
  codec::ReaderCapabilities caps;
  REQUIRE_FALSE(codec::decode_get_reader_capabilities_response(out.front().view(), caps));
  return caps;
}

codec::GetRoSpecsResponse get_rospecs(Harness& h) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_empty_message(b, MessageType::get_rospecs, h.next_id()));
  h.send(b);
  const auto out = h.drain();
  REQUIRE(out.size() == 1);
  codec::GetRoSpecsResponse r;
  REQUIRE_FALSE(codec::decode_get_rospecs_response(out.front().view(), r));
  return r;
}

}  // namespace

TEST_CASE(
    "a client's first message is ConnectionAttemptEvent Success; a second client is refused") {
  Harness h;
  h.connect();  // checks the event comes first
  const auto refusal = h.engine.refuse_connection(h.now());
  codec::MessageView m;
  REQUIRE_FALSE(codec::parse_message(refusal, m));
  codec::ReaderEventNotification event;
  REQUIRE_FALSE(codec::decode_reader_event_notification(m, event));
  CHECK(event.connection_attempt ==
        codec::ConnectionAttemptStatus::failed_client_initiated_connection_exists);
  CHECK(event.timestamp.microseconds == static_cast<std::uint64_t>(kT0));
  CHECK_FALSE(event.timestamp.is_uptime);
  // The connected client hears that someone tried.
  const auto out = h.drain();
  REQUIRE(out.size() == 1);
  CHECK(event_of(out[0]).connection_attempt ==
        codec::ConnectionAttemptStatus::another_connection_attempted);
  CHECK(h.engine.counters().refused_connections == 1);
}

TEST_CASE(
    "a reader without a wall clock (--clock uptime) sends Uptime and says it has no UTC clock") {
  Harness h(ReaderVendor::generic, ReaderClock::uptime);
  h.engine.connect(h.now());
  const auto out = h.drain();
  REQUIRE_FALSE(out.empty());
  const auto event = event_of(out.front());
  CHECK(event.timestamp.is_uptime);
  CHECK(event.timestamp.microseconds ==
        3'600'000'000u);  // the harness boots the reader an hour before kT0
  CHECK_FALSE(capabilities(h).general->has_utc_clock);
}

TEST_CASE("capabilities name the vendor, antennas and tables") {
  Harness generic;
  generic.connect();
  const auto g = capabilities(generic);
  REQUIRE(g.status.ok());
  REQUIRE(g.general);
  CHECK(g.general->manufacturer == kGenericVendorPen);
  CHECK(g.general->max_antennas == 4);
  CHECK(g.general->has_utc_clock);
  CHECK(g.general->gpo_count == 4);
  REQUIRE(g.llrp);
  CHECK(g.llrp->supports_event_and_report_holding);
  REQUIRE(g.regulatory);
  CHECK(g.regulatory->transmit_power_levels.size() == 81);
  CHECK(g.regulatory->hop_tables.at(0).frequencies_khz.size() == 50);
  REQUIRE(g.c1g2);

  Harness impinj(ReaderVendor::impinj);
  impinj.connect();
  const auto i = capabilities(impinj);
  CHECK(i.general->manufacturer == codec::kImpinjVendorId);
  CHECK(i.general->model == kImpinjSpeedwayR420Model);
  CHECK(i.llrp->max_ro_specs == 1);

  // RequestedData = 1: only GeneralDeviceCapabilities.
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_get_reader_capabilities(
      b, 7, codec::CapabilitiesRequest::general_device_capabilities));
  generic.send(b);
  const auto out = generic.drain();
  REQUIRE(out.size() == 1);
  CHECK(out[0].message.message_id == 7);  // a response carries its request's MessageID
  codec::ReaderCapabilities only;
  REQUIRE_FALSE(codec::decode_get_reader_capabilities_response(out[0].view(), only));
  CHECK(only.general);
  CHECK_FALSE(only.llrp);
  CHECK_FALSE(only.regulatory);
}

TEST_CASE("ADD_ROSPEC is validated like a reader") {
  Harness h;
  h.connect();
  const auto good = lane_rospec(1, 1, antenna_only());

  SECTION("a good ROSpec is accepted once; the same id again is refused") {
    CHECK(h.request_status(add_rospec(h, good)).ok());
    const auto dup = h.request_status(add_rospec(h, good));
    CHECK(dup.code == StatusCode::m_parameter_error);
    CHECK(dup.error_description == "ROSpec 1 already exists");
    REQUIRE(dup.parameter_errors.size() == 1);
    CHECK(dup.parameter_errors[0].parameter_type == 177);
    CHECK(dup.parameter_errors[0].error_code == StatusCode::p_field_error);
    CHECK(dup.parameter_errors[0].field_error == codec::FieldError{0, StatusCode::a_invalid});
  }
  SECTION("ROSpecID 0 is reserved") {
    auto spec = good;
    spec.id = 0;
    const auto s = h.request_status(add_rospec(h, spec));
    CHECK(s.code == StatusCode::m_parameter_error);
    CHECK(s.parameter_errors.at(0).field_error == codec::FieldError{0, StatusCode::a_invalid});
  }
  SECTION("an antenna the reader does not have") {
    auto spec = good;
    spec.ai_specs[0].antenna_ids = {1, 5};
    const auto s = h.request_status(add_rospec(h, spec));
    CHECK(s.code == StatusCode::m_parameter_error);
    CHECK(s.error_description.find("antenna 5") != std::string::npos);
    REQUIRE(s.parameter_errors.size() == 2);
    CHECK(s.parameter_errors[0].parameter_type == 177);  // ROSpec
    CHECK(s.parameter_errors[1].parameter_type == 183);  // AISpec
    CHECK(s.parameter_errors[1].field_error == codec::FieldError{0, StatusCode::a_out_of_range});
  }
  SECTION("CurrentState must be Disabled") {
    auto spec = good;
    spec.current_state = codec::RoSpecState::active;
    CHECK(h.request_status(add_rospec(h, spec)).parameter_errors.at(0).field_error ==
          codec::FieldError{2, StatusCode::a_invalid});
  }
  SECTION("a power index outside the table") {
    auto spec = good;
    codec::AntennaConfiguration ac;
    ac.antenna_id = 1;
    ac.rf_transmitter = codec::RfTransmitter{1, 0, 82};
    spec.ai_specs[0].inventory_parameter_specs[0].antenna_configurations.push_back(ac);
    const auto s = h.request_status(add_rospec(h, spec));
    CHECK(s.code == StatusCode::m_parameter_error);
    CHECK(s.parameter_errors.back().parameter_type == 224);  // RFTransmitter
  }
  SECTION("the Impinj FastID selector on a generic reader") {
    auto spec = good;
    spec.report_spec->impinj = codec::ImpinjTagReportContentSelector{true};
    const auto s = h.request_status(add_rospec(h, spec));
    CHECK(s.code == StatusCode::m_parameter_error);
    CHECK(s.parameter_errors.back().error_code == StatusCode::p_unsupported_parameter);
  }
  SECTION("a malformed body gets the response type with a decode status") {
    std::vector<std::uint8_t> b;
    codec::MessageWriter w(b, MessageType::add_rospec, h.next_id());
    REQUIRE_FALSE(w.finish());  // no ROSpec parameter at all
    h.send(b);
    const auto out = h.drain();
    REQUIRE(out.size() == 1);
    CHECK(out[0].message.type == MessageType::add_rospec_response);
    CHECK(status_of(out[0]).code == StatusCode::m_missing_parameter);
  }
  CHECK(h.engine.specs().ro_specs().size() <= 1);
}

TEST_CASE(
    "an Impinj reader takes FastID only after IMPINJ_ENABLE_EXTENSIONS and holds one ROSpec") {
  Harness h(ReaderVendor::impinj);
  h.connect();
  auto spec = lane_rospec(1, 1, antenna_only());
  spec.report_spec->impinj = codec::ImpinjTagReportContentSelector{true};
  const auto before = h.request_status(add_rospec(h, spec));
  CHECK(before.code == StatusCode::m_parameter_error);
  CHECK(before.error_description.find("IMPINJ_ENABLE_EXTENSIONS") != std::string::npos);
  h.enable_impinj_extensions();
  h.add_rospec(spec);
  const auto second = h.request_status(add_rospec(h, lane_rospec(2, 1, antenna_only())));
  CHECK(second.code == StatusCode::m_parameter_error);
  CHECK(second.parameter_errors.at(0).error_code == StatusCode::p_overflow_parameter);
}

TEST_CASE("ROSpec commands follow the Disabled/Inactive/Active state machine") {
  Harness h;
  h.connect();
  h.add_rospec(lane_rospec(1, 1, antenna_only(), codec::RoSpecStartTriggerType::null));

  const auto start_disabled = h.request_status(rospec_command(h, MessageType::start_rospec, 1));
  CHECK(start_disabled.code == StatusCode::m_field_error);
  CHECK(start_disabled.error_description.find("Disabled") != std::string::npos);
  CHECK(h.request_status(rospec_command(h, MessageType::stop_rospec, 1)).code ==
        StatusCode::m_field_error);

  CHECK(h.request_status(rospec_command(h, MessageType::enable_rospec, 1)).ok());
  CHECK_FALSE(h.engine.inventorying());  // null start trigger: waits for START_ROSPEC
  CHECK(get_rospecs(h).ro_specs.at(0).current_state == codec::RoSpecState::inactive);

  CHECK(h.request_status(rospec_command(h, MessageType::start_rospec, 1)).ok());
  CHECK(h.engine.inventorying());
  CHECK(get_rospecs(h).ro_specs.at(0).current_state == codec::RoSpecState::active);
  CHECK(h.request_status(rospec_command(h, MessageType::start_rospec, 1)).code ==
        StatusCode::m_field_error);

  CHECK(h.request_status(rospec_command(h, MessageType::stop_rospec, 1)).ok());
  CHECK_FALSE(h.engine.inventorying());
  CHECK(h.request_status(rospec_command(h, MessageType::disable_rospec, 1)).ok());
  CHECK(get_rospecs(h).ro_specs.at(0).current_state == codec::RoSpecState::disabled);

  for (const MessageType t :
       {MessageType::enable_rospec, MessageType::disable_rospec, MessageType::delete_rospec,
        MessageType::start_rospec, MessageType::stop_rospec}) {
    const auto unknown = h.request_status(rospec_command(h, t, 42));
    CHECK(unknown.code == StatusCode::m_field_error);
    CHECK(unknown.error_description == "no ROSpec 42");
  }
  CHECK(h.request_status(rospec_command(h, MessageType::start_rospec, 0)).code ==
        StatusCode::m_field_error);
  CHECK(h.request_status(rospec_command(h, MessageType::delete_rospec, 0)).ok());
  CHECK(h.engine.specs().ro_specs().empty());
}

TEST_CASE("an immediate start trigger starts the ROSpec on ENABLE_ROSPEC; DELETE stops it") {
  Harness h;
  h.connect();
  h.add_rospec(lane_rospec(1, 1, antenna_only()));
  h.enable_rospec(1);
  CHECK(h.engine.inventorying());
  CHECK(h.request_status(rospec_command(h, MessageType::delete_rospec, 1)).ok());
  CHECK_FALSE(h.engine.inventorying());
}

TEST_CASE("ADD_ACCESSSPEC is validated; AccessSpec commands check ids") {
  Harness h;
  h.connect();
  CHECK(h.request_status(add_accessspec(h, tid_access_spec(3))).ok());
  const auto dup = h.request_status(add_accessspec(h, tid_access_spec(3)));
  CHECK(dup.code == StatusCode::m_parameter_error);
  CHECK(dup.error_description == "AccessSpec 3 already exists");

  auto bad_antenna = tid_access_spec(4);
  bad_antenna.antenna_id = 9;
  CHECK(h.request_status(add_accessspec(h, bad_antenna)).parameter_errors.at(0).field_error ==
        codec::FieldError{1, StatusCode::a_out_of_range});
  auto active = tid_access_spec(5);
  active.is_active = true;
  CHECK(h.request_status(add_accessspec(h, active)).code == StatusCode::m_parameter_error);
  auto zero = tid_access_spec(0);
  CHECK(h.request_status(add_accessspec(h, zero)).code == StatusCode::m_parameter_error);

  for (const MessageType t : {MessageType::enable_accessspec, MessageType::disable_accessspec,
                              MessageType::delete_accessspec}) {
    std::vector<std::uint8_t> b;
    REQUIRE_FALSE(codec::encode_accessspec_command(b, t, h.next_id(), 77));
    const auto s = h.request_status(b);
    CHECK(s.code == StatusCode::m_field_error);
    CHECK(s.error_description == "no AccessSpec 77");
  }
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(
      codec::encode_accessspec_command(b, MessageType::enable_accessspec, h.next_id(), 3));
  CHECK(h.request_status(b).ok());
  CHECK(h.engine.specs().access_specs().at(0).spec.is_active);
  b.clear();
  REQUIRE_FALSE(
      codec::encode_accessspec_command(b, MessageType::delete_accessspec, h.next_id(), 0));
  CHECK(h.request_status(b).ok());
  CHECK(h.engine.specs().access_specs().empty());
}

TEST_CASE("SET_READER_CONFIG: factory reset, GPOs, keepalives") {
  Harness h;
  h.connect();
  h.add_rospec(lane_rospec(1, 1, antenna_only()));
  h.add_accessspec(tid_access_spec(2));
  h.enable_rospec(1);

  codec::SetReaderConfig reset;
  reset.reset_to_factory_default = true;
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_set_reader_config(b, h.next_id(), reset));
  CHECK(h.request_status(b).ok());
  CHECK(h.engine.specs().ro_specs().empty());
  CHECK(h.engine.specs().access_specs().empty());
  CHECK_FALSE(h.engine.inventorying());

  codec::SetReaderConfig gpo;
  gpo.config.gpo_write_data.push_back({2, true});
  b.clear();
  REQUIRE_FALSE(codec::encode_set_reader_config(b, h.next_id(), gpo));
  CHECK(h.request_status(b).ok());
  CHECK(h.engine.settings().gpo(2));
  bool logged = false;
  for (const auto& n : h.engine.take_notices()) logged = logged || n == "GPO 2 -> on (lane light)";
  CHECK(logged);

  codec::SetReaderConfig bad_gpo;
  bad_gpo.config.gpo_write_data.push_back({5, true});
  b.clear();
  REQUIRE_FALSE(codec::encode_set_reader_config(b, h.next_id(), bad_gpo));
  const auto s = h.request_status(b);
  CHECK(s.code == StatusCode::m_parameter_error);
  CHECK(s.parameter_errors.at(0).field_error == codec::FieldError{0, StatusCode::a_out_of_range});

  codec::SetReaderConfig keepalive;
  keepalive.config.keepalive_spec = codec::KeepaliveSpec{codec::KeepaliveTrigger::periodic, 1000};
  b.clear();
  REQUIRE_FALSE(codec::encode_set_reader_config(b, h.next_id(), keepalive));
  CHECK(h.request_status(b).ok());
  h.advance(h.now() + 999'000);
  CHECK(h.drain().empty());
  h.advance(h.now() + 1'000);
  auto out = h.drain();
  REQUIRE(out.size() == 1);
  CHECK(out[0].message.type == MessageType::keepalive);
  h.advance(h.now() + 3'000'000);
  CHECK(count_type(h.drain(), MessageType::keepalive) == 3);
  CHECK(h.engine.counters().keepalives_sent == 4);

  b.clear();
  REQUIRE_FALSE(
      codec::encode_empty_message(b, MessageType::keepalive_ack, out[0].message.message_id));
  h.send(b);
  CHECK(h.drain().empty());  // KEEPALIVE_ACK has no answer
  CHECK(h.engine.counters().keepalive_acks == 1);

  // nokeepalive until the connection ends
  h.engine.suppress_keepalives(h.now(), std::nullopt);
  h.advance(h.now() + 5'000'000);
  CHECK(h.drain().empty());
  // a new connection gets them again
  h.engine.disconnect(h.now());
  h.connect();
  h.advance(h.now() + 1'000'000);
  CHECK(count_type(h.drain(), MessageType::keepalive) == 1);

  // GET_READER_CONFIG reads back what was set
  codec::GetReaderConfig get;
  get.requested_data = codec::ReaderConfigRequest::all;
  b.clear();
  REQUIRE_FALSE(codec::encode_get_reader_config(b, h.next_id(), get));
  h.send(b);
  out = h.drain();
  REQUIRE(out.size() == 1);
  codec::GetReaderConfigResponse config;
  REQUIRE_FALSE(codec::decode_get_reader_config_response(out[0].view(), config));
  CHECK(config.status.ok());
  CHECK(config.config.keepalive_spec ==
        codec::KeepaliveSpec{codec::KeepaliveTrigger::periodic, 1000});
  CHECK(config.config.gpo_write_data.at(1) == codec::GpoWriteData{2, true});
  CHECK(config.config.antenna_properties.size() == 4);
  CHECK(config.config.antenna_properties.at(0).connected);
  CHECK_FALSE(config.config.antenna_properties.at(3).connected);
  REQUIRE(config.config.identification);
  CHECK(config.config.identification->reader_id.size() == 8);
}

TEST_CASE("unsupported messages, versions and CLOSE_CONNECTION") {
  Harness h;
  h.connect();
  SECTION("LLRP 1.1 messages get M_UnsupportedVersion") {
    std::vector<std::uint8_t> b;
    REQUIRE_FALSE(codec::encode_empty_message(b, MessageType::get_supported_version, 55,
                                              codec::ProtocolVersion::v1_1));
    h.send(b);
    const auto out = h.drain();
    REQUIRE(out.size() == 1);
    CHECK(out[0].message.type == MessageType::error_message);
    CHECK(out[0].message.message_id == 55);
    CHECK(status_of(out[0]).code == StatusCode::m_unsupported_version);
  }
  SECTION("an unknown message type gets M_UnsupportedMessage") {
    std::vector<std::uint8_t> b;
    codec::MessageWriter w(b, static_cast<MessageType>(900), 56);
    REQUIRE_FALSE(w.finish());
    h.send(b);
    const auto out = h.drain();
    REQUIRE(out.size() == 1);
    CHECK(out[0].message.type == MessageType::error_message);
    const auto s = status_of(out[0]);
    CHECK(s.code == StatusCode::m_unsupported_message);
    CHECK(s.error_description.find("900") != std::string::npos);
  }
  SECTION("a reader-to-client message from the client gets M_UnsupportedMessage") {
    std::vector<std::uint8_t> b;
    REQUIRE_FALSE(codec::encode_empty_message(b, MessageType::keepalive, 57));
    h.send(b);
    const auto out = h.drain();
    REQUIRE(out.size() == 1);
    CHECK(status_of(out[0]).code == StatusCode::m_unsupported_message);
  }
  SECTION("IMPINJ_ENABLE_EXTENSIONS on a generic reader") {
    std::vector<std::uint8_t> b;
    REQUIRE_FALSE(codec::encode_impinj_enable_extensions(b, 58));
    h.send(b);
    const auto out = h.drain();
    REQUIRE(out.size() == 1);
    CHECK(out[0].message.type == MessageType::error_message);
    CHECK(status_of(out[0]).code == StatusCode::m_unsupported_message);
  }
  SECTION("CLOSE_CONNECTION is answered and then the reader closes") {
    std::vector<std::uint8_t> b;
    REQUIRE_FALSE(codec::encode_empty_message(b, MessageType::close_connection, 59));
    h.send(b);
    const auto out = h.drain();
    REQUIRE(out.size() == 1);
    CHECK(out[0].message.type == MessageType::close_connection_response);
    CHECK(status_of(out[0]).ok());
    CHECK(h.engine.close_requested());
  }
}

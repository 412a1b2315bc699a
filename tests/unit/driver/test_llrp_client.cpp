// The LLRP client against a scripted fake reader on loopback: the start-up
// sequence and its contents, reads, keepalives, every failure path that
// must end in a clear error and a reconnect, and a clean stop.
#include <catch2/catch.hpp>

#include <algorithm>

#include "DriverHarness.hpp"
#include "FakeReader.hpp"
#include "garita/common/Hex.hpp"
#include "garita/hal/DriverErrc.hpp"
#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/LlrpClientSetup.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/RoSpec.hpp"

using namespace garita;
using namespace garita::test;
using namespace std::chrono_literals;
using hal::DriverState;
using hal::llrp::MessageType;

namespace {

const std::string kEpcA = "3074257BF7194E4000001A85";
const std::string kEpcB = "3074257BF7194E4000001A86";
const std::string kEpcC = "3074257BF7194E4000001A87";
const std::string kEpcD = "3074257BF7194E4000001A88";
const std::string kEpcE = "3074257BF7194E4000001A89";
const std::string kTidA = "E2801160200074CF085909AD";
const std::string kTidB = "E28011602000AAAA0000BBBB";

std::string epc_of(const TagRead& read) { return to_hex(read.epc.view()); }
std::string tid_of(const TagRead& read) { return to_hex(read.tid.view()); }

std::vector<std::string> epcs_of(const std::vector<TagRead>& reads) {
  std::vector<std::string> epcs;
  for (const auto& r : reads) epcs.push_back(epc_of(r));
  return epcs;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The last status the sink saw in `state` (the error that led to a backoff).
hal::ReaderStatus last_status_in(const RecordingSink& sink, DriverState state) {
  for (auto it = sink.statuses.rbegin(); it != sink.statuses.rend(); ++it) {
    if (it->state == state) return *it;
  }
  FAIL("the sink never saw state " << hal::to_string(state));
  return {};
}

// --- scripts (free functions: a coroutine lambda's captures die with it) ---

awaitable<void> startup_then_serve(FakeReader& reader, FakeReaderSpec spec,
                                   std::vector<OwnedMessage>& startup,
                                   std::vector<OwnedMessage>& after) {
  auto c = co_await reader.accept();
  startup = co_await c.serve_startup(spec);
  co_await c.serve_until_closed(spec, &after);
}

awaitable<void> startup_then_report(FakeReader& reader, FakeReaderSpec spec,
                                    std::vector<hal::llrp::TagReport> tags,
                                    std::vector<OwnedMessage>& startup) {
  auto c = co_await reader.accept();
  startup = co_await c.serve_startup(spec);
  co_await c.send(ro_access_report(tags, 1001));
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE("start-up: the full LLRP sequence, in order, with the lane's settings") {
  DriverHarness h;
  std::vector<OwnedMessage> startup, after;
  ScriptResult script;
  spawn(h.io, startup_then_serve(h.reader, FakeReaderSpec::generic(), startup, after), script);
  REQUIRE(h.run([&] { return !startup.empty() && h.state() == DriverState::running; }));
  INFO(h.log_text());

  using T = MessageType;
  const std::vector<T> expected = {T::get_reader_capabilities,
                                   T::set_reader_config,
                                   T::set_reader_config,
                                   T::get_reader_config,
                                   T::delete_rospec,
                                   T::delete_accessspec,
                                   T::add_rospec,
                                   T::add_accessspec,
                                   T::enable_accessspec,
                                   T::enable_rospec,
                                   T::enable_events_and_reports};
  INFO("requests: " << names_of(startup));
  REQUIRE(types_of(startup) == expected);

  // Message ids are non-zero and never reused.
  std::vector<std::uint32_t> ids;
  for (const auto& m : startup) ids.push_back(m.header.message_id);
  CHECK(std::find(ids.begin(), ids.end(), 0u) == ids.end());
  std::sort(ids.begin(), ids.end());
  CHECK(std::adjacent_find(ids.begin(), ids.end()) == ids.end());

  hal::llrp::CapabilitiesRequest what{};
  REQUIRE_FALSE(hal::llrp::decode_get_reader_capabilities(startup[0].view(), what));
  CHECK(what == hal::llrp::CapabilitiesRequest::all);

  // First a factory reset, alone.
  hal::llrp::SetReaderConfig reset;
  REQUIRE_FALSE(hal::llrp::decode_set_reader_config(startup[1].view(), reset));
  CHECK(reset.reset_to_factory_default);
  CHECK(reset == hal::llrp::factory_reset_config());

  // Then keepalives, events, report spec.
  hal::llrp::SetReaderConfig config;
  REQUIRE_FALSE(hal::llrp::decode_set_reader_config(startup[2].view(), config));
  CHECK_FALSE(config.reset_to_factory_default);
  REQUIRE(config.config.keepalive_spec);
  CHECK(config.config.keepalive_spec->trigger == hal::llrp::KeepaliveTrigger::periodic);
  CHECK(config.config.keepalive_spec->period_ms == 1000);
  REQUIRE(config.config.reader_event_notification_spec);
  const auto enabled = [&](hal::llrp::ReaderEventType type) {
    for (const auto& s : config.config.reader_event_notification_spec->states) {
      if (s.event == type) return s.enabled;
    }
    return false;
  };
  CHECK(enabled(hal::llrp::ReaderEventType::antenna_event));
  CHECK(enabled(hal::llrp::ReaderEventType::ro_spec_event));
  CHECK(enabled(hal::llrp::ReaderEventType::reader_exception_event));
  CHECK(enabled(hal::llrp::ReaderEventType::gpi_event));
  CHECK(enabled(hal::llrp::ReaderEventType::report_buffer_fill_warning));  // the fake can report it
  CHECK_FALSE(enabled(hal::llrp::ReaderEventType::upon_hopping_to_next_channel));
  REQUIRE(config.config.ro_report_spec);
  const hal::llrp::RoReportSpec& report = *config.config.ro_report_spec;
  CHECK(report.trigger == hal::llrp::RoReportTrigger::upon_n_tags_or_end_of_ai_spec);
  CHECK(report.n == 1);
  CHECK(report.content.enable_antenna_id);
  CHECK(report.content.enable_peak_rssi);
  CHECK(report.content.enable_first_seen_timestamp);
  CHECK(report.content.enable_last_seen_timestamp);
  CHECK(report.content.enable_tag_seen_count);
  CHECK(report.content.enable_channel_index);
  CHECK(report.content.enable_access_spec_id);
  CHECK_FALSE(report.impinj);

  std::uint32_t spec_id = 99;
  REQUIRE_FALSE(
      hal::llrp::decode_rospec_command(startup[4].view(), MessageType::delete_rospec, spec_id));
  CHECK(spec_id == 0);  // all
  REQUIRE_FALSE(hal::llrp::decode_accessspec_command(startup[5].view(),
                                                     MessageType::delete_accessspec, spec_id));
  CHECK(spec_id == 0);

  hal::llrp::RoSpec rospec;
  REQUIRE_FALSE(hal::llrp::decode_add_rospec(startup[6].view(), rospec));
  CHECK(rospec.id == hal::llrp::kLaneRoSpecId);
  CHECK(rospec.current_state == hal::llrp::RoSpecState::disabled);
  CHECK(rospec.start_trigger.type == hal::llrp::RoSpecStartTriggerType::immediate);
  CHECK(rospec.stop_trigger.type == hal::llrp::RoSpecStopTriggerType::null);
  REQUIRE(rospec.ai_specs.size() == 1);
  CHECK(rospec.ai_specs[0].antenna_ids == std::vector<std::uint16_t>{0});  // all antennas
  CHECK(rospec.ai_specs[0].stop_trigger.type == hal::llrp::AiSpecStopTriggerType::null);
  REQUIRE(rospec.report_spec);
  CHECK(*rospec.report_spec == report);

  hal::llrp::AccessSpec access;
  REQUIRE_FALSE(hal::llrp::decode_add_accessspec(startup[7].view(), access));
  CHECK(access.id == hal::llrp::kTidAccessSpecId);
  CHECK_FALSE(access.is_active);
  REQUIRE(access.reads.size() == 1);
  CHECK(access.reads[0].bank == hal::llrp::MemoryBank::tid);
  CHECK(access.reads[0].word_pointer == 0);
  CHECK(access.reads[0].word_count == 6);
  CHECK(access.reads[0].op_spec_id == hal::llrp::kTidReadOpSpecId);
  REQUIRE(access.tag_patterns.size() == 1);
  CHECK(access.tag_patterns[0].mask_bit_count == 0);  // every tag

  REQUIRE_FALSE(hal::llrp::decode_accessspec_command(startup[8].view(),
                                                     MessageType::enable_accessspec, spec_id));
  CHECK(spec_id == hal::llrp::kTidAccessSpecId);
  REQUIRE_FALSE(
      hal::llrp::decode_rospec_command(startup[9].view(), MessageType::enable_rospec, spec_id));
  CHECK(spec_id == hal::llrp::kLaneRoSpecId);

  // The status a technician sees.
  const hal::ReaderStatus s = h.status();
  CHECK(s.state == DriverState::running);
  CHECK(s.uri == h.reader.uri());
  CHECK(contains(s.peer, "127.0.0.1:"));
  REQUIRE(s.identity);
  CHECK(s.identity->manufacturer == 10642);
  CHECK(s.identity->manufacturer_name == "PEN 10642");
  CHECK(s.identity->firmware_version == "3.1.4");
  CHECK(s.identity->antenna_count == 4);
  CHECK(s.identity->gpo_count == 3);
  CHECK_FALSE(s.identity->impinj_extensions);
  REQUIRE(s.antennas.size() == 4);
  CHECK(s.antennas[0].state == hal::AntennaState::connected);
  CHECK(s.antennas[1].state == hal::AntennaState::disconnected);
  CHECK(s.connected_since_utc_us);
  CHECK(s.running_since_utc_us);
  CHECK(s.last_message_utc_us);
  CHECK(s.clock.kind ==
        hal::ReaderClockKind::utc);  // from the ConnectionAttemptEvent's UTCTimestamp
  CHECK(s.reconnect_count == 0);
  CHECK(s.error_count == 0);
  CHECK(h.sink.saw_state(DriverState::connecting));
  CHECK(h.sink.saw_state(DriverState::configuring));
  script.rethrow();
}

TEST_CASE(
    "start-up: configured antennas go into the ROSpec, one the reader lacks is a clear error") {
  auto options = fast_options();
  options.antennas = {1, 3};
  DriverHarness h(options);
  std::vector<OwnedMessage> startup, after;
  ScriptResult script;
  spawn(h.io, startup_then_serve(h.reader, FakeReaderSpec::generic(), startup, after), script);
  REQUIRE(h.run([&] { return !startup.empty() && h.state() == DriverState::running; }));
  hal::llrp::RoSpec rospec;
  REQUIRE(startup.size() > 6);
  REQUIRE_FALSE(hal::llrp::decode_add_rospec(startup[6].view(), rospec));
  CHECK(rospec.ai_specs.at(0).antenna_ids == std::vector<std::uint16_t>{1, 3});

  auto too_many = fast_options();
  too_many.antennas = {1, 5};
  too_many.backoff_initial = 10s;
  too_many.backoff_max = 10s;
  DriverHarness h2(too_many);
  std::vector<OwnedMessage> startup2, after2;
  ScriptResult script2;
  spawn(h2.io, startup_then_serve(h2.reader, FakeReaderSpec::generic(), startup2, after2), script2);
  REQUIRE(h2.run_until_state(DriverState::backing_off));
  const auto s = h2.status();
  CHECK(s.last_error_code == hal::DriverErrc::bad_options);
  CHECK(contains(s.last_error, "antenna 5 is configured, but the reader has 4 antennas"));
}

TEST_CASE("Impinj reader: IMPINJ_ENABLE_EXTENSIONS and FastID instead of an AccessSpec") {
  DriverHarness h;
  std::vector<OwnedMessage> startup;
  ScriptResult script;
  auto t = tag(kEpcA);
  t.antenna_id = 2;
  with_impinj_tid(t, kTidA);
  spawn(h.io, startup_then_report(h.reader, FakeReaderSpec::impinj(), {t}, startup), script);
  REQUIRE(h.run([&] { return h.sink.reads.size() == 1; }));
  INFO(h.log_text() << "requests: " << names_of(startup));

  using T = MessageType;
  const std::vector<T> expected = {T::get_reader_capabilities, T::custom_message,
                                   T::set_reader_config,       T::set_reader_config,
                                   T::get_reader_config,       T::delete_rospec,
                                   T::delete_accessspec,       T::add_rospec,
                                   T::enable_rospec,           T::enable_events_and_reports};
  REQUIRE(types_of(startup) == expected);
  CHECK(startup[1].is_impinj_enable_extensions());
  hal::llrp::RoSpec rospec;
  REQUIRE_FALSE(hal::llrp::decode_add_rospec(startup[7].view(), rospec));
  REQUIRE(rospec.report_spec);
  REQUIRE(rospec.report_spec->impinj);
  CHECK(rospec.report_spec->impinj->enable_serialized_tid);

  const TagRead& read = h.sink.reads.at(0);
  CHECK(epc_of(read) == kEpcA);
  CHECK(tid_of(read) == kTidA);
  CHECK(read.antenna == 2);
  const auto s = h.status();
  REQUIRE(s.identity);
  CHECK(s.identity->manufacturer_name == "Impinj");
  CHECK(s.identity->impinj_extensions);
  script.rethrow();
}

TEST_CASE("Impinj reader that refuses the extensions: falls back to the TID AccessSpec") {
  DriverHarness h;
  std::vector<OwnedMessage> startup, after;
  ScriptResult script;
  auto spec = FakeReaderSpec::impinj();
  spec.error_message_for.insert(MessageType::custom_message);
  spawn(h.io, startup_then_serve(h.reader, spec, startup, after), script);
  REQUIRE(h.run([&] { return !startup.empty() && h.state() == DriverState::running; }));
  INFO(names_of(startup));
  const auto types = types_of(startup);
  CHECK(std::count(types.begin(), types.end(), MessageType::add_accessspec) == 1);
  hal::llrp::RoSpec rospec;
  REQUIRE_FALSE(hal::llrp::decode_add_rospec(startup.at(7).view(), rospec));
  CHECK_FALSE(rospec.report_spec->impinj);
  CHECK_FALSE(h.status().identity->impinj_extensions);
}

TEST_CASE("reads: each TagReportData becomes a TagRead with every field") {
  DriverHarness h;
  std::vector<OwnedMessage> startup;
  ScriptResult script;

  auto a = tag(kEpcA);
  a.antenna_id = 1;
  a.peak_rssi_dbm = -55;
  a.channel_index = 7;
  a.first_seen_utc_us = 1'700'000'000'123'456;
  a.last_seen_utc_us = 1'700'000'000'223'456;
  a.tag_seen_count = 3;
  a.pc_bits = 0x3000;
  a.access_spec_id = 1;
  with_tid_read(a, kTidA);
  // B leaves out what equals A's (LLRP 1.1 §14.2.3): antenna, RSSI, channel, PC.
  auto b = tag(kEpcB);
  b.first_seen_utc_us = 1'700'000'000'500'000;
  with_tid_read(b, kTidB);
  // C's TID read failed: no TID, read kept.
  auto c = tag(kEpcC);
  c.antenna_id = 3;
  c.read_results[0].result = hal::llrp::C1G2ReadResult::no_response_from_tag;
  c.read_results[0].op_spec_id = 1;
  c.read_result_count = 1;

  const std::int64_t before = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  spawn(h.io, startup_then_report(h.reader, FakeReaderSpec::generic(), {a, b, c}, startup), script);
  REQUIRE(h.run([&] { return h.sink.reads.size() == 3; }));
  INFO(h.log_text());

  const TagRead& ra = h.sink.reads[0];
  CHECK(ra.reader_id == 7);
  CHECK(epc_of(ra) == kEpcA);
  CHECK(tid_of(ra) == kTidA);
  CHECK(ra.antenna == 1);
  CHECK(ra.pc == std::optional<std::uint16_t>(0x3000));
  CHECK(ra.peak_rssi_cdbm == std::optional<std::int16_t>(-5500));
  CHECK(ra.reader_first_seen_utc_us == std::optional<std::int64_t>(1'700'000'000'123'456));
  CHECK_FALSE(ra.reader_first_seen_uptime_us);
  CHECK(ra.channel == std::optional<std::uint16_t>(7));
  CHECK(ra.seen_count == 3);
  CHECK(ra.host_utc_us >= before);
  CHECK(ra.host_mono_us > 0);

  const TagRead& rb = h.sink.reads[1];
  CHECK(epc_of(rb) == kEpcB);
  CHECK(tid_of(rb) == kTidB);
  CHECK(rb.antenna == 1);                                          // inherited
  CHECK(rb.peak_rssi_cdbm == std::optional<std::int16_t>(-5500));  // inherited
  CHECK(rb.channel == std::optional<std::uint16_t>(7));            // inherited
  CHECK(rb.reader_first_seen_utc_us == std::optional<std::int64_t>(1'700'000'000'500'000));

  const TagRead& rc = h.sink.reads[2];
  CHECK(epc_of(rc) == kEpcC);
  CHECK(rc.tid.empty());
  CHECK(rc.antenna == 3);

  const auto s = h.status();
  CHECK(s.read_count == 3);
  REQUIRE(s.antennas.size() == 4);
  CHECK(s.antennas[0].read_count == 2);
  CHECK(s.antennas[2].read_count == 1);
  CHECK(s.clock.kind == hal::ReaderClockKind::utc);
  REQUIRE(s.clock.reader_minus_host_us);
  CHECK(*s.clock.reader_minus_host_us < 0);  // the fake's timestamps are from 2023
  script.rethrow();
}

namespace {

awaitable<void> keepalive_script(FakeReader& reader, std::vector<OwnedMessage>& acks) {
  const auto spec = FakeReaderSpec::generic();
  auto c = co_await reader.accept();
  (void)co_await c.serve_startup(spec);
  co_await c.send(keepalive(77));
  acks.push_back(co_await c.expect(MessageType::keepalive_ack));
  co_await c.send(keepalive(78));
  acks.push_back(co_await c.expect(MessageType::keepalive_ack));
  co_await c.send(antenna_event(3, false));
  co_await c.send(antenna_event(2, true));
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE("KEEPALIVE is answered with KEEPALIVE_ACK, antenna events reach the status") {
  DriverHarness h;
  std::vector<OwnedMessage> acks;
  ScriptResult script;
  spawn(h.io, keepalive_script(h.reader, acks), script);
  REQUIRE(h.run([&] {
    const auto s = h.status();
    return acks.size() == 2 && s.antennas.size() == 4 &&
           s.antennas[1].state == hal::AntennaState::connected;
  }));
  CHECK(acks[0].header.message_id == 77);
  CHECK(acks[1].header.message_id == 78);
  const auto s = h.status();
  CHECK(s.antennas[2].state == hal::AntennaState::disconnected);
  CHECK(s.antennas[0].state == hal::AntennaState::connected);
  CHECK(h.sink.statuses.back().antennas[1].state == hal::AntennaState::connected);
  script.rethrow();
}

namespace {

// First connection: `first` fails the set-up; second: all well.
awaitable<void> fail_then_succeed(FakeReader& reader, FakeReaderSpec first,
                                  std::vector<OwnedMessage>& first_requests,
                                  std::vector<OwnedMessage>& second_requests) {
  {
    auto c = co_await reader.accept();
    first_requests = co_await c.serve_startup(first);
    co_await c.until_closed();
  }
  const auto spec = FakeReaderSpec::generic();
  auto c = co_await reader.accept();
  second_requests = co_await c.serve_startup(spec);
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE("a reader error status is a clear error, then backoff and a new attempt") {
  DriverHarness h;
  auto spec = FakeReaderSpec::generic();
  spec.failures[MessageType::add_rospec] =
      failed_status(hal::llrp::StatusCode::p_field_error, "bad antenna");
  std::vector<OwnedMessage> first, second;
  ScriptResult script;
  spawn(h.io, fail_then_succeed(h.reader, spec, first, second), script);
  REQUIRE(h.run([&] { return h.reader.accepted() == 2 && h.state() == DriverState::running; }));
  INFO(h.log_text());

  // The first attempt stopped at the refused ADD_ROSPEC.
  REQUIRE_FALSE(first.empty());
  CHECK(first.back().type() == MessageType::add_rospec);
  const auto failed = last_status_in(h.sink, DriverState::backing_off);
  CHECK(failed.last_error_code == hal::DriverErrc::reader_status_error);
  CHECK(contains(failed.last_error, "the reader refused ADD_ROSPEC: P_FieldError: bad antenna"));
  CHECK(failed.next_attempt_utc_us);

  const auto s = h.status();
  CHECK(s.reconnect_count == 1);
  CHECK(s.error_count == 1);
  CHECK(contains(s.last_error, "bad antenna"));  // the last error stays for the technician
  script.rethrow();
}

TEST_CASE("an ERROR_MESSAGE answering a request is a clear error naming the request") {
  DriverHarness h;
  auto spec = FakeReaderSpec::generic();
  spec.error_message_for.insert(MessageType::add_accessspec);
  std::vector<OwnedMessage> first, second;
  ScriptResult script;
  spawn(h.io, fail_then_succeed(h.reader, spec, first, second), script);
  REQUIRE(h.run([&] { return h.reader.accepted() == 2 && h.state() == DriverState::running; }));
  const auto failed = last_status_in(h.sink, DriverState::backing_off);
  CHECK(failed.last_error_code == hal::DriverErrc::reader_error_message);
  CHECK(contains(failed.last_error,
                 "answered ADD_ACCESSSPEC (TID read) with ERROR_MESSAGE: M_UnsupportedMessage"));
}

namespace {

awaitable<void> refuse_then_accept(FakeReader& reader, hal::llrp::ConnectionAttemptStatus refusal,
                                   std::vector<OwnedMessage>& second_requests) {
  {
    auto c = co_await reader.accept();
    co_await c.send(connection_attempt_event(refusal));
    co_await c.until_closed();
  }
  const auto spec = FakeReaderSpec::generic();
  auto c = co_await reader.accept();
  second_requests = co_await c.serve_startup(spec);
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE(
    "ConnectionAttemptEvent 'another client is connected' is a clear error, garita backs off") {
  DriverHarness h;
  std::vector<OwnedMessage> second;
  ScriptResult script;
  spawn(h.io,
        refuse_then_accept(
            h.reader, hal::llrp::ConnectionAttemptStatus::failed_client_initiated_connection_exists,
            second),
        script);
  REQUIRE(h.run([&] { return h.reader.accepted() == 2 && h.state() == DriverState::running; }));
  const auto failed = last_status_in(h.sink, DriverState::backing_off);
  CHECK(failed.last_error_code == hal::DriverErrc::connection_refused_by_reader);
  CHECK(contains(failed.last_error, "another client is already connected"));
  CHECK(contains(failed.last_error, "Failed_Client_Initiated_Connection_Exists"));
  CHECK(h.status().reconnect_count == 1);
  script.rethrow();
}

namespace {

awaitable<void> go_silent_then_serve(FakeReader& reader,
                                     std::chrono::steady_clock::time_point& silent_since,
                                     std::chrono::steady_clock::time_point& dropped_at) {
  const auto spec = FakeReaderSpec::generic();
  {
    auto c = co_await reader.accept();
    (void)co_await c.serve_startup(spec);
    silent_since = std::chrono::steady_clock::now();
    co_await c.until_closed();  // no keepalives from here on
    dropped_at = std::chrono::steady_clock::now();
  }
  auto c = co_await reader.accept();
  (void)co_await c.serve_startup(spec);
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE("dead link: no keepalive for 3 periods closes the connection and reconnects") {
  auto options = fast_options();
  options.keepalive_period = 60ms;
  options.dead_after_keepalives = 3;
  DriverHarness h(options);
  std::chrono::steady_clock::time_point silent_since, dropped_at;
  ScriptResult script;
  spawn(h.io, go_silent_then_serve(h.reader, silent_since, dropped_at), script);
  REQUIRE(h.run([&] { return h.reader.accepted() == 2 && h.state() == DriverState::running; }));
  INFO(h.log_text());
  const auto silence = dropped_at - silent_since;
  CHECK(silence >= 150ms);  // 180 ms less scheduling slack
  CHECK(silence < 1500ms);
  const auto failed = last_status_in(h.sink, DriverState::backing_off);
  CHECK(failed.last_error_code == hal::DriverErrc::link_dead);
  CHECK(contains(failed.last_error, "lost the reader: nothing from the reader for 180 ms"));
  CHECK(h.status().reconnect_count == 1);
  script.rethrow();
}

namespace {

awaitable<void> drop_mid_report(FakeReader& reader) {
  const auto spec = FakeReaderSpec::generic();
  {
    auto c = co_await reader.accept();
    (void)co_await c.serve_startup(spec);
    auto a = tag(kEpcA);
    a.antenna_id = 4;
    // (Messages are built outside co_await expressions: GCC 12 miscompiles
    // initializer lists there.)
    auto first = ro_access_report({a, tag(kEpcB)}, 1);
    co_await c.send(std::move(first));
    auto cut = ro_access_report({tag(kEpcC), tag(kEpcD)}, 2);
    cut.resize(cut.size() / 2);
    co_await c.send(cut);
    co_await sleep_for(20ms);
    c.stream().close();  // the reader reboots mid-report
  }
  auto c = co_await reader.accept();
  (void)co_await c.serve_startup(spec);
  auto report =
      ro_access_report({tag(kEpcE)}, 3);  // no antenna: nothing to inherit on a new connection
  co_await c.send(std::move(report));
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE(
    "connection dropped mid-report: the complete reads are kept, none duplicated, reconnected") {
  DriverHarness h;
  ScriptResult script;
  spawn(h.io, drop_mid_report(h.reader), script);
  REQUIRE(h.run([&] { return h.sink.reads.size() >= 3; }));
  run_until(
      h.io, [] { return false; }, 100ms);  // anything extra would show up now
  INFO(h.log_text());
  CHECK(epcs_of(h.sink.reads) == std::vector<std::string>{kEpcA, kEpcB, kEpcE});
  CHECK(h.sink.reads[1].antenna == 4);  // inherited from A, same connection
  CHECK(h.sink.reads[2].antenna == 0);  // not inherited across connections
  const auto s = h.status();
  CHECK(s.read_count == 3);
  CHECK(s.reconnect_count == 1);
  const auto failed = last_status_in(h.sink, DriverState::backing_off);
  CHECK(failed.last_error_code == hal::DriverErrc::reader_closed_connection);
  CHECK(contains(failed.last_error, "closed the connection"));
  script.rethrow();
}

namespace {

awaitable<void> split_writes(FakeReader& reader, std::vector<OwnedMessage>& acks) {
  const auto spec = FakeReaderSpec::generic();
  auto c = co_await reader.accept();
  (void)co_await c.serve_startup(spec);
  auto bytes = ro_access_report({tag(kEpcA), tag(kEpcB)}, 5);
  using Bytes = std::vector<std::uint8_t>;
  co_await c.send(Bytes(bytes.begin(), bytes.begin() + 5));  // inside the header
  co_await sleep_for(15ms);
  co_await c.send(Bytes(bytes.begin() + 5, bytes.begin() + 30));
  co_await sleep_for(15ms);
  // The rest of the report and a whole KEEPALIVE in one write.
  Bytes rest(bytes.begin() + 30, bytes.end());
  const auto ka = keepalive(9);
  rest.insert(rest.end(), ka.begin(), ka.end());
  co_await c.send(rest);
  acks.push_back(co_await c.expect(MessageType::keepalive_ack));
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE("a message split over several TCP writes, and two messages in one write") {
  DriverHarness h;
  std::vector<OwnedMessage> acks;
  ScriptResult script;
  spawn(h.io, split_writes(h.reader, acks), script);
  REQUIRE(h.run([&] { return h.sink.reads.size() == 2 && acks.size() == 1; }));
  CHECK(epcs_of(h.sink.reads) == std::vector<std::string>{kEpcA, kEpcB});
  CHECK(acks[0].header.message_id == 9);
  CHECK(h.status().error_count == 0);
  script.rethrow();
}

namespace {

awaitable<void> garbage_length(FakeReader& reader) {
  const auto spec = FakeReaderSpec::generic();
  {
    auto c = co_await reader.accept();
    (void)co_await c.serve_startup(spec);
    // RO_ACCESS_REPORT header claiming 4 GiB.
    std::vector<std::uint8_t> garbage = {0x04, 0x3D, 0xFF, 0xFF, 0xFF, 0xF0,
                                         0,    0,    0,    1,    0xAA, 0xBB};
    co_await c.send(std::move(garbage));
    co_await c.until_closed();
  }
  auto c = co_await reader.accept();
  (void)co_await c.serve_startup(spec);
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE("an impossible message length drops the connection and reconnects") {
  DriverHarness h;
  ScriptResult script;
  spawn(h.io, garbage_length(h.reader), script);
  REQUIRE(h.run([&] { return h.reader.accepted() == 2 && h.state() == DriverState::running; }));
  const auto failed = last_status_in(h.sink, DriverState::backing_off);
  CHECK(failed.last_error_code == hal::llrp::Errc::message_length_too_large);
  CHECK(contains(failed.last_error, "impossible length"));
  CHECK(h.sink.reads.empty());
  script.rethrow();
}

namespace {

awaitable<void> goodbye_script(FakeReader& reader, std::vector<OwnedMessage>& goodbye,
                               bool& closed) {
  const auto spec = FakeReaderSpec::generic();
  auto c = co_await reader.accept();
  (void)co_await c.serve_startup(spec);
  auto report = ro_access_report({tag(kEpcA)}, 1);
  co_await c.send(std::move(report));
  auto disable = co_await c.expect(MessageType::disable_rospec);
  goodbye.push_back(disable);
  co_await c.answer_request(disable, spec);
  auto close = co_await c.expect(MessageType::close_connection);
  goodbye.push_back(close);
  co_await c.answer_request(close, spec);
  co_await c.until_closed();
  closed = true;
}

}  // namespace

TEST_CASE("stop(): DISABLE_ROSPEC, CLOSE_CONNECTION, close, nothing after the completion") {
  std::weak_ptr<hal::ReaderDriver> weak;
  std::vector<OwnedMessage> goodbye;
  bool closed = false;
  {
    DriverHarness h;
    ScriptResult script;
    spawn(h.io, goodbye_script(h.reader, goodbye, closed), script);
    REQUIRE(h.run([&] { return h.sink.reads.size() == 1; }));
    REQUIRE(h.stop());
    CHECK(h.state() == DriverState::stopped);
    CHECK(h.sink.statuses.back().state == DriverState::stopped);
    REQUIRE(h.run([&] { return script.finished; }));
    script.rethrow();
    REQUIRE(goodbye.size() == 2);
    std::uint32_t id = 0;
    REQUIRE_FALSE(
        hal::llrp::decode_rospec_command(goodbye[0].view(), MessageType::disable_rospec, id));
    CHECK(id == hal::llrp::kLaneRoSpecId);
    CHECK(closed);

    // Quiet: no sink call after the completion, and once the io_context has
    // drained nothing holds the driver (no timer or read left behind).
    h.io.restart();
    h.io.run_for(50ms);
    CHECK(h.sink.calls_after_stop == 0);
    weak = h.driver;
    h.driver.reset();
    CHECK(weak.expired());
  }
  CHECK(weak.expired());
}

TEST_CASE("stop() twice, before start, and while backing off") {
  auto options = fast_options();
  options.backoff_initial = 10s;
  options.backoff_max = 10s;
  {
    DriverHarness h(options, "llrp://127.0.0.1:" + std::to_string(unused_port()));
    REQUIRE(h.run_until_state(DriverState::backing_off));
    const auto s = h.status();
    CHECK(contains(s.last_error, "cannot connect to 127.0.0.1:"));
    CHECK(contains(s.last_error, "refused"));
    int completions = 0;
    h.driver->stop([&] { ++completions; });
    h.driver->stop([&] { ++completions; });
    REQUIRE(h.run(1s, [&] { return completions == 2; }));
    CHECK(h.state() == DriverState::stopped);
    int late = 0;
    h.driver->stop([&] { ++late; });
    REQUIRE(h.run(1s, [&] { return late == 1; }));
  }
  {
    DriverHarness h(options, {}, false);
    REQUIRE(h.stop(1s));
    h.driver->start();  // too late: stays stopped
    h.io.restart();
    h.io.run_for(20ms);
    CHECK(h.state() == DriverState::stopped);
    CHECK(h.reader.accepted() == 0);
  }
}

namespace {

awaitable<void> silent_reader(FakeReader& reader, bool& closed) {
  auto c = co_await reader.accept();
  co_await c.until_closed();
  closed = true;
}

}  // namespace

TEST_CASE("a peer that never sends the ConnectionAttemptEvent times out with a clear error") {
  auto options = fast_options();
  options.response_timeout = 150ms;
  options.backoff_initial = 10s;
  options.backoff_max = 10s;
  DriverHarness h(options);
  bool closed = false;
  ScriptResult script;
  spawn(h.io, silent_reader(h.reader, closed), script);
  REQUIRE(h.run_until_state(DriverState::backing_off));
  const auto s = h.status();
  CHECK(s.last_error_code == hal::DriverErrc::response_timeout);
  CHECK(contains(s.last_error, "no ConnectionAttemptEvent came within 150 ms"));
  REQUIRE(h.run(1s, [&] { return closed; }));
}

namespace {

awaitable<void> reader_says_goodbye(FakeReader& reader) {
  const auto spec = FakeReaderSpec::generic();
  {
    auto c = co_await reader.accept();
    (void)co_await c.serve_startup(spec);
    co_await c.send(connection_close_event());
    co_await c.until_closed();
  }
  auto c = co_await reader.accept();
  (void)co_await c.serve_startup(spec);
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE("ConnectionCloseEvent from the reader: reconnect") {
  DriverHarness h;
  ScriptResult script;
  spawn(h.io, reader_says_goodbye(h.reader), script);
  REQUIRE(h.run([&] { return h.reader.accepted() == 2 && h.state() == DriverState::running; }));
  const auto failed = last_status_in(h.sink, DriverState::backing_off);
  CHECK(failed.last_error_code == hal::DriverErrc::reader_closed_connection);
  CHECK(contains(failed.last_error, "ConnectionCloseEvent"));
  script.rethrow();
}

namespace {

// The reader dials garita (reader-initiated connection).
awaitable<void> dial_client(std::uint16_t port, std::vector<OwnedMessage>& startup) {
  auto executor = co_await asio::this_coro::executor;
  tcp::socket socket(executor);
  // garita may not listen yet: retry for a while.
  for (int attempt = 0;; ++attempt) {
    boost::system::error_code ec;
    co_await socket.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                  asio::redirect_error(use_awaitable, ec));
    if (!ec) break;
    if (attempt > 100) throw boost::system::system_error(ec);
    socket = tcp::socket(executor);
    co_await sleep_for(10ms);
  }
  TcpConnection c(std::move(socket));
  const auto spec = FakeReaderSpec::generic();
  startup = co_await c.serve_startup(spec);
  auto report = ro_access_report({tag(kEpcA)}, 1);
  co_await c.send(std::move(report));
  co_await c.serve_until_closed(spec);
}

}  // namespace

TEST_CASE("listen mode: the reader dials garita") {
  const std::uint16_t port = unused_port();
  DriverHarness h(fast_options(), "llrp://127.0.0.1:" + std::to_string(port) + "?listen=1");
  std::vector<OwnedMessage> startup;
  ScriptResult script;
  spawn(h.io, dial_client(port, startup), script);
  REQUIRE(h.run([&] { return h.sink.reads.size() == 1; }));
  CHECK(startup.size() == 11);
  CHECK(h.status().uri == "llrp://127.0.0.1:" + std::to_string(port) + "?listen=1");
  CHECK(h.state() == DriverState::running);
  REQUIRE(h.stop());
  REQUIRE(h.run([&] { return script.finished; }));
  script.rethrow();
}

TEST_CASE("lane light: set_output writes the GPO, bad port and no session are refused") {
  DriverHarness h;
  std::vector<OwnedMessage> startup, after;
  ScriptResult script;

  std::optional<std::error_code> early;
  h.driver->set_output(1, true, [&](std::error_code ec) { early = ec; });
  spawn(h.io, startup_then_serve(h.reader, FakeReaderSpec::generic(), startup, after), script);
  REQUIRE(h.run([&] { return early.has_value(); }));
  CHECK(*early == hal::DriverErrc::not_running);

  REQUIRE(h.run([&] { return !startup.empty() && h.state() == DriverState::running; }));
  std::optional<std::error_code> on, bad;
  h.driver->set_output(2, true, [&](std::error_code ec) { on = ec; });
  h.driver->set_output(9, true, [&](std::error_code ec) { bad = ec; });
  REQUIRE(h.run([&] { return on && bad; }));
  CHECK_FALSE(*on);
  CHECK(*bad == hal::DriverErrc::bad_argument);
  REQUIRE(after.size() == 1);
  hal::llrp::SetReaderConfig gpo;
  REQUIRE_FALSE(hal::llrp::decode_set_reader_config(after[0].view(), gpo));
  REQUIRE(gpo.config.gpo_write_data.size() == 1);
  CHECK(gpo.config.gpo_write_data[0].port == 2);
  CHECK(gpo.config.gpo_write_data[0].data);
  script.rethrow();
}

// RO_ACCESS_REPORTs from the simulated reader: only the fields the
// TagReportContentSelector enables, N-tag batching and aggregation, TIDs
// only through an AccessSpec (or Impinj FastID), reads lost while not
// inventorying, the report buffer across connections, reboots.
#include <catch2/catch.hpp>

#include "SimLlrpTestSupport.hpp"
#include "garita/common/Hex.hpp"
#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/sim/llrp/TagMemory.hpp"

using namespace garita::sim::llrp;
using namespace garita::sim::llrp::test;
namespace codec = garita::hal::llrp;
using codec::MessageType;

namespace {

constexpr std::int64_t kMs = 1000;

codec::TagReportContentSelector everything() {
  codec::TagReportContentSelector c;
  c.enable_ro_spec_id = true;
  c.enable_spec_index = true;
  c.enable_inventory_parameter_spec_id = true;
  c.enable_antenna_id = true;
  c.enable_channel_index = true;
  c.enable_peak_rssi = true;
  c.enable_first_seen_timestamp = true;
  c.enable_last_seen_timestamp = true;
  c.enable_tag_seen_count = true;
  c.enable_access_spec_id = true;
  c.c1g2_epc_memory_selector = codec::C1G2EpcMemorySelector{true, true, false};
  return c;
}

std::string epc_hex(const codec::TagReport& t) { return garita::to_hex(t.epc.bytes()); }

}  // namespace

TEST_CASE("a report carries exactly the fields the content selector enables") {
  SECTION("nothing enabled: only the EPC") {
    Harness h;
    h.connect();
    h.add_rospec(lane_rospec(1, 1, codec::TagReportContentSelector{}));
    h.enable_rospec(1);
    h.observe(h.read(1, 7, h.now() + 10 * kMs));
    const auto tags = tag_reports(h.drain());
    REQUIRE(tags.size() == 1);
    const auto& t = tags[0];
    CHECK(epc_hex(t) == "E2C0DE010000000000000007");
    CHECK(t.epc.bit_count == 96);
    CHECK_FALSE(t.antenna_id);
    CHECK_FALSE(t.peak_rssi_dbm);
    CHECK_FALSE(t.channel_index);
    CHECK_FALSE(t.first_seen_utc_us);
    CHECK_FALSE(t.first_seen_uptime_us);
    CHECK_FALSE(t.last_seen_utc_us);
    CHECK_FALSE(t.tag_seen_count);
    CHECK_FALSE(t.ro_spec_id);
    CHECK_FALSE(t.spec_index);
    CHECK_FALSE(t.inventory_parameter_spec_id);
    CHECK_FALSE(t.pc_bits);
    CHECK_FALSE(t.crc);
    CHECK_FALSE(t.access_spec_id);
    CHECK(t.read_result_count == 0);
    CHECK_FALSE(t.impinj_serialized_tid);
  }
  SECTION("everything enabled") {
    Harness h;
    h.connect();
    h.add_rospec(lane_rospec(1, 1, everything()));
    h.enable_rospec(1);
    const std::int64_t at = h.now() + 10 * kMs;
    h.observe(h.read(2, 7, at));
    const auto tags = tag_reports(h.drain());
    REQUIRE(tags.size() == 1);
    const auto& t = tags[0];
    CHECK(t.antenna_id == 2);
    CHECK(t.peak_rssi_dbm == -55);
    CHECK(t.channel_index == 7);
    CHECK(t.first_seen_utc_us == static_cast<std::uint64_t>(at));
    CHECK(t.last_seen_utc_us == static_cast<std::uint64_t>(at));
    CHECK(t.tag_seen_count == 1);
    CHECK(t.ro_spec_id == 1u);
    CHECK(t.spec_index == 1);
    CHECK(t.inventory_parameter_spec_id == 1);
    CHECK(t.pc_bits == 0x3000);
    REQUIRE(t.crc);
    CHECK(*t.crc == gen2_stored_crc(0x3000, t.epc.bytes()));
    CHECK_FALSE(t.access_spec_id);  // no AccessSpec ran
  }
  SECTION("--clock uptime reports FirstSeenTimestampUptime") {
    Harness h(ReaderVendor::generic, ReaderClock::uptime);
    h.connect();
    h.add_rospec(lane_rospec(1, 1, everything()));
    h.enable_rospec(1);
    h.observe(h.read(1, 7, h.now() + 10 * kMs));
    const auto tags = tag_reports(h.drain());
    REQUIRE(tags.size() == 1);
    CHECK_FALSE(tags[0].first_seen_utc_us);
    CHECK(tags[0].first_seen_uptime_us == 3'600'000'000u + 10'000u);
  }
}

TEST_CASE("N-tag batching: a report per N distinct tags; repeated reads aggregate") {
  Harness h;
  h.connect();
  codec::TagReportContentSelector c;
  c.enable_antenna_id = true;
  c.enable_tag_seen_count = true;
  c.enable_peak_rssi = true;
  c.enable_first_seen_timestamp = true;
  c.enable_last_seen_timestamp = true;
  h.add_rospec(lane_rospec(1, 3, c));
  h.enable_rospec(1);

  const std::int64_t t = h.now();
  auto strong = h.read(1, 1, t + 30 * kMs);
  strong.peak_rssi_dbm = -40;
  h.observe(h.read(1, 1, t + 10 * kMs));
  h.observe(h.read(1, 2, t + 20 * kMs));
  h.observe(strong);                      // tag 1 again, same antenna: aggregated
  CHECK(h.drain().empty());               // two distinct tags so far
  h.observe(h.read(2, 1, t + 40 * kMs));  // tag 1 on antenna 2: its own entry (AntennaID enabled)
  const auto out = h.drain();
  REQUIRE(count_type(out, MessageType::ro_access_report) == 1);
  const auto tags = tag_reports(out);
  REQUIRE(tags.size() == 3);
  CHECK(epc_hex(tags[0]) == "E2C0DE010000000000000001");
  CHECK(tags[0].antenna_id == 1);
  CHECK(tags[0].tag_seen_count == 2);
  CHECK(tags[0].peak_rssi_dbm == -40);
  CHECK(tags[0].first_seen_utc_us == static_cast<std::uint64_t>(t + 10 * kMs));
  CHECK(tags[0].last_seen_utc_us == static_cast<std::uint64_t>(t + 30 * kMs));
  CHECK(epc_hex(tags[1]) == "E2C0DE010000000000000002");
  CHECK(tags[2].antenna_id == 2);
  CHECK(tags[2].tag_seen_count == 1);

  // The sent log has one row per TagReportData with the aggregate.
  REQUIRE(h.log.count(TagOutcome::sent) == 3);
  CHECK(h.log.rows[0].tag.seen_count == 2);
  CHECK(h.log.rows[0].connection == 1);
}

TEST_CASE("without AntennaID the same tag on two antennas is one TagReportData") {
  Harness h;
  h.connect();
  codec::TagReportContentSelector c;
  c.enable_tag_seen_count = true;
  h.add_rospec(lane_rospec(1, 2, c));
  h.enable_rospec(1);
  h.observe(h.read(1, 1, h.now() + kMs));
  h.observe(h.read(2, 1, h.now() + 2 * kMs));
  CHECK(h.drain().empty());
  h.observe(h.read(2, 2, h.now() + 3 * kMs));
  const auto tags = tag_reports(h.drain());
  REQUIRE(tags.size() == 2);
  CHECK(tags[0].tag_seen_count == 2);
  CHECK_FALSE(tags[0].antenna_id);
}

TEST_CASE("N = 0 with no end in sight reports every 100 ms; with a bounded AISpec, at its end") {
  SECTION("null AISpec stop trigger") {
    Harness h;
    h.connect();
    h.add_rospec(lane_rospec(1, 0, everything()));
    h.enable_rospec(1);
    const std::int64_t t = h.now();
    h.observe(h.read(1, 1, t + 10 * kMs));
    h.observe(h.read(1, 2, t + 50 * kMs));
    h.advance(t + 99 * kMs);
    CHECK(h.drain().empty());
    h.advance(t + 100 * kMs);
    CHECK(tag_reports(h.drain()).size() == 2);
    h.observe(h.read(1, 3, t + 150 * kMs));
    h.advance(t + 200 * kMs);
    CHECK(tag_reports(h.drain()).size() == 1);
    h.advance(t + 1000 * kMs);
    CHECK(h.drain().empty());  // nothing new, no empty reports
  }
  SECTION("AISpec with a 500 ms duration") {
    Harness h;
    h.connect();
    auto spec = lane_rospec(1, 0, everything());
    spec.ai_specs[0].stop_trigger.type = codec::AiSpecStopTriggerType::duration;
    spec.ai_specs[0].stop_trigger.duration_ms = 500;
    h.add_rospec(spec);
    h.enable_rospec(1);
    const std::int64_t t = h.now();
    h.observe(h.read(1, 1, t + 10 * kMs));
    h.observe(h.read(1, 2, t + 300 * kMs));
    h.advance(t + 499 * kMs);
    CHECK(h.drain().empty());
    h.advance(t + 500 * kMs);
    CHECK(tag_reports(h.drain()).size() == 2);
    CHECK_FALSE(h.engine.inventorying());  // the only AISpec ended, so did the ROSpec
    h.observe(h.read(1, 3, t + 600 * kMs));
    CHECK(h.log.count(TagOutcome::not_read) == 1);
  }
  SECTION("trigger none reports only on GET_REPORT") {
    Harness h;
    h.connect();
    auto spec = lane_rospec(1, 0, everything());
    spec.report_spec->trigger = codec::RoReportTrigger::none;
    h.add_rospec(spec);
    h.enable_rospec(1);
    h.observe(h.read(1, 1, h.now() + 10 * kMs));
    h.advance(h.now() + 5'000 * kMs);
    CHECK(h.drain().empty());
    std::vector<std::uint8_t> b;
    REQUIRE_FALSE(codec::encode_empty_message(b, MessageType::get_report, h.next_id()));
    h.send(b);
    CHECK(tag_reports(h.drain()).size() == 1);
  }
}

TEST_CASE("the TID comes with a matching enabled AccessSpec reading MB 2, not otherwise") {
  Harness h;
  h.connect();
  h.add_rospec(lane_rospec(1, 1, everything()));
  h.add_accessspec(tid_access_spec(5, 9));
  h.enable_rospec(1);

  h.observe(h.read(1, 1, h.now() + 10 * kMs));  // AccessSpec still disabled
  auto tags = tag_reports(h.drain());
  REQUIRE(tags.size() == 1);
  CHECK(tags[0].read_result_count == 0);
  CHECK_FALSE(tags[0].access_spec_id);
  CHECK(h.log.rows.back().tag.tid_len == 0);

  h.enable_accessspec(5);
  h.observe(h.read(1, 2, h.now() + 10 * kMs));
  tags = tag_reports(h.drain());
  REQUIRE(tags.size() == 1);
  REQUIRE(tags[0].read_result_count == 1);
  const auto* tid = tags[0].find_read_result(9);
  REQUIRE(tid != nullptr);
  CHECK(tid->result == codec::C1G2ReadResult::success);
  CHECK(garita::to_hex(tid->data.bytes()) == "E28011602000000000000002");
  CHECK(tags[0].access_spec_id == 5u);
  CHECK_FALSE(tags[0].impinj_serialized_tid);
  CHECK(garita::to_hex(h.log.rows.back().tag.tid_bytes()) == "E28011602000000000000002");

  SECTION("an AccessSpec bound to another antenna does not run") {
    std::vector<std::uint8_t> b;
    REQUIRE_FALSE(
        codec::encode_accessspec_command(b, MessageType::delete_accessspec, h.next_id(), 0));
    REQUIRE(h.request_status(b).ok());
    auto spec = tid_access_spec(6, 9);
    spec.antenna_id = 2;
    h.add_accessspec(spec);
    h.enable_accessspec(6);
    h.observe(h.read(1, 3, h.now() + 10 * kMs));
    h.observe(h.read(2, 4, h.now() + 10 * kMs));
    tags = tag_reports(h.drain());
    REQUIRE(tags.size() == 2);
    CHECK(tags[0].read_result_count == 0);
    CHECK(tags[1].read_result_count == 1);
  }
  SECTION("OperationCountValue deletes the AccessSpec after N executions") {
    std::vector<std::uint8_t> b;
    REQUIRE_FALSE(
        codec::encode_accessspec_command(b, MessageType::delete_accessspec, h.next_id(), 0));
    REQUIRE(h.request_status(b).ok());
    auto spec = tid_access_spec(7, 9);
    spec.stop_trigger = codec::AccessSpecStopTriggerType::operation_count;
    spec.operation_count = 1;
    h.add_accessspec(spec);
    h.enable_accessspec(7);
    h.observe(h.read(1, 3, h.now() + 10 * kMs));
    h.observe(h.read(1, 4, h.now() + 10 * kMs));
    tags = tag_reports(h.drain());
    REQUIRE(tags.size() == 2);
    CHECK(tags[0].read_result_count == 1);
    CHECK(tags[1].read_result_count == 0);
    CHECK(h.engine.specs().access_specs().empty());
  }
}

TEST_CASE("Impinj FastID puts ImpinjSerializedTID in every report") {
  Harness h(ReaderVendor::impinj);
  h.connect();
  h.enable_impinj_extensions();
  auto spec = lane_rospec(1, 1, everything());
  spec.report_spec->impinj = codec::ImpinjTagReportContentSelector{true};
  h.add_rospec(spec);
  h.enable_rospec(1);
  h.observe(h.read(1, 3, h.now() + 10 * kMs));
  const auto tags = tag_reports(h.drain());
  REQUIRE(tags.size() == 1);
  REQUIRE(tags[0].impinj_serialized_tid);
  CHECK(garita::to_hex(tags[0].impinj_serialized_tid->bytes()) == "E28011602000000000000003");
  CHECK(tags[0].read_result_count == 0);
}

TEST_CASE("reads while not inventorying are not read, and logged") {
  Harness h;
  h.connect();
  h.observe(h.read(1, 1, h.now() + kMs));  // no ROSpec at all
  auto spec = lane_rospec(1, 1, everything());
  spec.ai_specs[0].antenna_ids = {1};
  h.add_rospec(spec);
  h.enable_rospec(1);
  h.observe(h.read(2, 2, h.now() + kMs));  // antenna 2 is not in the AISpec
  h.observe(h.read(1, 3, h.now() + kMs));
  CHECK(tag_reports(h.drain()).size() == 1);
  REQUIRE(h.log.count(TagOutcome::not_read) == 2);
  CHECK(h.log.rows[0].detail == detail::no_active_rospec);
  CHECK(h.log.rows[1].detail == detail::antenna_not_in_aispec);
  CHECK(h.engine.counters().reads_not_read == 2);
}

TEST_CASE(
    "reports wait in the buffer across a disconnect and follow the next ConnectionAttemptEvent") {
  Harness h;
  h.connect();
  h.add_rospec(lane_rospec(1, 1, everything()));
  h.enable_rospec(1);
  h.engine.disconnect(h.now());
  h.observe(h.read(1, 1, h.now() + kMs));
  h.observe(h.read(1, 2, h.now() + kMs));
  CHECK_FALSE(h.engine.pop_outgoing());
  CHECK(h.engine.buffered_report_tags() == 2);

  h.engine.connect(h.now());
  const auto out = h.drain();
  REQUIRE(out.size() == 3);
  CHECK(out[0].message.type == MessageType::reader_event_notification);
  CHECK(tag_reports(out).size() == 2);
  REQUIRE(h.log.count(TagOutcome::sent) == 2);
  CHECK(h.log.rows[0].connection == 2);

  SECTION("an unsent report goes back to the front of the buffer") {
    h.observe(h.read(1, 3, h.now() + kMs));
    auto report = h.engine.pop_outgoing();
    REQUIRE(report);
    h.engine.return_unsent_report(std::move(*report));
    CHECK(tag_reports(h.drain()).size() == 1);
    CHECK(h.log.count(TagOutcome::sent) == 3);
  }
  SECTION("HoldEventsAndReportsUponReconnect holds them until ENABLE_EVENTS_AND_REPORTS") {
    codec::SetReaderConfig hold;
    hold.config.events_and_reports = codec::EventsAndReports{true};
    std::vector<std::uint8_t> b;
    REQUIRE_FALSE(codec::encode_set_reader_config(b, h.next_id(), hold));
    REQUIRE(h.request_status(b).ok());
    h.engine.disconnect(h.now());
    h.observe(h.read(1, 4, h.now() + kMs));
    h.engine.connect(h.now());
    auto held = h.drain();
    REQUIRE(held.size() == 1);  // the ConnectionAttemptEvent only
    b.clear();
    REQUIRE_FALSE(
        codec::encode_empty_message(b, MessageType::enable_events_and_reports, h.next_id()));
    h.send(b);
    CHECK(tag_reports(h.drain()).size() == 1);
  }
}

TEST_CASE("a reboot loses buffered reports, forgets specs and reads nothing until boot") {
  Harness h;
  h.connect();
  auto spec = lane_rospec(1, 5, everything());
  h.add_rospec(spec);
  h.enable_rospec(1);
  h.observe(h.read(1, 1, h.now() + kMs));  // pending, N = 5 not reached
  h.engine.reboot(h.now());
  CHECK_FALSE(h.engine.connected());
  CHECK(h.engine.specs().ro_specs().empty());
  CHECK_FALSE(h.engine.inventorying());
  REQUIRE(h.log.count(TagOutcome::lost) == 1);
  CHECK(h.log.rows.back().detail == detail::reader_rebooted);
  h.observe(h.read(1, 2, h.now() + kMs));
  CHECK(h.log.rows.back().detail == detail::reader_rebooting);
  h.engine.boot(h.now() + kMs);
  h.observe(h.read(1, 3, h.now() + 2 * kMs));
  CHECK(h.log.rows.back().detail == detail::no_active_rospec);
}

TEST_CASE("ROSpec start/end and AISpec events are sent only when enabled") {
  Harness h;
  h.connect();
  codec::SetReaderConfig events;
  events.config.reader_event_notification_spec =
      codec::ReaderEventNotificationSpec{{{codec::ReaderEventType::ro_spec_event, true},
                                          {codec::ReaderEventType::ai_spec_event, true}}};
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_set_reader_config(b, h.next_id(), events));
  REQUIRE(h.request_status(b).ok());
  auto spec = lane_rospec(1, 0, everything());
  spec.stop_trigger.type = codec::RoSpecStopTriggerType::duration;
  spec.stop_trigger.duration_ms = 200;
  h.add_rospec(spec);
  b.clear();
  REQUIRE_FALSE(codec::encode_rospec_command(b, MessageType::enable_rospec, h.next_id(), 1));
  h.send(b);
  auto out = h.drain();
  REQUIRE(out.size() == 2);
  CHECK(event_of(out[0]).ro_spec == codec::RoSpecEvent{codec::RoSpecEventType::start, 1, 0});
  CHECK(out[1].message.type == MessageType::enable_rospec_response);
  h.observe(h.read(1, 1, h.now() + 50 * kMs));
  h.advance(h.now() + 200 * kMs);
  out = h.drain();
  // ROSpec duration ends it: report, AISpec event? (the ROSpec ended, not the AISpec), ROSpec end.
  REQUIRE(out.size() == 2);
  CHECK(out[0].message.type == MessageType::ro_access_report);
  CHECK(event_of(out[1]).ro_spec == codec::RoSpecEvent{codec::RoSpecEventType::end, 1, 0});
}

TEST_CASE("a periodic start trigger runs the ROSpec at offset + k * period for its duration") {
  Harness h;
  h.connect();
  auto spec = lane_rospec(1, 1, everything(), codec::RoSpecStartTriggerType::periodic);
  spec.start_trigger.periodic = codec::PeriodicTriggerValue{100, 1000, std::nullopt};
  spec.stop_trigger.type = codec::RoSpecStopTriggerType::duration;
  spec.stop_trigger.duration_ms = 200;
  h.add_rospec(spec);
  const std::int64_t t = h.now();
  h.enable_rospec(1);
  CHECK_FALSE(h.engine.inventorying());
  h.advance(t + 99 * kMs);
  CHECK_FALSE(h.engine.inventorying());
  h.advance(t + 100 * kMs);
  CHECK(h.engine.inventorying());
  h.observe(h.read(1, 1, t + 150 * kMs));
  h.advance(t + 300 * kMs);
  CHECK_FALSE(h.engine.inventorying());
  h.observe(h.read(1, 2, t + 600 * kMs));  // between runs: not read
  h.advance(t + 1100 * kMs);
  CHECK(h.engine.inventorying());
  h.observe(h.read(1, 3, t + 1150 * kMs));
  CHECK(tag_reports(h.drain()).size() == 2);
  CHECK(h.log.count(TagOutcome::not_read) == 1);
}

TEST_CASE("a TagObservationTrigger ends the AISpec after N distinct tags") {
  Harness h;
  h.connect();
  auto spec = lane_rospec(1, 0, everything());
  auto& stop = spec.ai_specs[0].stop_trigger;
  stop.type = codec::AiSpecStopTriggerType::tag_observation;
  stop.tag_observation = codec::TagObservationTrigger{0, 2, 0, 0, 10'000};
  h.add_rospec(spec);
  h.enable_rospec(1);
  h.observe(h.read(1, 1, h.now() + kMs));
  h.observe(h.read(2, 1, h.now() + kMs));  // the same tag again
  CHECK(h.engine.inventorying());
  h.observe(h.read(1, 2, h.now() + kMs));
  CHECK_FALSE(h.engine.inventorying());
  CHECK(tag_reports(h.drain()).size() ==
        3);  // end of AISpec: everything buffered (AntennaID splits tag 1)
}

#include "SimLlrpTestSupport.hpp"

#include <catch2/catch.hpp>

#include "garita/hal/llrp/Impinj.hpp"
#include "garita/hal/llrp/RoAccessReport.hpp"
#include "garita/hal/llrp/StatusMessage.hpp"

namespace garita::sim::llrp::test {
namespace codec = garita::hal::llrp;

std::size_t CapturingTagLog::count(TagOutcome outcome) const {
  std::size_t n = 0;
  for (const auto& r : rows) n += r.outcome == outcome ? 1u : 0u;
  return n;
}

codec::MessageView Written::view() const {
  codec::MessageView v;
  REQUIRE_FALSE(codec::parse_message(message.bytes, v));
  return v;
}

Harness::Harness(ReaderVendor vendor, ReaderClock clock)
    : engine(make_reader_profile(vendor, clock), 1, log, kT0 - 3'600'000'000) {
  engine.advance_to(kT0);
}

void Harness::connect() {
  engine.connect(now_);
  const auto out = drain();
  REQUIRE_FALSE(out.empty());
  REQUIRE(out.front().message.type == codec::MessageType::reader_event_notification);
  const auto event = event_of(out.front());
  REQUIRE(event.connection_attempt == codec::ConnectionAttemptStatus::success);
}

void Harness::send(const std::vector<std::uint8_t>& bytes) {
  codec::MessageView m;
  REQUIRE_FALSE(codec::parse_message(bytes, m));
  engine.handle_message(m, now_);
}

std::vector<Written> Harness::drain() {
  std::vector<Written> out;
  while (auto m = engine.pop_outgoing()) {
    if (m->kind == OutgoingMessage::Kind::report)
      engine.on_report_written(*m, now_, engine.connection_number());
    out.push_back({std::move(*m)});
  }
  return out;
}

codec::LlrpStatus Harness::request_status(const std::vector<std::uint8_t>& bytes) {
  send(bytes);
  const auto out = drain();
  REQUIRE(out.size() == 1);
  return status_of(out.front());
}

void Harness::add_rospec(const codec::RoSpec& spec) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_add_rospec(b, next_id(), spec));
  const auto status = request_status(b);
  INFO(status.describe());
  REQUIRE(status.ok());
}

void Harness::enable_rospec(std::uint32_t id) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_rospec_command(b, codec::MessageType::enable_rospec, next_id(), id));
  send(b);
  const auto out = drain();
  REQUIRE(count_type(out, codec::MessageType::enable_rospec_response) == 1);
  for (const auto& w : out) {
    if (w.message.type == codec::MessageType::enable_rospec_response) REQUIRE(status_of(w).ok());
  }
}

void Harness::add_accessspec(const codec::AccessSpec& spec) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_add_accessspec(b, next_id(), spec));
  const auto status = request_status(b);
  INFO(status.describe());
  REQUIRE(status.ok());
}

void Harness::enable_accessspec(std::uint32_t id) {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(
      codec::encode_accessspec_command(b, codec::MessageType::enable_accessspec, next_id(), id));
  REQUIRE(request_status(b).ok());
}

void Harness::enable_impinj_extensions() {
  std::vector<std::uint8_t> b;
  REQUIRE_FALSE(codec::encode_impinj_enable_extensions(b, next_id()));
  send(b);
  const auto out = drain();
  REQUIRE(out.size() == 1);
  codec::LlrpStatus status;
  REQUIRE_FALSE(codec::decode_impinj_enable_extensions_response(out.front().view(), status));
  REQUIRE(status.ok());
}

TagObservation Harness::read(std::uint16_t antenna, std::uint32_t tag, std::int64_t at_us) const {
  TagObservation r;
  r.time_us = at_us;
  r.lane = 1;
  r.reader = 0;
  r.antenna = antenna;
  r.pc = 0x3000;
  r.channel_index = 7;
  r.rssi_cdbm = -5500;
  r.peak_rssi_dbm = -55;
  r.epc_len = 12;
  const std::uint8_t epc[12] = {0xE2,
                                0xC0,
                                0xDE,
                                0x01,
                                0,
                                0,
                                0,
                                0,
                                static_cast<std::uint8_t>(tag >> 24),
                                static_cast<std::uint8_t>(tag >> 16),
                                static_cast<std::uint8_t>(tag >> 8),
                                static_cast<std::uint8_t>(tag)};
  std::copy(std::begin(epc), std::end(epc), r.epc.begin());
  r.tid_len = 12;
  const std::uint8_t tid[12] = {0xE2,
                                0x80,
                                0x11,
                                0x60,
                                0x20,
                                0x00,
                                0x00,
                                0x00,
                                0x00,
                                0x00,
                                static_cast<std::uint8_t>(tag >> 8),
                                static_cast<std::uint8_t>(tag)};
  std::copy(std::begin(tid), std::end(tid), r.tid.begin());
  return r;
}

void Harness::observe(const TagObservation& r) {
  now_ = std::max(now_, r.time_us);
  engine.on_observation(r);
}

void Harness::advance(std::int64_t to_us) {
  now_ = std::max(now_, to_us);
  engine.advance_to(now_);
}

codec::RoSpec lane_rospec(std::uint32_t id, std::uint16_t n,
                          const codec::TagReportContentSelector& content,
                          codec::RoSpecStartTriggerType start) {
  codec::RoSpec spec;
  spec.id = id;
  spec.start_trigger.type = start;
  spec.stop_trigger.type = codec::RoSpecStopTriggerType::null;
  codec::AiSpec ai;
  ai.antenna_ids = {1, 2};
  ai.stop_trigger.type = codec::AiSpecStopTriggerType::null;
  codec::InventoryParameterSpec ips;
  ips.id = 1;
  ai.inventory_parameter_specs.push_back(ips);
  spec.ai_specs.push_back(ai);
  codec::RoReportSpec report;
  report.trigger = codec::RoReportTrigger::upon_n_tags_or_end_of_ai_spec;
  report.n = n;
  report.content = content;
  spec.report_spec = report;
  return spec;
}

codec::AccessSpec tid_access_spec(std::uint32_t id, std::uint16_t op_spec_id) {
  codec::AccessSpec spec;
  spec.id = id;
  codec::C1G2TargetTag any;
  any.bank = codec::MemoryBank::epc;
  any.pointer = 0x20;
  spec.tag_patterns.push_back(any);
  spec.reads.push_back(codec::C1G2Read{op_spec_id, 0, codec::MemoryBank::tid, 0, 6});
  return spec;
}

std::vector<codec::TagReport> tag_reports(const std::vector<Written>& written) {
  std::vector<codec::TagReport> out;
  for (const auto& w : written) {
    if (w.message.type != codec::MessageType::ro_access_report) continue;
    REQUIRE_FALSE(codec::for_each_tag_report(
        w.view(), [&out](const codec::TagReport& t) { out.push_back(t); }));
  }
  return out;
}

std::size_t count_type(const std::vector<Written>& written, codec::MessageType type) {
  std::size_t n = 0;
  for (const auto& w : written) n += w.message.type == type ? 1u : 0u;
  return n;
}

codec::LlrpStatus status_of(const Written& written) {
  codec::LlrpStatus status;
  REQUIRE_FALSE(codec::decode_status_message(written.view(), status));
  return status;
}

codec::ReaderEventNotification event_of(const Written& written) {
  codec::ReaderEventNotification event;
  REQUIRE_FALSE(codec::decode_reader_event_notification(written.view(), event));
  return event;
}

}  // namespace garita::sim::llrp::test

#include "garita/sim/llrp/ReaderEngine.hpp"

#include <algorithm>
#include <limits>

#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/Impinj.hpp"
#include "garita/hal/llrp/ReaderCapabilities.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/RoAccessReport.hpp"
#include "garita/hal/llrp/StatusMessage.hpp"
#include "garita/sim/llrp/ErrorStatus.hpp"
#include "garita/sim/llrp/TagMemory.hpp"

namespace garita::sim::llrp {
namespace codec = garita::hal::llrp;
using codec::MessageType;
using codec::StatusCode;

namespace {

constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kUsPerMs = 1000;

// At most this many timers fire in one advance_to() step: a guard against a
// spec whose triggers would otherwise loop without time passing.
constexpr int kMaxTimerFiringsPerStep = 100'000;

std::string state_name(codec::RoSpecState s) {
  switch (s) {
    case codec::RoSpecState::disabled: return "Disabled";
    case codec::RoSpecState::inactive: return "Inactive";
    case codec::RoSpecState::active: return "Active";
  }
  return "unknown";
}

// The response type for a request the reader answers with a status.
std::optional<MessageType> response_type(MessageType request) {
  switch (request) {
    case MessageType::get_reader_capabilities: return MessageType::get_reader_capabilities_response;
    case MessageType::get_reader_config: return MessageType::get_reader_config_response;
    case MessageType::set_reader_config: return MessageType::set_reader_config_response;
    case MessageType::close_connection: return MessageType::close_connection_response;
    case MessageType::add_rospec: return MessageType::add_rospec_response;
    case MessageType::delete_rospec: return MessageType::delete_rospec_response;
    case MessageType::start_rospec: return MessageType::start_rospec_response;
    case MessageType::stop_rospec: return MessageType::stop_rospec_response;
    case MessageType::enable_rospec: return MessageType::enable_rospec_response;
    case MessageType::disable_rospec: return MessageType::disable_rospec_response;
    case MessageType::get_rospecs: return MessageType::get_rospecs_response;
    case MessageType::add_accessspec: return MessageType::add_accessspec_response;
    case MessageType::delete_accessspec: return MessageType::delete_accessspec_response;
    case MessageType::enable_accessspec: return MessageType::enable_accessspec_response;
    case MessageType::disable_accessspec: return MessageType::disable_accessspec_response;
    case MessageType::get_accessspecs: return MessageType::get_accessspecs_response;
    default: return std::nullopt;
  }
}

std::array<std::uint8_t, kMaxEpcBytes + 1> epc_key(const TagObservation& read) {
  std::array<std::uint8_t, kMaxEpcBytes + 1> key{};
  key[0] = read.epc_len;
  std::copy_n(read.epc.begin(), read.epc_len, key.begin() + 1);
  return key;
}

}  // namespace

ReaderEngine::ReaderEngine(const ReaderProfile& profile, LaneId lane, TagLog& log,
                           std::int64_t boot_us)
    : profile_(profile),
      lane_(lane),
      log_(log),
      settings_(profile),
      specs_(profile),
      accumulator_(kReportBufferCapacity),
      now_us_(boot_us),
      boot_us_(boot_us) {}

// ---------------------------------------------------------------------------
// Connections

void ReaderEngine::connect(std::int64_t now_us) {
  advance_to(now_us);
  connected_ = true;
  ++connection_number_;
  ++counters_.connections;
  impinj_extensions_ = false;  // IMPINJ_ENABLE_EXTENSIONS is per connection
  close_requested_ = false;
  client_too_slow_ = false;
  unacked_keepalives_ = 0;
  keepalives_suppressed_until_.reset();
  control_.clear();
  control_bytes_ = 0;
  // LLRP 1.1 §19.1: the first message on a new connection is a
  // READER_EVENT_NOTIFICATION with ConnectionAttemptEvent; the client waits
  // for Success before sending anything.
  codec::ReaderEventNotification event;
  event.timestamp = reader_timestamp();
  event.connection_attempt = codec::ConnectionAttemptStatus::success;
  send_event(event);
  // Buffered reports go after it, in their order.
  for (OutgoingMessage& r : reports_) r.sequence = next_sequence_++;
  // EventsAndReports.HoldEventsAndReportsUponReconnect (§13.2.6.4): keep
  // them until ENABLE_EVENTS_AND_REPORTS.
  reports_held_ = settings_.hold_events_and_reports_upon_reconnect();
  const auto& k = settings_.keepalive();
  next_keepalive_us_.reset();
  if (k.trigger == codec::KeepaliveTrigger::periodic && k.period_ms > 0) {
    next_keepalive_us_ = now_us_ + static_cast<std::int64_t>(k.period_ms) * kUsPerMs;
  }
}

void ReaderEngine::disconnect(std::int64_t now_us) {
  advance_to(now_us);
  connected_ = false;
  impinj_extensions_ = false;
  close_requested_ = false;
  control_.clear();
  control_bytes_ = 0;
  next_keepalive_us_.reset();
  keepalives_suppressed_until_.reset();
  if (unacked_keepalives_ > 1) {
    note("connection ended with " + std::to_string(unacked_keepalives_) +
         " KEEPALIVEs unacknowledged");
  }
  unacked_keepalives_ = 0;
}

std::vector<std::uint8_t> ReaderEngine::refuse_connection(std::int64_t now_us) {
  advance_to(now_us);
  ++counters_.refused_connections;
  // §19.1: a reader that already has a client tells the newcomer why it
  // is being turned away, and the client that holds the connection that
  // someone tried (ConnectionAttemptStatusType 2 and 4).
  codec::ReaderEventNotification refusal;
  refusal.timestamp = reader_timestamp();
  refusal.connection_attempt =
      codec::ConnectionAttemptStatus::failed_client_initiated_connection_exists;
  std::vector<std::uint8_t> bytes;
  (void)codec::encode_reader_event_notification(bytes, next_message_id(), refusal);
  if (connected_) {
    codec::ReaderEventNotification notice;
    notice.timestamp = reader_timestamp();
    notice.connection_attempt = codec::ConnectionAttemptStatus::another_connection_attempted;
    send_event(notice);
  }
  note("refused a second client: a client connection already exists");
  return bytes;
}

void ReaderEngine::announce_close(std::int64_t now_us) {
  advance_to(now_us);
  if (!connected_) return;
  codec::ReaderEventNotification event;
  event.timestamp = reader_timestamp();
  event.connection_close = true;
  send_event(event);
}

// ---------------------------------------------------------------------------
// Client messages

void ReaderEngine::handle_message(const codec::MessageView& m, std::int64_t now_us) {
  advance_to(now_us);
  ++counters_.messages_received;
  if (m.header.version != static_cast<std::uint8_t>(codec::ProtocolVersion::v1_0_1)) {
    // §15.1.1 ERROR_MESSAGE: a version the reader does not speak. Field
    // readers speak LLRP 1.0.1 only.
    send_error_message(
        m.header.message_id,
        message_status(StatusCode::m_unsupported_version,
                       "LLRP version " + std::to_string(m.header.version) +
                           " is not supported; this reader speaks LLRP 1.0.1 (version 1)"));
    return;
  }
  switch (m.header.type) {
    case MessageType::get_reader_capabilities: on_get_reader_capabilities(m); break;
    case MessageType::get_reader_config: on_get_reader_config(m); break;
    case MessageType::set_reader_config: on_set_reader_config(m); break;
    case MessageType::close_connection: on_close_connection(m); break;
    case MessageType::add_rospec: on_add_rospec(m); break;
    case MessageType::delete_rospec:
    case MessageType::start_rospec:
    case MessageType::stop_rospec:
    case MessageType::enable_rospec:
    case MessageType::disable_rospec: on_rospec_command(m); break;
    case MessageType::get_rospecs: on_get_rospecs(m); break;
    case MessageType::add_accessspec: on_add_accessspec(m); break;
    case MessageType::delete_accessspec:
    case MessageType::enable_accessspec:
    case MessageType::disable_accessspec: on_accessspec_command(m); break;
    case MessageType::get_accessspecs: on_get_accessspecs(m); break;
    case MessageType::get_report: on_get_report(m); break;
    case MessageType::enable_events_and_reports: on_enable_events_and_reports(m); break;
    case MessageType::keepalive_ack: on_keepalive_ack(m); break;
    case MessageType::custom_message: on_custom_message(m); break;
    default: {
      // Reader-to-client messages, LLRP 1.1 version negotiation (this is a
      // 1.0.1 reader), CLIENT_REQUEST_OP_RESPONSE (no client request ops)
      // and numbers LLRP does not define.
      const auto type = static_cast<unsigned>(m.header.type);
      send_error_message(m.header.message_id,
                         message_status(StatusCode::m_unsupported_message,
                                        "message type " + std::to_string(type) + " (" +
                                            std::string(codec::to_string(m.header.type)) +
                                            ") is not supported by this reader"));
      break;
    }
  }
}

void ReaderEngine::on_get_reader_capabilities(const codec::MessageView& m) {
  codec::CapabilitiesRequest requested{};
  codec::ReaderCapabilities caps;
  if (auto ec = codec::decode_get_reader_capabilities(m, requested)) {
    caps.status = status_for_decode_error(ec);
  } else if (static_cast<unsigned>(requested) > 4) {
    caps.status = message_field_error(0, StatusCode::a_out_of_range, "RequestedData must be 0-4");
  } else {
    caps = make_reader_capabilities(profile_);
    using R = codec::CapabilitiesRequest;
    if (requested != R::all && requested != R::general_device_capabilities) caps.general.reset();
    if (requested != R::all && requested != R::llrp_capabilities) caps.llrp.reset();
    if (requested != R::all && requested != R::regulatory_capabilities) caps.regulatory.reset();
    if (requested != R::all && requested != R::air_protocol_llrp_capabilities) caps.c1g2.reset();
  }
  if (!caps.status.ok()) ++counters_.error_responses;
  std::vector<std::uint8_t> bytes;
  (void)codec::encode_get_reader_capabilities_response(bytes, m.header.message_id, caps);
  send_control(MessageType::get_reader_capabilities_response, m.header.message_id,
               std::move(bytes));
}

void ReaderEngine::on_get_reader_config(const codec::MessageView& m) {
  codec::GetReaderConfig request;
  codec::GetReaderConfigResponse response;
  if (auto ec = codec::decode_get_reader_config(m, request)) {
    response.status = status_for_decode_error(ec);
  } else {
    response = settings_.read(request, lane_);
  }
  if (!response.status.ok()) ++counters_.error_responses;
  std::vector<std::uint8_t> bytes;
  (void)codec::encode_get_reader_config_response(bytes, m.header.message_id, response);
  send_control(MessageType::get_reader_config_response, m.header.message_id, std::move(bytes));
}

void ReaderEngine::on_set_reader_config(const codec::MessageView& m) {
  codec::SetReaderConfig request;
  if (auto ec = codec::decode_set_reader_config(m, request)) {
    send_response(m, MessageType::set_reader_config_response, status_for_decode_error(ec));
    return;
  }
  if (auto status = settings_.validate(request, impinj_extensions_); !status.ok()) {
    send_response(m, MessageType::set_reader_config_response, status);
    return;
  }
  if (request.reset_to_factory_default) factory_reset();
  const auto keepalive_before = settings_.keepalive();
  settings_.apply(request);
  for (const auto& gpo : request.config.gpo_write_data) {
    note("GPO " + std::to_string(gpo.port) + " -> " + (gpo.data ? "on" : "off") + " (lane light)");
  }
  if (connected_ && !(settings_.keepalive() == keepalive_before)) {
    const auto& k = settings_.keepalive();
    next_keepalive_us_.reset();
    if (k.trigger == codec::KeepaliveTrigger::periodic) {
      next_keepalive_us_ = now_us_ + static_cast<std::int64_t>(k.period_ms) * kUsPerMs;
    }
  }
  send_response(m, MessageType::set_reader_config_response, success_status());
}

void ReaderEngine::on_close_connection(const codec::MessageView& m) {
  if (auto ec = codec::decode_empty_message(m, MessageType::close_connection)) {
    send_response(m, MessageType::close_connection_response, status_for_decode_error(ec));
    return;
  }
  // §13.1.5: answer, then close the connection.
  send_response(m, MessageType::close_connection_response, success_status());
  close_requested_ = true;
}

void ReaderEngine::on_add_rospec(const codec::MessageView& m) {
  codec::RoSpec spec;
  if (auto ec = codec::decode_add_rospec(m, spec)) {
    send_response(m, MessageType::add_rospec_response, status_for_decode_error(ec));
    return;
  }
  send_response(m, MessageType::add_rospec_response, specs_.add_ro_spec(spec, impinj_extensions_));
}

void ReaderEngine::on_rospec_command(const codec::MessageView& m) {
  const MessageType type = m.header.type;
  const MessageType response = *response_type(type);
  std::uint32_t id = 0;
  if (auto ec = codec::decode_rospec_command(m, type, id)) {
    send_response(m, response, status_for_decode_error(ec));
    return;
  }
  codec::LlrpStatus status;
  switch (type) {
    case MessageType::start_rospec: status = start_ro_spec(id); break;
    case MessageType::stop_rospec: status = stop_ro_spec(id); break;
    case MessageType::delete_rospec: status = delete_ro_spec(id); break;
    case MessageType::enable_rospec:
    case MessageType::disable_rospec: {
      const bool enable = type == MessageType::enable_rospec;
      if (id == 0) {
        // ROSpecID 0 = every ROSpec (§11.1.5, §11.1.6).
        for (codec::RoSpec& spec : specs_.ro_specs()) {
          (void)(enable ? enable_ro_spec(spec) : disable_ro_spec(spec));
        }
        status = success_status();
      } else if (codec::RoSpec* spec = specs_.find_ro_spec(id)) {
        status = enable ? enable_ro_spec(*spec) : disable_ro_spec(*spec);
      } else {
        status = message_field_error(0, StatusCode::a_invalid, "no ROSpec " + std::to_string(id));
      }
      break;
    }
    default: break;
  }
  // An end-of-ROSpec report caused by the command goes out before the
  // response (it was generated first).
  send_response(m, response, status);
}

codec::LlrpStatus ReaderEngine::enable_ro_spec(codec::RoSpec& spec) {
  if (spec.current_state != codec::RoSpecState::disabled) return success_status();
  spec.current_state = codec::RoSpecState::inactive;
  switch (spec.start_trigger.type) {
    case codec::RoSpecStartTriggerType::immediate:
      if (!run_) start_run(spec);
      break;
    case codec::RoSpecStartTriggerType::periodic: {
      const codec::PeriodicTriggerValue& p = *spec.start_trigger.periodic;
      // §11.2.1.1.1: the first start is Offset after the UTCTimestamp, or
      // after the moment the spec was enabled when none is given.
      std::int64_t first = now_us_ + static_cast<std::int64_t>(p.offset_ms) * kUsPerMs;
      if (p.utc_start_us) {
        first = static_cast<std::int64_t>(*p.utc_start_us) +
                static_cast<std::int64_t>(p.offset_ms) * kUsPerMs;
        first = std::max(first, now_us_);
      }
      periodic_starts_.push_back(
          {spec.id, first, static_cast<std::int64_t>(p.period_ms) * kUsPerMs});
      break;
    }
    case codec::RoSpecStartTriggerType::null:
    case codec::RoSpecStartTriggerType::gpi:
      // Null: START_ROSPEC only. GPI: nothing is wired to the simulated
      // GPIs, so only START_ROSPEC starts it.
      break;
  }
  return success_status();
}

codec::LlrpStatus ReaderEngine::disable_ro_spec(codec::RoSpec& spec) {
  const std::uint32_t id = spec.id;
  std::erase_if(periodic_starts_, [id](const PeriodicStart& p) { return p.ro_spec_id == id; });
  if (run_ && run_->ro_spec_id == id) {
    end_run(codec::RoSpecState::disabled);
  } else if (codec::RoSpec* s = specs_.find_ro_spec(id)) {
    s->current_state = codec::RoSpecState::disabled;
  }
  return success_status();
}

codec::LlrpStatus ReaderEngine::delete_ro_spec(std::uint32_t id) {
  if (id == 0) {
    // ROSpecID 0 = every ROSpec (§11.1.2).
    std::vector<std::uint32_t> ids;
    for (const auto& s : specs_.ro_specs()) ids.push_back(s.id);
    for (const std::uint32_t each : ids) (void)delete_ro_spec(each);
    return success_status();
  }
  codec::RoSpec* spec = specs_.find_ro_spec(id);
  if (spec == nullptr) {
    return message_field_error(0, StatusCode::a_invalid, "no ROSpec " + std::to_string(id));
  }
  (void)disable_ro_spec(*spec);
  specs_.remove_ro_spec(id);
  return success_status();
}

codec::LlrpStatus ReaderEngine::start_ro_spec(std::uint32_t id) {
  if (id == 0) {
    return message_field_error(0, StatusCode::a_invalid,
                               "START_ROSPEC needs a ROSpecID (0 is not allowed)");
  }
  codec::RoSpec* spec = specs_.find_ro_spec(id);
  if (spec == nullptr) {
    return message_field_error(0, StatusCode::a_invalid, "no ROSpec " + std::to_string(id));
  }
  if (spec->current_state != codec::RoSpecState::inactive) {
    return message_field_error(
        0, StatusCode::a_invalid,
        "ROSpec " + std::to_string(id) + " is " + state_name(spec->current_state) +
            "; START_ROSPEC needs it Inactive" +
            (spec->current_state == codec::RoSpecState::disabled ? " (ENABLE_ROSPEC first)" : ""));
  }
  if (run_) {
    return message_field_error(0, StatusCode::a_invalid,
                               "ROSpec " + std::to_string(run_->ro_spec_id) +
                                   " is Active; the reader runs one ROSpec at a time");
  }
  start_run(*spec);
  return success_status();
}

codec::LlrpStatus ReaderEngine::stop_ro_spec(std::uint32_t id) {
  if (id == 0) {
    return message_field_error(0, StatusCode::a_invalid,
                               "STOP_ROSPEC needs a ROSpecID (0 is not allowed)");
  }
  codec::RoSpec* spec = specs_.find_ro_spec(id);
  if (spec == nullptr) {
    return message_field_error(0, StatusCode::a_invalid, "no ROSpec " + std::to_string(id));
  }
  if (!run_ || run_->ro_spec_id != id) {
    return message_field_error(0, StatusCode::a_invalid,
                               "ROSpec " + std::to_string(id) + " is " +
                                   state_name(spec->current_state) +
                                   "; STOP_ROSPEC needs it Active");
  }
  end_run(codec::RoSpecState::inactive);
  return success_status();
}

void ReaderEngine::on_get_rospecs(const codec::MessageView& m) {
  codec::GetRoSpecsResponse response;
  if (auto ec = codec::decode_empty_message(m, MessageType::get_rospecs)) {
    response.status = status_for_decode_error(ec);
    ++counters_.error_responses;
  } else {
    response.ro_specs = specs_.ro_specs();
  }
  std::vector<std::uint8_t> bytes;
  (void)codec::encode_get_rospecs_response(bytes, m.header.message_id, response);
  send_control(MessageType::get_rospecs_response, m.header.message_id, std::move(bytes));
}

void ReaderEngine::on_add_accessspec(const codec::MessageView& m) {
  codec::AccessSpec spec;
  if (auto ec = codec::decode_add_accessspec(m, spec)) {
    send_response(m, MessageType::add_accessspec_response, status_for_decode_error(ec));
    return;
  }
  send_response(m, MessageType::add_accessspec_response, specs_.add_access_spec(spec));
}

void ReaderEngine::on_accessspec_command(const codec::MessageView& m) {
  const MessageType type = m.header.type;
  const MessageType response = *response_type(type);
  std::uint32_t id = 0;
  if (auto ec = codec::decode_accessspec_command(m, type, id)) {
    send_response(m, response, status_for_decode_error(ec));
    return;
  }
  if (id != 0 && specs_.find_access_spec(id) == nullptr) {
    send_response(
        m, response,
        message_field_error(0, StatusCode::a_invalid, "no AccessSpec " + std::to_string(id)));
    return;
  }
  // AccessSpecID 0 = every AccessSpec (§12.1.3-§12.1.5).
  if (type == MessageType::delete_accessspec) {
    if (id == 0) {
      specs_.access_specs().clear();
    } else {
      specs_.remove_access_spec(id);
    }
  } else {
    const bool enable = type == MessageType::enable_accessspec;
    for (StoredAccessSpec& s : specs_.access_specs()) {
      if (id == 0 || s.spec.id == id) s.spec.is_active = enable;
    }
  }
  send_response(m, response, success_status());
}

void ReaderEngine::on_get_accessspecs(const codec::MessageView& m) {
  codec::GetAccessSpecsResponse response;
  if (auto ec = codec::decode_empty_message(m, MessageType::get_accessspecs)) {
    response.status = status_for_decode_error(ec);
    ++counters_.error_responses;
  } else {
    for (const StoredAccessSpec& s : specs_.access_specs()) response.access_specs.push_back(s.spec);
  }
  std::vector<std::uint8_t> bytes;
  (void)codec::encode_get_accessspecs_response(bytes, m.header.message_id, response);
  send_control(MessageType::get_accessspecs_response, m.header.message_id, std::move(bytes));
}

void ReaderEngine::on_get_report(const codec::MessageView& m) {
  if (auto ec = codec::decode_empty_message(m, MessageType::get_report)) {
    send_error_message(m.header.message_id, status_for_decode_error(ec));
    return;
  }
  // §14.1.1: GET_REPORT makes the reader send what it has buffered; there
  // is no response besides the report.
  flush_report();
}

void ReaderEngine::on_enable_events_and_reports(const codec::MessageView& m) {
  if (auto ec = codec::decode_empty_message(m, MessageType::enable_events_and_reports)) {
    send_error_message(m.header.message_id, status_for_decode_error(ec));
    return;
  }
  // §14.1.6: releases what HoldEventsAndReportsUponReconnect held; no response.
  reports_held_ = false;
}

void ReaderEngine::on_keepalive_ack(const codec::MessageView& m) {
  if (auto ec = codec::decode_empty_message(m, MessageType::keepalive_ack)) {
    send_error_message(m.header.message_id, status_for_decode_error(ec));
    return;
  }
  ++counters_.keepalive_acks;
  unacked_keepalives_ = 0;
}

void ReaderEngine::on_custom_message(const codec::MessageView& m) {
  codec::CustomMessageView custom;
  if (auto ec = codec::read_custom_message(m, custom)) {
    send_error_message(m.header.message_id, status_for_decode_error(ec));
    return;
  }
  const bool impinj_enable =
      custom.vendor == codec::kImpinjVendorId &&
      custom.subtype == static_cast<std::uint8_t>(codec::ImpinjMessageSubtype::enable_extensions);
  if (!profile_.is_impinj() || !impinj_enable) {
    send_error_message(
        m.header.message_id,
        message_status(StatusCode::m_unsupported_message,
                       "CUSTOM_MESSAGE vendor " + std::to_string(custom.vendor) + " subtype " +
                           std::to_string(custom.subtype) + " is not supported by this reader"));
    return;
  }
  codec::LlrpStatus status;
  if (auto ec = codec::decode_impinj_enable_extensions(m)) status = status_for_decode_error(ec);
  if (status.ok()) impinj_extensions_ = true;
  if (!status.ok()) ++counters_.error_responses;
  std::vector<std::uint8_t> bytes;
  (void)codec::encode_impinj_enable_extensions_response(bytes, m.header.message_id, status);
  send_control(MessageType::custom_message, m.header.message_id, std::move(bytes));
}

void ReaderEngine::factory_reset() {
  // §13.1.3 ResetToFactoryDefault: every ROSpec and AccessSpec is deleted
  // and the configuration returns to its defaults. A running ROSpec ends
  // first, so what it inventoried is still reported.
  (void)delete_ro_spec(0);
  specs_.clear();
  periodic_starts_.clear();
  settings_.reset();
  note("SET_READER_CONFIG ResetToFactoryDefault: specs deleted, configuration reset");
}

// ---------------------------------------------------------------------------
// Inventory

const codec::RoReportSpec& ReaderEngine::report_spec() const {
  if (run_) {
    if (const codec::RoSpec* spec = specs_.find_ro_spec(run_->ro_spec_id);
        spec && spec->report_spec) {
      return *spec->report_spec;
    }
  }
  return settings_.default_report_spec();
}

void ReaderEngine::start_run(codec::RoSpec& spec) {
  spec.current_state = codec::RoSpecState::active;
  run_.emplace();
  run_->ro_spec_id = spec.id;
  run_->started_us = now_us_;
  if (settings_.event_enabled(codec::ReaderEventType::ro_spec_event)) {
    codec::ReaderEventNotification event;
    event.timestamp = reader_timestamp();
    event.ro_spec = codec::RoSpecEvent{codec::RoSpecEventType::start, spec.id, 0};
    send_event(event);
  }
  begin_ai_spec(0);
}

void ReaderEngine::begin_ai_spec(std::size_t index) {
  run_->ai_index = index;
  run_->ai_started_us = now_us_;
  run_->last_new_tag_us = now_us_;
  run_->ai_tags.clear();
  run_->next_flush_us = now_us_ + kUnboundedReportPeriodUs;
}

void ReaderEngine::end_ai_spec() {
  const std::uint32_t id = run_->ro_spec_id;
  const auto index = static_cast<std::uint16_t>(run_->ai_index + 1);
  if (report_spec().trigger == codec::RoReportTrigger::upon_n_tags_or_end_of_ai_spec)
    flush_report();
  if (settings_.event_enabled(codec::ReaderEventType::ai_spec_event)) {
    codec::ReaderEventNotification event;
    event.timestamp = reader_timestamp();
    event.ai_spec = codec::AiSpecEvent{0, id, index};
    send_event(event);
  }
  const codec::RoSpec* spec = specs_.find_ro_spec(id);
  if (spec != nullptr && run_->ai_index + 1 < spec->ai_specs.size()) {
    begin_ai_spec(run_->ai_index + 1);
  } else {
    // The last AISpec is done: so is the ROSpec (§11.2.1.2).
    end_run(codec::RoSpecState::inactive);
  }
}

void ReaderEngine::end_run(codec::RoSpecState next_state) {
  const std::uint32_t id = run_->ro_spec_id;
  const auto trigger = report_spec().trigger;
  if (trigger == codec::RoReportTrigger::upon_n_tags_or_end_of_ai_spec ||
      trigger == codec::RoReportTrigger::upon_n_tags_or_end_of_ro_spec) {
    flush_report();
  }
  run_.reset();
  if (codec::RoSpec* spec = specs_.find_ro_spec(id)) spec->current_state = next_state;
  if (settings_.event_enabled(codec::ReaderEventType::ro_spec_event)) {
    codec::ReaderEventNotification event;
    event.timestamp = reader_timestamp();
    event.ro_spec = codec::RoSpecEvent{codec::RoSpecEventType::end, id, 0};
    send_event(event);
  }
}

bool ReaderEngine::antenna_in_current_ai_spec(std::uint16_t antenna) const {
  const codec::RoSpec* spec = specs_.find_ro_spec(run_->ro_spec_id);
  if (spec == nullptr || run_->ai_index >= spec->ai_specs.size()) return false;
  const auto& ids = spec->ai_specs[run_->ai_index].antenna_ids;
  if (ids.size() == 1 && ids[0] == 0) return antenna >= 1 && antenna <= profile_.antenna_count;
  return std::find(ids.begin(), ids.end(), antenna) != ids.end();
}

bool ReaderEngine::report_end_unbounded() const {
  const codec::RoSpec* spec = specs_.find_ro_spec(run_->ro_spec_id);
  if (spec == nullptr) return true;
  const auto ai_unbounded = [](const codec::AiSpec& ai) {
    const auto& t = ai.stop_trigger;
    switch (t.type) {
      case codec::AiSpecStopTriggerType::null: return true;
      case codec::AiSpecStopTriggerType::duration: return false;
      case codec::AiSpecStopTriggerType::gpi_with_timeout: return !t.gpi || t.gpi->timeout_ms == 0;
      case codec::AiSpecStopTriggerType::tag_observation:
        return !t.tag_observation || t.tag_observation->timeout_ms == 0;
    }
    return true;
  };
  const auto& ro_stop = spec->stop_trigger;
  const bool ro_bounded = ro_stop.type == codec::RoSpecStopTriggerType::duration ||
                          (ro_stop.type == codec::RoSpecStopTriggerType::gpi_with_timeout &&
                           ro_stop.gpi && ro_stop.gpi->timeout_ms != 0);
  if (ro_bounded) return false;
  if (report_spec().trigger == codec::RoReportTrigger::upon_n_tags_or_end_of_ai_spec) {
    return run_->ai_index < spec->ai_specs.size() && ai_unbounded(spec->ai_specs[run_->ai_index]);
  }
  for (std::size_t i = run_->ai_index; i < spec->ai_specs.size(); ++i) {
    if (ai_unbounded(spec->ai_specs[i])) return true;
  }
  return false;
}

void ReaderEngine::on_observation(const TagObservation& read) {
  advance_to(read.time_us);
  ++counters_.reads_seen;
  if (!booted_) {
    log_not_read(read, detail::reader_rebooting);
    return;
  }
  if (!run_) {
    log_not_read(read, detail::no_active_rospec);
    return;
  }
  if (!antenna_in_current_ai_spec(read.antenna)) {
    log_not_read(read, detail::antenna_not_in_aispec);
    return;
  }
  const codec::RoSpec* spec = specs_.find_ro_spec(run_->ro_spec_id);
  const codec::AiSpec& ai = spec->ai_specs[run_->ai_index];
  InventoryContext context;
  context.ro_spec_id = run_->ro_spec_id;
  context.spec_index = static_cast<std::uint16_t>(run_->ai_index + 1);
  context.inventory_parameter_spec_id =
      ai.inventory_parameter_specs.empty() ? 0 : ai.inventory_parameter_specs.front().id;

  // §12: the first enabled AccessSpec whose antenna, ROSpec and TagSpec
  // match runs on the singulated tag; its results ride in the report.
  std::optional<AccessResult> access;
  const TagMemory memory(read.pc, read.epc_bytes(), read.tid_bytes());
  if (StoredAccessSpec* stored = specs_.match_access_spec(read.antenna, run_->ro_spec_id, memory)) {
    AccessResult& a = access.emplace();
    a.access_spec_id = stored->spec.id;
    for (const codec::C1G2Read& op : stored->spec.reads) {
      memory.read(op, a.reads[a.read_count]);
      a.banks[a.read_count] = op.bank;
      ++a.read_count;
    }
    ++stored->executions;
    if (stored->spec.stop_trigger == codec::AccessSpecStopTriggerType::operation_count &&
        stored->spec.operation_count != 0 && stored->executions >= stored->spec.operation_count) {
      // §12.2.1.1: the AccessSpec is deleted when its operation count is reached.
      note("AccessSpec " + std::to_string(stored->spec.id) +
           " reached its operation count and was deleted");
      specs_.remove_access_spec(stored->spec.id);
    }
  }

  const codec::RoReportSpec& rs = report_spec();
  if (!accumulator_.add(read, context, rs.content, access ? &*access : nullptr)) {
    ReportedTag tag;
    tag.lane = read.lane;
    tag.antenna = read.antenna;
    tag.pc = read.pc;
    tag.epc = read.epc;
    tag.epc_len = read.epc_len;
    tag.first_seen_us = tag.last_seen_us = read.time_us;
    tag.seen_count = 1;
    tag.peak_rssi_dbm = read.peak_rssi_dbm;
    tag.first_channel = read.channel_index;
    log_lost(tag, detail::report_buffer_full);
  }

  // TagObservationTrigger bookkeeping for this AISpec.
  const auto key = epc_key(read);
  const bool new_tag =
      std::find(run_->ai_tags.begin(), run_->ai_tags.end(), key) == run_->ai_tags.end();
  if (new_tag) {
    if (run_->ai_tags.size() < kReportBufferCapacity) run_->ai_tags.push_back(key);
    run_->last_new_tag_us = read.time_us;
  }
  if (rs.trigger != codec::RoReportTrigger::none && rs.n != 0 && accumulator_.size() >= rs.n) {
    flush_report();
  }
  const auto& stop = ai.stop_trigger;
  if (stop.type == codec::AiSpecStopTriggerType::tag_observation && stop.tag_observation &&
      stop.tag_observation->type == 0 && stop.tag_observation->number_of_tags != 0 &&
      run_->ai_tags.size() >= stop.tag_observation->number_of_tags) {
    end_ai_spec();
  }
}

std::optional<std::int64_t> ReaderEngine::run_deadline() const {
  if (!run_) return std::nullopt;
  const codec::RoSpec* spec = specs_.find_ro_spec(run_->ro_spec_id);
  if (spec == nullptr) return std::nullopt;
  std::int64_t d = kForever;
  const auto& ro_stop = spec->stop_trigger;
  if (ro_stop.type == codec::RoSpecStopTriggerType::duration) {
    d = std::min(d, run_->started_us + static_cast<std::int64_t>(ro_stop.duration_ms) * kUsPerMs);
  } else if (ro_stop.type == codec::RoSpecStopTriggerType::gpi_with_timeout && ro_stop.gpi &&
             ro_stop.gpi->timeout_ms != 0) {
    d = std::min(d,
                 run_->started_us + static_cast<std::int64_t>(ro_stop.gpi->timeout_ms) * kUsPerMs);
  }
  if (run_->ai_index < spec->ai_specs.size()) {
    const auto& t = spec->ai_specs[run_->ai_index].stop_trigger;
    const std::int64_t start = run_->ai_started_us;
    switch (t.type) {
      case codec::AiSpecStopTriggerType::null: break;
      case codec::AiSpecStopTriggerType::duration:
        d = std::min(d, start + static_cast<std::int64_t>(t.duration_ms) * kUsPerMs);
        break;
      case codec::AiSpecStopTriggerType::gpi_with_timeout:
        if (t.gpi && t.gpi->timeout_ms != 0) {
          d = std::min(d, start + static_cast<std::int64_t>(t.gpi->timeout_ms) * kUsPerMs);
        }
        break;
      case codec::AiSpecStopTriggerType::tag_observation:
        if (t.tag_observation) {
          const auto& o = *t.tag_observation;
          if (o.timeout_ms != 0)
            d = std::min(d, start + static_cast<std::int64_t>(o.timeout_ms) * kUsPerMs);
          if (o.type == 1)
            d = std::min(d, run_->last_new_tag_us + static_cast<std::int64_t>(o.t_ms) * kUsPerMs);
        }
        break;
    }
  }
  const auto& rs = report_spec();
  if (rs.n == 0 && rs.trigger != codec::RoReportTrigger::none && report_end_unbounded()) {
    d = std::min(d, run_->next_flush_us);
  }
  return d == kForever ? std::nullopt : std::optional<std::int64_t>(d);
}

void ReaderEngine::fire_run_deadline() {
  const codec::RoSpec* spec = specs_.find_ro_spec(run_->ro_spec_id);
  const auto& ro_stop = spec->stop_trigger;
  std::int64_t ro_end = kForever;
  if (ro_stop.type == codec::RoSpecStopTriggerType::duration) {
    ro_end = run_->started_us + static_cast<std::int64_t>(ro_stop.duration_ms) * kUsPerMs;
  } else if (ro_stop.type == codec::RoSpecStopTriggerType::gpi_with_timeout && ro_stop.gpi &&
             ro_stop.gpi->timeout_ms != 0) {
    ro_end = run_->started_us + static_cast<std::int64_t>(ro_stop.gpi->timeout_ms) * kUsPerMs;
  }
  if (ro_end <= now_us_) {
    end_run(codec::RoSpecState::inactive);
    return;
  }
  const auto& rs = report_spec();
  if (rs.n == 0 && rs.trigger != codec::RoReportTrigger::none && report_end_unbounded() &&
      run_->next_flush_us <= now_us_) {
    flush_report();
    run_->next_flush_us = now_us_ + kUnboundedReportPeriodUs;
  }
  // Whatever else is due is the AISpec's own stop trigger.
  const std::optional<std::int64_t> d = run_deadline();
  if (d && *d <= now_us_) end_ai_spec();
}

void ReaderEngine::advance_to(std::int64_t now_us) {
  for (int i = 0; i < kMaxTimerFiringsPerStep; ++i) {
    const std::optional<std::int64_t> d = next_deadline();
    if (!d || *d > now_us) break;
    now_us_ = std::max(now_us_, *d);
    if (next_keepalive_us_ && *next_keepalive_us_ <= now_us_) {
      const std::int64_t period = std::max<std::int64_t>(
          1, static_cast<std::int64_t>(settings_.keepalive().period_ms) * kUsPerMs);
      *next_keepalive_us_ += period;
      if (*next_keepalive_us_ <= now_us_) *next_keepalive_us_ = now_us_ + period;
      if (!keepalives_suppressed_until_) {
        // §14.1.3 KEEPALIVE: the client answers with KEEPALIVE_ACK.
        const std::uint32_t id = next_message_id();
        std::vector<std::uint8_t> bytes;
        (void)codec::encode_empty_message(bytes, MessageType::keepalive, id);
        send_control(MessageType::keepalive, id, std::move(bytes));
        ++counters_.keepalives_sent;
        if (++unacked_keepalives_ == 3) note("3 KEEPALIVEs in a row unacknowledged");
      }
      continue;
    }
    if (keepalives_suppressed_until_ && *keepalives_suppressed_until_ <= now_us_) {
      keepalives_suppressed_until_.reset();
      note("KEEPALIVEs resume");
      continue;
    }
    if (const auto rd = run_deadline(); rd && *rd <= now_us_) {
      fire_run_deadline();
      continue;
    }
    for (std::size_t k = 0; k < periodic_starts_.size(); ++k) {
      PeriodicStart& p = periodic_starts_[k];
      if (p.next_us > now_us_) continue;
      const std::uint32_t id = p.ro_spec_id;
      if (p.period_us > 0) {
        p.next_us += p.period_us;
        if (p.next_us <= now_us_) p.next_us = now_us_ + p.period_us;
      } else {
        periodic_starts_.erase(periodic_starts_.begin() + static_cast<std::ptrdiff_t>(k));
      }
      codec::RoSpec* spec = specs_.find_ro_spec(id);
      if (spec != nullptr && spec->current_state == codec::RoSpecState::inactive && !run_)
        start_run(*spec);
      break;
    }
    // Whatever was due has fired (each firing moves its deadline on), so
    // the loop reaches now_us; the bound above guards against a spec whose
    // triggers fire without time passing.
  }
  now_us_ = std::max(now_us_, now_us);
}

std::optional<std::int64_t> ReaderEngine::next_deadline() const {
  std::int64_t d = kForever;
  if (next_keepalive_us_) d = std::min(d, *next_keepalive_us_);
  if (keepalives_suppressed_until_ && *keepalives_suppressed_until_ != kForever) {
    d = std::min(d, *keepalives_suppressed_until_);
  }
  if (const auto rd = run_deadline()) d = std::min(d, *rd);
  for (const PeriodicStart& p : periodic_starts_) d = std::min(d, p.next_us);
  return d == kForever ? std::nullopt : std::optional<std::int64_t>(d);
}

void ReaderEngine::flush_report() {
  if (accumulator_.empty()) return;
  const codec::RoReportSpec spec = report_spec();
  ReportRendering rendering;
  rendering.clock = profile_.clock;
  rendering.boot_us = boot_us_;
  rendering.serialized_tid = profile_.is_impinj();
  std::vector<PendingTag> pending = accumulator_.take();
  std::vector<codec::TagReport> tags(pending.size());
  OutgoingMessage report;
  report.kind = OutgoingMessage::Kind::report;
  report.type = MessageType::ro_access_report;
  report.message_id = next_message_id();
  report.tags.reserve(pending.size());
  for (std::size_t i = 0; i < pending.size(); ++i) {
    render_tag_report(pending[i], spec, rendering, tags[i]);
    report.tags.push_back(pending[i].tag);
  }
  if (auto ec = codec::encode_ro_access_report(report.bytes, report.message_id, tags)) {
    note("cannot encode RO_ACCESS_REPORT: " + ec.message());
    for (const ReportedTag& t : report.tags) log_lost(t, detail::report_buffer_full);
    return;
  }
  counters_.tags_reported += report.tags.size();
  queue_report(std::move(report));
}

void ReaderEngine::queue_report(OutgoingMessage&& report) {
  if (report_buffer_tags_ + report.tags.size() > kReportBufferCapacity) {
    ++counters_.report_buffer_overflows;
    for (const ReportedTag& t : report.tags) log_lost(t, detail::report_buffer_full);
    if (!overflow_announced_) {
      overflow_announced_ = true;
      note("report buffer full (" + std::to_string(kReportBufferCapacity) +
           " tag reports): dropping reports");
      if (settings_.event_enabled(codec::ReaderEventType::report_buffer_fill_warning)) {
        codec::ReaderEventNotification event;
        event.timestamp = reader_timestamp();
        event.report_buffer_overflow = true;
        send_event(event);
      }
    }
    return;
  }
  report.sequence = next_sequence_++;
  report_buffer_tags_ += report.tags.size();
  reports_.push_back(std::move(report));
}

void ReaderEngine::log_not_read(const TagObservation& read, std::string_view why) {
  ++counters_.reads_not_read;
  TagLogRow row;
  row.time_us = read.time_us;
  row.outcome = TagOutcome::not_read;
  row.detail = why;
  ReportedTag& t = row.tag;
  t.lane = read.lane;
  t.antenna = read.antenna;
  t.pc = read.pc;
  t.epc = read.epc;
  t.epc_len = read.epc_len;
  t.first_seen_us = t.last_seen_us = read.time_us;
  t.seen_count = 1;
  t.peak_rssi_dbm = read.peak_rssi_dbm;
  t.first_channel = read.channel_index;
  log_.record(row);
}

void ReaderEngine::log_lost(const ReportedTag& tag, std::string_view why) {
  ++counters_.tags_lost;
  TagLogRow row;
  row.time_us = now_us_;
  row.outcome = TagOutcome::lost;
  row.detail = why;
  row.tag = tag;
  log_.record(row);
}

// ---------------------------------------------------------------------------
// Faults and exit

void ReaderEngine::reboot(std::int64_t now_us) {
  advance_to(now_us);
  if (connected_) disconnect(now_us);
  for (PendingTag& p : accumulator_.take()) log_lost(p.tag, detail::reader_rebooted);
  for (const OutgoingMessage& r : reports_) {
    for (const ReportedTag& t : r.tags) log_lost(t, detail::reader_rebooted);
  }
  reports_.clear();
  report_buffer_tags_ = 0;
  run_.reset();
  periodic_starts_.clear();
  specs_.clear();
  settings_.reset();
  overflow_announced_ = false;
  booted_ = false;
}

void ReaderEngine::boot(std::int64_t now_us) {
  advance_to(now_us);
  booted_ = true;
  boot_us_ = now_us_;  // Uptime restarts from zero
}

void ReaderEngine::suppress_keepalives(std::int64_t now_us, std::optional<std::int64_t> until_us) {
  advance_to(now_us);
  keepalives_suppressed_until_ = until_us.value_or(kForever);
}

void ReaderEngine::finish(std::int64_t now_us) {
  advance_to(now_us);
  for (PendingTag& p : accumulator_.take()) log_lost(p.tag, detail::simulator_exit);
  for (const OutgoingMessage& r : reports_) {
    for (const ReportedTag& t : r.tags) log_lost(t, detail::simulator_exit);
  }
  reports_.clear();
  report_buffer_tags_ = 0;
}

// ---------------------------------------------------------------------------
// Output

std::optional<OutgoingMessage> ReaderEngine::pop_outgoing() {
  if (!connected_) return std::nullopt;
  const bool report_ready = !reports_.empty() && !reports_held_;
  if (!control_.empty() &&
      (!report_ready || control_.front().sequence < reports_.front().sequence)) {
    OutgoingMessage m = std::move(control_.front());
    control_.pop_front();
    control_bytes_ -= m.bytes.size();
    return m;
  }
  if (report_ready) {
    OutgoingMessage m = std::move(reports_.front());
    reports_.pop_front();
    report_buffer_tags_ -= m.tags.size();
    if (reports_.empty()) overflow_announced_ = false;
    return m;
  }
  return std::nullopt;
}

bool ReaderEngine::has_outgoing() const noexcept {
  return connected_ && (!control_.empty() || (!reports_.empty() && !reports_held_));
}

void ReaderEngine::return_unsent_report(OutgoingMessage&& report) {
  report_buffer_tags_ += report.tags.size();
  reports_.push_front(std::move(report));
}

void ReaderEngine::on_report_written(const OutgoingMessage& report, std::int64_t now_us,
                                     std::uint32_t connection) {
  ++counters_.reports_sent;
  counters_.tags_sent += report.tags.size();
  TagLogRow row;
  row.time_us = std::max(now_us_, now_us);
  row.outcome = TagOutcome::sent;
  row.connection = connection;
  row.message_id = report.message_id;
  for (const ReportedTag& t : report.tags) {
    row.tag = t;
    log_.record(row);
  }
}

void ReaderEngine::send_response(const codec::MessageView& request, MessageType type,
                                 const codec::LlrpStatus& status) {
  if (!status.ok()) {
    ++counters_.error_responses;
    note(std::string(codec::to_string(request.header.type)) + " refused: " + status.describe());
  }
  std::vector<std::uint8_t> bytes;
  (void)codec::encode_status_message(bytes, type, request.header.message_id, status);
  send_control(type, request.header.message_id, std::move(bytes));
}

void ReaderEngine::send_error_message(std::uint32_t message_id, const codec::LlrpStatus& status) {
  ++counters_.error_responses;
  note("ERROR_MESSAGE: " + status.describe());
  std::vector<std::uint8_t> bytes;
  (void)codec::encode_status_message(bytes, MessageType::error_message, message_id, status);
  send_control(MessageType::error_message, message_id, std::move(bytes));
}

void ReaderEngine::send_control(MessageType type, std::uint32_t message_id,
                                std::vector<std::uint8_t> bytes) {
  if (!connected_) return;  // control messages belong to a connection
  OutgoingMessage m;
  m.kind = OutgoingMessage::Kind::control;
  m.type = type;
  m.message_id = message_id;
  m.sequence = next_sequence_++;
  m.bytes = std::move(bytes);
  control_bytes_ += m.bytes.size();
  control_.push_back(std::move(m));
  if (control_bytes_ > kMaxUnreadControlBytes && !client_too_slow_) {
    client_too_slow_ = true;
    ++counters_.slow_client_disconnects;
    note("the client left over 1 MiB of responses unread: dropping the connection");
  }
}

void ReaderEngine::send_event(const codec::ReaderEventNotification& event) {
  if (!connected_) return;
  const std::uint32_t id = next_message_id();
  std::vector<std::uint8_t> bytes;
  (void)codec::encode_reader_event_notification(bytes, id, event);
  send_control(MessageType::reader_event_notification, id, std::move(bytes));
}

codec::LlrpTimestamp ReaderEngine::reader_timestamp() const {
  if (profile_.clock == ReaderClock::uptime) {
    return {static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_us_ - boot_us_)), true};
  }
  return {static_cast<std::uint64_t>(std::max<std::int64_t>(0, now_us_)), false};
}

void ReaderEngine::note(std::string text) { notices_.push_back(std::move(text)); }

std::vector<std::string> ReaderEngine::take_notices() {
  std::vector<std::string> out;
  out.swap(notices_);
  return out;
}

}  // namespace garita::sim::llrp

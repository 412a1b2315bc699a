// The LLRP conversation over one connection: the set-up sequence, reports,
// keepalives, reader events, errors and lane-light commands.
#include <boost/asio/post.hpp>
#include <limits>

#include "LlrpClientImpl.hpp"
#include "LlrpClientText.hpp"
#include "garita/hal/DriverErrc.hpp"
#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/Impinj.hpp"
#include "garita/hal/llrp/LlrpClientTagRead.hpp"
#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/RoAccessReport.hpp"
#include "garita/hal/llrp/RoSpec.hpp"
#include "garita/hal/llrp/StatusMessage.hpp"

namespace garita::hal::llrp {
namespace {

std::int64_t utc_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t mono_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string connection_refusal_text(ConnectionAttemptStatus status) {
  switch (status) {
    case ConnectionAttemptStatus::failed_client_initiated_connection_exists:
      return "the reader refused the connection: another client is already connected to it "
             "(ConnectionAttemptEvent Failed_Client_Initiated_Connection_Exists). Close the other "
             "LLRP "
             "client (another garita, a test tool, the reader's web page test) or reboot the "
             "reader";
    case ConnectionAttemptStatus::failed_reader_initiated_connection_exists:
      return "the reader refused the connection: it has dialled out to another client and keeps "
             "that "
             "connection (ConnectionAttemptEvent Failed_Reader_Initiated_Connection_Exists). Turn "
             "off "
             "reader-initiated connections on the reader, or use listen mode (?listen=1)";
    case ConnectionAttemptStatus::failed_other_reason:
      return "the reader refused the connection (ConnectionAttemptEvent Failed_Other_Reason); "
             "check the reader's own log";
    case ConnectionAttemptStatus::another_connection_attempted:
      return "the reader's first message was ConnectionAttemptEvent AnotherConnectionAttempted, "
             "which only an established connection should get";
    case ConnectionAttemptStatus::success: break;
  }
  return "the reader refused the connection (ConnectionAttemptEvent status " +
         std::to_string(static_cast<unsigned>(status)) + ")";
}

}  // namespace

// ---------------------------------------------------------------- requests

std::string_view LlrpClient::request_name(Request request) noexcept {
  switch (request) {
    case Request::get_capabilities: return "GET_READER_CAPABILITIES";
    case Request::impinj_enable_extensions: return "IMPINJ_ENABLE_EXTENSIONS";
    case Request::factory_reset: return "SET_READER_CONFIG (reset to factory defaults)";
    case Request::set_config: return "SET_READER_CONFIG (keepalive, events, report spec)";
    case Request::get_antenna_properties: return "GET_READER_CONFIG (antenna properties)";
    case Request::delete_rospecs: return "DELETE_ROSPEC (all)";
    case Request::delete_accessspecs: return "DELETE_ACCESSSPEC (all)";
    case Request::add_rospec: return "ADD_ROSPEC";
    case Request::add_accessspec: return "ADD_ACCESSSPEC (TID read)";
    case Request::enable_accessspec: return "ENABLE_ACCESSSPEC";
    case Request::enable_rospec: return "ENABLE_ROSPEC";
    case Request::set_gpo: return "SET_READER_CONFIG (GPO write)";
    case Request::disable_rospec: return "DISABLE_ROSPEC";
    case Request::close_connection: return "CLOSE_CONNECTION";
  }
  return "request";
}

MessageType LlrpClient::response_type(Request request) noexcept {
  switch (request) {
    case Request::get_capabilities: return MessageType::get_reader_capabilities_response;
    case Request::impinj_enable_extensions: return MessageType::custom_message;
    case Request::factory_reset:
    case Request::set_config:
    case Request::set_gpo: return MessageType::set_reader_config_response;
    case Request::get_antenna_properties: return MessageType::get_reader_config_response;
    case Request::delete_rospecs: return MessageType::delete_rospec_response;
    case Request::delete_accessspecs: return MessageType::delete_accessspec_response;
    case Request::add_rospec: return MessageType::add_rospec_response;
    case Request::add_accessspec: return MessageType::add_accessspec_response;
    case Request::enable_accessspec: return MessageType::enable_accessspec_response;
    case Request::enable_rospec: return MessageType::enable_rospec_response;
    case Request::disable_rospec: return MessageType::disable_rospec_response;
    case Request::close_connection: return MessageType::close_connection_response;
  }
  return MessageType::error_message;
}

// The set-up sequence (LlrpClient.hpp): what follows `done`, or nothing
// when the reader is ready to run.
std::optional<LlrpClient::Request> LlrpClient::next_request(Request done) const {
  switch (done) {
    case Request::get_capabilities:
      if (impinj_) return Request::impinj_enable_extensions;
      [[fallthrough]];
    case Request::impinj_enable_extensions:
      if (options_.reset_to_factory_defaults) return Request::factory_reset;
      return Request::set_config;
    case Request::factory_reset: return Request::set_config;
    case Request::set_config: return Request::get_antenna_properties;
    case Request::get_antenna_properties: return Request::delete_rospecs;
    case Request::delete_rospecs: return Request::delete_accessspecs;
    case Request::delete_accessspecs: return Request::add_rospec;
    case Request::add_rospec:
      if (setup_.read_tid && !impinj_) return Request::add_accessspec;
      return Request::enable_rospec;
    case Request::add_accessspec: return Request::enable_accessspec;
    case Request::enable_accessspec: return Request::enable_rospec;
    case Request::enable_rospec:  // the last one: running
    case Request::set_gpo:        // not part of the set-up
    case Request::disable_rospec:
    case Request::close_connection: return std::nullopt;
  }
  return std::nullopt;
}

std::error_code LlrpClient::encode_request(Request request, std::uint32_t id,
                                           std::vector<std::uint8_t>& out) const {
  switch (request) {
    case Request::get_capabilities:
      return encode_get_reader_capabilities(out, id, CapabilitiesRequest::all);
    case Request::impinj_enable_extensions: return encode_impinj_enable_extensions(out, id);
    case Request::factory_reset: return encode_set_reader_config(out, id, factory_reset_config());
    case Request::set_config: return encode_set_reader_config(out, id, lane_reader_config(setup_));
    case Request::get_antenna_properties: {
      GetReaderConfig get;
      get.requested_data = ReaderConfigRequest::antenna_properties;
      return encode_get_reader_config(out, id, get);
    }
    case Request::delete_rospecs:
      return encode_rospec_command(out, MessageType::delete_rospec, id, 0);
    case Request::delete_accessspecs:
      return encode_accessspec_command(out, MessageType::delete_accessspec, id, 0);
    case Request::add_rospec: return encode_add_rospec(out, id, lane_rospec(setup_));
    case Request::add_accessspec: return encode_add_accessspec(out, id, tid_access_spec(setup_));
    case Request::enable_accessspec:
      return encode_accessspec_command(out, MessageType::enable_accessspec, id, kTidAccessSpecId);
    case Request::enable_rospec:
      return encode_rospec_command(out, MessageType::enable_rospec, id, kLaneRoSpecId);
    case Request::set_gpo: {
      const GpoWriteData gpo = current_command_ ? current_command_->gpo : GpoWriteData{};
      return encode_set_reader_config(out, id, gpo_write_config(gpo.port, gpo.data));
    }
    case Request::disable_rospec:
      return encode_rospec_command(out, MessageType::disable_rospec, id, kLaneRoSpecId);
    case Request::close_connection:
      return encode_empty_message(out, MessageType::close_connection, id);
  }
  return make_error_code(DriverErrc::bad_argument);
}

std::uint32_t LlrpClient::next_message_id() noexcept {
  // Unique across connections, so a late answer from an old connection
  // can never be taken for the current request. 0 is skipped.
  if (++last_message_id_ == 0) ++last_message_id_;
  return last_message_id_;
}

void LlrpClient::send_request(Request request) {
  std::vector<std::uint8_t> bytes;
  const std::uint32_t id = next_message_id();
  if (const std::error_code ec = encode_request(request, id, bytes)) {
    // Only a bug can get here (all inputs were checked); say which.
    fail_session(
        ec, "garita could not encode " + std::string(request_name(request)) + ": " + ec.message());
    return;
  }
  pending_ = Pending{request, id, Clock::now() + options_.response_timeout};
  log(Severity::debug, "-> " + std::string(request_name(request)));
  send_message(std::move(bytes), request_name(request));
}

bool LlrpClient::send_message(std::vector<std::uint8_t> bytes, std::string_view what) {
  if (!link_) return false;
  if (!link_->send(std::move(bytes))) {
    fail_session(DriverErrc::write_queue_full, "the reader is not reading what garita sends (" +
                                                   std::to_string(options_.max_queued_writes) +
                                                   " messages queued at " + std::string(what) +
                                                   "); dropping the connection");
    return false;
  }
  return true;
}

// ---------------------------------------------------------------- incoming

void LlrpClient::on_message(std::uint64_t session, const MessageView& message) {
  if (session != session_) return;
  last_received_ = Clock::now();
  {
    std::lock_guard lock(status_mutex_);
    status_.last_message_utc_us = utc_now_us();
  }
  switch (message.header.type) {
    case MessageType::ro_access_report: on_report(message); return;
    case MessageType::keepalive: on_keepalive(message); return;
    case MessageType::reader_event_notification: on_reader_event(message); return;
    case MessageType::error_message: on_error_message(message); return;
    default: break;
  }
  if (pending_ && message.header.message_id == pending_->message_id &&
      message.header.type == response_type(pending_->request)) {
    on_response(message);
    return;
  }
  log(Severity::debug, "ignored " + std::string(to_string(message.header.type)) + " (type " +
                           std::to_string(static_cast<unsigned>(message.header.type)) +
                           ", message id " + std::to_string(message.header.message_id) + ")");
}

void LlrpClient::on_keepalive(const MessageView& message) {
  // KEEPALIVE_ACK echoes the KEEPALIVE's message id (LLRP 1.1 §14.1.4).
  std::vector<std::uint8_t> ack;
  if (encode_empty_message(ack, MessageType::keepalive_ack, message.header.message_id)) return;
  send_message(std::move(ack), "KEEPALIVE_ACK");
}

void LlrpClient::on_report(const MessageView& message) {
  const TagReadContext context{options_.reader_id, utc_now_us(), mono_now_us()};
  TagReportReader reader(message);
  std::uint64_t delivered = 0;
  while (reader.next(tag_)) {
    // A reader may leave out a field equal to the one it sent last on this
    // connection (§14.2.3); fill those in before anything reads the tag.
    if (have_previous_tag_) inherit_unreported_fields(tag_, previous_tag_);
    previous_tag_ = tag_;
    have_previous_tag_ = true;
    to_tag_read(tag_, context, read_);
    if (read_.antenna > 0 && read_.antenna <= antenna_reads_.size())
      ++antenna_reads_[read_.antenna - 1u];
    else if (read_.antenna > antenna_reads_.size()) {
      std::lock_guard lock(status_mutex_);
      ensure_antenna(read_.antenna);
      if (read_.antenna <= antenna_reads_.size()) ++antenna_reads_[read_.antenna - 1u];
    }
    ++delivered;
    deliver(read_);
  }
  if (delivered > 0) {
    note_reader_time(previous_tag_.first_seen_utc_us, previous_tag_.first_seen_uptime_us,
                     context.host_utc_us);
    std::lock_guard lock(status_mutex_);
    status_.read_count += delivered;
    for (std::size_t i = 0; i < status_.antennas.size() && i < antenna_reads_.size(); ++i) {
      status_.antennas[i].read_count = antenna_reads_[i];
    }
  }
  if (const std::error_code ec = reader.error()) {
    // The stream is still in step (the length was fine); only the rest of
    // this one report is lost.
    record_error(ec,
                 "the reader sent a malformed RO_ACCESS_REPORT (" + ec.message() + "); kept the " +
                     std::to_string(delivered) + " tag(s) before the fault",
                 Severity::warning);
    publish_status();
  }
}

void LlrpClient::on_reader_event(const MessageView& message) {
  ReaderEventNotification event;
  if (const std::error_code ec = decode_reader_event_notification(message, event)) {
    if (phase_ == Phase::awaiting_connection_event) {
      fail_session(
          ec, "the reader's first READER_EVENT_NOTIFICATION is malformed (" + ec.message() + ")");
    } else {
      record_error(ec, "ignored a malformed READER_EVENT_NOTIFICATION (" + ec.message() + ")",
                   Severity::warning);
    }
    return;
  }
  const std::int64_t host_utc = utc_now_us();
  if (event.timestamp.is_uptime) {
    note_reader_time(std::nullopt, event.timestamp.microseconds, host_utc);
  } else {
    note_reader_time(event.timestamp.microseconds, std::nullopt, host_utc);
  }

  if (event.connection_attempt) {
    on_connection_attempt(*event.connection_attempt);
    if (!link_) return;
  }
  bool changed = false;
  if (event.antenna) {
    const AntennaEvent& antenna = *event.antenna;
    const bool connected = antenna.type == AntennaEventType::connected;
    {
      std::lock_guard lock(status_mutex_);
      ensure_antenna(antenna.antenna_id);
      if (antenna.antenna_id >= 1 && antenna.antenna_id <= status_.antennas.size()) {
        status_.antennas[antenna.antenna_id - 1u].state =
            connected ? AntennaState::connected : AntennaState::disconnected;
      }
    }
    log(connected ? Severity::info : Severity::warning,
        "antenna " + std::to_string(antenna.antenna_id) +
            (connected ? " connected" : " disconnected"));
    changed = true;
  }
  if (event.reader_exception) {
    record_error(DriverErrc::reader_error_message,
                 "the reader reported an exception: " + event.reader_exception->message,
                 Severity::warning);
    changed = true;
  }
  if (event.report_buffer_overflow) {
    record_error(DriverErrc::reader_error_message,
                 "the reader's report buffer overflowed: it has lost reads (is the network to the "
                 "reader slow?)",
                 Severity::error);
    changed = true;
  }
  if (event.report_buffer_level_warning_percent) {
    log(Severity::warning, "the reader's report buffer is " +
                               std::to_string(*event.report_buffer_level_warning_percent) +
                               "% full");
  }
  if (event.ro_spec) {
    const RoSpecEvent& ro = *event.ro_spec;
    if (ro.ro_spec_id == kLaneRoSpecId && ro.type != RoSpecEventType::start &&
        phase_ == Phase::running) {
      log(Severity::warning,
          "the reader stopped garita's ROSpec (ROSpecEvent " +
              std::string(ro.type == RoSpecEventType::end ? "End" : "Preemption") +
              "): is another client changing it?");
    } else {
      log(Severity::debug, "ROSpecEvent for ROSpec " + std::to_string(ro.ro_spec_id));
    }
  }
  if (event.gpi) {
    log(Severity::debug,
        "GPI " + std::to_string(event.gpi->port) + (event.gpi->event ? " high" : " low"));
  }
  if (changed) publish_status();
  if (event.connection_close) {
    if (phase_ == Phase::saying_goodbye) {
      end_session(false);
      finish_stop();
      return;
    }
    fail_session(
        DriverErrc::reader_closed_connection,
        "the reader is closing the connection (ConnectionCloseEvent): it may be rebooting, "
        "or its LLRP settings were changed");
  }
}

void LlrpClient::on_connection_attempt(ConnectionAttemptStatus status) {
  if (phase_ != Phase::awaiting_connection_event) {
    if (status == ConnectionAttemptStatus::another_connection_attempted) {
      log(Severity::warning,
          "another client tried to connect to the reader (refused by the reader); garita keeps "
          "its connection");
    }
    return;
  }
  if (status != ConnectionAttemptStatus::success) {
    fail_session(DriverErrc::connection_refused_by_reader, connection_refusal_text(status));
    return;
  }
  // §19.1: only now may the client talk.
  phase_ = Phase::configuring;
  set_state(DriverState::configuring);
  log(Severity::info, "the reader accepted the connection; configuring it");
  publish_status();
  send_request(Request::get_capabilities);
}

void LlrpClient::on_error_message(const MessageView& message) {
  LlrpStatus status;
  const std::error_code ec = decode_status_message(message, status);
  const std::string text =
      ec ? "an ERROR_MESSAGE garita cannot decode (" + ec.message() + ")" : status.describe();
  // ERROR_MESSAGE carries the id of the message it refuses (§15.1.1); a
  // reader that could not even read that id sends 0, and with one request
  // outstanding that can only be it.
  const std::uint32_t id = message.header.message_id;
  if (pending_ && (id == pending_->message_id || id == 0)) {
    const Request request = pending_->request;
    pending_.reset();
    after_response(request, DriverErrc::reader_error_message,
                   "the reader answered " + std::string(request_name(request)) +
                       " with ERROR_MESSAGE: " + text);
    return;
  }
  record_error(DriverErrc::reader_error_message, "the reader sent ERROR_MESSAGE: " + text,
               Severity::warning);
  publish_status();
}

void LlrpClient::on_response(const MessageView& message) {
  const Request request = pending_->request;
  pending_.reset();
  std::error_code ec;
  LlrpStatus status;
  switch (request) {
    case Request::get_capabilities: {
      ReaderCapabilities capabilities;
      ec = decode_get_reader_capabilities_response(message, capabilities);
      status = capabilities.status;
      if (!ec && status.ok() && !apply_capabilities(capabilities)) return;
      break;
    }
    case Request::impinj_enable_extensions:
      ec = decode_impinj_enable_extensions_response(message, status);
      break;
    case Request::get_antenna_properties: {
      GetReaderConfigResponse response;
      ec = decode_get_reader_config_response(message, response);
      status = response.status;
      if (!ec && status.ok()) apply_antenna_properties(response.config.antenna_properties);
      break;
    }
    default: ec = decode_status_message(message, status); break;
  }
  if (ec) {
    after_response(request, ec,
                   "garita cannot decode the reader's answer to " +
                       std::string(request_name(request)) + " (" + ec.message() + ")");
    return;
  }
  if (!status.ok()) {
    after_response(
        request, DriverErrc::reader_status_error,
        "the reader refused " + std::string(request_name(request)) + ": " + status.describe());
    return;
  }
  after_response(request, {}, {});
}

// Every answer (or ERROR_MESSAGE) to a request ends here.
void LlrpClient::after_response(Request request, std::error_code failure,
                                const std::string& failure_text) {
  if (failure) log(Severity::debug, "<- " + failure_text);
  switch (request) {
    case Request::disable_rospec:  // goodbye: carry on whatever the answer
      if (failure) log(Severity::info, failure_text);
      send_request(Request::close_connection);
      return;
    case Request::close_connection:
      if (failure) log(Severity::info, failure_text);
      end_session(true);
      finish_stop();
      return;
    case Request::set_gpo:
      if (failure) record_error(failure, failure_text, Severity::warning);
      if (current_command_) complete(current_command_->done, failure);
      current_command_.reset();
      send_next_command();
      return;
    case Request::impinj_enable_extensions:
      if (failure) {
        // Still a working reader: read TIDs the standard way.
        log(Severity::warning,
            failure_text + "; reading TIDs with an AccessSpec instead of FastID");
        impinj_ = false;
        setup_.impinj_fast_id = false;
        std::lock_guard lock(status_mutex_);
        if (status_.identity) status_.identity->impinj_extensions = false;
      }
      break;
    case Request::delete_rospecs:
    case Request::delete_accessspecs:
      // Some readers answer "nothing to delete" with an error; the factory
      // reset has already cleared the specs, and ADD_* will say if not.
      if (failure) log(Severity::info, failure_text + " (continuing)");
      break;
    default:
      if (failure) {
        fail_session(failure, failure_text);
        return;
      }
      break;
  }
  if (request == Request::add_rospec) rospec_added_ = true;
  if (phase_ != Phase::configuring) return;
  if (const auto next = next_request(request)) {
    send_request(*next);
  } else {
    enter_running();
  }
}

bool LlrpClient::apply_capabilities(const ReaderCapabilities& capabilities) {
  const std::uint32_t maker = capabilities.general ? capabilities.general->manufacturer : 0;
  impinj_ = options_.use_impinj_extensions && maker == kImpinjVendorId;
  setup_.impinj_fast_id = impinj_;
  setup_.report_buffer_warnings =
      capabilities.llrp && capabilities.llrp->can_report_buffer_fill_warning;
  const ReaderIdentity identity = reader_identity(capabilities, impinj_);
  {
    std::lock_guard lock(status_mutex_);
    status_.identity = identity;
    ensure_antenna(identity.antenna_count);
  }
  log(Severity::info, identity.manufacturer_name + " model " + std::to_string(identity.model) +
                          ", firmware " + identity.firmware_version + ", " +
                          std::to_string(identity.antenna_count) + " antennas");
  for (std::uint16_t antenna : options_.antennas) {
    if (antenna > identity.antenna_count) {
      fail_session(DriverErrc::bad_options,
                   "antenna " + std::to_string(antenna) + " is configured, but the reader has " +
                       std::to_string(identity.antenna_count) + " antennas");
      return false;
    }
  }
  publish_status();
  return true;
}

void LlrpClient::apply_antenna_properties(const std::vector<AntennaProperties>& antennas) {
  {
    std::lock_guard lock(status_mutex_);
    for (const AntennaProperties& antenna : antennas) {
      ensure_antenna(antenna.antenna_id);
      if (antenna.antenna_id >= 1 && antenna.antenna_id <= status_.antennas.size()) {
        status_.antennas[antenna.antenna_id - 1u].state =
            antenna.connected ? AntennaState::connected : AntennaState::disconnected;
      }
    }
  }
  publish_status();
}

void LlrpClient::enter_running() {
  // The reader may hold events and reports until told (§14.1.6,
  // EventsAndReports); there is no response to this one.
  std::vector<std::uint8_t> bytes;
  if (!encode_empty_message(bytes, MessageType::enable_events_and_reports, next_message_id())) {
    if (!send_message(std::move(bytes), "ENABLE_EVENTS_AND_REPORTS")) return;
  }
  phase_ = Phase::running;
  last_received_ = Clock::now();
  backoff_.reset();
  {
    std::lock_guard lock(status_mutex_);
    status_.state = DriverState::running;
    status_.running_since_utc_us = utc_now_us();
  }
  std::string tid = "TIDs off";
  if (setup_.read_tid) tid = impinj_ ? "TIDs by Impinj FastID" : "TIDs by AccessSpec";
  log(Severity::info, "running (" + tid + ")");
  publish_status();
  send_next_command();
}

void LlrpClient::send_next_command() {
  if (phase_ != Phase::running || pending_ || current_command_ || commands_.empty()) return;
  current_command_ = std::move(commands_.front());
  commands_.pop_front();
  send_request(Request::set_gpo);
}

}  // namespace garita::hal::llrp

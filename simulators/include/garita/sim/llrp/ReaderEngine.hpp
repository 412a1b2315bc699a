#pragma once
// The behaviour of one simulated LLRP reader, with no I/O and time passed
// in: it answers client messages, runs ROSpecs over the traffic model's
// reads, executes AccessSpecs, batches TagReportData per the ROReportSpec,
// sends reader events and KEEPALIVEs, and keeps its report buffer across
// connections. The network side (ReaderServer, ReaderSession) only moves
// bytes and calls in here; unit tests drive it directly.
//
// Times are model time in µs since the Unix epoch (TrafficModel's clock),
// never decreasing.
//
// ROSpec life cycle (LLRP 1.1 §11.1): ADD -> Disabled; ENABLE -> Inactive
// (an Immediate start trigger starts it at once, a Periodic one at
// offset/period); START_ROSPEC or the trigger -> Active; its stop trigger,
// the end of its last AISpec, STOP_ROSPEC -> Inactive; DISABLE -> Disabled.
// One ROSpec is Active at a time (START_ROSPEC while another is Active is
// refused, like an Impinj reader with one priority level).
//
// Report timing: ROReportTrigger 1/2 with N > 0 sends a report as soon as N
// distinct TagReportData are buffered, and at the end of the AISpec (1) or
// ROSpec (2). With N = 0 a reader would wait for that end; when that end
// has no time bound (a null stop trigger), the simulator instead sends what
// it has every 100 ms of simulated time, so a lane sees reads with the
// latency a real lane has. Trigger 0 (none) reports only on GET_REPORT.
//
// Report buffer: reports wait in a buffer of at most 10 000 TagReportData
// while no client is connected, while the client has asked the reader to
// hold them (EventsAndReports), or while the client reads too slowly. When
// it is full the reader drops new reports (counted, written to the sent
// log as lost/report_buffer_full, and announced with a
// ReportBufferOverflowErrorEvent when buffer events are enabled): the
// reader never drops the connection for a slow client, except when the
// client leaves more than 1 MiB of responses unread (then it is not
// reading at all).
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ReaderEventNotification.hpp"
#include "garita/hal/llrp/RoSpec.hpp"
#include "garita/sim/TagObservation.hpp"
#include "garita/sim/llrp/OutgoingMessage.hpp"
#include "garita/sim/llrp/ReaderProfile.hpp"
#include "garita/sim/llrp/ReaderSettings.hpp"
#include "garita/sim/llrp/ReportAccumulator.hpp"
#include "garita/sim/llrp/SpecStore.hpp"
#include "garita/sim/llrp/TagLog.hpp"

namespace garita::sim::llrp {

struct ReaderCounters {
  std::uint64_t reads_seen = 0;      // observations the model gave this reader
  std::uint64_t reads_not_read = 0;  // ... while it was not inventorying that antenna
  std::uint64_t tags_reported = 0;   // TagReportData put in RO_ACCESS_REPORTs
  std::uint64_t tags_sent = 0;       // ... and written to a client
  std::uint64_t tags_lost = 0;       // ... or lost inside the reader
  std::uint64_t reports_sent = 0;    // RO_ACCESS_REPORT messages written
  std::uint64_t report_buffer_overflows = 0;
  std::uint64_t keepalives_sent = 0;
  std::uint64_t keepalive_acks = 0;
  std::uint64_t connections = 0;  // accepted (ConnectionAttemptEvent Success)
  std::uint64_t refused_connections = 0;
  std::uint64_t slow_client_disconnects = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t error_responses = 0;  // responses/ERROR_MESSAGEs with a status other than M_Success
};

// The execution state of the Active ROSpec (ReaderEngine's own).
struct ActiveRoSpec {
  std::uint32_t ro_spec_id = 0;
  std::int64_t started_us = 0;
  std::size_t ai_index = 0;
  std::int64_t ai_started_us = 0;
  std::int64_t last_new_tag_us = 0;  // TagObservationTrigger "no new tags for T"
  std::vector<std::array<std::uint8_t, kMaxEpcBytes + 1>> ai_tags;  // distinct EPCs (len + bytes)
  std::int64_t next_flush_us = 0;                                   // unbounded N = 0 reporting
};

// When an enabled ROSpec with a periodic start trigger starts next.
struct PeriodicRoSpecStart {
  std::uint32_t ro_spec_id = 0;
  std::int64_t next_us = 0;
  std::int64_t period_us = 0;  // 0: one shot
};

class ReaderEngine {
 public:
  static constexpr std::size_t kReportBufferCapacity = 10'000;  // TagReportData
  static constexpr std::size_t kMaxUnreadControlBytes = std::size_t{1024} * 1024;
  static constexpr std::int64_t kUnboundedReportPeriodUs = 100'000;

  // `log` receives not_read/lost rows here and sent rows via
  // on_report_written(); it must outlive the engine.
  ReaderEngine(const ReaderProfile& profile, LaneId lane, TagLog& log, std::int64_t boot_us);

  // --- connections -------------------------------------------------------
  // A client connected: queues ConnectionAttemptEvent(Success) as the first
  // message and releases the report buffer (unless held on reconnect).
  void connect(std::int64_t now_us);
  // The connection ended: its unsent control messages are dropped, the
  // reports stay buffered for the next client.
  void disconnect(std::int64_t now_us);
  bool connected() const noexcept { return connected_; }
  std::uint32_t connection_number() const noexcept { return connection_number_; }
  // The one message a second, refused client gets
  // (ConnectionAttemptEvent Failed_Client_Initiated_Connection_Exists);
  // the current client is told Another_Connection_Attempted.
  std::vector<std::uint8_t> refuse_connection(std::int64_t now_us);
  // Queues ConnectionCloseEvent: the reader is about to hang up.
  void announce_close(std::int64_t now_us);

  // --- client messages ---------------------------------------------------
  void handle_message(const hal::llrp::MessageView& message, std::int64_t now_us);
  // CLOSE_CONNECTION was answered: close once CLOSE_CONNECTION_RESPONSE is written.
  bool close_requested() const noexcept { return close_requested_; }
  // The client left more than kMaxUnreadControlBytes unread: drop it.
  bool client_too_slow() const noexcept { return client_too_slow_; }

  // --- the air -----------------------------------------------------------
  // A read the traffic model produced on one of this reader's antennas
  // (read.time_us >= every earlier time given).
  void on_observation(const TagObservation& read);
  // Runs every timer due at or before `now_us` (keepalives, stop triggers,
  // periodic starts and report flushes).
  void advance_to(std::int64_t now_us);
  // The next time advance_to() has something to do.
  std::optional<std::int64_t> next_deadline() const;

  // --- faults --------------------------------------------------------------
  // Power loss: pending and buffered reports are lost, specs and settings
  // are back to factory defaults, reads are not read until boot().
  void reboot(std::int64_t now_us);
  void boot(std::int64_t now_us);
  bool booted() const noexcept { return booted_; }
  // No KEEPALIVE until `until_us` (nullopt: until the connection ends).
  void suppress_keepalives(std::int64_t now_us, std::optional<std::int64_t> until_us);

  // Simulator exit: whatever was never sent is logged as lost/simulator_exit.
  void finish(std::int64_t now_us);

  // --- outgoing ----------------------------------------------------------
  // The next message to write on the connection (generation order; reports
  // only when not held), or nullopt.
  std::optional<OutgoingMessage> pop_outgoing();
  bool has_outgoing() const noexcept;
  // A report taken with pop_outgoing() whose write did not complete: back to
  // the front of the report buffer.
  void return_unsent_report(OutgoingMessage&& report);
  // A report written to the socket of connection number `connection`: logs
  // its rows as sent.
  void on_report_written(const OutgoingMessage& report, std::int64_t now_us,
                         std::uint32_t connection);

  // Lines for the operator (GPO writes, refused commands, resets), drained.
  std::vector<std::string> take_notices();

  const ReaderCounters& counters() const noexcept { return counters_; }
  const SpecStore& specs() const noexcept { return specs_; }
  const ReaderSettings& settings() const noexcept { return settings_; }
  const ReaderProfile& profile() const noexcept { return profile_; }
  bool inventorying() const noexcept { return run_.has_value(); }
  std::size_t buffered_report_tags() const noexcept { return report_buffer_tags_; }

 private:
  using RoSpecRun = ActiveRoSpec;
  using PeriodicStart = PeriodicRoSpecStart;

  // Message handlers.
  void on_get_reader_capabilities(const hal::llrp::MessageView& m);
  void on_get_reader_config(const hal::llrp::MessageView& m);
  void on_set_reader_config(const hal::llrp::MessageView& m);
  void on_close_connection(const hal::llrp::MessageView& m);
  void on_add_rospec(const hal::llrp::MessageView& m);
  void on_rospec_command(const hal::llrp::MessageView& m);
  void on_get_rospecs(const hal::llrp::MessageView& m);
  void on_add_accessspec(const hal::llrp::MessageView& m);
  void on_accessspec_command(const hal::llrp::MessageView& m);
  void on_get_accessspecs(const hal::llrp::MessageView& m);
  void on_get_report(const hal::llrp::MessageView& m);
  void on_enable_events_and_reports(const hal::llrp::MessageView& m);
  void on_keepalive_ack(const hal::llrp::MessageView& m);
  void on_custom_message(const hal::llrp::MessageView& m);

  hal::llrp::LlrpStatus enable_ro_spec(hal::llrp::RoSpec& spec);
  hal::llrp::LlrpStatus disable_ro_spec(hal::llrp::RoSpec& spec);
  hal::llrp::LlrpStatus delete_ro_spec(std::uint32_t id);
  hal::llrp::LlrpStatus start_ro_spec(std::uint32_t id);
  hal::llrp::LlrpStatus stop_ro_spec(std::uint32_t id);
  void factory_reset();

  // Inventory.
  void start_run(hal::llrp::RoSpec& spec);
  void end_run(hal::llrp::RoSpecState next_state);
  void end_ai_spec();
  void begin_ai_spec(std::size_t index);
  bool antenna_in_current_ai_spec(std::uint16_t antenna) const;
  const hal::llrp::RoReportSpec& report_spec() const;
  bool report_end_unbounded() const;
  void flush_report();
  std::optional<std::int64_t> run_deadline() const;
  void fire_run_deadline();
  void log_not_read(const TagObservation& read, std::string_view why);
  void log_lost(const ReportedTag& tag, std::string_view why);

  // Output.
  void send_response(const hal::llrp::MessageView& request, hal::llrp::MessageType type,
                     const hal::llrp::LlrpStatus& status);
  void send_error_message(std::uint32_t message_id, const hal::llrp::LlrpStatus& status);
  void send_control(hal::llrp::MessageType type, std::uint32_t message_id,
                    std::vector<std::uint8_t> bytes);
  void send_event(const hal::llrp::ReaderEventNotification& event);
  void queue_report(OutgoingMessage&& report);
  hal::llrp::LlrpTimestamp reader_timestamp() const;
  std::uint32_t next_message_id() noexcept { return next_message_id_++; }
  void note(std::string text);

  ReaderProfile profile_;
  LaneId lane_;
  TagLog& log_;
  ReaderSettings settings_;
  SpecStore specs_;
  ReportAccumulator accumulator_;
  std::optional<RoSpecRun> run_;
  std::vector<PeriodicStart> periodic_starts_;

  std::int64_t now_us_ = 0;
  std::int64_t boot_us_ = 0;
  bool booted_ = true;

  bool connected_ = false;
  std::uint32_t connection_number_ = 0;
  bool impinj_extensions_ = false;
  bool reports_held_ = false;
  bool close_requested_ = false;
  bool client_too_slow_ = false;
  std::optional<std::int64_t> next_keepalive_us_;
  std::optional<std::int64_t> keepalives_suppressed_until_;  // INT64_MAX: until disconnect
  std::uint32_t unacked_keepalives_ = 0;
  bool overflow_announced_ = false;

  std::deque<OutgoingMessage> control_;
  std::size_t control_bytes_ = 0;
  std::deque<OutgoingMessage> reports_;
  std::size_t report_buffer_tags_ = 0;
  std::uint32_t next_message_id_ = 1;
  std::uint64_t next_sequence_ = 1;

  std::vector<std::string> notices_;
  ReaderCounters counters_;
};

}  // namespace garita::sim::llrp

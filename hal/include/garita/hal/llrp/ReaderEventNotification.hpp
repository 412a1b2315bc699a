#pragma once
// READER_EVENT_NOTIFICATION (LLRP 1.1 §14.1.5) and its one parameter,
// ReaderEventNotificationData (§14.2.6): a timestamp plus the events that
// occurred. The first message of every connection is one of these with a
// ConnectionAttemptEvent (§19.1: the client must wait for it, and give up on
// anything but Success); ConnectionCloseEvent says the reader is hanging up.
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"

namespace garita::hal::llrp {

// UTCTimestamp (µs since the Unix epoch, §7.1.3.1.1.1) or, from a reader
// without a wall clock, Uptime (µs since it booted, §7.1.3.1.1.2).
struct LlrpTimestamp {
  std::uint64_t microseconds = 0;
  bool is_uptime = false;

  friend bool operator==(const LlrpTimestamp&, const LlrpTimestamp&) = default;
};

enum class ConnectionAttemptStatus : std::uint16_t {
  success = 0,
  failed_reader_initiated_connection_exists = 1,
  failed_client_initiated_connection_exists = 2,
  failed_other_reason = 3,
  another_connection_attempted = 4,
};

enum class AntennaEventType : std::uint8_t { disconnected = 0, connected = 1 };

struct AntennaEvent {
  AntennaEventType type = AntennaEventType::disconnected;
  std::uint16_t antenna_id = 0;
  friend bool operator==(const AntennaEvent&, const AntennaEvent&) = default;
};

enum class RoSpecEventType : std::uint8_t { start = 0, end = 1, preemption = 2 };

struct RoSpecEvent {
  RoSpecEventType type = RoSpecEventType::start;
  std::uint32_t ro_spec_id = 0;
  std::uint32_t preempting_ro_spec_id = 0;
  friend bool operator==(const RoSpecEvent&, const RoSpecEvent&) = default;
};

struct HoppingEvent {
  std::uint16_t hop_table_id = 0;
  std::uint16_t next_channel_index = 0;
  friend bool operator==(const HoppingEvent&, const HoppingEvent&) = default;
};

struct GpiEvent {
  std::uint16_t port = 0;
  bool event = false;
  friend bool operator==(const GpiEvent&, const GpiEvent&) = default;
};

struct AiSpecEvent {
  std::uint8_t type = 0;  // 0: end of AISpec (the only one defined)
  std::uint32_t ro_spec_id = 0;
  std::uint16_t spec_index = 0;
  friend bool operator==(const AiSpecEvent&, const AiSpecEvent&) = default;
};

// Something went wrong inside the reader (§14.2.6.7); the optional ids say
// what it was doing.
struct ReaderExceptionEvent {
  std::string message;
  std::optional<std::uint32_t> ro_spec_id;
  std::optional<std::uint16_t> spec_index;
  std::optional<std::uint16_t> inventory_parameter_spec_id;
  std::optional<std::uint16_t> antenna_id;
  std::optional<std::uint32_t> access_spec_id;
  std::optional<std::uint16_t> op_spec_id;
  friend bool operator==(const ReaderExceptionEvent&, const ReaderExceptionEvent&) = default;
};

struct ReaderEventNotification {
  LlrpTimestamp timestamp;
  std::optional<HoppingEvent> hopping;
  std::optional<GpiEvent> gpi;
  std::optional<RoSpecEvent> ro_spec;
  std::optional<std::uint8_t> report_buffer_level_warning_percent;
  bool report_buffer_overflow = false;  // the reader lost reports
  std::optional<ReaderExceptionEvent> reader_exception;
  std::optional<AiSpecEvent> ai_spec;
  std::optional<AntennaEvent> antenna;
  std::optional<ConnectionAttemptStatus> connection_attempt;
  bool connection_close = false;

  friend bool operator==(const ReaderEventNotification&, const ReaderEventNotification&) = default;
};

std::error_code decode_reader_event_notification(const MessageView& message,
                                                 ReaderEventNotification& out);

std::error_code encode_reader_event_notification(std::vector<std::uint8_t>& out,
                                                 std::uint32_t message_id,
                                                 const ReaderEventNotification& event,
                                                 ProtocolVersion version = kDefaultProtocolVersion);

}  // namespace garita::hal::llrp

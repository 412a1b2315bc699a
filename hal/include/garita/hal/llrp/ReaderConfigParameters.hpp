#pragma once
// The reader-configuration parameters of LLRP 1.1 §13.2 and §14.2 that
// garita sets or reads back, with their binary codecs (§17.2). They appear
// in SET_READER_CONFIG, GET_READER_CONFIG_RESPONSE and, for ROReportSpec and
// AntennaConfiguration, inside ROSpecs.
//
// Each read_* decodes a parameter body (after its TLV header); each write_*
// appends the whole parameter.
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

namespace garita::hal::llrp {

class MessageWriter;

// --- KeepaliveSpec (§13.2.4) ---
enum class KeepaliveTrigger : std::uint8_t { null = 0, periodic = 1 };

struct KeepaliveSpec {
  KeepaliveTrigger trigger = KeepaliveTrigger::null;
  std::uint32_t period_ms = 0;
  friend bool operator==(const KeepaliveSpec&, const KeepaliveSpec&) = default;
};

// --- ReaderEventNotificationSpec / EventNotificationState (§14.2.5) ---
enum class ReaderEventType : std::uint16_t {
  upon_hopping_to_next_channel = 0,
  gpi_event = 1,
  ro_spec_event = 2,
  report_buffer_fill_warning = 3,
  reader_exception_event = 4,
  rf_survey_event = 5,
  ai_spec_event = 6,
  ai_spec_event_with_details = 7,
  antenna_event = 8,
  spec_loop_event = 9,  // LLRP 1.1
};

struct EventNotificationState {
  ReaderEventType event = ReaderEventType::upon_hopping_to_next_channel;
  bool enabled = false;
  friend bool operator==(const EventNotificationState&, const EventNotificationState&) = default;
};

struct ReaderEventNotificationSpec {
  std::vector<EventNotificationState> states;  // 1-N
  friend bool operator==(const ReaderEventNotificationSpec&,
                         const ReaderEventNotificationSpec&) = default;
};

// --- GPOWriteData (§13.2.3): drives a general-purpose output, e.g. a lane light ---
struct GpoWriteData {
  std::uint16_t port = 0;  // one-based
  bool data = false;
  friend bool operator==(const GpoWriteData&, const GpoWriteData&) = default;
};

// --- GPIPortCurrentState (§13.2.6.3) ---
enum class GpiState : std::uint8_t { low = 0, high = 1, unknown = 2 };

struct GpiPortCurrentState {
  std::uint16_t port = 0;
  bool enabled = false;
  GpiState state = GpiState::unknown;
  friend bool operator==(const GpiPortCurrentState&, const GpiPortCurrentState&) = default;
};

// --- EventsAndReports (§13.2.6.4) ---
struct EventsAndReports {
  bool hold_events_and_reports_upon_reconnect = false;
  friend bool operator==(const EventsAndReports&, const EventsAndReports&) = default;
};

// --- AccessReportSpec (§14.2.2) ---
enum class AccessReportTrigger : std::uint8_t {
  whenever_ro_report_is_generated = 0,
  end_of_access_spec = 1
};

struct AccessReportSpec {
  AccessReportTrigger trigger = AccessReportTrigger::whenever_ro_report_is_generated;
  friend bool operator==(const AccessReportSpec&, const AccessReportSpec&) = default;
};

// --- ROReportSpec / TagReportContentSelector (§14.2.1) ---
// LLRP 1.1 adds time-based triggers 3-6; garita reports per tag count or
// per AISpec, and a decoded value outside 0-2 is kept as its number.
enum class RoReportTrigger : std::uint8_t {
  none = 0,
  upon_n_tags_or_end_of_ai_spec = 1,
  upon_n_tags_or_end_of_ro_spec = 2,
};

// C1G2EPCMemorySelector (§16.2.1.5.1): adds PC/XPC/CRC to tag reports.
struct C1G2EpcMemorySelector {
  bool enable_crc = false;
  bool enable_pc_bits = false;
  bool enable_xpc_bits = false;  // LLRP 1.1
  friend bool operator==(const C1G2EpcMemorySelector&, const C1G2EpcMemorySelector&) = default;
};

struct TagReportContentSelector {
  bool enable_ro_spec_id = false;
  bool enable_spec_index = false;
  bool enable_inventory_parameter_spec_id = false;
  bool enable_antenna_id = false;
  bool enable_channel_index = false;
  bool enable_peak_rssi = false;
  bool enable_first_seen_timestamp = false;
  bool enable_last_seen_timestamp = false;
  bool enable_tag_seen_count = false;
  bool enable_access_spec_id = false;
  std::optional<C1G2EpcMemorySelector> c1g2_epc_memory_selector;
  friend bool operator==(const TagReportContentSelector&,
                         const TagReportContentSelector&) = default;
};

// ImpinjTagReportContentSelector (Impinj custom 50) inside ROReportSpec.
struct ImpinjTagReportContentSelector {
  bool enable_serialized_tid = false;  // ImpinjEnableSerializedTID (custom 51), "FastID"
  friend bool operator==(const ImpinjTagReportContentSelector&,
                         const ImpinjTagReportContentSelector&) = default;
};

struct RoReportSpec {
  RoReportTrigger trigger = RoReportTrigger::upon_n_tags_or_end_of_ai_spec;
  std::uint16_t n = 1;  // 0 = unlimited (report only at the end of the AISpec/ROSpec)
  TagReportContentSelector content;
  std::optional<ImpinjTagReportContentSelector> impinj;  // needs IMPINJ_ENABLE_EXTENSIONS first
  friend bool operator==(const RoReportSpec&, const RoReportSpec&) = default;
};

// --- AntennaConfiguration (§13.2.6) and what it carries ---
struct RfReceiver {
  std::uint16_t receiver_sensitivity = 0;  // index into the capabilities' sensitivity table
  friend bool operator==(const RfReceiver&, const RfReceiver&) = default;
};

struct RfTransmitter {
  std::uint16_t hop_table_id = 0;
  std::uint16_t channel_index = 0;   // one-based, fixed-frequency regions only
  std::uint16_t transmit_power = 0;  // index into the capabilities' power table
  friend bool operator==(const RfTransmitter&, const RfTransmitter&) = default;
};

// C1G2RFControl (§16.2.1.2.1.2): which RF mode (from the capabilities' mode table).
struct C1G2RfControl {
  std::uint16_t mode_index = 0;
  std::uint16_t tari_ns = 0;  // 0: reader's choice within the mode
  friend bool operator==(const C1G2RfControl&, const C1G2RfControl&) = default;
};

// C1G2SingulationControl (§16.2.1.2.1.3): the Gen2 session a lane inventories in.
struct C1G2SingulationControl {
  std::uint8_t session = 0;  // 0-3 (S0..S3)
  std::uint16_t tag_population = 0;
  std::uint32_t tag_transit_time_ms = 0;
  friend bool operator==(const C1G2SingulationControl&, const C1G2SingulationControl&) = default;
};

// C1G2InventoryCommand (§16.2.1.2.1); C1G2Filter (Select) is not modelled.
struct C1G2InventoryCommand {
  bool tag_inventory_state_aware = false;
  std::optional<C1G2RfControl> rf_control;
  std::optional<C1G2SingulationControl> singulation_control;
  friend bool operator==(const C1G2InventoryCommand&, const C1G2InventoryCommand&) = default;
};

struct AntennaConfiguration {
  std::uint16_t antenna_id = 0;  // 0: all antennas
  std::optional<RfReceiver> rf_receiver;
  std::optional<RfTransmitter> rf_transmitter;
  std::optional<C1G2InventoryCommand> c1g2_inventory_command;
  friend bool operator==(const AntennaConfiguration&, const AntennaConfiguration&) = default;
};

// --- AntennaProperties (§13.2.5) ---
struct AntennaProperties {
  bool connected = false;
  std::uint16_t antenna_id = 0;
  std::int16_t gain_centi_dbi = 0;  // dBi * 100, cable loss included
  friend bool operator==(const AntennaProperties&, const AntennaProperties&) = default;
};

// --- Identification (§13.2.2) ---
enum class IdentificationType : std::uint8_t { mac_address = 0, epc = 1 };

struct Identification {
  IdentificationType type = IdentificationType::mac_address;
  std::vector<std::uint8_t> reader_id;  // EUI-64 MAC or an EPC
  friend bool operator==(const Identification&, const Identification&) = default;
};

std::error_code read_keepalive_spec(std::span<const std::uint8_t> body, KeepaliveSpec& out);
void write_keepalive_spec(MessageWriter& w, const KeepaliveSpec& v);

std::error_code read_reader_event_notification_spec(std::span<const std::uint8_t> body,
                                                    ReaderEventNotificationSpec& out);
void write_reader_event_notification_spec(MessageWriter& w, const ReaderEventNotificationSpec& v);

std::error_code read_gpo_write_data(std::span<const std::uint8_t> body, GpoWriteData& out);
void write_gpo_write_data(MessageWriter& w, const GpoWriteData& v);

std::error_code read_gpi_port_current_state(std::span<const std::uint8_t> body,
                                            GpiPortCurrentState& out);
void write_gpi_port_current_state(MessageWriter& w, const GpiPortCurrentState& v);

std::error_code read_events_and_reports(std::span<const std::uint8_t> body, EventsAndReports& out);
void write_events_and_reports(MessageWriter& w, const EventsAndReports& v);

std::error_code read_access_report_spec(std::span<const std::uint8_t> body, AccessReportSpec& out);
void write_access_report_spec(MessageWriter& w, const AccessReportSpec& v);

std::error_code read_ro_report_spec(std::span<const std::uint8_t> body, RoReportSpec& out);
void write_ro_report_spec(MessageWriter& w, const RoReportSpec& v);

std::error_code read_antenna_configuration(std::span<const std::uint8_t> body,
                                           AntennaConfiguration& out);
void write_antenna_configuration(MessageWriter& w, const AntennaConfiguration& v);

std::error_code read_antenna_properties(std::span<const std::uint8_t> body, AntennaProperties& out);
void write_antenna_properties(MessageWriter& w, const AntennaProperties& v);

std::error_code read_identification(std::span<const std::uint8_t> body, Identification& out);
void write_identification(MessageWriter& w, const Identification& v);

}  // namespace garita::hal::llrp

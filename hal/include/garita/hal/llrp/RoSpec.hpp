#pragma once
// Reader Operation specs (LLRP 1.1 §11): the ROSpec a lane installs to
// inventory its antennas, and the ADD/DELETE/START/STOP/ENABLE/DISABLE_ROSPEC
// and GET_ROSPECS_RESPONSE messages that manage it.
//
// Modelled: ROBoundarySpec (start: null/immediate/periodic/GPI, stop:
// null/duration/GPI), AISpecs (antennas, stop trigger incl. tag observation,
// InventoryParameterSpecs with AntennaConfiguration) and ROReportSpec.
// RFSurveySpec, LoopSpec (1.1) and Custom specs are skipped when decoding.
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/AirProtocol.hpp"
#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageType.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"
#include "garita/hal/llrp/ReaderConfigParameters.hpp"

namespace garita::hal::llrp {

class MessageWriter;

enum class RoSpecState : std::uint8_t { disabled = 0, inactive = 1, active = 2 };

enum class RoSpecStartTriggerType : std::uint8_t { null = 0, immediate = 1, periodic = 2, gpi = 3 };
enum class RoSpecStopTriggerType : std::uint8_t { null = 0, duration = 1, gpi_with_timeout = 2 };
enum class AiSpecStopTriggerType : std::uint8_t {
  null = 0,
  duration = 1,
  gpi_with_timeout = 2,
  tag_observation = 3
};

struct PeriodicTriggerValue {
  std::uint32_t offset_ms = 0;
  std::uint32_t period_ms = 0;                // 0: one shot
  std::optional<std::uint64_t> utc_start_us;  // UTCTimestamp; absent: time of receipt
  friend bool operator==(const PeriodicTriggerValue&, const PeriodicTriggerValue&) = default;
};

// GPITriggerValue (§11.2.1.1.1.2): e.g. a vehicle loop detector on a GPI.
struct GpiTriggerValue {
  std::uint16_t port = 0;
  bool event = false;
  std::uint32_t timeout_ms = 0;  // 0: none (ignored for start triggers)
  friend bool operator==(const GpiTriggerValue&, const GpiTriggerValue&) = default;
};

struct RoSpecStartTrigger {
  RoSpecStartTriggerType type = RoSpecStartTriggerType::null;
  std::optional<PeriodicTriggerValue> periodic;  // type periodic
  std::optional<GpiTriggerValue> gpi;            // type gpi
  friend bool operator==(const RoSpecStartTrigger&, const RoSpecStartTrigger&) = default;
};

struct RoSpecStopTrigger {
  RoSpecStopTriggerType type = RoSpecStopTriggerType::null;
  std::uint32_t duration_ms = 0;       // type duration
  std::optional<GpiTriggerValue> gpi;  // type gpi_with_timeout
  friend bool operator==(const RoSpecStopTrigger&, const RoSpecStopTrigger&) = default;
};

// TagObservationTrigger (§11.2.2.1.1).
struct TagObservationTrigger {
  std::uint8_t type = 0;  // 0: N tags, 1: no new tags for T ms, 2: N attempts (1.1 adds 3, 4)
  std::uint16_t number_of_tags = 0;
  std::uint16_t number_of_attempts = 0;
  std::uint16_t t_ms = 0;
  std::uint32_t timeout_ms = 0;
  friend bool operator==(const TagObservationTrigger&, const TagObservationTrigger&) = default;
};

struct AiSpecStopTrigger {
  AiSpecStopTriggerType type = AiSpecStopTriggerType::null;
  std::uint32_t duration_ms = 0;
  std::optional<GpiTriggerValue> gpi;
  std::optional<TagObservationTrigger> tag_observation;
  friend bool operator==(const AiSpecStopTrigger&, const AiSpecStopTrigger&) = default;
};

struct InventoryParameterSpec {
  std::uint16_t id = 0;
  AirProtocol protocol = AirProtocol::epc_global_class1_gen2;
  std::vector<AntennaConfiguration> antenna_configurations;
  friend bool operator==(const InventoryParameterSpec&, const InventoryParameterSpec&) = default;
};

struct AiSpec {
  std::vector<std::uint16_t> antenna_ids;  // {0}: all antennas
  AiSpecStopTrigger stop_trigger;
  std::vector<InventoryParameterSpec> inventory_parameter_specs;  // 1-N
  friend bool operator==(const AiSpec&, const AiSpec&) = default;
};

struct RoSpec {
  std::uint32_t id = 0;                               // non-zero
  std::uint8_t priority = 0;                          // 0 = highest
  RoSpecState current_state = RoSpecState::disabled;  // ADD_ROSPEC requires disabled
  RoSpecStartTrigger start_trigger;
  RoSpecStopTrigger stop_trigger;
  std::vector<AiSpec> ai_specs;
  std::optional<RoReportSpec> report_spec;  // absent: the reader's default (SET_READER_CONFIG)
  std::uint16_t skipped_specs = 0;          // decoded RFSurvey/Loop/Custom specs not modelled
  friend bool operator==(const RoSpec&, const RoSpec&) = default;
};

struct GetRoSpecsResponse {
  LlrpStatus status;
  std::vector<RoSpec> ro_specs;
  friend bool operator==(const GetRoSpecsResponse&, const GetRoSpecsResponse&) = default;
};

std::error_code encode_add_rospec(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                  const RoSpec& spec,
                                  ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_add_rospec(const MessageView& message, RoSpec& out);

// DELETE_ROSPEC, START_ROSPEC, STOP_ROSPEC, ENABLE_ROSPEC, DISABLE_ROSPEC:
// one u32 ROSpecID (0 = all, except for START/STOP).
bool is_rospec_command(MessageType type) noexcept;
std::error_code encode_rospec_command(std::vector<std::uint8_t>& out, MessageType type,
                                      std::uint32_t message_id, std::uint32_t ro_spec_id,
                                      ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_rospec_command(const MessageView& message, MessageType expected,
                                      std::uint32_t& ro_spec_id);

std::error_code encode_get_rospecs_response(std::vector<std::uint8_t>& out,
                                            std::uint32_t message_id,
                                            const GetRoSpecsResponse& response,
                                            ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_get_rospecs_response(const MessageView& message, GetRoSpecsResponse& out);

// ROSpec parameter codec (also used inside GET_ROSPECS_RESPONSE).
std::error_code read_ro_spec(std::span<const std::uint8_t> body, RoSpec& out);
void write_ro_spec(MessageWriter& w, const RoSpec& spec);

}  // namespace garita::hal::llrp

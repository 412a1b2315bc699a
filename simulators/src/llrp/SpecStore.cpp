#include "garita/sim/llrp/SpecStore.hpp"

#include <algorithm>

#include "garita/sim/llrp/ErrorStatus.hpp"
#include "garita/sim/llrp/ReaderSettings.hpp"
#include "garita/sim/llrp/TagMemory.hpp"

namespace garita::sim::llrp {
namespace codec = garita::hal::llrp;
using codec::ParameterType;
using codec::StatusCode;

namespace {

// Field numbers (from 0, in encoding order) of the parameters checked
// below, as FieldError reports them (LLRP 1.1 §15.2.2.1).
namespace field {
constexpr std::uint16_t ro_spec_id = 0;
constexpr std::uint16_t ro_spec_priority = 1;
constexpr std::uint16_t ro_spec_current_state = 2;
constexpr std::uint16_t ai_spec_antenna_ids = 0;
constexpr std::uint16_t inventory_parameter_spec_id = 0;
constexpr std::uint16_t inventory_parameter_spec_protocol = 1;
constexpr std::uint16_t gpi_trigger_port = 0;
constexpr std::uint16_t access_spec_id = 0;
constexpr std::uint16_t access_spec_antenna_id = 1;
constexpr std::uint16_t access_spec_protocol = 2;
constexpr std::uint16_t access_spec_current_state = 3;
}  // namespace field

codec::LlrpStatus chain_status(std::vector<codec::ParameterError> chain, std::string what) {
  codec::LlrpStatus s = parameter_error({}, std::move(what));
  s.parameter_errors = std::move(chain);
  return s;
}

std::vector<codec::ParameterError> prefixed(std::initializer_list<codec::ParameterError> head,
                                            const std::vector<codec::ParameterError>& tail) {
  std::vector<codec::ParameterError> chain(head);
  chain.insert(chain.end(), tail.begin(), tail.end());
  return chain;
}

codec::LlrpStatus check_gpi_trigger(const ReaderProfile& profile, const codec::GpiTriggerValue& gpi,
                                    ParameterType trigger) {
  if (gpi.port == 0 || gpi.port > profile.gpi_count) {
    return chain_status({in_parameter(ParameterType::ro_spec),
                         in_parameter(ParameterType::ro_boundary_spec), in_parameter(trigger),
                         bad_field(ParameterType::gpi_trigger_value, field::gpi_trigger_port,
                                   StatusCode::a_out_of_range)},
                        "GPI port " + std::to_string(gpi.port) + ": the reader has GPIs 1-" +
                            std::to_string(profile.gpi_count));
  }
  return success_status();
}

codec::LlrpStatus check_ro_spec(const ReaderProfile& profile, const codec::RoSpec& spec,
                                bool impinj_extensions) {
  const std::string name = "ROSpec " + std::to_string(spec.id);
  if (spec.id == 0) {
    return parameter_error(
        {bad_field(ParameterType::ro_spec, field::ro_spec_id, StatusCode::a_invalid)},
        "ROSpecID 0 is reserved (it means 'all ROSpecs')");
  }
  if (spec.priority >= profile.max_priority_levels) {
    return parameter_error(
        {bad_field(ParameterType::ro_spec, field::ro_spec_priority, StatusCode::a_out_of_range)},
        name + ": priority " + std::to_string(spec.priority) + " (the reader has levels 0-" +
            std::to_string(profile.max_priority_levels - 1) + ")");
  }
  if (spec.current_state != codec::RoSpecState::disabled) {
    return parameter_error(
        {bad_field(ParameterType::ro_spec, field::ro_spec_current_state, StatusCode::a_invalid)},
        name + ": ADD_ROSPEC needs CurrentState Disabled");
  }
  const auto& start = spec.start_trigger;
  if (static_cast<unsigned>(start.type) > 3) {
    return parameter_error(
        {in_parameter(ParameterType::ro_spec), in_parameter(ParameterType::ro_boundary_spec),
         bad_field(ParameterType::ro_spec_start_trigger, 0, StatusCode::a_out_of_range)},
        name + ": unknown ROSpecStartTriggerType");
  }
  if (start.type == codec::RoSpecStartTriggerType::periodic && !start.periodic) {
    return parameter_error(
        {in_parameter(ParameterType::ro_spec), in_parameter(ParameterType::ro_boundary_spec),
         in_parameter(ParameterType::ro_spec_start_trigger),
         bad_parameter(ParameterType::periodic_trigger_value, StatusCode::p_missing_parameter)},
        name + ": a periodic start trigger needs a PeriodicTriggerValue");
  }
  if (start.type == codec::RoSpecStartTriggerType::gpi) {
    if (!start.gpi) {
      return parameter_error(
          {in_parameter(ParameterType::ro_spec), in_parameter(ParameterType::ro_boundary_spec),
           in_parameter(ParameterType::ro_spec_start_trigger),
           bad_parameter(ParameterType::gpi_trigger_value, StatusCode::p_missing_parameter)},
          name + ": a GPI start trigger needs a GPITriggerValue");
    }
    if (auto s = check_gpi_trigger(profile, *start.gpi, ParameterType::ro_spec_start_trigger);
        !s.ok()) {
      return s;
    }
  }
  const auto& stop = spec.stop_trigger;
  if (static_cast<unsigned>(stop.type) > 2) {
    return parameter_error(
        {in_parameter(ParameterType::ro_spec), in_parameter(ParameterType::ro_boundary_spec),
         bad_field(ParameterType::ro_spec_stop_trigger, 0, StatusCode::a_out_of_range)},
        name + ": unknown ROSpecStopTriggerType");
  }
  if (stop.type == codec::RoSpecStopTriggerType::gpi_with_timeout && stop.gpi) {
    if (auto s = check_gpi_trigger(profile, *stop.gpi, ParameterType::ro_spec_stop_trigger);
        !s.ok()) {
      return s;
    }
  }
  if (spec.ai_specs.empty()) {
    // RFSurveySpec / LoopSpec / Custom specs alone: the simulator only
    // inventories (CanDoRFSurvey = 0 in its capabilities).
    return parameter_error(
        {in_parameter(ParameterType::ro_spec),
         bad_parameter(ParameterType::ai_spec, spec.skipped_specs != 0
                                                   ? StatusCode::p_unsupported_parameter
                                                   : StatusCode::p_missing_parameter)},
        name + (spec.skipped_specs != 0 ? ": only AISpecs are supported (no RF survey)"
                                        : ": needs at least one AISpec"));
  }
  if (spec.skipped_specs != 0) {
    return parameter_error(
        {in_parameter(ParameterType::ro_spec),
         bad_parameter(ParameterType::rf_survey_spec, StatusCode::p_unsupported_parameter)},
        name + ": only AISpecs are supported (no RF survey, no LoopSpec)");
  }
  for (const codec::AiSpec& ai : spec.ai_specs) {
    if (ai.antenna_ids.empty()) {
      return parameter_error(
          {in_parameter(ParameterType::ro_spec),
           bad_field(ParameterType::ai_spec, field::ai_spec_antenna_ids, StatusCode::a_invalid)},
          name + ": an AISpec needs at least one AntennaID");
    }
    for (const std::uint16_t antenna : ai.antenna_ids) {
      const bool all = antenna == 0 && ai.antenna_ids.size() == 1;
      if (!all && (antenna == 0 || antenna > profile.antenna_count)) {
        return parameter_error({in_parameter(ParameterType::ro_spec),
                                bad_field(ParameterType::ai_spec, field::ai_spec_antenna_ids,
                                          StatusCode::a_out_of_range)},
                               name + ": antenna " + std::to_string(antenna) +
                                   " (the reader has antennas 1-" +
                                   std::to_string(profile.antenna_count) + "; 0 alone means all)");
      }
    }
    if (static_cast<unsigned>(ai.stop_trigger.type) > 3) {
      return parameter_error(
          {in_parameter(ParameterType::ro_spec), in_parameter(ParameterType::ai_spec),
           bad_field(ParameterType::ai_spec_stop_trigger, 0, StatusCode::a_out_of_range)},
          name + ": unknown AISpecStopTriggerType");
    }
    if (ai.stop_trigger.type == codec::AiSpecStopTriggerType::tag_observation &&
        !ai.stop_trigger.tag_observation) {
      return parameter_error(
          {in_parameter(ParameterType::ro_spec), in_parameter(ParameterType::ai_spec),
           in_parameter(ParameterType::ai_spec_stop_trigger),
           bad_parameter(ParameterType::tag_observation_trigger, StatusCode::p_missing_parameter)},
          name + ": a tag-observation stop trigger needs a TagObservationTrigger");
    }
    for (const codec::InventoryParameterSpec& ips : ai.inventory_parameter_specs) {
      if (ips.id == 0) {
        return parameter_error(
            {in_parameter(ParameterType::ro_spec), in_parameter(ParameterType::ai_spec),
             bad_field(ParameterType::inventory_parameter_spec, field::inventory_parameter_spec_id,
                       StatusCode::a_invalid)},
            name + ": InventoryParameterSpecID 0 is invalid");
      }
      if (ips.protocol != codec::AirProtocol::epc_global_class1_gen2) {
        return parameter_error(
            {in_parameter(ParameterType::ro_spec), in_parameter(ParameterType::ai_spec),
             bad_field(ParameterType::inventory_parameter_spec,
                       field::inventory_parameter_spec_protocol, StatusCode::a_out_of_range)},
            name + ": only EPCglobal Class-1 Gen-2 (ProtocolID 1) is supported");
      }
      for (const codec::AntennaConfiguration& config : ips.antenna_configurations) {
        std::string what = name + ": ";
        const auto chain = check_antenna_configuration(profile, config, what);
        if (!chain.empty()) {
          return chain_status(
              prefixed({in_parameter(ParameterType::ro_spec), in_parameter(ParameterType::ai_spec),
                        in_parameter(ParameterType::inventory_parameter_spec)},
                       chain),
              what);
        }
      }
    }
  }
  if (spec.report_spec) {
    std::string what = name + ": ";
    const auto chain = check_report_spec(profile, *spec.report_spec, impinj_extensions, what);
    if (!chain.empty()) {
      return chain_status(prefixed({in_parameter(ParameterType::ro_spec)}, chain), what);
    }
  }
  return success_status();
}

codec::LlrpStatus check_access_spec(const ReaderProfile& profile, const codec::AccessSpec& spec) {
  const std::string name = "AccessSpec " + std::to_string(spec.id);
  if (spec.id == 0) {
    return parameter_error(
        {bad_field(ParameterType::access_spec, field::access_spec_id, StatusCode::a_invalid)},
        "AccessSpecID 0 is reserved (it means 'all AccessSpecs')");
  }
  if (spec.antenna_id > profile.antenna_count) {
    return parameter_error({bad_field(ParameterType::access_spec, field::access_spec_antenna_id,
                                      StatusCode::a_out_of_range)},
                           name + ": antenna " + std::to_string(spec.antenna_id) +
                               " (the reader has antennas 1-" +
                               std::to_string(profile.antenna_count) + "; 0 means any)");
  }
  if (spec.protocol != codec::AirProtocol::epc_global_class1_gen2) {
    return parameter_error({bad_field(ParameterType::access_spec, field::access_spec_protocol,
                                      StatusCode::a_out_of_range)},
                           name + ": only EPCglobal Class-1 Gen-2 (ProtocolID 1) is supported");
  }
  if (spec.is_active) {
    return parameter_error({bad_field(ParameterType::access_spec, field::access_spec_current_state,
                                      StatusCode::a_invalid)},
                           name + ": ADD_ACCESSSPEC needs CurrentState Disabled");
  }
  if (static_cast<unsigned>(spec.stop_trigger) > 1) {
    return parameter_error(
        {in_parameter(ParameterType::access_spec),
         bad_field(ParameterType::access_spec_stop_trigger, 0, StatusCode::a_out_of_range)},
        name + ": unknown AccessSpecStopTriggerType");
  }
  if (spec.tag_patterns.size() > 2) {
    return parameter_error(
        {in_parameter(ParameterType::access_spec), in_parameter(ParameterType::access_command),
         bad_parameter(ParameterType::c1g2_tag_spec, StatusCode::p_overflow_parameter)},
        name + ": a C1G2TagSpec holds at most two C1G2TargetTags");
  }
  if (spec.skipped_op_specs != 0) {
    // Writes, kills, locks and block operations change tags; the traffic
    // model's cards are read-only, so the simulator refuses rather than
    // pretend to have done them.
    return parameter_error(
        {in_parameter(ParameterType::access_spec),
         bad_parameter(ParameterType::access_command, StatusCode::p_unsupported_parameter)},
        name + ": only C1G2Read OpSpecs are simulated");
  }
  if (spec.reads.empty()) {
    return parameter_error(
        {in_parameter(ParameterType::access_spec),
         bad_parameter(ParameterType::access_command, StatusCode::p_missing_parameter)},
        name + ": an AccessCommand needs at least one OpSpec");
  }
  if (spec.reads.size() > codec::TagReport::kMaxReadResults) {
    return parameter_error(
        {in_parameter(ParameterType::access_spec),
         bad_parameter(ParameterType::access_command, StatusCode::p_overflow_parameter)},
        name + ": at most " + std::to_string(codec::TagReport::kMaxReadResults) +
            " OpSpecs per AccessSpec");
  }
  for (std::size_t i = 0; i < spec.reads.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.reads[i].op_spec_id == spec.reads[j].op_spec_id) {
        return parameter_error(
            {in_parameter(ParameterType::access_spec), in_parameter(ParameterType::access_command),
             bad_field(ParameterType::c1g2_read, 0, StatusCode::a_invalid)},
            name + ": OpSpecID " + std::to_string(spec.reads[i].op_spec_id) + " is used twice");
      }
    }
    if (spec.reads[i].word_count > codec::C1G2ReadOpSpecResult::kMaxDataBytes / 2) {
      return parameter_error(
          {in_parameter(ParameterType::access_spec), in_parameter(ParameterType::access_command),
           bad_field(ParameterType::c1g2_read, 4, StatusCode::a_out_of_range)},
          name + ": WordCount above " +
              std::to_string(codec::C1G2ReadOpSpecResult::kMaxDataBytes / 2));
    }
  }
  return success_status();
}

}  // namespace

codec::LlrpStatus SpecStore::add_ro_spec(const codec::RoSpec& spec, bool impinj_extensions) {
  if (auto s = check_ro_spec(profile_, spec, impinj_extensions); !s.ok()) return s;
  if (find_ro_spec(spec.id) != nullptr) {
    return parameter_error(
        {bad_field(ParameterType::ro_spec, field::ro_spec_id, StatusCode::a_invalid)},
        "ROSpec " + std::to_string(spec.id) + " already exists");
  }
  if (ro_specs_.size() >= profile_.max_ro_specs) {
    return parameter_error(
        {bad_parameter(ParameterType::ro_spec, StatusCode::p_overflow_parameter)},
        "the reader holds at most " + std::to_string(profile_.max_ro_specs) +
            " ROSpec(s); delete one first");
  }
  ro_specs_.push_back(spec);
  return success_status();
}

codec::LlrpStatus SpecStore::add_access_spec(const codec::AccessSpec& spec) {
  if (auto s = check_access_spec(profile_, spec); !s.ok()) return s;
  if (find_access_spec(spec.id) != nullptr) {
    return parameter_error(
        {bad_field(ParameterType::access_spec, field::access_spec_id, StatusCode::a_invalid)},
        "AccessSpec " + std::to_string(spec.id) + " already exists");
  }
  if (access_specs_.size() >= profile_.max_access_specs) {
    return parameter_error(
        {bad_parameter(ParameterType::access_spec, StatusCode::p_overflow_parameter)},
        "the reader holds at most " + std::to_string(profile_.max_access_specs) + " AccessSpecs");
  }
  access_specs_.push_back({spec, 0});
  return success_status();
}

codec::RoSpec* SpecStore::find_ro_spec(std::uint32_t id) noexcept {
  for (auto& s : ro_specs_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

const codec::RoSpec* SpecStore::find_ro_spec(std::uint32_t id) const noexcept {
  for (const auto& s : ro_specs_) {
    if (s.id == id) return &s;
  }
  return nullptr;
}

void SpecStore::remove_ro_spec(std::uint32_t id) {
  std::erase_if(ro_specs_, [id](const codec::RoSpec& s) { return s.id == id; });
}

StoredAccessSpec* SpecStore::find_access_spec(std::uint32_t id) noexcept {
  for (auto& s : access_specs_) {
    if (s.spec.id == id) return &s;
  }
  return nullptr;
}

void SpecStore::remove_access_spec(std::uint32_t id) {
  std::erase_if(access_specs_, [id](const StoredAccessSpec& s) { return s.spec.id == id; });
}

StoredAccessSpec* SpecStore::match_access_spec(std::uint16_t antenna, std::uint32_t ro_spec_id,
                                               const TagMemory& tag) noexcept {
  for (auto& stored : access_specs_) {
    const codec::AccessSpec& s = stored.spec;
    if (!s.is_active) continue;
    if (s.antenna_id != 0 && s.antenna_id != antenna) continue;
    if (s.ro_spec_id != 0 && s.ro_spec_id != ro_spec_id) continue;
    // Two C1G2TargetTags are ANDed (LLRP 1.1 §16.2.1.3.1).
    const bool all_match =
        std::all_of(s.tag_patterns.begin(), s.tag_patterns.end(),
                    [&tag](const codec::C1G2TargetTag& p) { return tag.matches(p); });
    if (all_match) return &stored;
  }
  return nullptr;
}

void SpecStore::clear() noexcept {
  ro_specs_.clear();
  access_specs_.clear();
}

}  // namespace garita::sim::llrp

#include "garita/hal/llrp/LlrpClientSetup.hpp"

#include <algorithm>
#include <limits>

#include "garita/hal/llrp/Impinj.hpp"

namespace garita::hal::llrp {

RoReportSpec lane_report_spec(const LaneSetup& setup) {
  RoReportSpec spec;
  // With an AISpec that never ends, "N tags or end of AISpec" means "every
  // N tags"; N=1 sends each tag as soon as it is singulated, which is what a
  // lane wants (a traveller walks through in ~2 s).
  spec.trigger = RoReportTrigger::upon_n_tags_or_end_of_ai_spec;
  spec.n = std::max<std::uint16_t>(setup.report_every_n_tags, 1);
  TagReportContentSelector& c = spec.content;
  c.enable_ro_spec_id = false;
  c.enable_spec_index = false;
  c.enable_inventory_parameter_spec_id = false;
  c.enable_antenna_id = true;
  c.enable_channel_index = true;
  c.enable_peak_rssi = true;
  c.enable_first_seen_timestamp = true;
  c.enable_last_seen_timestamp = true;
  c.enable_tag_seen_count = true;
  c.enable_access_spec_id = true;
  // The PC word gives the EPC length and the UMI/XI bits the decoder uses.
  c.c1g2_epc_memory_selector = C1G2EpcMemorySelector{false, true, false};
  if (setup.impinj_fast_id) {
    spec.impinj = ImpinjTagReportContentSelector{setup.read_tid};
  }
  return spec;
}

SetReaderConfig factory_reset_config() {
  SetReaderConfig request;
  request.reset_to_factory_default = true;
  return request;
}

SetReaderConfig lane_reader_config(const LaneSetup& setup) {
  SetReaderConfig request;
  request.reset_to_factory_default = false;
  ReaderConfig& config = request.config;

  const auto period_ms = std::clamp<std::chrono::milliseconds::rep>(
      setup.keepalive_period.count(), 1, std::numeric_limits<std::uint32_t>::max());
  config.keepalive_spec =
      KeepaliveSpec{KeepaliveTrigger::periodic, static_cast<std::uint32_t>(period_ms)};

  // Events a technician needs (LLRP 1.1 §14.2.5): antennas unplugged,
  // ROSpec start/stop, reader faults, GPIs (loop detectors), and buffer
  // trouble when the reader can report it. Hopping and AISpec events would
  // only add traffic.
  ReaderEventNotificationSpec events;
  const auto state = [&](ReaderEventType type, bool on) { events.states.push_back({type, on}); };
  state(ReaderEventType::upon_hopping_to_next_channel, false);
  state(ReaderEventType::gpi_event, true);
  state(ReaderEventType::ro_spec_event, true);
  if (setup.report_buffer_warnings) state(ReaderEventType::report_buffer_fill_warning, true);
  state(ReaderEventType::reader_exception_event, true);
  state(ReaderEventType::ai_spec_event, false);
  state(ReaderEventType::antenna_event, true);
  config.reader_event_notification_spec = events;

  config.ro_report_spec = lane_report_spec(setup);
  // TID read results ride in the same TagReportData as the EPC.
  config.access_report_spec =
      AccessReportSpec{AccessReportTrigger::whenever_ro_report_is_generated};
  return request;
}

RoSpec lane_rospec(const LaneSetup& setup) {
  RoSpec spec;
  spec.id = kLaneRoSpecId;
  spec.priority = 0;
  spec.current_state = RoSpecState::disabled;  // ADD_ROSPEC requires it (§11.1.1)
  // Immediate: runs as soon as ENABLE_ROSPEC arrives; null stop: until
  // disabled. A lane reads all the time; the pipeline decides crossings.
  spec.start_trigger.type = RoSpecStartTriggerType::immediate;
  spec.stop_trigger.type = RoSpecStopTriggerType::null;

  AiSpec ai;
  ai.antenna_ids = setup.antennas.empty() ? std::vector<std::uint16_t>{0} : setup.antennas;
  ai.stop_trigger.type = AiSpecStopTriggerType::null;
  InventoryParameterSpec inventory;
  inventory.id = 1;
  inventory.protocol = AirProtocol::epc_global_class1_gen2;
  ai.inventory_parameter_specs.push_back(inventory);
  spec.ai_specs.push_back(ai);

  spec.report_spec = lane_report_spec(setup);
  return spec;
}

AccessSpec tid_access_spec(const LaneSetup& setup) {
  AccessSpec spec;
  spec.id = kTidAccessSpecId;
  spec.antenna_id = 0;  // any antenna
  spec.protocol = AirProtocol::epc_global_class1_gen2;
  spec.is_active = false;  // ADD_ACCESSSPEC requires disabled (§12.1.1)
  spec.ro_spec_id = kLaneRoSpecId;
  spec.stop_trigger = AccessSpecStopTriggerType::null;  // every tag, forever
  // A zero-length mask matches every tag (§16.2.1.3.1.1).
  C1G2TargetTag any_tag;
  any_tag.bank = MemoryBank::epc;
  any_tag.match = true;
  spec.tag_patterns.push_back(any_tag);
  C1G2Read read;
  read.op_spec_id = kTidReadOpSpecId;
  read.access_password = 0;
  read.bank = MemoryBank::tid;
  read.word_pointer = 0;
  read.word_count = std::max<std::uint16_t>(setup.tid_words, 1);
  spec.reads.push_back(read);
  spec.report_spec = AccessReportSpec{AccessReportTrigger::whenever_ro_report_is_generated};
  return spec;
}

SetReaderConfig gpo_write_config(std::uint16_t port, bool on) {
  SetReaderConfig request;
  request.config.gpo_write_data.push_back(GpoWriteData{port, on});
  return request;
}

std::string manufacturer_name(std::uint32_t pen) {
  if (pen == kImpinjVendorId) return "Impinj";
  return "PEN " + std::to_string(pen);
}

ReaderIdentity reader_identity(const ReaderCapabilities& capabilities, bool impinj_extensions) {
  ReaderIdentity id;
  if (capabilities.general) {
    const GeneralDeviceCapabilities& g = *capabilities.general;
    id.manufacturer = g.manufacturer;
    id.model = g.model;
    id.firmware_version = g.firmware_version;
    id.antenna_count = g.max_antennas;
    id.gpi_count = g.gpi_count;
    id.gpo_count = g.gpo_count;
    id.has_utc_clock = g.has_utc_clock;
  }
  id.manufacturer_name = manufacturer_name(id.manufacturer);
  id.impinj_extensions = impinj_extensions;
  return id;
}

}  // namespace garita::hal::llrp

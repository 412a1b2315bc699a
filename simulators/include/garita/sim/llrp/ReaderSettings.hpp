#pragma once
// The simulated reader's device configuration (LLRP 1.1 §13.2): what
// SET_READER_CONFIG writes and GET_READER_CONFIG reads back. It outlives
// connections, as on a real reader, and is reset by ResetToFactoryDefault
// and by a reboot.
//
// Factory defaults: no keepalives, every reader event off, the default
// ROReportSpec = report each tag at once (N = 1, upon N tags or end of
// AISpec) with AntennaID and FirstSeenTimestamp, AccessSpec results in the
// RO report, GPOs low, no holding of reports on reconnect.
#include <cstdint>
#include <vector>

#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/sim/llrp/ReaderProfile.hpp"

namespace garita::sim::llrp {

class ReaderSettings {
 public:
  explicit ReaderSettings(const ReaderProfile& profile);

  // Back to the factory defaults (ResetToFactoryDefault, reboot).
  void reset();

  // Checks a SET_READER_CONFIG like a reader: antenna and GPIO port numbers,
  // table indexes, keepalive period, event types, report trigger, vendor
  // parameters. Success or the LLRPStatus to answer with; nothing changes.
  hal::llrp::LlrpStatus validate(const hal::llrp::SetReaderConfig& request,
                                 bool impinj_extensions) const;
  // Applies a validated request (after reset() if it asked for one).
  void apply(const hal::llrp::SetReaderConfig& request);

  // The GET_READER_CONFIG_RESPONSE for `request` (its status says which
  // antenna or port was out of range, if any).
  hal::llrp::GetReaderConfigResponse read(const hal::llrp::GetReaderConfig& request,
                                          std::uint16_t lane_number) const;

  const hal::llrp::KeepaliveSpec& keepalive() const noexcept { return keepalive_; }
  bool event_enabled(hal::llrp::ReaderEventType event) const noexcept;
  const hal::llrp::RoReportSpec& default_report_spec() const noexcept { return report_spec_; }
  const hal::llrp::AccessReportSpec& access_report_spec() const noexcept { return access_report_; }
  bool hold_events_and_reports_upon_reconnect() const noexcept { return hold_on_reconnect_; }
  bool gpo(std::uint16_t port) const noexcept;

 private:
  ReaderProfile profile_;
  hal::llrp::KeepaliveSpec keepalive_;
  std::vector<bool> events_;  // indexed by ReaderEventType
  hal::llrp::RoReportSpec report_spec_;
  hal::llrp::AccessReportSpec access_report_;
  std::vector<hal::llrp::AntennaConfiguration> antennas_;  // [i] = antenna i + 1
  std::vector<bool> gpi_enabled_;
  std::vector<bool> gpo_;
  bool hold_on_reconnect_ = false;
  // LLRPConfigurationStateValue (§13.2.1): changes whenever the
  // configuration does, so a client can tell it was changed behind its back.
  std::uint32_t state_value_ = 0;
};

// The factory-default ROReportSpec described above.
hal::llrp::RoReportSpec factory_report_spec();

// Both checks below append what is wrong to `what` (callers may have put a
// prefix there).
//
// Checks an ROReportSpec wherever it appears (SET_READER_CONFIG or inside
// an ROSpec): trigger 0-2 (an LLRP 1.0.1 reader), Impinj selector only from
// an Impinj reader with extensions enabled on this connection. Returns the
// ParameterError chain from the ROReportSpec down, or an empty vector.
std::vector<hal::llrp::ParameterError> check_report_spec(const ReaderProfile& profile,
                                                         const hal::llrp::RoReportSpec& spec,
                                                         bool impinj_extensions, std::string& what);

// Checks an AntennaConfiguration (SET_READER_CONFIG or an
// InventoryParameterSpec): antenna number, receiver sensitivity index, hop
// table, power index, RF mode, Gen2 session. Returns the chain from the
// AntennaConfiguration down, or an empty vector.
std::vector<hal::llrp::ParameterError> check_antenna_configuration(
    const ReaderProfile& profile, const hal::llrp::AntennaConfiguration& config, std::string& what);

}  // namespace garita::sim::llrp

#pragma once
// What the LLRP client asks a lane reader to do, as codec values: pure
// functions of the driver's options and the reader's capabilities, so the
// exact configuration garita installs is testable without a network (and
// docs/readers/llrp.md can point at one place).
//
// The session (LLRP 1.1 §19 for the connection, §13 configuration, §11
// ROSpecs, §12 AccessSpecs):
//   SET_READER_CONFIG ResetToFactoryDefault  -> a known starting point
//   SET_READER_CONFIG lane_reader_config()   -> keepalives, events, report spec
//   DELETE_ROSPEC 0, DELETE_ACCESSSPEC 0     -> no specs left by anyone
//   ADD_ROSPEC lane_rospec()                 -> immediate start, never stops
//   ADD/ENABLE_ACCESSSPEC tid_access_spec()  -> TID via C1G2Read (non-Impinj)
//   ENABLE_ROSPEC                            -> the immediate start trigger fires
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "garita/hal/ReaderStatus.hpp"
#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/ReaderCapabilities.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/RoSpec.hpp"

namespace garita::hal::llrp {

// Ids garita gives its specs (any non-zero number would do; these are what a
// technician sees in the reader's web page or a capture).
inline constexpr std::uint32_t kLaneRoSpecId = 1;
inline constexpr std::uint32_t kTidAccessSpecId = 1;
inline constexpr std::uint16_t kTidReadOpSpecId = 1;

// Everything the builders below need, settled once the capabilities are in.
struct LaneSetup {
  std::vector<std::uint16_t> antennas;  // empty: all (AntennaID 0)
  std::uint16_t report_every_n_tags = 1;
  bool read_tid = true;
  std::uint16_t tid_words = 6;
  bool impinj_fast_id = false;          // Impinj reader with extensions enabled
  bool report_buffer_warnings = false;  // the reader can report buffer fill warnings
  std::chrono::milliseconds keepalive_period{5'000};
};

// The ROReportSpec, used both as the reader default (SET_READER_CONFIG) and
// inside the ROSpec: report every N tags with the fields a TagRead carries.
RoReportSpec lane_report_spec(const LaneSetup& setup);

// SET_READER_CONFIG with only ResetToFactoryDefault (LLRP 1.1 §13.1.3).
SetReaderConfig factory_reset_config();

// The second SET_READER_CONFIG: KeepaliveSpec (periodic), which reader
// events to send (antenna, ROSpec, reader exception, GPI, buffer warnings),
// the ROReportSpec and AccessReportSpec.
SetReaderConfig lane_reader_config(const LaneSetup& setup);

// The lane's ROSpec: start immediate, stop null, one AISpec over the lane's
// antennas that never stops, reports per lane_report_spec().
RoSpec lane_rospec(const LaneSetup& setup);

// The AccessSpec that reads the TID bank (MB 2, WordPtr 0, tid_words words)
// of every tag the lane ROSpec singulates (non-Impinj readers).
AccessSpec tid_access_spec(const LaneSetup& setup);

// SET_READER_CONFIG driving one GPO (a lane light).
SetReaderConfig gpo_write_config(std::uint16_t port, bool on);

// The maker's name for well-known IANA PENs, else "PEN n".
std::string manufacturer_name(std::uint32_t pen);

// What the status shows about the reader.
ReaderIdentity reader_identity(const ReaderCapabilities& capabilities, bool impinj_extensions);

}  // namespace garita::hal::llrp

#pragma once
// The behaviour of one simulated ThingMagic/JADAK Mercury embedded module
// (M6e / M7e family) on a serial line, with no I/O and time passed in: it
// lexes host commands with the Mercury codec (hal/mercury), answers them as
// the module's bootloader or application would, streams the traffic model's
// reads while reading continuously, and sends keep-alive and stats frames.
// The pty side (ModulePort) only moves bytes; unit tests drive it directly.
//
// Program states (Mercury API serial_reader.c TMR_SR_boot; Embedded Module
// User Guide, "Boot loader"):
//   off         unpowered (unplugged) or resetting: reads nothing, says nothing
//   bootloader  after power-up and after a reset: answers VERSION 0x03,
//               GET_CURRENT_PROGRAM 0x0C (1) and BOOT_FIRMWARE 0x04; every
//               other opcode gets 0x0101 invalid opcode
//   application after BOOT_FIRMWARE: region, protocol, antennas, power, GPO,
//               temperature, return loss, continuous reading. BOOT_FIRMWARE
//               here gets 0x0101 too (the application has no bootloader
//               opcodes), GET_CURRENT_PROGRAM answers 2.
// Settings (region, protocol, antenna list, power) are RAM: a reset forgets
// them, as the modules do without a saved configuration.
//
// Continuous reading (MULTI_PROTOCOL_TAG_OP 0x2F option 0x01 wrapping
// READ_TAG_ID_MULTIPLE 0x22): each read of an antenna in the search list
// becomes one streamed 0x22 record with the metadata the host asked for
// (read count 1, RSSI, antenna TX<<4|RX, frequency of the hop channel,
// timestamp = ms since the search began or the last keep-alive, phase,
// protocol, the embedded TID
// read's words, GPIO), PC, EPC and the tag's StoredCRC. Once per search
// cycle (the plan's cycle timeout) in which no record went out, a keep-alive
// (status 0x0400, no data); with the stats-streaming search flag, a stats
// report (frequency, temperature, antenna, protocol) every 5 s. Records wait
// in a buffer of 1000 when the host reads slowly; when it is full new reads
// are lost (record_buffer_full).
//
// Times are model time in µs since the Unix epoch, never decreasing.
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "garita/hal/mercury/Commands.hpp"
#include "garita/hal/mercury/MercuryFrameLexer.hpp"
#include "garita/hal/mercury/Responses.hpp"
#include "garita/sim/Random.hpp"
#include "garita/sim/TagObservation.hpp"
#include "garita/sim/llrp/TagLog.hpp"

namespace garita::sim::serial {

// A module reports what became of each read with the LLRP reader's rows, so
// both simulators write the same sent log (garita/sim/SentLogWriter.hpp).
using llrp::ReportedTag;
using llrp::TagLog;
using llrp::TagLogRow;
using llrp::TagOutcome;

enum class ModuleModel : std::uint8_t { m6e, m7e };
std::string_view to_string(ModuleModel model) noexcept;

enum class ModuleProgram : std::uint8_t { off, bootloader, application };
std::string_view to_string(ModuleProgram program) noexcept;

struct ModuleOptions {
  ModuleModel model = ModuleModel::m6e;
  // Embedded TID reads succeed (false: the module streams records with no
  // TID data, as when the embedded read fails on every tag).
  bool tid_readable = true;
  std::uint64_t seed = 1;  // junk bytes, phase
};

// Why a read was not delivered (the sent log's `detail` column).
namespace detail {
inline constexpr std::string_view not_streaming = "not_streaming";
inline constexpr std::string_view antenna_not_selected = "antenna_not_selected";
inline constexpr std::string_view module_booting = "module_booting";
inline constexpr std::string_view module_rebooted = "module_rebooted";
inline constexpr std::string_view unplugged = "unplugged";
inline constexpr std::string_view bad_crc = "bad_crc";
inline constexpr std::string_view truncated_frame = "truncated_frame";
inline constexpr std::string_view no_crc = "no_crc";
inline constexpr std::string_view record_buffer_full = "record_buffer_full";
inline constexpr std::string_view simulator_exit = "simulator_exit";
}  // namespace detail

// One unit the module puts on the line: a response, a streamed frame, or
// junk. `tag` is set for a streamed tag record; `damage` names what a fault
// did to the frame (empty: intact), and a damaged record counts as lost.
struct OutgoingFrame {
  enum class Kind : std::uint8_t { response, tag_record, keep_alive, stats, junk };
  Kind kind = Kind::response;
  std::vector<std::uint8_t> bytes;
  std::optional<ReportedTag> tag;
  std::uint32_t frame_number = 0;
  std::string_view damage;
};

struct ModuleCounters {
  std::uint64_t reads_seen = 0;       // observations the model gave this module
  std::uint64_t reads_not_read = 0;   // ... while it was not streaming that antenna
  std::uint64_t records_queued = 0;   // tag records generated
  std::uint64_t records_sent = 0;     // ... delivered intact
  std::uint64_t records_lost = 0;     // ... lost inside the module or damaged on the line
  std::uint64_t commands = 0;         // host frames with a valid CRC
  std::uint64_t error_responses = 0;  // responses with a non-zero status
  std::uint64_t keep_alives = 0;
  std::uint64_t stats_reports = 0;
  std::uint64_t boots = 0;         // BOOT_FIRMWARE that started the application
  std::uint64_t resets = 0;        // reboots and power losses
  std::uint64_t host_bad_crc = 0;  // host frames dropped by the lexer
};

class SerialModule {
 public:
  static constexpr std::size_t kRecordBufferCapacity = 1000;
  static constexpr std::int64_t kStatsPeriodUs = 5'000'000;
  // A command the host began but did not finish is discarded after this
  // much silence, as the module's UART receive timeout does.
  static constexpr std::int64_t kCommandIdleUs = 100'000;

  // Powered up at `now_us`: in the bootloader. `log` gets not_read/lost rows
  // here and sent rows through on_delivered(); it must outlive the module.
  SerialModule(const ModuleOptions& options, LaneId lane, TagLog& log, std::int64_t now_us);

  // --- the line ---------------------------------------------------------
  // Bytes from the host (any split).
  void receive(std::span<const std::uint8_t> bytes, std::int64_t now_us);
  std::optional<OutgoingFrame> pop_outgoing();
  bool has_outgoing() const noexcept { return !outgoing_.empty(); }
  // A frame written to the line and read by the host (sent log: sent, or
  // lost with its damage) on pty generation `connection`.
  void on_delivered(const OutgoingFrame& frame, std::int64_t now_us, std::uint32_t connection);
  // A frame written but never read by the host (unplugged, simulator exit).
  void on_undelivered(const OutgoingFrame& frame, std::int64_t now_us, std::string_view why);

  // --- the air and the clock ---------------------------------------------
  void on_observation(const TagObservation& read);
  void advance_to(std::int64_t now_us);
  std::optional<std::int64_t> next_deadline() const;

  // --- faults --------------------------------------------------------------
  void inject_junk(std::int64_t now_us);
  void corrupt_next_frame_crc() noexcept { pending_bad_crc_ = true; }
  void truncate_next_frame() noexcept { pending_truncate_ = true; }
  // Responses without CRC until `until_us` (nullopt: until the next boot).
  void send_without_crc(std::int64_t now_us, std::optional<std::int64_t> until_us);
  // Reset: queued frames are lost, settings forgotten, off until
  // `back_us`, then in the bootloader.
  void reboot(std::int64_t now_us, std::int64_t back_us);
  // Unplugged: queued frames lost, off until power_on().
  void power_off(std::int64_t now_us);
  void power_on(std::int64_t now_us);

  // Simulator exit: queued records are logged lost/simulator_exit.
  void finish(std::int64_t now_us);

  // Lines for the operator (GPO writes, boots, refused commands), drained.
  std::vector<std::string> take_notices();

  ModuleProgram program() const noexcept { return program_; }
  bool streaming() const noexcept { return streaming_; }
  const ModuleCounters& counters() const noexcept { return counters_; }
  std::uint8_t region() const noexcept { return region_; }
  std::uint16_t read_power_cdbm() const noexcept { return read_power_cdbm_; }
  const std::vector<std::uint8_t>& antennas() const noexcept { return antennas_; }
  std::uint8_t gpo_state() const noexcept { return gpo_state_; }
  const hal::mercury::ContinuousReadPlan& plan() const noexcept { return plan_; }
  const hal::mercury::VersionInfo& version() const noexcept { return version_; }
  std::size_t queued_records() const noexcept { return queued_records_; }

 private:
  void handle_command(const hal::mercury::MercuryFrameLexer::Frame& frame, std::int64_t now_us);
  void handle_bootloader_command(const hal::mercury::HostFrame& frame, std::int64_t now_us);
  void handle_application_command(const hal::mercury::HostFrame& frame, std::int64_t now_us);
  void on_multi_protocol(const hal::mercury::HostFrame& frame, std::int64_t now_us);
  void respond(std::uint8_t opcode, std::uint16_t status, std::span<const std::uint8_t> data = {});
  void respond_decode_error(std::uint8_t opcode, std::error_code ec);
  void queue(OutgoingFrame frame);
  void stop_streaming();
  void lose_queued(std::int64_t now_us, std::string_view why);
  void log_not_read(const TagObservation& read, std::string_view why);
  void log_lost(const ReportedTag& tag, std::int64_t now_us, std::string_view why);
  void enter_bootloader(std::int64_t now_us);
  void reset_settings();
  std::int8_t temperature_c(std::int64_t now_us) const noexcept;
  void notice(std::string text);

  ModuleOptions options_;
  LaneId lane_;
  TagLog& log_;
  hal::mercury::VersionInfo version_;
  hal::mercury::MercuryFrameLexer lexer_;
  Rng random_;

  ModuleProgram program_ = ModuleProgram::bootloader;
  std::int64_t powered_up_us_ = 0;
  std::optional<std::int64_t> back_at_us_;  // off after a reset: bootloader at this time
  std::int64_t last_rx_us_ = 0;

  // Application settings (RAM).
  std::uint8_t region_ = 0;
  std::uint16_t protocol_ = 0;
  std::vector<std::uint8_t> antennas_;
  std::uint16_t read_power_cdbm_ = 0;
  std::uint8_t gpo_state_ = 0;

  // Continuous reading.
  bool streaming_ = false;
  hal::mercury::ContinuousReadPlan plan_;
  std::int64_t timestamp_base_us_ = 0;  // the timestamp metadata counts from here
  std::int64_t next_cycle_us_ = 0;
  std::int64_t next_stats_us_ = 0;
  bool record_in_cycle_ = false;
  std::uint16_t current_channel_ = 1;
  std::uint8_t current_antenna_ = 1;

  // Faults on the outgoing line.
  bool pending_bad_crc_ = false;
  bool pending_truncate_ = false;
  bool no_crc_ = false;
  std::optional<std::int64_t> no_crc_until_us_;

  std::deque<OutgoingFrame> outgoing_;
  std::size_t queued_records_ = 0;
  std::uint32_t frame_number_ = 0;
  std::int64_t now_us_ = 0;
  ModuleCounters counters_;
  std::vector<std::string> notices_;
};

// The Gen2 StoredCRC of PC + EPC (EPC Gen2 §6.3.2.1.2.1: CRC-16/GENIBUS,
// polynomial 0x1021, preset 0xFFFF, ones-complemented).
std::uint16_t gen2_stored_crc(std::uint16_t pc, std::span<const std::uint8_t> epc) noexcept;

// Frequency in kHz of hop channel 1..50 of the FCC plan the traffic model
// hops on (902.75 MHz + 500 kHz steps).
std::uint32_t channel_frequency_khz(std::uint16_t channel) noexcept;

}  // namespace garita::sim::serial

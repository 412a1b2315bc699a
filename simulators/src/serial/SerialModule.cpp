#include "garita/sim/serial/SerialModule.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "garita/hal/mercury/Errc.hpp"
#include "garita/hal/mercury/ModuleStatus.hpp"
#include "garita/hal/mercury/StreamMessages.hpp"

namespace garita::sim::serial {
namespace mercury = hal::mercury;

namespace {

using mercury::ModuleStatus;
using mercury::Opcode;

constexpr std::uint16_t status_word(ModuleStatus s) noexcept {
  return static_cast<std::uint16_t>(s);
}
constexpr std::uint8_t op(Opcode o) noexcept { return static_cast<std::uint8_t>(o); }

// The simulated module has four monostatic ports; the traffic model wires
// antenna 1 (entry) and 2 (exit) of each lane's reader.
constexpr std::uint8_t kPortCount = 4;
constexpr std::uint8_t kGpoCount = 4;
// Read power limits (cdBm): M6e 5.00-31.50 dBm, M7e 0.00-30.00 dBm.
constexpr std::uint16_t kM6eMinPower = 500, kM6eMaxPower = 3150;
constexpr std::uint16_t kM7eMinPower = 0, kM7eMaxPower = 3000;
constexpr std::size_t kJunkMin = 3, kJunkMax = 40;

mercury::VersionInfo make_version(ModuleModel model) {
  mercury::VersionInfo v;
  if (model == ModuleModel::m7e) {
    v.bootloader = {0x01, 0x03, 0x00, 0x02};
    v.hardware = {0x38, 0x00, 0x00, 0x01};  // M7e family
    v.firmware_date = {0x20, 0x23, 0x06, 0x14};
    v.firmware_version = {0x01, 0x00, 0x04, 0x02};
  } else {
    v.bootloader = {0x12, 0x12, 0x13, 0x00};
    v.hardware = {0x18, 0x00, 0x00, 0x02};  // M6e
    v.firmware_date = {0x20, 0x19, 0x09, 0x17};
    v.firmware_version = {0x01, 0x0B, 0x03, 0x14};
  }
  // Gen2 only: bit (protocol - 1).
  v.supported_protocols = 1U << (static_cast<unsigned>(mercury::TagProtocol::gen2) - 1);
  return v;
}

// Module status for a decoder's complaint (Embedded Module User Guide,
// "Error messages": a length the opcode does not take is 0x0100, a value it
// does not allow 0x0105).
std::uint16_t status_for(std::error_code ec) noexcept {
  if (ec == mercury::Errc::unexpected_value)
    return status_word(ModuleStatus::msg_invalid_parameter_value);
  return status_word(ModuleStatus::msg_wrong_number_of_data);
}

ReportedTag reported_tag(const TagObservation& read, LaneId lane) {
  ReportedTag t;
  t.lane = lane;
  t.antenna = read.antenna;
  t.pc = read.pc;
  t.epc_len = read.epc_len;
  t.epc = read.epc;
  t.first_seen_us = read.time_us;
  t.last_seen_us = read.time_us;
  t.seen_count = 1;
  t.peak_rssi_dbm = read.peak_rssi_dbm;
  t.first_channel = read.channel_index;
  return t;
}

}  // namespace

std::string_view to_string(ModuleModel model) noexcept {
  return model == ModuleModel::m7e ? "m7e" : "m6e";
}

std::string_view to_string(ModuleProgram program) noexcept {
  switch (program) {
    case ModuleProgram::off: return "off";
    case ModuleProgram::bootloader: return "bootloader";
    case ModuleProgram::application: return "application";
  }
  return "unknown";
}

std::uint16_t gen2_stored_crc(std::uint16_t pc, std::span<const std::uint8_t> epc) noexcept {
  std::uint16_t crc = 0xFFFF;
  auto add = [&crc](std::uint8_t byte) {
    crc ^= static_cast<std::uint16_t>(byte << 8);
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 0x8000) != 0 ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021)
                                : static_cast<std::uint16_t>(crc << 1);
    }
  };
  add(static_cast<std::uint8_t>(pc >> 8));
  add(static_cast<std::uint8_t>(pc));
  for (std::uint8_t b : epc) add(b);
  return static_cast<std::uint16_t>(~crc);
}

std::uint32_t channel_frequency_khz(std::uint16_t channel) noexcept {
  const std::uint16_t c = channel == 0 ? 1 : channel;
  return 902'750U + 500U * (c - 1U);
}

SerialModule::SerialModule(const ModuleOptions& options, LaneId lane, TagLog& log,
                           std::int64_t now_us)
    : options_(options),
      lane_(lane),
      log_(log),
      version_(make_version(options.model)),
      lexer_(mercury::MercuryFrameLexer::Direction::host_commands),
      random_(options.seed * 0x9E3779B97F4A7C15ULL + lane),
      now_us_(now_us) {
  enter_bootloader(now_us);
}

// --- the line -----------------------------------------------------------------

void SerialModule::receive(std::span<const std::uint8_t> bytes, std::int64_t now_us) {
  advance_to(now_us);
  // An unpowered module hears nothing.
  if (program_ == ModuleProgram::off) return;
  last_rx_us_ = now_us;
  const std::uint64_t bad_before = lexer_.counters().bad_crc;
  lexer_.feed(bytes, [&](const mercury::MercuryFrameLexer::Frame& frame) {
    handle_command(frame, now_us);
  });
  counters_.host_bad_crc += lexer_.counters().bad_crc - bad_before;
}

std::optional<OutgoingFrame> SerialModule::pop_outgoing() {
  if (outgoing_.empty()) return std::nullopt;
  OutgoingFrame f = std::move(outgoing_.front());
  outgoing_.pop_front();
  if (f.kind == OutgoingFrame::Kind::tag_record && queued_records_ > 0) --queued_records_;
  // Line faults hit the next frame that actually goes out.
  if (f.kind != OutgoingFrame::Kind::junk) {
    if (pending_bad_crc_ && f.bytes.size() >= 2) {
      pending_bad_crc_ = false;
      f.bytes.back() ^= 0x5A;
      f.damage = detail::bad_crc;
      notice("fault: frame " + std::to_string(f.frame_number) + " sent with a wrong CRC");
    } else if (pending_truncate_ && f.bytes.size() > 3) {
      pending_truncate_ = false;
      f.bytes.resize(f.bytes.size() / 2);
      f.damage = detail::truncated_frame;
      notice("fault: frame " + std::to_string(f.frame_number) + " cut to " +
             std::to_string(f.bytes.size()) + " bytes");
    }
  }
  return f;
}

void SerialModule::on_delivered(const OutgoingFrame& frame, std::int64_t now_us,
                                std::uint32_t connection) {
  if (!frame.tag) return;
  if (!frame.damage.empty()) {
    log_lost(*frame.tag, now_us, frame.damage);
    return;
  }
  ++counters_.records_sent;
  TagLogRow row;
  row.time_us = now_us;
  row.outcome = TagOutcome::sent;
  row.connection = connection;
  row.message_id = frame.frame_number;
  row.tag = *frame.tag;
  log_.record(row);
}

void SerialModule::on_undelivered(const OutgoingFrame& frame, std::int64_t now_us,
                                  std::string_view why) {
  if (frame.tag) log_lost(*frame.tag, now_us, frame.damage.empty() ? why : frame.damage);
}

// --- the air and the clock --------------------------------------------------------

void SerialModule::on_observation(const TagObservation& read) {
  advance_to(read.time_us);
  ++counters_.reads_seen;
  if (program_ != ModuleProgram::application) {
    log_not_read(read, detail::module_booting);
    return;
  }
  if (!streaming_) {
    log_not_read(read, detail::not_streaming);
    return;
  }
  if (std::find(antennas_.begin(), antennas_.end(), read.antenna) == antennas_.end()) {
    log_not_read(read, detail::antenna_not_selected);
    return;
  }
  ReportedTag tag = reported_tag(read, lane_);
  mercury::StreamTagRead r;
  r.option = mercury::kOptionMetadata;
  r.search_flags = plan_.search_flags;
  r.metadata_flags = plan_.metadata_flags;
  const std::uint16_t m = plan_.metadata_flags;
  const auto port = static_cast<std::uint8_t>(read.antenna);
  if (m & mercury::metadata::read_count) r.read_count = 1;
  if (m & mercury::metadata::rssi) r.rssi_dbm = read.peak_rssi_dbm;
  if (m & mercury::metadata::antenna_id) r.antenna = static_cast<std::uint8_t>(port << 4 | port);
  if (m & mercury::metadata::frequency) r.frequency_khz = channel_frequency_khz(read.channel_index);
  if (m & mercury::metadata::timestamp) {
    // The DSP timer: ms since the search began or, after a keep-alive, since
    // that keep-alive (the module restarts it each quiet cycle; SparkFun's
    // reading of the AutoConfigTool logs, which garita's driver follows).
    r.timestamp_ms = static_cast<std::uint32_t>((read.time_us - timestamp_base_us_) / 1000);
  }
  if (m & mercury::metadata::phase) r.phase = static_cast<std::uint16_t>(random_.below(181));
  if (m & mercury::metadata::protocol) r.protocol = static_cast<std::uint8_t>(protocol_);
  if (m & mercury::metadata::gpio_status) r.gpio = gpo_state_;
  if ((m & mercury::metadata::data) != 0 &&
      (plan_.search_flags & mercury::search_flag::embedded_command) != 0 && plan_.tid_words > 0 &&
      options_.tid_readable) {
    // The embedded READ_TAG_DATA of the TID bank: the words asked for, when
    // the chip has that many (a shorter TID makes the embedded read fail,
    // and the record comes with no data, as from a module).
    const std::size_t want = std::size_t{plan_.tid_words} * 2;
    if (read.tid_len >= want) {
      r.data.assign(std::span<const std::uint8_t>(read.tid.data(), want));
      tag.tid_len = static_cast<std::uint8_t>(want);
      std::copy_n(read.tid.begin(), want, tag.tid.begin());
    }
  }
  r.pc = read.pc;
  r.epc.assign(read.epc_bytes());
  r.tag_crc = gen2_stored_crc(read.pc, read.epc_bytes());
  current_channel_ = read.channel_index;
  current_antenna_ = port;

  if (queued_records_ >= kRecordBufferCapacity) {
    log_lost(tag, read.time_us, detail::record_buffer_full);
    return;
  }
  std::vector<std::uint8_t> data;
  if (auto ec = mercury::encode_stream_tag_read(r, data)) {
    // Cannot happen with the model's tags (EPC <= 32 bytes, TID <= 16).
    log_lost(tag, read.time_us, detail::record_buffer_full);
    notice("cannot encode a tag record: " + ec.message());
    return;
  }
  OutgoingFrame f;
  f.kind = OutgoingFrame::Kind::tag_record;
  mercury::encode_reader_frame(op(Opcode::read_tag_id_multiple), 0, data, f.bytes, !no_crc_);
  f.tag = tag;
  ++counters_.records_queued;
  ++queued_records_;
  record_in_cycle_ = true;
  queue(std::move(f));
}

void SerialModule::advance_to(std::int64_t now_us) {
  if (now_us < now_us_) now_us = now_us_;
  for (;;) {
    std::optional<std::int64_t> due = next_deadline();
    if (!due || *due > now_us) break;
    const std::int64_t t = *due;
    now_us_ = std::max(now_us_, t);
    if (back_at_us_ && *back_at_us_ <= t) {
      back_at_us_.reset();
      enter_bootloader(t);
      notice("module back in its bootloader after the reset");
      continue;
    }
    if (no_crc_until_us_ && *no_crc_until_us_ <= t) {
      no_crc_until_us_.reset();
      no_crc_ = false;
      notice("fault over: responses carry a CRC again");
      continue;
    }
    if (lexer_.buffered_bytes() > 0 && last_rx_us_ + kCommandIdleUs <= t) {
      // The UART receive timeout: a half command is thrown away.
      lexer_.flush(
          [&](const mercury::MercuryFrameLexer::Frame& frame) { handle_command(frame, t); });
      continue;
    }
    if (streaming_ && next_cycle_us_ <= t) {
      if (!record_in_cycle_) {
        // Keep-alive: "no tags found" for this search cycle.
        OutgoingFrame f;
        f.kind = OutgoingFrame::Kind::keep_alive;
        mercury::encode_reader_frame(op(Opcode::read_tag_id_multiple),
                                     status_word(ModuleStatus::no_tags_found), {}, f.bytes,
                                     !no_crc_);
        ++counters_.keep_alives;
        queue(std::move(f));
        timestamp_base_us_ = t;
      }
      record_in_cycle_ = false;
      next_cycle_us_ = t + std::int64_t{std::max<std::uint16_t>(plan_.cycle_timeout_ms, 50)} * 1000;
      continue;
    }
    if (streaming_ && (plan_.search_flags & mercury::search_flag::stats_report_streaming) != 0 &&
        next_stats_us_ <= t) {
      mercury::ModuleStats stats;
      stats.option = mercury::kOptionMetadata;
      stats.search_flags = plan_.search_flags;
      stats.frequency_khz = channel_frequency_khz(current_channel_);
      stats.temperature_c = temperature_c(t);
      stats.antenna = static_cast<std::uint8_t>(current_antenna_ << 4 | current_antenna_);
      stats.protocol = static_cast<std::uint8_t>(protocol_);
      OutgoingFrame f;
      f.kind = OutgoingFrame::Kind::stats;
      mercury::encode_reader_frame(op(Opcode::read_tag_id_multiple), 0,
                                   mercury::encode_stats_report_data(stats), f.bytes, !no_crc_);
      ++counters_.stats_reports;
      queue(std::move(f));
      next_stats_us_ = t + kStatsPeriodUs;
      continue;
    }
    break;  // nothing due after all (defensive)
  }
  now_us_ = std::max(now_us_, now_us);
}

std::optional<std::int64_t> SerialModule::next_deadline() const {
  std::optional<std::int64_t> d;
  auto take = [&d](std::int64_t t) {
    if (!d || t < *d) d = t;
  };
  if (back_at_us_) take(*back_at_us_);
  if (no_crc_until_us_) take(*no_crc_until_us_);
  if (program_ != ModuleProgram::off && lexer_.buffered_bytes() > 0)
    take(last_rx_us_ + kCommandIdleUs);
  if (streaming_) {
    take(next_cycle_us_);
    if ((plan_.search_flags & mercury::search_flag::stats_report_streaming) != 0)
      take(next_stats_us_);
  }
  return d;
}

// --- faults ---------------------------------------------------------------------

void SerialModule::inject_junk(std::int64_t now_us) {
  advance_to(now_us);
  if (program_ == ModuleProgram::off) return;
  OutgoingFrame f;
  f.kind = OutgoingFrame::Kind::junk;
  const std::size_t n = kJunkMin + random_.below(kJunkMax - kJunkMin + 1);
  for (std::size_t i = 0; i < n; ++i)
    f.bytes.push_back(static_cast<std::uint8_t>(random_.below(256)));
  notice("fault: " + std::to_string(n) + " junk bytes on the line");
  queue(std::move(f));
}

void SerialModule::send_without_crc(std::int64_t now_us, std::optional<std::int64_t> until_us) {
  advance_to(now_us);
  no_crc_ = true;
  no_crc_until_us_ = until_us;
  notice("fault: responses without CRC" + std::string(until_us ? "" : " until the next boot"));
}

void SerialModule::reboot(std::int64_t now_us, std::int64_t back_us) {
  advance_to(now_us);
  ++counters_.resets;
  lose_queued(now_us, detail::module_rebooted);
  stop_streaming();
  reset_settings();
  program_ = ModuleProgram::off;
  back_at_us_ = back_us;
  notice("fault: module reset (streaming stopped, settings lost)");
}

void SerialModule::power_off(std::int64_t now_us) {
  advance_to(now_us);
  ++counters_.resets;
  lose_queued(now_us, detail::unplugged);
  stop_streaming();
  reset_settings();
  program_ = ModuleProgram::off;
  back_at_us_.reset();
}

void SerialModule::power_on(std::int64_t now_us) {
  advance_to(now_us);
  enter_bootloader(now_us);
}

void SerialModule::finish(std::int64_t now_us) {
  advance_to(now_us);
  lose_queued(now_us, detail::simulator_exit);
}

std::vector<std::string> SerialModule::take_notices() { return std::exchange(notices_, {}); }

// --- commands --------------------------------------------------------------------

void SerialModule::handle_command(const mercury::MercuryFrameLexer::Frame& frame,
                                  std::int64_t now_us) {
  ++counters_.commands;
  const mercury::HostFrame host{frame.opcode, frame.data};
  if (program_ == ModuleProgram::bootloader) {
    handle_bootloader_command(host, now_us);
  } else if (program_ == ModuleProgram::application) {
    handle_application_command(host, now_us);
  }
}

void SerialModule::handle_bootloader_command(const mercury::HostFrame& frame, std::int64_t now_us) {
  switch (static_cast<Opcode>(frame.opcode)) {
    case Opcode::version: respond(frame.opcode, 0, mercury::encode_version_data(version_)); return;
    case Opcode::get_current_program: {
      const auto program = static_cast<std::uint8_t>(mercury::RunningProgram::bootloader);
      respond(frame.opcode, 0, std::span<const std::uint8_t>(&program, 1));
      return;
    }
    case Opcode::boot_firmware:
      if (!frame.data.empty()) {
        respond(frame.opcode, status_word(ModuleStatus::msg_wrong_number_of_data));
        return;
      }
      program_ = ModuleProgram::application;
      ++counters_.boots;
      // A boot ends any CRC-less spell that had no end of its own.
      if (no_crc_ && !no_crc_until_us_) no_crc_ = false;
      reset_settings();
      (void)now_us;
      respond(frame.opcode, 0);
      notice("firmware booted (application running)");
      return;
    default: respond(frame.opcode, status_word(ModuleStatus::invalid_opcode)); return;
  }
}

void SerialModule::handle_application_command(const mercury::HostFrame& frame,
                                              std::int64_t now_us) {
  switch (static_cast<Opcode>(frame.opcode)) {
    case Opcode::version: respond(frame.opcode, 0, mercury::encode_version_data(version_)); return;
    case Opcode::get_current_program: {
      const auto program = static_cast<std::uint8_t>(mercury::RunningProgram::application);
      respond(frame.opcode, 0, std::span<const std::uint8_t>(&program, 1));
      return;
    }
    case Opcode::get_region:
      respond(frame.opcode, 0, std::span<const std::uint8_t>(&region_, 1));
      return;
    case Opcode::set_region: {
      std::uint8_t region = 0;
      if (auto ec = mercury::decode_set_region_command(frame, region)) {
        respond_decode_error(frame.opcode, ec);
        return;
      }
      if (!mercury::is_known_region(region) || region == 0) {
        respond(frame.opcode, status_word(ModuleStatus::invalid_region));
        return;
      }
      if (streaming_) {
        // The channel plan cannot change under a running search.
        respond(frame.opcode, status_word(ModuleStatus::ahal_transmitter_on));
        return;
      }
      region_ = region;
      respond(frame.opcode, 0);
      return;
    }
    case Opcode::get_tag_protocol: {
      const std::uint8_t data[2] = {static_cast<std::uint8_t>(protocol_ >> 8),
                                    static_cast<std::uint8_t>(protocol_)};
      respond(frame.opcode, 0, data);
      return;
    }
    case Opcode::set_tag_protocol: {
      std::uint16_t protocol = 0;
      if (auto ec = mercury::decode_set_tag_protocol_command(frame, protocol)) {
        respond_decode_error(frame.opcode, ec);
        return;
      }
      if (protocol != static_cast<std::uint16_t>(mercury::TagProtocol::gen2)) {
        respond(frame.opcode, status_word(ModuleStatus::invalid_protocol_specified));
        return;
      }
      protocol_ = protocol;
      respond(frame.opcode, 0);
      return;
    }
    case Opcode::set_antenna_port: {
      std::vector<mercury::AntennaPortPair> ports;
      if (auto ec = mercury::decode_set_antenna_ports_command(frame, ports)) {
        respond_decode_error(frame.opcode, ec);
        return;
      }
      std::vector<std::uint8_t> list;
      for (const auto& p : ports) {
        // Monostatic ports 1..4 only: a bistatic pair would need a second
        // antenna the lane does not have.
        if (p.tx == 0 || p.tx > kPortCount || p.tx != p.rx) {
          respond(frame.opcode, status_word(ModuleStatus::invalid_antenna_config));
          return;
        }
        list.push_back(p.tx);
      }
      if (list.empty()) {
        respond(frame.opcode, status_word(ModuleStatus::invalid_antenna_config));
        return;
      }
      antennas_ = std::move(list);
      respond(frame.opcode, 0);
      return;
    }
    case Opcode::get_antenna_port: {
      // Only option 0x06 (return loss per port) is simulated.
      if (frame.data.size() != 1 || frame.data[0] != 0x06) {
        respond(frame.opcode, status_word(ModuleStatus::unimplemented_feature));
        return;
      }
      // Ports 1 and 2 carry the lane's antennas (a good match, ~20 dB);
      // 3 and 4 are open (almost everything comes back).
      const mercury::PortReturnLoss ports[] = {{1, 21}, {2, 19}, {3, 1}, {4, 1}};
      respond(frame.opcode, 0, mercury::encode_return_loss_data(ports));
      return;
    }
    case Opcode::get_read_tx_power: {
      const std::uint8_t data[2] = {static_cast<std::uint8_t>(read_power_cdbm_ >> 8),
                                    static_cast<std::uint8_t>(read_power_cdbm_)};
      respond(frame.opcode, 0, data);
      return;
    }
    case Opcode::set_read_tx_power: {
      std::uint16_t power = 0;
      if (auto ec = mercury::decode_set_read_tx_power_command(frame, power)) {
        respond_decode_error(frame.opcode, ec);
        return;
      }
      const bool m7e = options_.model == ModuleModel::m7e;
      if (power > (m7e ? kM7eMaxPower : kM6eMaxPower)) {
        respond(frame.opcode, status_word(ModuleStatus::msg_power_too_high));
        return;
      }
      if (power < (m7e ? kM7eMinPower : kM6eMinPower)) {
        respond(frame.opcode, status_word(ModuleStatus::msg_power_too_low));
        return;
      }
      read_power_cdbm_ = power;
      respond(frame.opcode, 0);
      return;
    }
    case Opcode::set_user_gpio_outputs: {
      std::uint8_t pin = 0;
      bool high = false;
      if (auto ec = mercury::decode_set_gpo_command(frame, pin, high)) {
        respond_decode_error(frame.opcode, ec);
        return;
      }
      if (pin == 0 || pin > kGpoCount) {
        respond(frame.opcode, status_word(ModuleStatus::msg_invalid_parameter_value));
        return;
      }
      const auto bit = static_cast<std::uint8_t>(1U << (pin - 1));
      gpo_state_ = high ? static_cast<std::uint8_t>(gpo_state_ | bit)
                        : static_cast<std::uint8_t>(gpo_state_ & ~bit);
      respond(frame.opcode, 0);
      notice("GPO " + std::to_string(pin) + (high ? " on" : " off") + " (lane light)");
      return;
    }
    case Opcode::get_temperature: {
      const auto t = static_cast<std::uint8_t>(temperature_c(now_us));
      respond(frame.opcode, 0, std::span<const std::uint8_t>(&t, 1));
      return;
    }
    case Opcode::multi_protocol_tag_op: on_multi_protocol(frame, now_us); return;
    default:
      // Includes BOOT_FIRMWARE: the application has no bootloader opcodes.
      respond(frame.opcode, status_word(ModuleStatus::invalid_opcode));
      return;
  }
}

void SerialModule::on_multi_protocol(const mercury::HostFrame& frame, std::int64_t now_us) {
  mercury::MultiProtocolCommand command;
  if (auto ec = mercury::decode_multi_protocol_command(frame, command)) {
    respond_decode_error(frame.opcode, ec);
    return;
  }
  if (command.stop) {
    // The records of the cycle in progress go out before the answer.
    stop_streaming();
    const std::uint8_t echo[] = {0x00, 0x00, 0x02};
    respond(frame.opcode, 0, echo);
    return;
  }
  const mercury::ContinuousReadPlan& plan = command.plan;
  if (region_ == 0) {
    // Mercury modules refuse to transmit before a region is set.
    respond(frame.opcode, status_word(ModuleStatus::invalid_region));
    return;
  }
  if (protocol_ != static_cast<std::uint16_t>(mercury::TagProtocol::gen2) ||
      plan.protocol != mercury::TagProtocol::gen2) {
    respond(frame.opcode, status_word(ModuleStatus::no_protocol_defined));
    return;
  }
  if (antennas_.empty()) {
    respond(frame.opcode, status_word(ModuleStatus::invalid_antenna_config));
    return;
  }
  if (streaming_) {
    // Already searching: a second start is refused rather than restarting
    // the timer base under the host's feet.
    respond(frame.opcode, status_word(ModuleStatus::ahal_transmitter_on));
    return;
  }
  plan_ = plan;
  streaming_ = true;
  timestamp_base_us_ = now_us;
  record_in_cycle_ = false;
  next_cycle_us_ =
      now_us + std::int64_t{std::max<std::uint16_t>(plan_.cycle_timeout_ms, 50)} * 1000;
  next_stats_us_ = now_us + kStatsPeriodUs;
  const std::uint8_t echo[] = {0x00, 0x00, 0x01, op(Opcode::read_tag_id_multiple)};
  respond(frame.opcode, 0, echo);
  notice("continuous reading started (antennas " + std::to_string(antennas_.size()) +
         (plan_.tid_words > 0 ? ", embedded TID read)" : ")"));
}

void SerialModule::respond(std::uint8_t opcode, std::uint16_t status,
                           std::span<const std::uint8_t> data) {
  if (status != 0) ++counters_.error_responses;
  OutgoingFrame f;
  f.kind = OutgoingFrame::Kind::response;
  mercury::encode_reader_frame(opcode, status, data, f.bytes, !no_crc_);
  queue(std::move(f));
}

void SerialModule::respond_decode_error(std::uint8_t opcode, std::error_code ec) {
  notice("refused command 0x" + std::string(1, "0123456789ABCDEF"[opcode >> 4]) +
         std::string(1, "0123456789ABCDEF"[opcode & 0xF]) + ": " + ec.message());
  respond(opcode, status_for(ec));
}

void SerialModule::queue(OutgoingFrame frame) {
  frame.frame_number = ++frame_number_;
  // Every frame built while the CRC is off went out without one.
  if (no_crc_ && frame.kind != OutgoingFrame::Kind::junk) frame.damage = detail::no_crc;
  outgoing_.push_back(std::move(frame));
}

void SerialModule::stop_streaming() {
  streaming_ = false;
  record_in_cycle_ = false;
}

void SerialModule::lose_queued(std::int64_t now_us, std::string_view why) {
  for (const OutgoingFrame& f : outgoing_) {
    if (f.tag) log_lost(*f.tag, now_us, f.damage.empty() ? why : f.damage);
  }
  outgoing_.clear();
  queued_records_ = 0;
  pending_bad_crc_ = false;
  pending_truncate_ = false;
}

void SerialModule::log_not_read(const TagObservation& read, std::string_view why) {
  ++counters_.reads_not_read;
  TagLogRow row;
  row.time_us = read.time_us;
  row.outcome = TagOutcome::not_read;
  row.detail = why;
  row.tag = reported_tag(read, lane_);
  log_.record(row);
}

void SerialModule::log_lost(const ReportedTag& tag, std::int64_t now_us, std::string_view why) {
  ++counters_.records_lost;
  TagLogRow row;
  row.time_us = now_us;
  row.outcome = TagOutcome::lost;
  row.detail = why;
  row.tag = tag;
  log_.record(row);
}

void SerialModule::enter_bootloader(std::int64_t now_us) {
  program_ = ModuleProgram::bootloader;
  powered_up_us_ = now_us;
  lexer_.reset();
  stop_streaming();
  reset_settings();
}

void SerialModule::reset_settings() {
  // Power-up defaults: no region (the modules ship unset and refuse to
  // transmit until told), Gen2, antenna 1 only, 30 dBm, outputs low.
  region_ = 0;
  protocol_ = static_cast<std::uint16_t>(mercury::TagProtocol::gen2);
  antennas_ = {1};
  read_power_cdbm_ = 3000;
  gpo_state_ = 0;
}

std::int8_t SerialModule::temperature_c(std::int64_t now_us) const noexcept {
  // Warms from 30 °C after power-up towards ~42 °C while it runs (a module
  // on a lane board in a booth), never near its 85 °C throttle point.
  const double minutes = static_cast<double>(now_us - powered_up_us_) / 60e6;
  const double t = 30.0 + 12.0 * (1.0 - std::exp(-minutes / 10.0));
  return static_cast<std::int8_t>(std::lround(t));
}

void SerialModule::notice(std::string text) {
  if (notices_.size() < 1000) notices_.push_back(std::move(text));
}

}  // namespace garita::sim::serial

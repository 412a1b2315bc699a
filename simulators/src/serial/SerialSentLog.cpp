#include "garita/sim/serial/SerialSentLog.hpp"

#include "garita/common/Errc.hpp"
#include "garita/sim/llrp/SentLogWriter.hpp"

namespace garita::sim::serial {
namespace {

// Keeps memory bounded between flushes in a busy run.
constexpr std::size_t kFlushAtBytes = std::size_t{64} * 1024;

}  // namespace

std::string serial_sent_log_preamble() {
  return "# garita-sim serial sent log: what each simulated Mercury module did with every read "
         "the\n"
         "# traffic model gave it. One row per streamed tag record written to the pty, or per "
         "read\n"
         "# not delivered. Same columns as garita-sim llrp's sent log.\n"
         "# time_us: model time (µs since the Unix epoch) of the outcome (sent: the write "
         "completed)\n"
         "# lane: lane number = the module (one pty per lane)\n"
         "# antenna: module antenna port (1 = entry, 2 = exit)\n"
         "# epc: EPC, upper-case hex\n"
         "# first_seen_us, last_seen_us: model time of the read (one read per record)\n"
         "# seen_count: reads in the record (the read-count metadata), always 1 here\n"
         "# peak_rssi_dbm: the RSSI metadata; channel: hop channel 1..50 (frequency metadata\n"
         "#   902750 + 500 * (channel - 1) kHz)\n"
         "# tid: TID returned by the embedded TID read, empty if none was asked or it failed\n"
         "# outcome: sent | not_read (the module was not streaming) | lost (inside the module or\n"
         "#   damaged on the line by a fault)\n"
         "# detail: not_streaming, module_booting (bootloader, resetting, unplugged),\n"
         "#   module_rebooted, unplugged (written but not read by the host before the hang-up),\n"
         "#   bad_crc, truncated_frame, no_crc, record_buffer_full, simulator_exit; empty when "
         "sent\n"
         "# connection: pty generation (1, then 2 after the first replug, ...) (sent rows)\n"
         "# message_id: the module's frame number of the record (sent rows)\n"
         "time_us,lane,antenna,epc,first_seen_us,last_seen_us,seen_count,peak_rssi_dbm,channel,tid,"
         "outcome,detail,connection,message_id\n";
}

SerialSentLog::~SerialSentLog() { (void)close(); }

std::error_code SerialSentLog::open(const std::filesystem::path& path) {
  (void)close();
  file_ = std::fopen(path.c_str(), "w");
  if (file_ == nullptr) return garita::Errc::io_error;
  failed_ = false;
  buffer_ = serial_sent_log_preamble();
  return flush();
}

void SerialSentLog::record(const TagLogRow& row) {
  if (file_ == nullptr) return;
  llrp::append_sent_log_row(buffer_, row);
  if (buffer_.size() >= kFlushAtBytes) (void)flush();
}

std::error_code SerialSentLog::flush() {
  if (file_ == nullptr) return {};
  if (!buffer_.empty()) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) failed_ = true;
    buffer_.clear();
  }
  if (std::fflush(file_) != 0) failed_ = true;
  return failed_ ? make_error_code(garita::Errc::io_error) : std::error_code{};
}

std::error_code SerialSentLog::close() {
  if (file_ == nullptr) return {};
  std::error_code ec = flush();
  if (std::fclose(file_) != 0) ec = garita::Errc::io_error;
  file_ = nullptr;
  return ec;
}

}  // namespace garita::sim::serial

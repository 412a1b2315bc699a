#include "garita/sim/llrp/SentLogWriter.hpp"

#include "garita/common/Errc.hpp"
#include "garita/common/Hex.hpp"

namespace garita::sim::llrp {
namespace {

// Keeps memory bounded between flushes in a busy run.
constexpr std::size_t kFlushAtBytes = std::size_t{64} * 1024;

}  // namespace

std::string sent_log_preamble() {
  return "# garita-sim llrp sent log: what each simulated reader did with every read the traffic "
         "model\n"
         "# gave it. One row per TagReportData written to a client, or per read not reported.\n"
         "# time_us: model time (µs since the Unix epoch) of the outcome (sent: the write "
         "completed)\n"
         "# lane: lane number = the reader (reader L listens on --port + L - 1)\n"
         "# antenna: reader antenna (1 = entry, 2 = exit)\n"
         "# epc: EPC, upper-case hex\n"
         "# first_seen_us, last_seen_us: model time of the first/last read aggregated in the row\n"
         "#   (what FirstSeenTimestampUTC carries with --clock utc)\n"
         "# seen_count: reads aggregated (TagSeenCount on the wire saturates at 65535)\n"
         "# peak_rssi_dbm: the highest PeakRSSI of those reads; channel: ChannelIndex of the "
         "first\n"
         "# tid: TID attached (C1G2ReadOpSpecResult of the TID bank or ImpinjSerializedTID), empty "
         "if none\n"
         "# outcome: sent | not_read (the reader was not inventorying) | lost (inside the reader)\n"
         "# detail: why not sent: no_active_rospec, antenna_not_in_aispec, reader_rebooting,\n"
         "#   reader_rebooted, report_buffer_full, simulator_exit; empty when sent\n"
         "# connection: 1-based number of the client connection on this reader (sent rows)\n"
         "# message_id: MessageID of the RO_ACCESS_REPORT (sent rows)\n"
         "time_us,lane,antenna,epc,first_seen_us,last_seen_us,seen_count,peak_rssi_dbm,channel,tid,"
         "outcome,detail,connection,message_id\n";
}

void append_sent_log_row(std::string& out, const TagLogRow& row) {
  const ReportedTag& t = row.tag;
  out += std::to_string(row.time_us);
  out += ',';
  out += std::to_string(t.lane);
  out += ',';
  out += std::to_string(t.antenna);
  out += ',';
  append_hex(out, t.epc_bytes());
  out += ',';
  out += std::to_string(t.first_seen_us);
  out += ',';
  out += std::to_string(t.last_seen_us);
  out += ',';
  out += std::to_string(t.seen_count);
  out += ',';
  out += std::to_string(t.peak_rssi_dbm);
  out += ',';
  out += std::to_string(t.first_channel);
  out += ',';
  append_hex(out, t.tid_bytes());
  out += ',';
  out += to_string(row.outcome);
  out += ',';
  out += row.detail;
  out += ',';
  if (row.outcome == TagOutcome::sent) {
    out += std::to_string(row.connection);
    out += ',';
    out += std::to_string(row.message_id);
  } else {
    out += ',';
  }
  out += '\n';
}

SentLogWriter::~SentLogWriter() { (void)close(); }

std::error_code SentLogWriter::open(const std::filesystem::path& path) {
  (void)close();
  file_ = std::fopen(path.c_str(), "w");
  if (file_ == nullptr) return garita::Errc::io_error;
  failed_ = false;
  buffer_ = sent_log_preamble();
  return flush();
}

void SentLogWriter::record(const TagLogRow& row) {
  if (file_ == nullptr) return;
  append_sent_log_row(buffer_, row);
  if (buffer_.size() >= kFlushAtBytes) (void)flush();
}

std::error_code SentLogWriter::flush() {
  if (file_ == nullptr) return {};
  if (!buffer_.empty()) {
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) failed_ = true;
    buffer_.clear();
  }
  if (std::fflush(file_) != 0) failed_ = true;
  return failed_ ? make_error_code(garita::Errc::io_error) : std::error_code{};
}

std::error_code SentLogWriter::close() {
  if (file_ == nullptr) return {};
  std::error_code ec = flush();
  if (std::fclose(file_) != 0) ec = garita::Errc::io_error;
  file_ = nullptr;
  return ec;
}

}  // namespace garita::sim::llrp

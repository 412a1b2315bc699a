#include "garita/sim/SentLogWriter.hpp"

#include "garita/common/Errc.hpp"
#include "garita/common/Hex.hpp"

namespace garita::sim {
namespace {

// Keeps memory bounded between flushes in a busy run.
constexpr std::size_t kFlushAtBytes = std::size_t{64} * 1024;

}  // namespace

void append_sent_log_row(std::string& out, const llrp::TagLogRow& row) {
  const llrp::ReportedTag& t = row.tag;
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
  if (row.outcome == llrp::TagOutcome::sent) {
    out += std::to_string(row.connection);
    out += ',';
    out += std::to_string(row.message_id);
  } else {
    out += ',';
  }
  out += '\n';
}

SentLogWriter::~SentLogWriter() { (void)close(); }

std::error_code SentLogWriter::open(const std::filesystem::path& path, std::string_view preamble) {
  (void)close();
  file_ = std::fopen(path.c_str(), "w");
  if (file_ == nullptr) return garita::Errc::io_error;
  failed_ = false;
  buffer_ = preamble;
  buffer_ += kSentLogHeader;
  return flush();
}

void SentLogWriter::record(const llrp::TagLogRow& row) {
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

}  // namespace garita::sim

#pragma once
// The sent log (--sent-log FILE): a CSV with one row per TagReportData the
// simulator put on the wire, and one per read it did not report (not read or
// lost inside the reader). '#' lines first document every column; then the
// header line
//
//   time_us,lane,antenna,epc,first_seen_us,last_seen_us,seen_count,peak_rssi_dbm,channel,tid,outcome,detail,connection,message_id
//
// Rows are buffered and flushed at least once a second and on close(), so a
// killed simulator loses at most the last second.
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "garita/sim/llrp/TagLog.hpp"

namespace garita::sim::llrp {

// The '#' comment lines and the header line, each ending in '\n'.
std::string sent_log_preamble();
// Appends one row (with '\n').
void append_sent_log_row(std::string& out, const TagLogRow& row);

class SentLogWriter final : public TagLog {
 public:
  SentLogWriter() = default;
  ~SentLogWriter() override;
  SentLogWriter(const SentLogWriter&) = delete;
  SentLogWriter& operator=(const SentLogWriter&) = delete;

  // Creates/truncates `path` and writes the preamble. garita::Errc::io_error on failure.
  std::error_code open(const std::filesystem::path& path);
  void record(const TagLogRow& row) override;
  // Writes what is buffered; io_error if anything failed to be written.
  std::error_code flush();
  std::error_code close();
  bool is_open() const noexcept { return file_ != nullptr; }

 private:
  std::FILE* file_ = nullptr;
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace garita::sim::llrp

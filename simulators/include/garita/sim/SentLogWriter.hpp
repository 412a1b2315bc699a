#pragma once
// The sent log (--sent-log FILE) of both reader simulators: a CSV with one
// row per tag report a simulated reader put on the wire (an LLRP
// TagReportData, a Mercury streamed tag record), and one per read it did not
// deliver (not read, or lost inside the reader). '#' lines first document
// every column (each simulator words them for its reader, `preamble`); then
// the header line, the same for both so the tests and scripts that compare
// "reads received" with "reads sent" work on either:
//
//   time_us,lane,antenna,epc,first_seen_us,last_seen_us,seen_count,peak_rssi_dbm,channel,tid,outcome,detail,connection,message_id
//
// Rows are buffered and flushed at least once a second (ReaderSimulation)
// and on close(), so a killed simulator loses at most the last second.
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/sim/llrp/TagLog.hpp"

namespace garita::sim {

// The header line, with '\n', written after the preamble.
inline constexpr std::string_view kSentLogHeader =
    "time_us,lane,antenna,epc,first_seen_us,last_seen_us,seen_count,peak_rssi_dbm,channel,tid,"
    "outcome,detail,connection,message_id\n";

// Appends one row (with '\n'); connection and message_id only for sent rows.
void append_sent_log_row(std::string& out, const llrp::TagLogRow& row);

class SentLogWriter final : public llrp::TagLog {
 public:
  SentLogWriter() = default;
  ~SentLogWriter() override;
  SentLogWriter(const SentLogWriter&) = delete;
  SentLogWriter& operator=(const SentLogWriter&) = delete;

  // Creates/truncates `path` and writes `preamble` (the simulator's '#'
  // lines) and the header line. garita::Errc::io_error on failure.
  std::error_code open(const std::filesystem::path& path, std::string_view preamble);
  void record(const llrp::TagLogRow& row) override;
  // Writes what is buffered; io_error if anything failed to be written.
  std::error_code flush();
  std::error_code close();
  bool is_open() const noexcept { return file_ != nullptr; }

 private:
  std::FILE* file_ = nullptr;
  std::string buffer_;
  bool failed_ = false;
};

}  // namespace garita::sim

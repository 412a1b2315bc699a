#pragma once
// The sent log of `garita-sim serial` (--sent-log FILE): the same CSV as
// `garita-sim llrp`'s (llrp/SentLogWriter.hpp, same columns, same row
// writer), so the tests and scripts that compare "reads received" with
// "reads sent" work on both. Only the meaning of two columns and the detail
// words differ, and the '#' preamble says so:
//   connection   the pty generation the record went out on (1, then 2 after
//                the first replug, ...)
//   message_id   the module's frame number of the streamed tag record
// A row is `sent` once the whole record frame was written to the pty master
// with a valid CRC; reads the module never put on the line, or put there
// damaged, are `not_read` or `lost` with a detail word (SerialModule.hpp).
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "garita/sim/llrp/TagLog.hpp"

namespace garita::sim::serial {

using llrp::ReportedTag;
using llrp::TagLog;
using llrp::TagLogRow;
using llrp::TagOutcome;

// The '#' lines and the header line, each ending in '\n'.
std::string serial_sent_log_preamble();

class SerialSentLog final : public TagLog {
 public:
  SerialSentLog() = default;
  ~SerialSentLog() override;
  SerialSentLog(const SerialSentLog&) = delete;
  SerialSentLog& operator=(const SerialSentLog&) = delete;

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

}  // namespace garita::sim::serial

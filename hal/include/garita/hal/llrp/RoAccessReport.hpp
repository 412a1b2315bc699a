#pragma once
// RO_ACCESS_REPORT (LLRP 1.1 §14.1.2): 0-N TagReportData, 0-N
// RFSurveyReportData, 0-N Custom. This is the hot path of a lane (a portal
// reader can report thousands of tags a second), so decoding is a pull loop
// over the message bytes into a caller-owned TagReport: no allocation, no
// copy beyond the fields themselves.
//
//   llrp::TagReportReader reader(message);
//   llrp::TagReport tag;
//   while (reader.next(tag)) use(tag);
//   if (reader.error()) drop_message_and_log(reader.error());
#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"
#include "garita/hal/llrp/TagReport.hpp"

namespace garita::hal::llrp {

class TagReportReader {
 public:
  // Errc::wrong_message_type / unsupported_version show up in error() and
  // next() returns false at once if `message` is not an RO_ACCESS_REPORT.
  explicit TagReportReader(const MessageView& message) noexcept;

  // Decodes the next TagReportData into `out`; false at the end of the
  // message or on malformed input. Tags already returned stay valid: an
  // error means "the rest of this message is unusable".
  bool next(TagReport& out) noexcept;

  std::error_code error() const noexcept { return error_; }

  // RFSurveyReportData and Custom parameters passed over so far.
  std::size_t skipped_parameters() const noexcept { return skipped_; }

 private:
  ParameterWalker walker_;
  std::error_code error_;
  std::size_t skipped_ = 0;
};

// Calls on_tag(const TagReport&) for every tag report, in order; returns the
// first error (tags before it were delivered).
template <typename OnTag>
std::error_code for_each_tag_report(const MessageView& message, OnTag&& on_tag) {
  TagReportReader reader(message);
  TagReport tag;
  while (reader.next(tag)) on_tag(static_cast<const TagReport&>(tag));
  return reader.error();
}

std::error_code encode_ro_access_report(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                        std::span<const TagReport> tags,
                                        ProtocolVersion version = kDefaultProtocolVersion);

}  // namespace garita::hal::llrp

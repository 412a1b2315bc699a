#include "garita/hal/llrp/RoAccessReport.hpp"

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"

namespace garita::hal::llrp {

TagReportReader::TagReportReader(const MessageView& message) noexcept
    : walker_(std::span<const std::uint8_t>{}) {
  error_ = check_message(message, MessageType::ro_access_report);
  if (!error_) walker_ = ParameterWalker(message.body());
}

bool TagReportReader::next(TagReport& out) noexcept {
  if (error_) return false;
  Parameter p;
  while (walker_.next(p)) {
    if (p.type == ParameterType::tag_report_data) {
      if (auto ec = read_tag_report_data(p.body, out)) {
        error_ = ec;
        return false;
      }
      return true;
    }
    // Only TLVs may stand at the top level (§14.1.2); a TV here means the
    // reader and we disagree about the message layout.
    if (p.is_tv) {
      error_ = Errc::unexpected_parameter;
      return false;
    }
    ++skipped_;
  }
  error_ = walker_.error();
  return false;
}

std::error_code encode_ro_access_report(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                        std::span<const TagReport> tags, ProtocolVersion version) {
  MessageWriter w(out, MessageType::ro_access_report, message_id, version);
  for (const TagReport& tag : tags) write_tag_report_data(w, tag);
  return w.finish();
}

}  // namespace garita::hal::llrp

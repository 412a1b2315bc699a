#include "LaneErrc.hpp"

#include <string>

namespace garita::firmware {
namespace {

class LaneCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "lane"; }
  std::string message(int value) const override {
    switch (static_cast<LaneErrc>(value)) {
      case LaneErrc::journal_open_failed: return "journal cannot be opened";
      case LaneErrc::journal_foreign_file: return "not a garita-lane journal";
      case LaneErrc::journal_too_new: return "journal written by a newer garita-lane";
      case LaneErrc::journal_io: return "journal read/write failed";
      case LaneErrc::journal_full: return "journal full";
      case LaneErrc::journal_not_open: return "journal not open";
      case LaneErrc::uplink_tls_setup: return "uplink TLS files unusable";
      case LaneErrc::uplink_tls_verify: return "garitad's certificate did not verify";
      case LaneErrc::uplink_timeout: return "uplink timed out";
      case LaneErrc::uplink_http_status: return "garitad answered with an error";
      case LaneErrc::uplink_bad_response: return "garitad's answer did not decode";
      case LaneErrc::uplink_stopped: return "uplink stopped";
    }
    return "unknown lane error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& lane_category() noexcept {
  static const LaneCategory category;
  return category;
}

}  // namespace garita::firmware

#include "garita/sim/llrp/TagLog.hpp"

namespace garita::sim::llrp {

std::string_view to_string(TagOutcome outcome) noexcept {
  switch (outcome) {
    case TagOutcome::sent: return "sent";
    case TagOutcome::not_read: return "not_read";
    case TagOutcome::lost: return "lost";
  }
  return "unknown";
}

}  // namespace garita::sim::llrp

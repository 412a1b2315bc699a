#pragma once
// One encoded message the simulated reader wants to send. Control messages
// (responses, events, KEEPALIVE) belong to the connection they were made
// for; RO_ACCESS_REPORTs belong to the reader's report buffer and wait there
// for a connection (LLRP 1.1 §14: reports are kept until delivered; a client
// that reconnects gets what was inventoried meanwhile).
#include <cstdint>
#include <vector>

#include "garita/hal/llrp/MessageType.hpp"
#include "garita/sim/llrp/TagLog.hpp"

namespace garita::sim::llrp {

struct OutgoingMessage {
  enum class Kind : std::uint8_t { control, report };

  Kind kind = Kind::control;
  hal::llrp::MessageType type = hal::llrp::MessageType::keepalive;
  std::uint32_t message_id = 0;
  std::uint64_t sequence = 0;  // generation order across both kinds
  std::vector<std::uint8_t> bytes;
  std::vector<ReportedTag> tags;  // reports: one per TagReportData, in order
};

}  // namespace garita::sim::llrp

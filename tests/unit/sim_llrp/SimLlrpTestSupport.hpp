#pragma once
// Test support for the simulated reader: an engine with a client attached,
// requests built with the LLRP codec, and the reader's output decoded back.
#include <cstdint>
#include <string>
#include <vector>

#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ReaderEventNotification.hpp"
#include "garita/hal/llrp/RoSpec.hpp"
#include "garita/hal/llrp/TagReport.hpp"
#include "garita/sim/TagObservation.hpp"
#include "garita/sim/llrp/ReaderEngine.hpp"

namespace garita::sim::llrp::test {

// Model time the tests start at (2026-01-01T00:00:00Z).
inline constexpr std::int64_t kT0 = 1'767'225'600'000'000;

class CapturingTagLog final : public TagLog {
 public:
  void record(const TagLogRow& row) override { rows.push_back(row); }
  std::size_t count(TagOutcome outcome) const;
  std::vector<TagLogRow> rows;
};

// A message the reader wrote, with its header decoded (owns its bytes).
struct Written {
  OutgoingMessage message;
  hal::llrp::MessageView view() const;
};

class Harness {
 public:
  explicit Harness(ReaderVendor vendor = ReaderVendor::generic,
                   ReaderClock clock = ReaderClock::utc);

  // Connects a client and checks the ConnectionAttemptEvent(Success) comes first.
  void connect();
  // Sends one encoded request at model time `now` (default: the harness clock).
  void send(const std::vector<std::uint8_t>& bytes);
  // Everything the reader would write now; reports are logged as sent.
  std::vector<Written> drain();
  // Sends `bytes` and returns the LLRPStatus of the single status response.
  hal::llrp::LlrpStatus request_status(const std::vector<std::uint8_t>& bytes);

  // Standard client steps; each REQUIREs success.
  void add_rospec(const hal::llrp::RoSpec& spec);
  void enable_rospec(std::uint32_t id);
  void add_accessspec(const hal::llrp::AccessSpec& spec);
  void enable_accessspec(std::uint32_t id);
  void enable_impinj_extensions();

  // A read on `antenna` of tag number `tag` (EPC E2C0DE01 + 8 bytes of it).
  TagObservation read(std::uint16_t antenna, std::uint32_t tag, std::int64_t at_us) const;
  void observe(const TagObservation& read);
  void advance(std::int64_t to_us);

  std::uint32_t next_id() { return ++message_id_; }
  std::int64_t now() const { return now_; }

  CapturingTagLog log;
  ReaderEngine engine;

 private:
  std::int64_t now_ = kT0;
  std::uint32_t message_id_ = 100;
};

// The lane's ROSpec: immediate start (or null), null stop, one AISpec over
// antennas 1 and 2 with a null stop trigger, a report every `n` tags with
// the given content.
hal::llrp::RoSpec lane_rospec(
    std::uint32_t id, std::uint16_t n, const hal::llrp::TagReportContentSelector& content,
    hal::llrp::RoSpecStartTriggerType start = hal::llrp::RoSpecStartTriggerType::immediate);
// Reads MB 2 words 0-5 of every tag.
hal::llrp::AccessSpec tid_access_spec(std::uint32_t id, std::uint16_t op_spec_id = 9);

// Tag reports in the RO_ACCESS_REPORTs among `written`, in order.
std::vector<hal::llrp::TagReport> tag_reports(const std::vector<Written>& written);
std::size_t count_type(const std::vector<Written>& written, hal::llrp::MessageType type);
hal::llrp::LlrpStatus status_of(const Written& written);
hal::llrp::ReaderEventNotification event_of(const Written& written);

}  // namespace garita::sim::llrp::test

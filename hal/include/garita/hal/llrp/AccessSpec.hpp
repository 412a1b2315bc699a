#pragma once
// Access specs (LLRP 1.1 §12): what the reader does to tags it singulates
// beyond reporting their EPC. A lane uses one AccessSpec that reads the TID
// bank (MB 2, word 0, 6+ words) of every tag, for readers without Impinj
// FastID; results come back as C1G2ReadOpSpecResult in the TagReportData.
//
// Modelled: C1G2TagSpec/C1G2TargetTag and C1G2Read OpSpecs; other OpSpecs
// (write, kill, lock, block ops) are counted and skipped when decoding.
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/AirProtocol.hpp"
#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageType.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"
#include "garita/hal/llrp/ReaderConfigParameters.hpp"

namespace garita::hal::llrp {

class MessageWriter;

// Gen2 memory banks (Gen2 §6.3.2.1).
enum class MemoryBank : std::uint8_t { reserved = 0, epc = 1, tid = 2, user = 3 };

// C1G2TargetTag (§16.2.1.3.1.1): a ternary pattern on one memory bank; a
// zero-length mask matches every tag.
struct C1G2TargetTag {
  MemoryBank bank = MemoryBank::epc;
  bool match = true;          // false: the spec applies to tags NOT matching
  std::uint16_t pointer = 0;  // first bit of the pattern
  std::uint16_t mask_bit_count = 0;
  std::vector<std::uint8_t> mask;  // ceil(mask_bit_count/8) bytes
  std::uint16_t data_bit_count = 0;
  std::vector<std::uint8_t> data;  // ceil(data_bit_count/8) bytes
  friend bool operator==(const C1G2TargetTag&, const C1G2TargetTag&) = default;
};

// C1G2Read (§16.2.1.3.2.1).
struct C1G2Read {
  std::uint16_t op_spec_id = 0;
  std::uint32_t access_password = 0;
  MemoryBank bank = MemoryBank::tid;
  std::uint16_t word_pointer = 0;
  std::uint16_t word_count = 0;  // 0: to the end of the bank
  friend bool operator==(const C1G2Read&, const C1G2Read&) = default;
};

enum class AccessSpecStopTriggerType : std::uint8_t { null = 0, operation_count = 1 };

struct AccessSpec {
  std::uint32_t id = 0;          // non-zero
  std::uint16_t antenna_id = 0;  // 0: any antenna
  AirProtocol protocol = AirProtocol::epc_global_class1_gen2;
  bool is_active = false;        // ADD_ACCESSSPEC requires false (disabled)
  std::uint32_t ro_spec_id = 0;  // 0: any ROSpec
  AccessSpecStopTriggerType stop_trigger = AccessSpecStopTriggerType::null;
  std::uint16_t operation_count = 0;
  std::vector<C1G2TargetTag> tag_patterns;  // 1 or 2 (ANDed)
  std::vector<C1G2Read> reads;              // the OpSpecs, in execution order
  std::optional<AccessReportSpec> report_spec;
  std::uint16_t skipped_op_specs = 0;  // decoded OpSpecs other than C1G2Read
  friend bool operator==(const AccessSpec&, const AccessSpec&) = default;
};

struct GetAccessSpecsResponse {
  LlrpStatus status;
  std::vector<AccessSpec> access_specs;
  friend bool operator==(const GetAccessSpecsResponse&, const GetAccessSpecsResponse&) = default;
};

std::error_code encode_add_accessspec(std::vector<std::uint8_t>& out, std::uint32_t message_id,
                                      const AccessSpec& spec,
                                      ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_add_accessspec(const MessageView& message, AccessSpec& out);

// DELETE_ACCESSSPEC, ENABLE_ACCESSSPEC, DISABLE_ACCESSSPEC: one u32
// AccessSpecID (0 = all).
bool is_accessspec_command(MessageType type) noexcept;
std::error_code encode_accessspec_command(std::vector<std::uint8_t>& out, MessageType type,
                                          std::uint32_t message_id, std::uint32_t access_spec_id,
                                          ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_accessspec_command(const MessageView& message, MessageType expected,
                                          std::uint32_t& access_spec_id);

std::error_code encode_get_accessspecs_response(std::vector<std::uint8_t>& out,
                                                std::uint32_t message_id,
                                                const GetAccessSpecsResponse& response,
                                                ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_get_accessspecs_response(const MessageView& message,
                                                GetAccessSpecsResponse& out);

// AccessSpec parameter codec.
std::error_code read_access_spec(std::span<const std::uint8_t> body, AccessSpec& out);
void write_access_spec(MessageWriter& w, const AccessSpec& spec);

}  // namespace garita::hal::llrp

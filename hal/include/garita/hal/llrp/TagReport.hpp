#pragma once
// One TagReportData (LLRP 1.1 §14.2.3): a tag's EPC plus whichever optional
// fields the TagReportContentSelector enabled, and the results of any
// AccessSpec reads.
//
// Storage is fixed-size so that decoding RO_ACCESS_REPORTs allocates
// nothing: a decode loop reuses one TagReport, and clear() resets only the
// presence flags, never the byte arrays.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>

namespace garita::hal::llrp {

class MessageWriter;

// EPC memory bits as the reader reported them: EPC-96 (TV 13) for 96-bit
// EPCs, EPCData (TLV 241, a u1v) for any other length. Gen2 caps the EPC at
// 31 words (the PC's 5-bit length field, Gen2 §6.3.2.1.2.2): 62 bytes.
struct TagEpc {
  static constexpr std::size_t kMaxBytes = 62;

  std::array<std::uint8_t, kMaxBytes> storage{};
  std::uint16_t bit_count = 0;

  std::size_t byte_count() const noexcept { return (static_cast<std::size_t>(bit_count) + 7) / 8; }
  std::span<const std::uint8_t> bytes() const noexcept { return {storage.data(), byte_count()}; }

  // Copies the ceil(bits/8) bytes holding `bits` bits. Returns false and
  // changes nothing if that is over kMaxBytes or more than `bytes` holds.
  bool assign(std::span<const std::uint8_t> bytes, std::uint16_t bits) noexcept {
    const std::size_t n = (static_cast<std::size_t>(bits) + 7) / 8;
    if (n > kMaxBytes || n > bytes.size()) return false;
    std::copy_n(bytes.begin(), n, storage.begin());
    bit_count = bits;
    return true;
  }
};

// Words read from tag memory, kept as big-endian bytes (word 0 first, MSB
// first: the layout of Gen2 memory and of garita::decode_tid's input).
// A reply longer than Capacity keeps its first Capacity bytes and says so,
// rather than costing the whole tag report.
template <std::size_t Capacity>
struct TagMemoryWords {
  std::array<std::uint8_t, Capacity> storage{};
  std::uint16_t word_count = 0;    // words the reader sent
  std::uint16_t stored_bytes = 0;  // bytes kept, <= Capacity

  std::span<const std::uint8_t> bytes() const noexcept { return {storage.data(), stored_bytes}; }
  bool truncated() const noexcept { return stored_bytes < 2u * word_count; }

  // `word_bytes` holds whole words (the caller read a u16v).
  void assign(std::span<const std::uint8_t> word_bytes) noexcept {
    word_count = static_cast<std::uint16_t>(word_bytes.size() / 2);
    const std::size_t n = std::min(word_bytes.size(), Capacity);
    std::copy_n(word_bytes.begin(), n, storage.begin());
    stored_bytes = static_cast<std::uint16_t>(n);
  }
};

// C1G2ReadOpSpecResult.Result (LLRP 1.1 §16.2.1.5.5.1).
enum class C1G2ReadResult : std::uint8_t {
  success = 0,
  nonspecific_tag_error = 1,
  no_response_from_tag = 2,
  nonspecific_reader_error = 3,
  memory_overrun_error = 4,  // LLRP 1.1
  memory_locked_error = 5,   // LLRP 1.1
};

std::string_view to_string(C1G2ReadResult result) noexcept;

// The outcome of one C1G2Read OpSpec of an AccessSpec.
struct C1G2ReadOpSpecResult {
  static constexpr std::size_t kMaxDataBytes =
      64;  // 32 words: any TID, a useful slice of user memory

  C1G2ReadResult result = C1G2ReadResult::success;
  std::uint16_t op_spec_id = 0;
  TagMemoryWords<kMaxDataBytes> data;
};

struct TagReport {
  static constexpr std::size_t kMaxTidBytes = 32;  // 16 words: E2 TID with the longest XTID serial
  static constexpr std::size_t kMaxReadResults = 4;

  TagEpc epc;  // mandatory in every TagReportData
  std::optional<std::uint16_t> antenna_id;
  std::optional<std::int8_t> peak_rssi_dbm;
  std::optional<std::uint16_t> channel_index;         // one-based, into the reader's hop table
  std::optional<std::uint64_t> first_seen_utc_us;     // µs since the Unix epoch
  std::optional<std::uint64_t> first_seen_uptime_us;  // µs since reader boot
  std::optional<std::uint64_t> last_seen_utc_us;
  std::optional<std::uint64_t> last_seen_uptime_us;
  std::optional<std::uint16_t> tag_seen_count;  // saturates at 65535 (§14.2.3.13)
  std::optional<std::uint32_t> ro_spec_id;
  std::optional<std::uint16_t> spec_index;
  std::optional<std::uint16_t> inventory_parameter_spec_id;
  std::optional<std::uint32_t> access_spec_id;
  std::optional<std::uint16_t> pc_bits;                        // C1G2_PC
  std::optional<std::uint16_t> xpc_w1;                         // C1G2_XPC_W1 (LLRP 1.1)
  std::optional<std::uint16_t> xpc_w2;                         // C1G2_XPC_W2 (LLRP 1.1)
  std::optional<std::uint16_t> crc;                            // C1G2_CRC
  std::optional<std::uint16_t> client_request_op_spec_result;  // its OpSpecID (LLRP 1.1)

  std::array<C1G2ReadOpSpecResult, kMaxReadResults> read_results;  // the first read_result_count
  std::uint8_t read_result_count = 0;
  std::uint8_t dropped_read_results = 0;   // read results beyond kMaxReadResults
  std::uint8_t other_op_spec_results = 0;  // write/kill/lock/... results (not decoded)

  // ImpinjSerializedTID ("FastID"): the TID without an AccessSpec.
  std::optional<TagMemoryWords<kMaxTidBytes>> impinj_serialized_tid;

  std::uint8_t skipped_parameters = 0;  // Custom and unknown parameters ignored (saturating)

  std::span<const C1G2ReadOpSpecResult> reads() const noexcept {
    return {read_results.data(), read_result_count};
  }
  const C1G2ReadOpSpecResult* find_read_result(std::uint16_t op_spec_id) const noexcept {
    for (const auto& r : reads()) {
      if (r.op_spec_id == op_spec_id) return &r;
    }
    return nullptr;
  }

  // Marks every field "not reported", reusing the storage.
  void clear() noexcept;
};

// LLRP 1.1 §14.2.3: a reader may leave out an enabled optional field whose
// value equals the last one it sent, and the client "SHALL assume that the
// value is identical to the last parameter of the same type received".
// Copies each optional field `report` lacks from `previous` (the report seen
// before it on the same connection). EPC and OpSpec results are per-tag and
// never inherited.
void inherit_unreported_fields(TagReport& report, const TagReport& previous) noexcept;

// Decodes the body of a TagReportData parameter (after its TLV header).
// Errors: missing/duplicate EPC, malformed parameters, EPC over 62 bytes.
std::error_code read_tag_report_data(std::span<const std::uint8_t> body, TagReport& out) noexcept;

// Appends a TagReportData parameter (fields in the spec's order; EPC-96 for
// 96-bit EPCs, EPCData otherwise).
void write_tag_report_data(MessageWriter& writer, const TagReport& report);

}  // namespace garita::hal::llrp

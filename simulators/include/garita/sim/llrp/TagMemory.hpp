#pragma once
// The Gen2 memory of a simulated tag, as far as an LLRP AccessSpec can see
// it: the EPC bank (StoredCRC, PC, EPC), the TID bank, an empty user bank and
// zero passwords in the reserved bank (Gen2 §6.3.2.1). Built from a traffic
// model observation; used to match C1G2TargetTag patterns and to answer
// C1G2Read OpSpecs with a C1G2ReadOpSpecResult (LLRP 1.1 §16.2.1.3/§16.2.1.5.5).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/TagReport.hpp"

namespace garita::sim::llrp {

// Gen2 StoredCRC of the PC word and EPC (CRC-16/GENIBUS: polynomial 0x1021,
// preset 0xFFFF, ones' complement of the result; Gen2 §6.3.2.1.2.1). Readers
// report it as C1G2_CRC.
std::uint16_t gen2_stored_crc(std::uint16_t pc, std::span<const std::uint8_t> epc) noexcept;

class TagMemory {
 public:
  // EPC bank bytes: 2 (CRC) + 2 (PC) + up to 62 (EPC).
  static constexpr std::size_t kMaxBankBytes = 66;

  TagMemory(std::uint16_t pc, std::span<const std::uint8_t> epc,
            std::span<const std::uint8_t> tid) noexcept;

  // The bank's contents, MSB first, word 0 first.
  std::span<const std::uint8_t> bank(hal::llrp::MemoryBank bank) const noexcept;

  // Whether the tag matches `pattern` (a zero-length mask matches every tag;
  // bits beyond the bank never match; match = false inverts).
  bool matches(const hal::llrp::C1G2TargetTag& pattern) const noexcept;

  // Executes `read` into `out` (word_count 0 = to the end of the bank). Words
  // past the end of the bank give Memory_Overrun_Error, as a real chip
  // answers; a read of the reserved bank with a wrong access password gives
  // Nonspecific_Tag_Error (the passwords are zero).
  void read(const hal::llrp::C1G2Read& read, hal::llrp::C1G2ReadOpSpecResult& out) const noexcept;

 private:
  std::array<std::uint8_t, kMaxBankBytes> epc_bank_{};
  std::size_t epc_bank_size_ = 0;
  std::span<const std::uint8_t> tid_;
  std::array<std::uint8_t, 8> reserved_{};  // kill + access passwords, all zero
};

}  // namespace garita::sim::llrp

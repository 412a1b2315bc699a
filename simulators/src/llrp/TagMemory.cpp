#include "garita/sim/llrp/TagMemory.hpp"

#include <algorithm>

namespace garita::sim::llrp {
namespace codec = garita::hal::llrp;
namespace {

bool bit_at(std::span<const std::uint8_t> bytes, std::size_t bit) noexcept {
  return ((static_cast<unsigned>(bytes[bit / 8]) >> (7u - bit % 8u)) & 1u) != 0;
}

}  // namespace

std::uint16_t gen2_stored_crc(std::uint16_t pc, std::span<const std::uint8_t> epc) noexcept {
  std::uint16_t crc = 0xFFFF;
  const auto feed = [&crc](std::uint8_t byte) {
    crc = static_cast<std::uint16_t>(crc ^ (static_cast<unsigned>(byte) << 8));
    for (int i = 0; i < 8; ++i) {
      const unsigned shifted = static_cast<unsigned>(crc) << 1u;
      crc = static_cast<std::uint16_t>((crc & 0x8000u) != 0 ? (shifted ^ 0x1021u) : shifted);
    }
  };
  feed(static_cast<std::uint8_t>(pc >> 8));
  feed(static_cast<std::uint8_t>(pc));
  for (const std::uint8_t b : epc) feed(b);
  return static_cast<std::uint16_t>(~crc);
}

TagMemory::TagMemory(std::uint16_t pc, std::span<const std::uint8_t> epc,
                     std::span<const std::uint8_t> tid) noexcept
    : tid_(tid) {
  const std::size_t epc_bytes = std::min(epc.size(), kMaxBankBytes - 4);
  const std::uint16_t crc = gen2_stored_crc(pc, epc.first(epc_bytes));
  epc_bank_[0] = static_cast<std::uint8_t>(crc >> 8);
  epc_bank_[1] = static_cast<std::uint8_t>(crc);
  epc_bank_[2] = static_cast<std::uint8_t>(pc >> 8);
  epc_bank_[3] = static_cast<std::uint8_t>(pc);
  std::copy_n(epc.begin(), epc_bytes, epc_bank_.begin() + 4);
  epc_bank_size_ = 4 + epc_bytes;
}

std::span<const std::uint8_t> TagMemory::bank(codec::MemoryBank bank) const noexcept {
  switch (bank) {
    case codec::MemoryBank::reserved: return reserved_;
    case codec::MemoryBank::epc: return {epc_bank_.data(), epc_bank_size_};
    case codec::MemoryBank::tid: return tid_;
    case codec::MemoryBank::user: return {};  // Monza R6 and UCODE 8 have no user memory
  }
  return {};
}

bool TagMemory::matches(const codec::C1G2TargetTag& pattern) const noexcept {
  const std::span<const std::uint8_t> memory = bank(pattern.bank);
  const std::size_t bits = pattern.mask_bit_count;
  bool equal = true;
  if (bits != 0) {
    const std::size_t available = memory.size() * 8;
    if (pattern.pointer + bits > available || pattern.mask.size() * 8 < bits ||
        pattern.data.size() * 8 < std::min<std::size_t>(bits, pattern.data_bit_count)) {
      equal = false;
    } else {
      for (std::size_t i = 0; i < bits && equal; ++i) {
        if (!bit_at(pattern.mask, i)) continue;
        const bool want = i < pattern.data_bit_count && bit_at(pattern.data, i);
        equal = bit_at(memory, pattern.pointer + i) == want;
      }
    }
  }
  return pattern.match ? equal : !equal;
}

void TagMemory::read(const codec::C1G2Read& read, codec::C1G2ReadOpSpecResult& out) const noexcept {
  out.op_spec_id = read.op_spec_id;
  out.data.assign({});
  if (read.bank == codec::MemoryBank::reserved && read.access_password != 0) {
    out.result = codec::C1G2ReadResult::nonspecific_tag_error;
    return;
  }
  const std::span<const std::uint8_t> memory = bank(read.bank);
  const std::size_t words = memory.size() / 2;
  const std::size_t first = read.word_pointer;
  const std::size_t count =
      read.word_count == 0 ? (first < words ? words - first : 0) : read.word_count;
  if (first + count > words || count == 0) {
    out.result = codec::C1G2ReadResult::memory_overrun_error;
    return;
  }
  out.result = codec::C1G2ReadResult::success;
  out.data.assign(memory.subspan(first * 2, count * 2));
}

}  // namespace garita::sim::llrp

#pragma once
// The tags travellers carry: made-up WHTI cards on garita's demo issuer
// prefixes and, now and then, a retail item's GS1 SGTIN-96 label.
//
// Demo WHTI EPC (96 bits): E2 C0 DE <type> <8 bytes>, type 01 BCC, 02 PRC,
// 03 PASSPORT_CARD, 04 SENTRI, 05 NEXUS, 06 FAST, 07 EDL (the rows of
// garita's example issuer table; real card layouts are not public). The 8
// low bytes are a keyed bijection of a counter, so they look random yet never
// repeat within a model.
//
// TIDs (96 bits): Impinj Monza R6 E2 80 11 60 20 00 <48-bit serial>, NXP
// UCODE 8 E2 80 68 94 20 00 <48-bit serial>: class E2 with XTID, then the
// XTID header 2000 announcing a 48-bit serial. Serials are unique too.
#include <array>
#include <cstdint>
#include <span>

#include "garita/common/IssuerTable.hpp"

namespace garita::sim {

// Longest EPC / TID a TagObservation can carry without allocating.
inline constexpr std::size_t kMaxEpcBytes = 32;  // 256 bits
inline constexpr std::size_t kMaxTidBytes = 16;  // 128 bits

inline constexpr std::array<std::uint8_t, 3> kDemoWhtiPrefix{0xE2, 0xC0, 0xDE};
// PC word for a 96-bit EPC: length 6 words in bits 15..11, no UMI/XPC, GS1
// toggle 0.
inline constexpr std::uint16_t kPc96 = 0x3000;

enum class ChipModel : std::uint8_t { impinj_monza_r6, nxp_ucode_8 };

// The demo type byte for `type` (01..07), 0 for types the demo table lacks.
std::uint8_t demo_document_byte(DocumentType type) noexcept;

struct CardIdentity {
  std::array<std::uint8_t, kMaxEpcBytes> epc{};
  std::uint8_t epc_len = 0;
  std::uint16_t pc = kPc96;
  std::array<std::uint8_t, kMaxTidBytes> tid{};
  std::uint8_t tid_len = 0;
  ChipModel chip = ChipModel::impinj_monza_r6;
  DocumentType document = DocumentType::unknown;  // unknown for non-WHTI tags
  bool is_traveler_card = false;

  std::span<const std::uint8_t> epc_bytes() const noexcept { return {epc.data(), epc_len}; }
  std::span<const std::uint8_t> tid_bytes() const noexcept { return {tid.data(), tid_len}; }
};

// Makes unique cards. Deterministic for a given key and call sequence.
class CardFactory {
 public:
  explicit CardFactory(std::uint64_t key) noexcept;

  // A WHTI card on the demo prefix. `type` must have a demo byte.
  CardIdentity make_whti(DocumentType type, ChipModel chip) noexcept;
  // A GS1 SGTIN-96 retail label (header 0x30, filter 1 = point-of-sale
  // item, partition 5, GS1's example company prefix 0614141, one of a few
  // item references, a unique 38-bit serial).
  CardIdentity make_retail_sgtin(ChipModel chip) noexcept;

 private:
  void fill_tid(CardIdentity& card, ChipModel chip) noexcept;

  std::uint64_t key_;
  std::uint64_t whti_counter_ = 0;
  std::uint64_t sgtin_counter_ = 0;
  std::uint64_t tid_counter_ = 0;
};

}  // namespace garita::sim

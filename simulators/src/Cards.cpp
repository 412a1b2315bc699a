#include "garita/sim/Cards.hpp"

#include "garita/sim/Random.hpp"

namespace garita::sim {
namespace {

// A bijection on the low `bits` bits (xorshift and odd multiplies are each
// invertible modulo 2^bits), used to turn counters into unique, random
// looking serials.
constexpr std::uint64_t mix_bits(std::uint64_t x, unsigned bits) noexcept {
  const std::uint64_t mask = (bits >= 64) ? ~0ULL : ((1ULL << bits) - 1);
  const unsigned half = bits / 2;
  x &= mask;
  x ^= x >> half;
  x = (x * 0xD6E8FEB86659FD93ULL) & mask;
  x ^= x >> (half + 1);
  x = (x * 0xA0761D6478BD642FULL) & mask;
  x ^= x >> half;
  return x;
}

void put_be(std::uint8_t* out, std::uint64_t value, unsigned bytes) noexcept {
  for (unsigned i = 0; i < bytes; ++i) {
    out[bytes - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  }
}

}  // namespace

std::uint8_t demo_document_byte(DocumentType type) noexcept {
  switch (type) {
    case DocumentType::bcc: return 0x01;
    case DocumentType::prc: return 0x02;
    case DocumentType::passport_card: return 0x03;
    case DocumentType::sentri: return 0x04;
    case DocumentType::nexus: return 0x05;
    case DocumentType::fast: return 0x06;
    case DocumentType::edl: return 0x07;
    default: return 0x00;
  }
}

CardFactory::CardFactory(std::uint64_t key) noexcept : key_(mix64(key ^ 0x6361726473ULL)) {}

void CardFactory::fill_tid(CardIdentity& card, ChipModel chip) noexcept {
  // Class E2, XTID bit set, MDID/TMN of the chip, then XTID header 0x2000
  // (serial present, 48 bits), then the serial.
  static constexpr std::array<std::uint8_t, 6> monza_r6{0xE2, 0x80, 0x11, 0x60, 0x20, 0x00};
  static constexpr std::array<std::uint8_t, 6> ucode8{0xE2, 0x80, 0x68, 0x94, 0x20, 0x00};
  const auto& head = chip == ChipModel::impinj_monza_r6 ? monza_r6 : ucode8;
  for (std::size_t i = 0; i < head.size(); ++i) card.tid[i] = head[i];
  const std::uint64_t serial = mix_bits((key_ >> 16) ^ tid_counter_++, 48);
  put_be(card.tid.data() + 6, serial, 6);
  card.tid_len = 12;
  card.chip = chip;
}

CardIdentity CardFactory::make_whti(DocumentType type, ChipModel chip) noexcept {
  CardIdentity card;
  card.epc[0] = kDemoWhtiPrefix[0];
  card.epc[1] = kDemoWhtiPrefix[1];
  card.epc[2] = kDemoWhtiPrefix[2];
  card.epc[3] = demo_document_byte(type);
  // x -> mix64(x ^ key) is a bijection, so distinct counters never collide.
  put_be(card.epc.data() + 4, mix64(whti_counter_++ ^ key_), 8);
  card.epc_len = 12;
  card.pc = kPc96;
  card.document = type;
  card.is_traveler_card = true;
  fill_tid(card, chip);
  return card;
}

CardIdentity CardFactory::make_retail_sgtin(ChipModel chip) noexcept {
  // SGTIN-96 (GS1 TDS §14.5.1): header 8 | filter 3 | partition 3 |
  // company prefix 24 (7 digits at partition 5) | item reference 20 |
  // serial 38.
  static constexpr std::uint64_t items[] = {123456, 200417, 310052, 455901, 702113};
  const std::uint64_t n = sgtin_counter_++;
  const std::uint64_t item = items[mix64(n ^ key_) % 5];
  const std::uint64_t serial = mix_bits((key_ >> 7) ^ n, 38);
  const std::uint64_t hi = (0x30ULL << 56) | (1ULL << 53) | (5ULL << 50) | (614141ULL << 26) |
                           (item << 6) | (serial >> 32);
  const std::uint64_t lo32 = serial & 0xFFFFFFFFULL;
  CardIdentity card;
  put_be(card.epc.data(), hi, 8);
  put_be(card.epc.data() + 8, lo32, 4);
  card.epc_len = 12;
  card.pc = kPc96;
  card.document = DocumentType::unknown;
  card.is_traveler_card = false;
  fill_tid(card, chip);
  return card;
}

}  // namespace garita::sim

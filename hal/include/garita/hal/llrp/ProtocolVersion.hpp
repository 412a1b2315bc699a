#pragma once
// The 3-bit version field of every LLRP message header (LLRP 1.1 §17.1.1;
// §9 for version negotiation). Readers in the field (Impinj Speedway/R700,
// Zebra FX) all speak 1.0.1; 1.1 is only used after SET_PROTOCOL_VERSION.
#include <cstdint>

namespace garita::hal::llrp {

enum class ProtocolVersion : std::uint8_t {
  v1_0_1 = 1,  // LLRP 1.0.1
  v1_1 = 2,    // LLRP 1.1
};

// What garita encodes with unless told otherwise: every reader speaks 1.0.1
// from the moment the connection opens.
inline constexpr ProtocolVersion kDefaultProtocolVersion = ProtocolVersion::v1_0_1;

constexpr bool is_supported_version(std::uint8_t raw_version) noexcept {
  return raw_version == 1 || raw_version == 2;
}

}  // namespace garita::hal::llrp

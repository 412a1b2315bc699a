#pragma once
// Air protocol identifiers (LLRP 1.1 §7.1.4). EPCglobal Class-1 Gen-2 is
// the only one LLRP defines.
#include <cstdint>

namespace garita::hal::llrp {

enum class AirProtocol : std::uint8_t {
  unspecified = 0,
  epc_global_class1_gen2 = 1,
};

}  // namespace garita::hal::llrp

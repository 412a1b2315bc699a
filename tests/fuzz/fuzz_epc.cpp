// EPC decoder fuzz target. Input layout: byte 0 bit 0 = a PC word follows;
// then PC (2 bytes, big-endian), one byte with the XPC word count (0-2) and
// the XPC words; the rest is the EPC. Checks the decoder's own invariants.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "garita/common/Epc.hpp"
#include "garita/common/Hex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool has_pc = (data[0] & 1) != 0;
  std::size_t pos = 1;
  std::optional<garita::PcWord> pc;
  std::vector<std::uint16_t> xpc;
  if (has_pc) {
    if (size < pos + 3) return 0;
    pc = garita::PcWord{static_cast<std::uint16_t>((data[pos] << 8) | data[pos + 1])};
    const unsigned n = data[pos + 2] % 3;
    pos += 3;
    for (unsigned i = 0; i < n && pos + 2 <= size; ++i, pos += 2) {
      xpc.push_back(static_cast<std::uint16_t>((data[pos] << 8) | data[pos + 1]));
    }
  }
  const std::span<const std::uint8_t> epc(data + pos, size - pos);
  const garita::DecodedEpc d = garita::decode_epc(epc, pc, xpc);
  // Invariants every caller relies on.
  if (d.raw_uri.rfind("urn:epc:raw:", 0) != 0) std::abort();
  if (d.hex != garita::to_hex(d.bytes)) std::abort();
  if (d.decoded()) {
    if (d.reason != garita::EpcRawReason::none) std::abort();
    if (d.tag_uri.rfind("urn:epc:tag:", 0) != 0 || d.id_uri.rfind("urn:epc:id:", 0) != 0)
      std::abort();
  } else {
    if (d.reason == garita::EpcRawReason::none || d.reason_text.empty()) std::abort();
    if (d.tag_uri != d.raw_uri || !d.id_uri.empty()) std::abort();
  }
  return 0;
}

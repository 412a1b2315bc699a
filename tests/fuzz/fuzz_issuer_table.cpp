// Issuer table (TOML config) fuzz target: any text either loads or gives an
// error message that names the source; nothing throws or crashes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "garita/common/Epc.hpp"
#include "garita/common/IssuerTable.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  garita::IssuerTable table;
  std::string error;
  const std::error_code ec = garita::IssuerTable::parse(text, "fuzz.toml", table, error);
  if (ec) {
    if (error.rfind("fuzz.toml", 0) != 0) std::abort();
    return 0;
  }
  static const std::uint8_t epc_bytes[12] = {0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19,
                                             0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85};
  const garita::DecodedEpc epc = garita::decode_epc(epc_bytes);
  const garita::DocumentMatch m = table.match(epc, nullptr);
  if ((m.rule == nullptr) != (m.document == garita::DocumentType::unknown)) std::abort();
  return 0;
}

// TID decoder fuzz target: the input is TID memory as a reader returns it.
#include <cstdint>
#include <cstdlib>

#include "garita/common/Tid.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const garita::DecodedTid t = garita::decode_tid({data, size});
  if (t.bits != size * 8) std::abort();
  if (t.hex.size() != 2 * size) std::abort();
  if (!t.serial.empty() && t.stid_uri.rfind("urn:epc:stid:", 0) != 0) std::abort();
  if (t.decoded() && (t.mdid > 511 || t.tmn > 4095)) std::abort();
  if (t.reason != garita::TidRawReason::none && t.reason_text.empty()) std::abort();
  return 0;
}

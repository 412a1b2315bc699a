// Reader URI (config and CLI input) fuzz target: parse, and when it parses,
// the canonical form must parse back to the same thing.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "garita/hal/ReaderUri.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  garita::hal::ReaderUri uri;
  std::string why;
  if (garita::hal::parse_reader_uri(text, uri, why)) {
    if (why.empty()) std::abort();
    return 0;
  }
  garita::hal::ReaderUri again;
  if (garita::hal::parse_reader_uri(uri.to_string(), again, why)) std::abort();
  if (again.to_string() != uri.to_string()) std::abort();
  return 0;
}

// Uplink request fuzz target (what garitad decodes from lane controllers):
// any bytes either decode or give one error line starting with a JSON path;
// whatever decodes re-encodes and decodes to the same values.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "garita/common/uplink/UplinkMessages.hpp"

namespace {

void check_error(const std::string& error) {
  if (error.rfind("$", 0) != 0 || error.find('\n') != std::string::npos) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace garita::uplink;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;

  Hello hello;
  if (decode(text, hello, error)) {
    check_error(error);
  } else {
    Hello again;
    if (decode(encode(hello), again, error) || !(again == hello)) std::abort();
  }

  CrossingBatch batch;
  if (decode(text, batch, error)) {
    check_error(error);
  } else {
    if (batch.crossings.empty()) std::abort();
    const std::string once = encode(batch);
    CrossingBatch again;
    if (decode(once, again, error) || encode(again) != once) std::abort();
  }

  CrossingsResponse response;
  if (decode(text, response, error)) {
    check_error(error);
  } else {
    CrossingsResponse again;
    if (decode(encode(response), again, error) || !(again == response)) std::abort();
  }
  return 0;
}

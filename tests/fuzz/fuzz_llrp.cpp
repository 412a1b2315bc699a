// LLRP fuzz target: the bytes a reader (or a client, for the simulator)
// sends over TCP, whole (the corpus holds real captures). They go through the
// frame lexer in chunks whose size varies with the input's length (so
// splitting is exercised too, without spending input bytes), and every framed
// message goes through the decoder for its type. Nothing may crash, and the
// lexer must never hold more than its maximum message size.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "LlrpTestSupport.hpp"
#include "garita/hal/llrp/FrameLexer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::size_t chunk = 1 + (size * 7919) % 97;
  std::span<const std::uint8_t> rest(data, size);
  garita::hal::llrp::FrameLexer lexer(4096);
  while (!rest.empty()) {
    const std::size_t n = rest.size() < chunk ? rest.size() : chunk;
    const std::error_code ec =
        lexer.feed(rest.first(n), [](const garita::hal::llrp::MessageView& message) {
          (void)garita::hal::llrp::test::decode_any(message);
        });
    if (lexer.buffered_bytes() > lexer.max_message_size()) std::abort();
    if (ec) break;  // the stream is unusable: a real connection is dropped here
    rest = rest.subspan(n);
  }
  return 0;
}

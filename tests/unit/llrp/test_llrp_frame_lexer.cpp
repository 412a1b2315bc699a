// The framing lexer: arbitrary chunking, bounded memory, fatal bad lengths.
#include <catch2/catch.hpp>

#include <vector>

#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FrameLexer.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"

using namespace garita::hal::llrp;

namespace {

std::vector<std::uint8_t> keepalive(std::uint32_t id) {
  std::vector<std::uint8_t> out;
  REQUIRE_FALSE(encode_empty_message(out, MessageType::keepalive, id));
  return out;
}

// A message of exactly `length` bytes (body of zeros is not valid LLRP but
// framing does not care).
std::vector<std::uint8_t> message_of_length(std::uint32_t length, std::uint32_t id) {
  std::vector<std::uint8_t> out;
  MessageWriter w(out, MessageType::ro_access_report, id);
  for (std::uint32_t i = 10; i < length; ++i) w.u8(0);
  REQUIRE_FALSE(w.finish());
  return out;
}

struct Collected {
  std::vector<std::uint32_t> ids;
  std::vector<std::vector<std::uint8_t>> bytes;
};

std::error_code feed(FrameLexer& lexer, std::span<const std::uint8_t> chunk, Collected& c) {
  return lexer.feed(chunk, [&](const MessageView& m) {
    c.ids.push_back(m.header.message_id);
    c.bytes.emplace_back(m.bytes.begin(), m.bytes.end());
  });
}

}  // namespace

TEST_CASE("lexer: many messages in one chunk are all delivered, in order") {
  std::vector<std::uint8_t> stream;
  for (std::uint32_t id = 1; id <= 5; ++id) {
    const auto m = keepalive(id);
    stream.insert(stream.end(), m.begin(), m.end());
  }
  FrameLexer lexer;
  Collected c;
  REQUIRE_FALSE(feed(lexer, stream, c));
  CHECK(c.ids == std::vector<std::uint32_t>{1, 2, 3, 4, 5});
  CHECK(lexer.buffered_bytes() == 0);
}

TEST_CASE("lexer: a message split at every possible point") {
  const auto a = message_of_length(37, 7);
  const auto b = keepalive(8);
  std::vector<std::uint8_t> stream = a;
  stream.insert(stream.end(), b.begin(), b.end());
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    INFO("cut at " << cut);
    FrameLexer lexer;
    Collected c;
    REQUIRE_FALSE(feed(lexer, std::span(stream).first(cut), c));
    REQUIRE_FALSE(feed(lexer, std::span(stream).subspan(cut), c));
    CHECK(c.ids == std::vector<std::uint32_t>{7, 8});
    REQUIRE(c.bytes.size() == 2);
    CHECK(c.bytes[0] == a);
    CHECK(c.bytes[1] == b);
  }
}

TEST_CASE("lexer: empty chunks are harmless") {
  FrameLexer lexer;
  Collected c;
  REQUIRE_FALSE(feed(lexer, {}, c));
  const auto m = keepalive(3);
  REQUIRE_FALSE(feed(lexer, std::span(m).first(4), c));
  REQUIRE_FALSE(feed(lexer, {}, c));
  REQUIRE_FALSE(feed(lexer, std::span(m).subspan(4), c));
  CHECK(c.ids == std::vector<std::uint32_t>{3});
}

TEST_CASE("lexer: a length below 10 fails the stream for good") {
  auto m = keepalive(1);
  m[5] = 9;  // length 9
  FrameLexer lexer;
  Collected c;
  CHECK(feed(lexer, m, c) == Errc::message_length_too_small);
  CHECK(c.ids.empty());
  CHECK(lexer.error() == Errc::message_length_too_small);
  // Even valid bytes afterwards are refused: the stream is out of sync.
  const auto good = keepalive(2);
  CHECK(feed(lexer, good, c) == Errc::message_length_too_small);
  CHECK(c.ids.empty());
  lexer.reset();
  REQUIRE_FALSE(feed(lexer, good, c));
  CHECK(c.ids == std::vector<std::uint32_t>{2});
}

TEST_CASE("lexer: a bad length in a split header is caught once the header is whole") {
  auto m = keepalive(1);
  m[2] = 0x7F;  // length ~2 GiB
  FrameLexer lexer;
  Collected c;
  REQUIRE_FALSE(feed(lexer, std::span(m).first(3), c));
  CHECK(feed(lexer, std::span(m).subspan(3), c) == Errc::message_length_too_large);
}

TEST_CASE("lexer: messages over the configured maximum are refused before buffering") {
  FrameLexer lexer(64);
  Collected c;
  const auto ok = message_of_length(64, 1);
  REQUIRE_FALSE(feed(lexer, ok, c));
  CHECK(c.ids == std::vector<std::uint32_t>{1});
  const auto big = message_of_length(65, 2);
  CHECK(feed(lexer, std::span(big).first(10), c) == Errc::message_length_too_large);
  CHECK(lexer.buffered_bytes() == 0);
}

TEST_CASE("lexer: memory stays bounded by the message being assembled") {
  FrameLexer lexer(4096);
  Collected c;
  const auto big = message_of_length(4000, 9);
  for (std::size_t at = 0; at < big.size(); at += 13) {
    REQUIRE_FALSE(
        feed(lexer, std::span(big).subspan(at, std::min<std::size_t>(13, big.size() - at)), c));
    CHECK(lexer.buffered_bytes() <= 4000);
  }
  REQUIRE(c.bytes.size() == 1);
  CHECK(c.bytes[0] == big);
  CHECK(lexer.buffered_bytes() == 0);
}

TEST_CASE("lexer: the version is not its business") {
  auto m = keepalive(4);
  m[0] = static_cast<std::uint8_t>((m[0] & 0xE3) | (5 << 2));  // version 5
  FrameLexer lexer;
  Collected c;
  REQUIRE_FALSE(feed(lexer, m, c));
  REQUIRE(c.bytes.size() == 1);
  MessageView view;
  CHECK(parse_message(c.bytes[0], view) == Errc::unsupported_version);
}

TEST_CASE("parse_message frames exactly one message") {
  const auto m = keepalive(5);
  MessageView view;
  REQUIRE_FALSE(parse_message(m, view));
  CHECK(view.header.type == MessageType::keepalive);
  CHECK(view.header.length == 10);
  CHECK(view.header.message_id == 5);
  CHECK(view.body().empty());
  CHECK(parse_message(std::span(m).first(9), view) == Errc::message_length_mismatch);
  auto longer = m;
  longer.push_back(0);
  CHECK(parse_message(longer, view) == Errc::message_length_mismatch);
  auto short_length = m;
  short_length[5] = 3;
  CHECK(parse_message(std::span(short_length).first(3), view) == Errc::message_length_mismatch);
  CHECK(parse_message(short_length, view) == Errc::message_length_too_small);
}

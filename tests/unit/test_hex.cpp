#include <catch2/catch.hpp>

#include "garita/common/Errc.hpp"
#include "garita/common/Hex.hpp"

using garita::Errc;
using garita::parse_hex;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("parse_hex accepts what technicians paste") {
  Bytes out;
  CHECK_FALSE(parse_hex("E2801160", out));
  CHECK(out == Bytes{0xE2, 0x80, 0x11, 0x60});
  CHECK_FALSE(parse_hex("0xe2801160", out));
  CHECK(out == Bytes{0xE2, 0x80, 0x11, 0x60});
  CHECK_FALSE(parse_hex("E2 80:11-60", out));
  CHECK(out == Bytes{0xE2, 0x80, 0x11, 0x60});
}

TEST_CASE("parse_hex names what is wrong and leaves nothing behind") {
  Bytes out{1, 2, 3};
  CHECK(parse_hex("", out) == Errc::hex_empty);
  CHECK(out.empty());
  CHECK(parse_hex("0x", out) == Errc::hex_empty);
  CHECK(parse_hex("E28", out) == Errc::hex_odd_length);
  CHECK(out.empty());
  CHECK(parse_hex("E2G0", out) == Errc::hex_invalid_char);
  CHECK(parse_hex("E2\n80", out) == Errc::hex_invalid_char);
  CHECK(parse_hex("0011", out, 1) == Errc::hex_too_long);
  CHECK(out.empty());
  CHECK_FALSE(parse_hex("0011", out, 2));
}

TEST_CASE("to_hex is upper case without separators and round-trips") {
  const Bytes b{0x00, 0x0F, 0xA5, 0xFF};
  CHECK(garita::to_hex(b) == "000FA5FF");
  Bytes back;
  CHECK_FALSE(parse_hex(garita::to_hex(b), back));
  CHECK(back == b);
  CHECK(garita::to_hex(Bytes{}).empty());
}

TEST_CASE("garita error category has a name and a message for every code") {
  const std::error_code ec = Errc::hex_odd_length;
  CHECK(std::string(ec.category().name()) == "garita");
  for (int i = static_cast<int>(Errc::hex_empty); i <= static_cast<int>(Errc::io_error); ++i) {
    const std::string m = std::error_code(i, garita::garita_category()).message();
    CHECK_FALSE(m.empty());
    CHECK(m.find("unknown garita error") == std::string::npos);
  }
}

#include <catch2/catch.hpp>

#include "garita/common/BitReader.hpp"
#include "garita/common/PcWord.hpp"

using garita::BitReader;

TEST_CASE("BitReader reads MSB-first fields at any offset") {
  const std::uint8_t bytes[] = {0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19,
                                0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85};
  const BitReader r(bytes);
  CHECK(r.size_bits() == 96);
  CHECK(r.bits(0, 8) == 0x30);  // SGTIN-96 header
  CHECK(r.bits(8, 3) == 3);     // filter
  CHECK(r.bits(11, 3) == 5);    // partition
  CHECK(r.bits(14, 24) == 614141);
  CHECK(r.bits(38, 20) == 812345);
  CHECK(r.bits(58, 38) == 6789);
  CHECK(r.bits(0, 64) == 0x3074257BF7194E40ULL);
  CHECK(r.bits(4, 0) == 0);
  CHECK(r.bits(95, 1) == 1);
}

TEST_CASE("BitReader::has guards every range, including overflowing ones") {
  const std::uint8_t bytes[2] = {};
  const BitReader r(bytes);
  CHECK(r.has(0, 16));
  CHECK(r.has(16, 0));
  CHECK_FALSE(r.has(1, 16));
  CHECK_FALSE(r.has(17, 0));
  CHECK_FALSE(r.has(8, static_cast<std::size_t>(-1)));
}

TEST_CASE("PcWord splits the Gen2 PC bits") {
  const garita::PcWord sgtin{0x3000};  // 6 words, nothing else set
  CHECK(sgtin.length_words() == 6);
  CHECK(sgtin.length_bits() == 96);
  CHECK_FALSE(sgtin.umi());
  CHECK_FALSE(sgtin.xi());
  CHECK_FALSE(sgtin.toggle());
  const garita::PcWord iso{0x35A1};  // 6 words, UMI, toggle=1, AFI 0xA1
  CHECK(iso.length_words() == 6);
  CHECK(iso.umi());
  CHECK_FALSE(iso.xi());
  CHECK(iso.toggle());
  CHECK(iso.low_byte() == 0xA1);
  CHECK(garita::PcWord{0x3200}.xi());
}

// The TLV/TV parameter walker.
#include <catch2/catch.hpp>

#include <vector>

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

using namespace garita::hal::llrp;

namespace {

std::vector<Parameter> walk(const std::vector<std::uint8_t>& bytes, std::error_code& ec) {
  std::vector<Parameter> out;
  ParameterWalker walker(bytes);
  Parameter p;
  while (walker.next(p)) out.push_back(p);
  ec = walker.error();
  return out;
}

}  // namespace

TEST_CASE("every LLRP 1.1 TV type has its size; others are unknown") {
  // Sizes from LLRP 1.1 §17.2 (field types of each TV parameter).
  const std::vector<std::pair<int, std::size_t>> sizes = {
      {1, 2},  {2, 8},  {3, 8},   {4, 8},  {5, 8},  {6, 1},  {7, 2},  {8, 2},  {9, 4},  {10, 2},
      {11, 2}, {12, 2}, {13, 12}, {14, 2}, {15, 2}, {16, 4}, {17, 2}, {18, 4}, {19, 2}, {20, 2}};
  for (const auto& [type, size] : sizes) {
    INFO("TV type " << type);
    CHECK(tv_body_size(static_cast<std::uint8_t>(type)) == size);
  }
  CHECK(tv_body_size(0) == 0);
  for (int t = 21; t < 128; ++t) CHECK(tv_body_size(static_cast<std::uint8_t>(t)) == 0);
}

TEST_CASE("walker: TV and TLV parameters side by side") {
  const std::vector<std::uint8_t> bytes = {
      0x81, 0x00, 0x03,                                                  // AntennaID 3
      0x86, 0xC8,                                                        // PeakRSSI -56
      0x00, 0xF1, 0x00, 0x08, 0x00, 0x10, 0xAB, 0xCD,                    // EPCData 16 bits
      0x8D, 1,    2,    3,    4,    5,    6,    7,    8, 9, 10, 11, 12,  // EPC-96
  };
  std::error_code ec;
  const auto ps = walk(bytes, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(ps.size() == 4);
  CHECK(ps[0].is_tv);
  CHECK(ps[0].type == ParameterType::antenna_id);
  CHECK(ps[0].body.size() == 2);
  CHECK(ps[1].type == ParameterType::peak_rssi);
  CHECK(static_cast<std::int8_t>(ps[1].body[0]) == -56);
  CHECK_FALSE(ps[2].is_tv);
  CHECK(ps[2].type == ParameterType::epc_data);
  CHECK(ps[2].body.size() == 4);
  CHECK(ps[2].bytes.size() == 8);
  CHECK(ps[3].type == ParameterType::epc_96);
  CHECK(ps[3].body.size() == 12);
}

TEST_CASE("walker: Custom parameters expose vendor and subtype and are skippable by length") {
  const std::vector<std::uint8_t> bytes = {
      0x03, 0xFF, 0x00, 0x10, 0x00, 0x00, 0x65, 0x1A,
      0x00, 0x00, 0x00, 0x37, 0x00, 0x01, 0xE2, 0x80,  // Impinj 55
      0x01, 0xF4, 0x00, 0x06, 0xAA, 0xBB,              // unknown TLV 500, 2 bytes
      0x81, 0x00, 0x01,
  };
  std::error_code ec;
  const auto ps = walk(bytes, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(ps.size() == 3);
  CHECK(ps[0].type == ParameterType::custom);
  CHECK(ps[0].vendor == 25882);
  CHECK(ps[0].subtype == 55);
  CHECK(ps[0].body.size() == 4);
  CHECK(static_cast<unsigned>(ps[1].type) == 500);
  CHECK(ps[1].body.size() == 2);
  CHECK(ps[2].type == ParameterType::antenna_id);
}

TEST_CASE("walker: the 6 reserved bits of a TLV header are ignored") {
  const std::vector<std::uint8_t> bytes = {0x7C, 0xF1, 0x00, 0x04};  // reserved bits set, type 241
  std::error_code ec;
  const auto ps = walk(bytes, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].type == ParameterType::epc_data);
}

TEST_CASE("walker: malformed input is an error, never a read past the end") {
  struct Case {
    const char* what;
    std::vector<std::uint8_t> bytes;
    Errc error;
    std::size_t good_before;
  };
  const std::vector<Case> cases = {
      {"unknown TV type", {0x81, 0x00, 0x01, 0x95, 0x00, 0x00}, Errc::unknown_tv_type, 1},
      {"TV cut short", {0x82, 0x00, 0x00, 0x00}, Errc::parameter_truncated, 0},
      {"TLV header cut short", {0x81, 0x00, 0x01, 0x00, 0xF1, 0x00}, Errc::parameter_truncated, 1},
      {"TLV overruns parent",
       {0x00, 0xF1, 0x00, 0x09, 0x00, 0x08, 0xAA, 0xBB},
       Errc::parameter_overruns_parent,
       0},
      {"TLV length below header",
       {0x00, 0xF1, 0x00, 0x03, 0x00},
       Errc::parameter_length_too_small,
       0},
      {"TLV length zero", {0x00, 0xF1, 0x00, 0x00}, Errc::parameter_length_too_small, 0},
      {"Custom without vendor/subtype",
       {0x03, 0xFF, 0x00, 0x08, 0, 0, 0x65, 0x1A},
       Errc::parameter_length_too_small,
       0},
      {"TLV with a TV type number", {0x00, 0x0D, 0x00, 0x04}, Errc::reserved_parameter_type, 0},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    // An exact-size heap buffer: ASan catches any read past it.
    std::error_code ec;
    const auto ps = walk(c.bytes, ec);
    CHECK(ec == c.error);
    CHECK(ps.size() == c.good_before);
  }
}

TEST_CASE("walker: after an error it stays at the end") {
  const std::vector<std::uint8_t> bytes = {0x95, 0x81, 0x00, 0x01};
  ParameterWalker walker(bytes);
  Parameter p;
  CHECK_FALSE(walker.next(p));
  CHECK(walker.error() == Errc::unknown_tv_type);
  CHECK_FALSE(walker.next(p));
  CHECK(walker.error() == Errc::unknown_tv_type);
}

TEST_CASE("walker: empty input is simply the end") {
  ParameterWalker walker(std::span<const std::uint8_t>{});
  Parameter p;
  CHECK_FALSE(walker.next(p));
  CHECK_FALSE(walker.error());
}

// Gen2 memory of simulated tags: StoredCRC, pattern matching, reads.
#include <catch2/catch.hpp>

#include "garita/common/Hex.hpp"
#include "garita/sim/llrp/TagMemory.hpp"

using namespace garita::sim::llrp;
namespace codec = garita::hal::llrp;

namespace {

const std::uint8_t kEpc[12] = {0xE2, 0xC0, 0xDE, 0x01, 0x11, 0x22,
                               0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
const std::uint8_t kTid[12] = {0xE2, 0x80, 0x11, 0x60, 0x20, 0x00,
                               0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};

}  // namespace

TEST_CASE("StoredCRC is CRC-16/GENIBUS over PC and EPC") {
  // The CRC-16/GENIBUS check value: "123456789" -> 0xD64E.
  const std::uint8_t digits[7] = {'3', '4', '5', '6', '7', '8', '9'};
  CHECK(gen2_stored_crc(0x3132, digits) == 0xD64E);
}

TEST_CASE("a C1G2Read of the TID bank returns the chip's TID words") {
  const TagMemory tag(0x3000, kEpc, kTid);
  codec::C1G2ReadOpSpecResult result;
  tag.read(codec::C1G2Read{5, 0, codec::MemoryBank::tid, 0, 6}, result);
  CHECK(result.result == codec::C1G2ReadResult::success);
  CHECK(result.op_spec_id == 5);
  CHECK(garita::to_hex(result.data.bytes()) == "E280116020000A0B0C0D0E0F");

  tag.read(codec::C1G2Read{5, 0, codec::MemoryBank::tid, 2, 0}, result);  // to the end of the bank
  CHECK(garita::to_hex(result.data.bytes()) == "20000A0B0C0D0E0F");

  tag.read(codec::C1G2Read{5, 0, codec::MemoryBank::tid, 4, 4}, result);
  CHECK(result.result == codec::C1G2ReadResult::memory_overrun_error);
  CHECK(result.data.bytes().empty());

  tag.read(codec::C1G2Read{5, 0, codec::MemoryBank::user, 0, 1}, result);
  CHECK(result.result == codec::C1G2ReadResult::memory_overrun_error);

  tag.read(codec::C1G2Read{5, 0, codec::MemoryBank::epc, 1, 7}, result);  // PC + EPC
  CHECK(garita::to_hex(result.data.bytes()) == "3000E2C0DE011122334455667788");
}

TEST_CASE("target tag patterns match on masked bits of a bank") {
  const TagMemory tag(0x3000, kEpc, kTid);
  codec::C1G2TargetTag any;
  any.bank = codec::MemoryBank::epc;
  any.pointer = 0x20;
  CHECK(tag.matches(any));

  codec::C1G2TargetTag prefix;
  prefix.bank = codec::MemoryBank::epc;
  prefix.pointer = 0x20;
  prefix.mask_bit_count = 24;
  prefix.mask = {0xFF, 0xFF, 0xFF};
  prefix.data_bit_count = 24;
  prefix.data = {0xE2, 0xC0, 0xDE};
  CHECK(tag.matches(prefix));
  prefix.data = {0xE2, 0xC0, 0xDF};
  CHECK_FALSE(tag.matches(prefix));
  prefix.match = false;
  CHECK(tag.matches(prefix));

  codec::C1G2TargetTag monza;
  monza.bank = codec::MemoryBank::tid;
  monza.mask_bit_count = 32;
  monza.mask = {0xFF, 0xFF, 0xFF, 0xFF};
  monza.data_bit_count = 32;
  monza.data = {0xE2, 0x80, 0x11, 0x60};
  CHECK(tag.matches(monza));

  codec::C1G2TargetTag beyond = monza;
  beyond.pointer = 80;  // 32 bits from bit 80 run past the 96-bit TID
  CHECK_FALSE(tag.matches(beyond));
}

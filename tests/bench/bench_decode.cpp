// Decode cost of EPCs and TIDs, beside a baseline measured in the same run:
// turning the same bytes into hex, the least any decoder must do to print a
// read. docs/performance.md records the figures and ratios.
//   build/release/tests/bench/bench_decode
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "garita/common/Epc.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/IssuerTable.hpp"
#include "garita/common/Tid.hpp"

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes from_hex(std::string_view hex) {
  Bytes b;
  if (garita::parse_hex(hex, b)) std::abort();
  return b;
}

// A mix like a lane sees: mostly non-GS1 card numbers (raw), some GS1.
const std::array<Bytes, 8>& epc_mix() {
  static const std::array<Bytes, 8> mix{
      from_hex("3074257BF7194E4000001A85"),  // SGTIN-96
      from_hex("3154257BF4499602D2000000"),  // SSCC-96
      from_hex("3234257BF460720000000190"),  // SGLN-96
      from_hex("355AB1C60003039000000190"),  // GID-96
      from_hex("E2003411B802011683071DC0"),  // raw: header not in TDS
      from_hex("A1B2C3D4E5F60718293A4B5C"),  // raw
      from_hex("000000000000000000000000"),  // raw: unprogrammed
      from_hex("3074257BF7194E4000001A86"),  // SGTIN-96
  };
  return mix;
}

void BM_HexBaseline_Epc(benchmark::State& state) {
  const auto& mix = epc_mix();
  std::size_t i = 0;
  for (auto _ : state) {
    std::string s = garita::to_hex(mix[i++ & 7]);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HexBaseline_Epc);

void BM_DecodeEpc_Sgtin96(benchmark::State& state) {
  const Bytes b = from_hex("3074257BF7194E4000001A85");
  for (auto _ : state) {
    auto d = garita::decode_epc(b, garita::PcWord{0x3000});
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeEpc_Sgtin96);

void BM_DecodeEpc_Raw(benchmark::State& state) {
  const Bytes b = from_hex("E2003411B802011683071DC0");
  for (auto _ : state) {
    auto d = garita::decode_epc(b, garita::PcWord{0x3000});
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeEpc_Raw);

void BM_DecodeEpc_Mix(benchmark::State& state) {
  const auto& mix = epc_mix();
  std::size_t i = 0;
  for (auto _ : state) {
    auto d = garita::decode_epc(mix[i++ & 7]);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeEpc_Mix);

void BM_DecodeEpc_MixWithIssuerMatch(benchmark::State& state) {
  const auto& mix = epc_mix();
  garita::IssuerTable table;
  for (int r = 0; r < 16; ++r) {  // a realistic table: a handful of rows, last one matching
    garita::IssuerRule rule;
    rule.name = "row" + std::to_string(r);
    rule.issuer = "x";
    rule.document = garita::DocumentType::bcc;
    rule.prefix = {static_cast<std::uint8_t>(0xA0 + r), 0x00};
    rule.mask = {0xFF, 0x00};
    table.add(rule);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto d = garita::decode_epc(mix[i++ & 7]);
    auto m = table.match(d, nullptr);
    benchmark::DoNotOptimize(d);
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeEpc_MixWithIssuerMatch);

void BM_HexBaseline_Tid(benchmark::State& state) {
  const Bytes b = from_hex("E2801160200074CF085909AD");
  for (auto _ : state) {
    std::string s = garita::to_hex(b);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HexBaseline_Tid);

void BM_DecodeTid_MonzaR6(benchmark::State& state) {
  const Bytes b = from_hex("E2801160200074CF085909AD");
  for (auto _ : state) {
    auto t = garita::decode_tid(b);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeTid_MonzaR6);

void BM_DecodeTid_Ucode8(benchmark::State& state) {
  const Bytes b = from_hex("E2806894200040017790AC71");
  for (auto _ : state) {
    auto t = garita::decode_tid(b);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeTid_Ucode8);

}  // namespace

BENCHMARK_MAIN();

// RO_ACCESS_REPORT decode throughput, beside a memcpy of the same bytes.
//
// Each tag report carries what a lane asks for: EPC-96, AntennaID,
// PeakRSSI, FirstSeenTimestampUTC, TagSeenCount, ChannelIndex and a
// C1G2ReadOpSpecResult with a 96-bit TID (6 words). Counters: messages/s and
// tag reports/s (rates), bytes/s. The memcpy runs are the floor: "how fast
// could anything touch these bytes".
//
//   build/release/tests/bench/bench_llrp   (docs/performance.md has the figures)
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "garita/hal/llrp/FrameLexer.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/RoAccessReport.hpp"

namespace llrp = garita::hal::llrp;

namespace {

std::vector<std::uint8_t> make_report(std::size_t tag_count) {
  std::vector<llrp::TagReport> tags(tag_count);
  for (std::size_t i = 0; i < tag_count; ++i) {
    llrp::TagReport& t = tags[i];
    const std::uint8_t epc[12] = {0x30,
                                  0x08,
                                  0x33,
                                  0xB2,
                                  0xDD,
                                  0xD9,
                                  0x06,
                                  0xC0,
                                  0x00,
                                  0x00,
                                  static_cast<std::uint8_t>(i >> 8),
                                  static_cast<std::uint8_t>(i)};
    t.epc.assign(epc, 96);
    t.antenna_id = static_cast<std::uint16_t>(1 + i % 4);
    t.peak_rssi_dbm = static_cast<std::int8_t>(-40 - static_cast<int>(i % 30));
    t.first_seen_utc_us = 1'700'000'000'000'000ull + i;
    t.tag_seen_count = static_cast<std::uint16_t>(1 + i % 5);
    t.channel_index = static_cast<std::uint16_t>(1 + i % 50);
    const std::uint8_t tid[12] = {0xE2,
                                  0x80,
                                  0x11,
                                  0x60,
                                  0x20,
                                  0x00,
                                  0x12,
                                  0x34,
                                  0x56,
                                  0x78,
                                  static_cast<std::uint8_t>(i >> 8),
                                  static_cast<std::uint8_t>(i)};
    t.read_results[0].result = llrp::C1G2ReadResult::success;
    t.read_results[0].op_spec_id = 1;
    t.read_results[0].data.assign(tid);
    t.read_result_count = 1;
  }
  std::vector<std::uint8_t> out;
  if (llrp::encode_ro_access_report(out, 1, tags)) std::abort();
  return out;
}

void decode_report(benchmark::State& state, std::size_t tag_count) {
  const std::vector<std::uint8_t> bytes = make_report(tag_count);
  llrp::TagReport tag;
  std::uint64_t checksum = 0;
  for (auto _ : state) {
    llrp::MessageView view;
    if (llrp::parse_message(bytes, view)) state.SkipWithError("parse failed");
    llrp::TagReportReader reader(view);
    while (reader.next(tag)) {
      checksum += tag.epc.storage[11] + static_cast<std::uint64_t>(*tag.antenna_id) +
                  tag.read_results[0].data.storage[11];
    }
    if (reader.error()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(checksum);
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["messages/s"] = benchmark::Counter(iterations, benchmark::Counter::kIsRate);
  state.counters["tag_reports/s"] =
      benchmark::Counter(iterations * static_cast<double>(tag_count), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}

void copy_report(benchmark::State& state, std::size_t tag_count) {
  const std::vector<std::uint8_t> bytes = make_report(tag_count);
  std::vector<std::uint8_t> sink(bytes.size());
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes.data());
    std::memcpy(sink.data(), bytes.data(), bytes.size());
    benchmark::ClobberMemory();
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["messages/s"] = benchmark::Counter(iterations, benchmark::Counter::kIsRate);
  state.counters["tag_reports/s"] =
      benchmark::Counter(iterations * static_cast<double>(tag_count), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}

// A TCP-like stream of 100 one-tag reports, through the lexer in 1460-byte
// segments, each report decoded: the driver's whole receive path.
void lex_and_decode_stream(benchmark::State& state) {
  std::vector<std::uint8_t> stream;
  const std::vector<std::uint8_t> one = make_report(1);
  for (int i = 0; i < 100; ++i) stream.insert(stream.end(), one.begin(), one.end());
  llrp::FrameLexer lexer;
  llrp::TagReport tag;
  std::uint64_t tags = 0;
  for (auto _ : state) {
    for (std::size_t at = 0; at < stream.size(); at += 1460) {
      const std::span<const std::uint8_t> segment(stream.data() + at,
                                                  std::min<std::size_t>(1460, stream.size() - at));
      const auto ec = lexer.feed(segment, [&](const llrp::MessageView& m) {
        llrp::TagReportReader reader(m);
        while (reader.next(tag)) ++tags;
      });
      if (ec) state.SkipWithError("framing failed");
    }
    benchmark::DoNotOptimize(tags);
  }
  const auto iterations = static_cast<double>(state.iterations());
  state.counters["messages/s"] = benchmark::Counter(iterations * 100, benchmark::Counter::kIsRate);
  state.counters["tag_reports/s"] =
      benchmark::Counter(iterations * 100, benchmark::Counter::kIsRate);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(stream.size()));
}

}  // namespace

BENCHMARK_CAPTURE(decode_report, 1_tag, 1);
BENCHMARK_CAPTURE(copy_report, 1_tag_memcpy, 1);
BENCHMARK_CAPTURE(decode_report, 100_tags, 100);
BENCHMARK_CAPTURE(copy_report, 100_tags_memcpy, 100);
BENCHMARK(lex_and_decode_stream);

BENCHMARK_MAIN();

#pragma once
// Fixtures shared by the benchmarks: a temp folder removed afterwards, and
// the traffic model's observations turned into TagReads the way a reader
// driver hands them over (reader clock seconds off, a few ms of delivery
// delay), in host receive order.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "garita/common/TagRead.hpp"
#include "garita/sim/Random.hpp"
#include "garita/sim/TrafficModel.hpp"

namespace garita::bench {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix) {
    namespace fs = std::filesystem;
    std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (::mkdtemp(buf.data()) == nullptr) std::abort();
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::filesystem::path file(const char* name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Drains `model`; reader r's clock is 1.5 s behind plus 0.7 s per reader,
// delivery takes 1 ms plus an exponential jitter (mean 4 ms, seeded).
inline std::vector<TagRead> reads_from_model(sim::TrafficModel& model, std::uint64_t jitter_seed,
                                             std::int64_t host_boot_utc_us) {
  std::vector<TagRead> reads;
  sim::Rng jitter(jitter_seed);
  while (auto o = model.next()) {
    TagRead r;
    r.reader_id = o->reader;
    r.antenna = o->antenna;
    r.pc = o->pc;
    r.epc.assign(o->epc_bytes());
    r.tid.assign(o->tid_bytes());
    r.peak_rssi_cdbm = static_cast<std::int16_t>(o->peak_rssi_dbm * 100);
    r.channel = o->channel_index;
    r.reader_first_seen_utc_us = o->time_us - 1'500'000 + o->reader * 700'000;
    r.host_utc_us = o->time_us + 1'000 + static_cast<std::int64_t>(jitter.exponential(4'000.0));
    r.host_mono_us = r.host_utc_us - host_boot_utc_us;
    reads.push_back(r);
  }
  std::stable_sort(reads.begin(), reads.end(),
                   [](const auto& a, const auto& b) { return a.host_mono_us < b.host_mono_us; });
  return reads;
}

}  // namespace garita::bench

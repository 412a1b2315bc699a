#include "LaneTestSupport.hpp"

#include <algorithm>

namespace lanetest {

std::size_t Recorder::created() const {
  return static_cast<std::size_t>(
      std::count_if(crossings.begin(), crossings.end(),
                    [](const auto& e) { return e.kind == CrossingEventKind::created; }));
}

std::size_t Recorder::extended() const { return crossings.size() - created(); }

std::size_t Recorder::count(PipelineEventKind kind) const {
  return static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.kind == kind; }));
}

const PipelineEvent* Recorder::find(PipelineEventKind kind) const {
  for (const auto& e : events) {
    if (e.kind == kind) return &e;
  }
  return nullptr;
}

EpcBytes epc(std::uint32_t n) {
  std::uint8_t b[12] = {0xE2, 0xC0, 0xDE, 0x01, 0, 0, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) b[11 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  EpcBytes e;
  e.assign(b);
  return e;
}

TidBytes tid(std::uint32_t n) {
  std::uint8_t b[12] = {0xE2, 0x80, 0x11, 0x60, 0x20, 0x00, 0, 0, 0, 0, 0, 0};
  for (int i = 0; i < 4; ++i) b[11 - i] = static_cast<std::uint8_t>(n >> (8 * i));
  TidBytes t;
  t.assign(b);
  return t;
}

PipelineConfig lanes_config(std::size_t lanes) {
  PipelineConfig c;
  for (std::size_t i = 0; i < lanes; ++i) {
    LaneConfig l;
    l.lane_id = "P0" + std::to_string(i + 1);
    l.port_code = "SYS";
    l.antennas = {{static_cast<std::uint32_t>(i), 1, AntennaRole::entry},
                  {static_cast<std::uint32_t>(i), 2, AntennaRole::exit}};
    c.lanes.push_back(l);
  }
  return c;
}

TagRead make_read(const ReadSpec& s) {
  TagRead r;
  r.reader_id = s.reader;
  r.antenna = s.antenna;
  r.pc = 0x3000;
  r.epc = epc(s.epc);
  if (s.with_tid) r.tid = tid(s.epc);
  r.peak_rssi_cdbm = s.rssi_cdbm;
  const std::int64_t true_utc = s.t + kHostBase;  // the tests' true UTC is the initial host base
  if (s.uptime) {
    r.reader_first_seen_uptime_us = s.uptime;
  } else if (s.reader_utc) {
    r.reader_first_seen_utc_us = true_utc + s.reader_offset;
  }
  r.host_mono_us = s.t + s.delay;
  r.host_utc_us = r.host_mono_us + s.host_base;
  r.channel = 1;
  return r;
}

void Driver::read(const ReadSpec& s) {
  const TagRead r = make_read(s);
  pipeline.advance(r.host_mono_us);
  pipeline.on_read(r, r.host_mono_us);
}

void Driver::reads(std::uint32_t reader, std::uint16_t antenna, std::uint32_t epc_n,
                   std::int64_t from, std::int64_t to, std::int64_t step, std::int16_t rssi_cdbm) {
  for (std::int64_t t = from; t <= to; t += step) {
    ReadSpec s;
    s.reader = reader;
    s.antenna = antenna;
    s.epc = epc_n;
    s.t = t;
    s.rssi_cdbm = rssi_cdbm;
    read(s);
  }
}

}  // namespace lanetest

#include "garita/sim/GroundTruth.hpp"

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>

#include "garita/common/Errc.hpp"

namespace garita::sim {
namespace {

constexpr std::array<std::string_view, 6> kBehaviourNames = {
    "lingerer", "step_back", "counter_flow", "shielded", "group", "extra_tag"};

// Column names, in order. The preamble documents each.
constexpr std::array<std::string_view, 23> kColumns = {
    "traveler_id",
    "epc",
    "tid",
    "document_type",
    "is_traveler_card",
    "lane",
    "direction",
    "behaviours",
    "arrival_us",
    "departure_us",
    "first_in_range_us",
    "last_in_range_us",
    "detectable",
    "reads_true_lane",
    "qualifying_reads_true_lane",
    "peak_rssi_true_lane_cdbm",
    "first_read_true_lane_us",
    "last_read_true_lane_us",
    "max_read_gap_true_lane_us",
    "reads_other_lanes",
    "qualifying_reads_other_lanes",
    "peak_rssi_other_lanes_cdbm",
    "busiest_other_lane",
};

template <class T>
void append_number(std::string& out, T value) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, res.ptr);
}

template <class T>
void append_optional(std::string& out, const std::optional<T>& value) {
  if (value) append_number(out, *value);
}

}  // namespace

std::string_view to_string(Direction direction) noexcept {
  return direction == Direction::entry_to_exit ? "entry_to_exit" : "exit_to_entry";
}

std::optional<Direction> direction_from_string(std::string_view text) noexcept {
  if (text == "entry_to_exit") return Direction::entry_to_exit;
  if (text == "exit_to_entry") return Direction::exit_to_entry;
  return std::nullopt;
}

std::string behaviours_to_string(std::uint32_t flags) {
  std::string out;
  for (std::size_t i = 0; i < kBehaviourNames.size(); ++i) {
    if (flags & (1U << i)) {
      if (!out.empty()) out += '|';
      out += kBehaviourNames[i];
    }
  }
  return out.empty() ? std::string("none") : out;
}

std::optional<std::uint32_t> behaviours_from_string(std::string_view text) {
  if (text == "none") return behaviour::none;
  std::uint32_t flags = 0;
  while (true) {
    const auto bar = text.find('|');
    const std::string_view name = text.substr(0, bar);
    bool found = false;
    for (std::size_t i = 0; i < kBehaviourNames.size(); ++i) {
      if (name == kBehaviourNames[i]) {
        flags |= 1U << i;
        found = true;
      }
    }
    if (!found) return std::nullopt;
    if (bar == std::string_view::npos) break;
    text.remove_prefix(bar + 1);
  }
  return flags;
}

std::string ground_truth_csv_preamble() {
  std::string out =
      "# garita pedestrian traffic model: ground truth, one row per tag per pass.\n"
      "# Decided by what the traveller did in the model, not by the reads; read counts are\n"
      "# what the model generated, so a score can tell pipeline failures from passes that\n"
      "# could not be detected. Times: absolute model time in microseconds. Empty = none.\n"
      "#   traveler_id: 1-based, arrival order; a traveller's card and extra tag share it\n"
      "#   epc, tid: upper-case hex\n"
      "#   document_type: BCC, PRC, PASSPORT_CARD, SENTRI, NEXUS, FAST, EDL; UNKNOWN if not a "
      "card\n"
      "#   is_traveler_card: false for a non-WHTI tag (retail SGTIN-96) the traveller carried\n"
      "#   lane: lane id the traveller walked through\n"
      "#   direction: entry_to_exit (normal) or exit_to_entry (counter-flow)\n"
      "#   behaviours: none, or '|'-joined lingerer, step_back, counter_flow, shielded, group,\n"
      "#     extra_tag\n"
      "#   arrival_us, departure_us: entered / left the modelled stretch of lane\n"
      "#   first_in_range_us, last_in_range_us: tag inside the true lane's read zone (median\n"
      "#     link for this pass, no fading, no sleeve), sampled at inventory attempts\n"
      "#   detectable: >= min_reads reads with PeakRSSI >= min_rssi_dbm in the true lane\n"
      "#     (a correct pipeline makes exactly one crossing for it)\n"
      "#   reads_true_lane, qualifying_reads_true_lane: reads on the true lane's antennas, all /\n"
      "#     at or above min_rssi_dbm\n"
      "#   peak_rssi_true_lane_cdbm: strongest of them, 1/100 dBm\n"
      "#   first_read_true_lane_us, last_read_true_lane_us, max_read_gap_true_lane_us: their span\n"
      "#     and the longest gap between consecutive ones (> 2 s splits pipeline sessions)\n"
      "#   reads_other_lanes, qualifying_reads_other_lanes, peak_rssi_other_lanes_cdbm: the same\n"
      "#     for other lanes' antennas (bleed)\n"
      "#   busiest_other_lane: other lane with the most reads of this tag, 0 = none\n";
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (i) out += ',';
    out += kColumns[i];
  }
  out += '\n';
  return out;
}

void append_csv_row(std::string& out, const GroundTruthRecord& r) {
  append_number(out, r.traveler_id);
  out += ',';
  out += r.epc_hex;
  out += ',';
  out += r.tid_hex;
  out += ',';
  out += garita::to_string(r.document);
  out += ',';
  out += r.is_traveler_card ? "true" : "false";
  out += ',';
  append_number(out, r.lane);
  out += ',';
  out += to_string(r.direction);
  out += ',';
  out += behaviours_to_string(r.behaviours);
  out += ',';
  append_number(out, r.arrival_us);
  out += ',';
  append_number(out, r.departure_us);
  out += ',';
  append_optional(out, r.first_in_range_us);
  out += ',';
  append_optional(out, r.last_in_range_us);
  out += ',';
  out += r.detectable ? "true" : "false";
  out += ',';
  append_number(out, r.reads_true_lane);
  out += ',';
  append_number(out, r.qualifying_reads_true_lane);
  out += ',';
  append_optional(out, r.peak_rssi_true_lane_cdbm);
  out += ',';
  append_optional(out, r.first_read_true_lane_us);
  out += ',';
  append_optional(out, r.last_read_true_lane_us);
  out += ',';
  append_number(out, r.max_read_gap_true_lane_us);
  out += ',';
  append_number(out, r.reads_other_lanes);
  out += ',';
  append_number(out, r.qualifying_reads_other_lanes);
  out += ',';
  append_optional(out, r.peak_rssi_other_lanes_cdbm);
  out += ',';
  append_number(out, r.busiest_other_lane);
  out += '\n';
}

GroundTruthCsvWriter::~GroundTruthCsvWriter() { (void)close(); }

std::error_code GroundTruthCsvWriter::open(const std::filesystem::path& path) {
  (void)close();
  failed_ = false;
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_) return Errc::io_error;
  const std::string pre = ground_truth_csv_preamble();
  if (std::fwrite(pre.data(), 1, pre.size(), file_) != pre.size()) failed_ = true;
  return failed_ ? std::error_code(Errc::io_error) : std::error_code();
}

std::error_code GroundTruthCsvWriter::write(const GroundTruthRecord& record) {
  if (!file_) return Errc::io_error;
  line_.clear();
  append_csv_row(line_, record);
  if (std::fwrite(line_.data(), 1, line_.size(), file_) != line_.size()) failed_ = true;
  return failed_ ? std::error_code(Errc::io_error) : std::error_code();
}

std::error_code GroundTruthCsvWriter::close() {
  if (!file_) return {};
  if (std::fclose(file_) != 0) failed_ = true;
  file_ = nullptr;
  return failed_ ? std::error_code(Errc::io_error) : std::error_code();
}

std::error_code write_ground_truth_csv(const std::filesystem::path& path,
                                       std::span<const GroundTruthRecord> records) {
  GroundTruthCsvWriter writer;
  if (auto ec = writer.open(path)) return ec;
  for (const auto& r : records) {
    if (auto ec = writer.write(r)) return ec;
  }
  return writer.close();
}

namespace {

class RowParser {
 public:
  RowParser(std::string_view line, std::string& what) : line_(line), what_(what) {}

  bool field(std::string_view& out) {
    column_ = index_++;
    if (done_) return fail("too few fields");
    const auto comma = line_.find(',');
    out = line_.substr(0, comma);
    if (comma == std::string_view::npos) {
      done_ = true;
    } else {
      line_.remove_prefix(comma + 1);
    }
    return true;
  }

  template <class T>
  bool number(T& out) {
    std::string_view f;
    if (!field(f)) return false;
    return parse_number(f, out);
  }

  template <class T>
  bool optional_number(std::optional<T>& out) {
    std::string_view f;
    if (!field(f)) return false;
    if (f.empty()) {
      out.reset();
      return true;
    }
    T v{};
    if (!parse_number(f, v)) return false;
    out = v;
    return true;
  }

  bool boolean(bool& out) {
    std::string_view f;
    if (!field(f)) return false;
    if (f == "true") {
      out = true;
    } else if (f == "false") {
      out = false;
    } else {
      return fail("expected true or false");
    }
    return true;
  }

  bool end() {
    if (!done_) return fail("too many fields");
    return true;
  }

  bool fail(const std::string& message) {
    what_ = std::string(kColumns[std::min(column_, kColumns.size() - 1)]) + ": " + message;
    return false;
  }

 private:
  template <class T>
  bool parse_number(std::string_view f, T& out) {
    const auto res = std::from_chars(f.data(), f.data() + f.size(), out);
    if (res.ec != std::errc() || res.ptr != f.data() + f.size() || f.empty()) {
      return fail("not a number: '" + std::string(f) + "'");
    }
    return true;
  }

  std::string_view line_;
  std::string& what_;
  std::size_t index_ = 0;
  std::size_t column_ = 0;
  bool done_ = false;
};

bool parse_row(std::string_view line, GroundTruthRecord& r, std::string& what) {
  RowParser p(line, what);
  std::string_view f;
  if (!p.number(r.traveler_id)) return false;
  if (!p.field(f)) return false;
  r.epc_hex = std::string(f);
  if (!p.field(f)) return false;
  r.tid_hex = std::string(f);
  if (!p.field(f)) return false;
  if (auto d = document_type_from_string(f)) {
    r.document = *d;
  } else {
    return p.fail("unknown document type '" + std::string(f) + "'");
  }
  if (!p.boolean(r.is_traveler_card)) return false;
  if (!p.number(r.lane)) return false;
  if (!p.field(f)) return false;
  if (auto d = direction_from_string(f)) {
    r.direction = *d;
  } else {
    return p.fail("unknown direction '" + std::string(f) + "'");
  }
  if (!p.field(f)) return false;
  if (auto b = behaviours_from_string(f)) {
    r.behaviours = *b;
  } else {
    return p.fail("unknown behaviour in '" + std::string(f) + "'");
  }
  return p.number(r.arrival_us) && p.number(r.departure_us) &&
         p.optional_number(r.first_in_range_us) && p.optional_number(r.last_in_range_us) &&
         p.boolean(r.detectable) && p.number(r.reads_true_lane) &&
         p.number(r.qualifying_reads_true_lane) && p.optional_number(r.peak_rssi_true_lane_cdbm) &&
         p.optional_number(r.first_read_true_lane_us) &&
         p.optional_number(r.last_read_true_lane_us) && p.number(r.max_read_gap_true_lane_us) &&
         p.number(r.reads_other_lanes) && p.number(r.qualifying_reads_other_lanes) &&
         p.optional_number(r.peak_rssi_other_lanes_cdbm) && p.number(r.busiest_other_lane) &&
         p.end();
}

}  // namespace

std::error_code parse_ground_truth_csv(std::string_view text, std::string_view source_name,
                                       std::vector<GroundTruthRecord>& out, std::string& error) {
  out.clear();
  std::string header;
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (i) header += ',';
    header += kColumns[i];
  }
  bool seen_header = false;
  std::size_t line_no = 0;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto fail = [&](const std::string& what) {
      error = std::string(source_name) + ":" + std::to_string(line_no) + ": " + what;
      out.clear();
      return std::error_code(Errc::config_bad_value);
    };
    if (!seen_header) {
      if (line != header) return fail("expected the header line '" + header + "'");
      seen_header = true;
      continue;
    }
    GroundTruthRecord r;
    std::string what;
    if (!parse_row(line, r, what)) return fail(what);
    out.push_back(std::move(r));
  }
  if (!seen_header) {
    error = std::string(source_name) + ": no header line";
    return Errc::config_bad_value;
  }
  error.clear();
  return {};
}

std::error_code read_ground_truth_csv(const std::filesystem::path& path,
                                      std::vector<GroundTruthRecord>& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path.string() + ": cannot open";
    return Errc::io_error;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = path.string() + ": read error";
    return Errc::io_error;
  }
  return parse_ground_truth_csv(ss.str(), path.string(), out, error);
}

}  // namespace garita::sim

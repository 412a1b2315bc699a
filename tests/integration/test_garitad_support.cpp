#include "test_garitad_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace garita::test::gd {
namespace {

constexpr auto kPoll = 20ms;

std::string read_file(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Splits one CSV line on commas (the simulator's files never quote).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::stringstream s(line);
  while (std::getline(s, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

}  // namespace

ScratchDir::ScratchDir(const std::string& prefix) {
  std::string pattern = "/tmp/garitad-" + prefix + "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  path_ = buf.data();
}

ScratchDir::~ScratchDir() {
  if (const char* keep = std::getenv("GARITA_KEEP_TMP");
      keep != nullptr && std::string(keep) == "1") {
    std::cout << "kept " << path_.string() << "\n";
    return;
  }
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string lane_name(unsigned lane) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "P%02u", lane);
  return buf;
}

std::int64_t utc_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Simulator::Simulator(const ScratchDir& dir, const std::vector<std::string>& args,
                     const std::string& name) {
  const fs::path ready = dir / (name + ".ready");
  std::vector<std::string> argv = {GARITA_SIM,     "llrp",         "--port", "0",
                                   "--ready-file", ready.string(), "--quiet"};
  argv.insert(argv.end(), args.begin(), args.end());
  started_utc_us_ = utc_now_us();
  process_ = std::make_unique<BackgroundProcess>(argv, dir.path(), name);
  const bool ready_ok = process_->wait_for_file(ready, 30s);
  INFO("simulator stderr: " << process_->stderr_text());
  REQUIRE(ready_ok);
  std::ifstream f(ready);
  unsigned lane = 0;
  unsigned port = 0;
  while (f >> lane >> port) ports_[lane] = static_cast<std::uint16_t>(port);
  REQUIRE_FALSE(ports_.empty());
}

std::uint16_t closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);  // never listened: connections are refused
  return ntohs(addr.sin_port);
}

fs::path write_config(const ScratchDir& dir, const std::map<unsigned, std::uint16_t>& ports,
                      const fs::path& db, const std::string& extra, const std::string& name) {
  std::ostringstream s;
  s << "issuers_file = \"" << GARITA_EXAMPLE_ISSUERS << "\"\n";
  s << "[site]\nport_code = \"SYS\"\ntime_zone = \"America/Tijuana\"\n";
  s << "[database]\npath = \"" << db.string() << "\"\n";
  s << extra;
  for (const auto& [lane, port] : ports) {
    s << "[[reader]]\nid = \"r" << lane << "\"\nuri = \"llrp://127.0.0.1:" << port << "\"\n";
  }
  for (const auto& [lane, port] : ports) {
    s << "[[lane]]\nid = \"" << lane_name(lane) << "\"\n";
    s << "[[lane.antenna]]\nreader = \"r" << lane << "\"\nantenna = 1\nrole = \"entry\"\n";
    s << "[[lane.antenna]]\nreader = \"r" << lane << "\"\nantenna = 2\nrole = \"exit\"\n";
  }
  const fs::path path = dir / name;
  std::ofstream(path) << s.str();
  return path;
}

Garitad::Garitad(const ScratchDir& dir, const fs::path& config, const std::string& name)
    : process_(std::make_unique<BackgroundProcess>(
          std::vector<std::string>{GARITA_DAEMON, "--config", config.string()}, dir.path(), name)) {
}

bool Garitad::wait_log(const std::string& text, std::size_t n, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (count_of(log(), text) >= n) return true;
    if (!process_->running() || std::chrono::steady_clock::now() >= deadline)
      return count_of(log(), text) >= n;
    std::this_thread::sleep_for(kPoll);
  }
}

bool Garitad::wait_started(std::chrono::milliseconds limit) {
  return wait_log("garitad: started:", 1, limit);
}

bool Garitad::wait_commits(std::size_t n, std::chrono::milliseconds limit) {
  return wait_log("crossing committed", n, limit);
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size()))
    ++n;
  return n;
}

std::vector<CommitLine> parse_commits(const std::string& log) {
  std::vector<CommitLine> out;
  std::istringstream lines(log);
  std::string line;
  const std::string marker = "store: crossing committed ";
  while (std::getline(lines, line)) {
    const auto at = line.find(marker);
    if (at == std::string::npos) continue;
    std::istringstream words(line.substr(at + marker.size()));
    std::string word;
    CommitLine c;
    bool has_lane = false;
    bool has_seq = false;
    while (words >> word) {
      const auto eq = word.find('=');
      const std::string key = word.substr(0, eq);
      const std::string value = eq == std::string::npos ? "" : word.substr(eq + 1);
      if (key == "lane") {
        c.lane = value;
        has_lane = true;
      } else if (key == "seq") {
        c.sequence = std::stoull(value);
        has_seq = true;
      } else if (key == "document") {
        c.document = value;
      } else if (key == "reads") {
        c.reads = static_cast<std::uint32_t>(std::stoul(value));
      } else if (key == "extended") {
        c.extended = true;
      }
    }
    INFO("log line: " << line);
    REQUIRE(has_lane);
    REQUIRE(has_seq);
    out.push_back(c);
  }
  return out;
}

std::string log_without_commits(const std::string& log, std::size_t max_lines) {
  std::istringstream lines(log);
  std::string line;
  std::string out;
  std::size_t n = 0;
  while (std::getline(lines, line)) {
    if (line.find("crossing committed") != std::string::npos) continue;
    if (++n > max_lines) {
      out += "...\n";
      break;
    }
    out += line + "\n";
  }
  return out;
}

std::vector<store::StoredCrossing> read_crossings(const fs::path& db) {
  store::CrossingStore s;
  store::StoreOptions o;
  o.read_only = true;
  o.create = false;
  const auto ec = s.open(db, o);
  INFO(s.last_error());
  REQUIRE_FALSE(ec);
  std::vector<store::StoredCrossing> out;
  store::CrossingFilter f;
  f.limit = 10'000;
  for (;;) {
    store::CrossingPage page;
    const auto lec = s.list_crossings(f, page);
    INFO(s.last_error());
    REQUIRE_FALSE(lec);
    out.insert(out.end(), page.rows.begin(), page.rows.end());
    if (!page.next) break;
    f.after = page.next;
  }
  return out;
}

std::map<std::string, std::uint64_t> max_sequences(const fs::path& db) {
  std::map<std::string, std::uint64_t> out;
  std::error_code fs_ec;
  if (!fs::exists(db, fs_ec)) return out;
  store::CrossingStore s;
  store::StoreOptions o;
  o.read_only = true;
  o.create = false;
  const auto ec = s.open(db, o);
  INFO(s.last_error());
  REQUIRE_FALSE(ec);
  std::vector<store::LaneSequence> seqs;
  const auto lec = s.lane_sequences(seqs);
  INFO(s.last_error());
  REQUIRE_FALSE(lec);
  for (const auto& l : seqs) out[l.lane_id] = l.max_sequence;
  return out;
}

DbHealth db_health(const fs::path& db) {
  store::CrossingStore s;
  store::StoreOptions o;
  o.read_only = true;
  o.create = false;
  const auto ec = s.open(db, o);
  INFO(s.last_error());
  REQUIRE_FALSE(ec);
  DbHealth h;
  REQUIRE_FALSE(s.integrity_check(h.integrity));
  REQUIRE_FALSE(s.counts(h.counts));
  return h;
}

std::vector<sim::GroundTruthRecord> read_truth(const fs::path& csv) {
  std::vector<sim::GroundTruthRecord> out;
  std::string error;
  const auto ec = sim::read_ground_truth_csv(csv, out, error);
  INFO(error);
  REQUIRE_FALSE(ec);
  return out;
}

std::vector<SentRow> read_sent_log(const fs::path& csv) {
  std::istringstream f(read_file(csv));
  std::vector<SentRow> rows;
  std::string line;
  bool header = false;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (!header) {
      header = true;
      REQUIRE(line.rfind("time_us,lane,antenna,epc,", 0) == 0);
      continue;
    }
    const std::vector<std::string> cells = split_csv(line);
    INFO("sent log line: " << line);
    REQUIRE(cells.size() == 14);
    SentRow r;
    r.time_us = std::stoll(cells[0]);
    r.lane = static_cast<unsigned>(std::stoul(cells[1]));
    r.antenna = static_cast<unsigned>(std::stoul(cells[2]));
    r.epc = cells[3];
    r.first_seen_us = std::stoll(cells[4]);
    r.peak_rssi_dbm = cells[7].empty() ? -128 : std::stoi(cells[7]);
    r.outcome = cells[10];
    r.detail = cells[11];
    rows.push_back(std::move(r));
  }
  REQUIRE(header);
  return rows;
}

SentSummary summarize(const std::vector<SentRow>& rows) {
  SentSummary out;
  for (const SentRow& r : rows) {
    out.read.insert(r.epc);
    if (r.outcome != "sent") out.unreported.insert(r.epc);
  }
  return out;
}

std::int64_t Score::time_error_quantile(double q) const {
  if (time_errors.empty()) return 0;
  std::vector<std::int64_t> v = time_errors;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(q * double(v.size())))];
}

std::string Score::summary() const {
  char buf[768];
  std::snprintf(
      buf, sizeof buf,
      "precision %.4f (%zu passes found by %zu crossings; %zu duplicates, %zu unknown EPC; %zu "
      "more "
      "of travellers still walking at the end)\n"
      "recall    %.4f (%zu of %zu detectable traveller passes; %zu more left out: the reader did "
      "not "
      "report all their reads)\n"
      "lane accuracy %.4f (%zu of %zu), direction accuracy %.4f (%zu unknown), counter-flow "
      "flagged %zu "
      "of %zu\n"
      "first_seen - first true-lane read: p50 %lld us, p99 %lld us; retail-tag crossings %zu\n",
      precision(), correct, crossings, duplicates, unknown_epc, in_progress, recall(), detected,
      detectable, excluded, lane_accuracy(), lane_right, correct, direction_accuracy(), dir_unknown,
      counter_flow_flagged, counter_flow, static_cast<long long>(time_error_quantile(0.5)),
      static_cast<long long>(time_error_quantile(0.99)), retail_crossings);
  std::string s = buf;
  for (const auto& [b, n] : missed_by_behaviour)
    s += "  missed: " + b + " x" + std::to_string(n) + "\n";
  for (const auto& [b, n] : wrong_lane_by_behaviour)
    s += "  wrong lane: " + b + " x" + std::to_string(n) + "\n";
  return s;
}

Score score_crossings(const std::vector<store::StoredCrossing>& stored,
                      const std::vector<sim::GroundTruthRecord>& truth, const SentSummary& sent) {
  Score s;
  std::unordered_map<std::string, const sim::GroundTruthRecord*> by_epc;
  for (const auto& t : truth) {
    const bool fresh = by_epc.emplace(t.epc_hex, &t).second;
    REQUIRE(fresh);  // the model never reuses an EPC
  }
  std::unordered_map<std::string, std::vector<const Crossing*>> found;
  for (const store::StoredCrossing& row : stored) {
    const Crossing& x = row.crossing;
    auto it = by_epc.find(x.epc_hex);
    if (it == by_epc.end() && sent.read.count(x.epc_hex) != 0) {
      ++s.in_progress;
      continue;
    }
    if (it != by_epc.end() && !it->second->is_traveler_card) {
      ++s.retail_crossings;
      continue;
    }
    ++s.crossings;
    if (it == by_epc.end()) {
      ++s.unknown_epc;
      continue;
    }
    found[x.epc_hex].push_back(&x);
  }
  for (const auto& t : truth) {
    if (!t.is_traveler_card) continue;
    auto f = found.find(t.epc_hex);
    const std::size_t n = f == found.end() ? 0 : f->second.size();
    if (t.detectable) {
      if (sent.unreported.count(t.epc_hex) != 0) {
        ++s.excluded;
      } else {
        ++s.detectable;
        if (n > 0) {
          ++s.detected;
        } else {
          ++s.missed_by_behaviour[sim::behaviours_to_string(t.behaviours)];
        }
      }
    }
    if (n == 0) continue;
    ++s.correct;
    s.duplicates += n - 1;
    const Crossing& x = *f->second.front();
    if (x.lane_id != lane_name(t.lane)) {
      ++s.wrong_lane_by_behaviour[sim::behaviours_to_string(t.behaviours)];
      continue;
    }
    ++s.lane_right;
    const Direction want = t.direction == sim::Direction::entry_to_exit ? Direction::with_flow
                                                                        : Direction::counter_flow;
    if (x.direction == Direction::unknown) {
      ++s.dir_unknown;
    } else {
      ++s.dir_known;
      if (x.direction == want) ++s.dir_right;
    }
    if (t.detectable && (t.behaviours & sim::behaviour::counter_flow) != 0) {
      ++s.counter_flow;
      if (x.direction == Direction::counter_flow) ++s.counter_flow_flagged;
    }
    if (t.first_read_true_lane_us)
      s.time_errors.push_back(x.first_seen_utc_us - *t.first_read_true_lane_us);
  }
  return s;
}

}  // namespace garita::test::gd

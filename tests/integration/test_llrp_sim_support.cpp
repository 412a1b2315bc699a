#include "test_llrp_sim_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>

#include "garita/common/Hex.hpp"
#include "garita/hal/llrp/AccessSpec.hpp"
#include "garita/hal/llrp/EmptyMessage.hpp"
#include "garita/hal/llrp/ReaderConfig.hpp"
#include "garita/hal/llrp/RoAccessReport.hpp"
#include "garita/hal/llrp/RoSpec.hpp"
#include "garita/hal/llrp/StatusMessage.hpp"

namespace garita::test {
namespace codec = garita::hal::llrp;

TempDir::TempDir(const std::string& prefix) {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto p = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(rd()));
    if (std::filesystem::create_directory(p)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp dir");
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

SimProcess::SimProcess(const TempDir& dir, std::vector<std::string> args, const std::string& name) {
  const auto ready = dir / (name + ".ready");
  std::vector<std::string> argv = {GARITA_SIM, "llrp",         "--port",
                                   "0",        "--ready-file", ready.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  process_ = std::make_unique<BackgroundProcess>(argv, dir.path(), name);
  const bool is_ready = process_->wait_for_file(ready, 20s);
  INFO("stderr: " << process_->stderr_text());
  REQUIRE(is_ready);
  std::ifstream f(ready);
  unsigned lane = 0;
  unsigned port = 0;
  while (f >> lane >> port) ports_[lane] = static_cast<std::uint16_t>(port);
  REQUIRE_FALSE(ports_.empty());
}

std::uint16_t SimProcess::port(unsigned lane) const { return ports_.at(lane); }

codec::MessageView ReceivedMessage::view() const {
  codec::MessageView v;
  const auto ec = codec::parse_message(bytes, v);
  REQUIRE_FALSE(ec);
  return v;
}

LlrpTestClient::~LlrpTestClient() { close(); }

std::error_code LlrpTestClient::connect(std::uint16_t port) {
  close();
  lexer_.reset();
  eof_ = false;
  framing_error_ = {};
  ready_.clear();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return {errno, std::generic_category()};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const std::error_code ec(errno, std::generic_category());
    close();
    return ec;
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return {};
}

void LlrpTestClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void LlrpTestClient::send(const std::vector<std::uint8_t>& bytes) {
  REQUIRE(fd_ >= 0);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    REQUIRE(n > 0);
    done += static_cast<std::size_t>(n);
  }
}

bool LlrpTestClient::fill(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0 || eof_ || framing_error_) return false;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  pollfd p{fd_, POLLIN, 0};
  const int r = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
  if (r <= 0) return false;
  std::uint8_t buf[16384];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  const auto now = std::chrono::steady_clock::now();
  framing_error_ = lexer_.feed(
      std::span<const std::uint8_t>(buf, static_cast<std::size_t>(n)),
      [this, now](const codec::MessageView& m) {
        ready_.push_back({std::vector<std::uint8_t>(m.bytes.begin(), m.bytes.end()), now});
      });
  return true;
}

std::optional<ReceivedMessage> LlrpTestClient::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (ready_.empty()) {
    if (!fill(deadline) &&
        (eof_ || framing_error_ || std::chrono::steady_clock::now() >= deadline)) {
      if (ready_.empty()) return std::nullopt;
    }
  }
  ReceivedMessage m = std::move(ready_.front());
  ready_.erase(ready_.begin());
  const auto header = m.view().header;
  if (header.type == codec::MessageType::keepalive) {
    ++keepalives;
    keepalive_times.push_back(m.at);
    if (auto_ack && fd_ >= 0) {
      std::vector<std::uint8_t> ack;
      REQUIRE_FALSE(
          codec::encode_empty_message(ack, codec::MessageType::keepalive_ack, header.message_id));
      send(ack);
    }
  } else if (header.type == codec::MessageType::ro_access_report) {
    const auto ec = codec::for_each_tag_report(
        m.view(), [this](const codec::TagReport& t) { tags.push_back(t); });
    REQUIRE_FALSE(ec);
  }
  return m;
}

ReceivedMessage LlrpTestClient::expect(codec::MessageType type, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto m = receive(std::max(left, 0ms));
    INFO("waiting for " << codec::to_string(type));
    REQUIRE(m);
    if (m->type() == type) return std::move(*m);
    skipped.push_back(std::move(*m));
  }
}

codec::LlrpStatus LlrpTestClient::transact(const std::vector<std::uint8_t>& request,
                                           codec::MessageType response) {
  send(request);
  const auto m = expect(response);
  codec::LlrpStatus status;
  REQUIRE_FALSE(codec::decode_status_message(m.view(), status));
  return status;
}

bool LlrpTestClient::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!eof_ && !framing_error_ && std::chrono::steady_clock::now() < deadline) {
    while (!ready_.empty()) (void)receive(0ms);
    fill(deadline);
  }
  while (!ready_.empty()) (void)receive(0ms);
  return eof_;
}

codec::ReaderEventNotification expect_connection_event(LlrpTestClient& client) {
  auto first = client.receive(5s);
  REQUIRE(first);
  REQUIRE(first->type() == codec::MessageType::reader_event_notification);
  codec::ReaderEventNotification event;
  REQUIRE_FALSE(codec::decode_reader_event_notification(first->view(), event));
  REQUIRE(event.connection_attempt);
  return event;
}

void run_lane_setup(LlrpTestClient& client, std::uint32_t keepalive_ms) {
  std::vector<std::uint8_t> b;
  codec::SetReaderConfig reset;
  reset.reset_to_factory_default = true;
  REQUIRE_FALSE(codec::encode_set_reader_config(b, client.next_id(), reset));
  REQUIRE(client.transact(b, codec::MessageType::set_reader_config_response).ok());

  codec::SetReaderConfig config;
  config.config.keepalive_spec =
      codec::KeepaliveSpec{codec::KeepaliveTrigger::periodic, keepalive_ms};
  b.clear();
  REQUIRE_FALSE(codec::encode_set_reader_config(b, client.next_id(), config));
  REQUIRE(client.transact(b, codec::MessageType::set_reader_config_response).ok());

  codec::RoSpec spec;
  spec.id = 1;
  spec.start_trigger.type = codec::RoSpecStartTriggerType::immediate;
  codec::AiSpec ai;
  ai.antenna_ids = {1, 2};
  codec::InventoryParameterSpec ips;
  ips.id = 1;
  ai.inventory_parameter_specs.push_back(ips);
  spec.ai_specs.push_back(ai);
  codec::RoReportSpec report;
  report.n = 1;
  report.content.enable_antenna_id = true;
  report.content.enable_peak_rssi = true;
  report.content.enable_first_seen_timestamp = true;
  report.content.enable_tag_seen_count = true;
  report.content.enable_access_spec_id = true;
  spec.report_spec = report;
  b.clear();
  REQUIRE_FALSE(codec::encode_add_rospec(b, client.next_id(), spec));
  REQUIRE(client.transact(b, codec::MessageType::add_rospec_response).ok());

  codec::AccessSpec access;
  access.id = 1;
  codec::C1G2TargetTag any;
  any.bank = codec::MemoryBank::epc;
  any.pointer = 0x20;
  access.tag_patterns.push_back(any);
  access.reads.push_back(codec::C1G2Read{1, 0, codec::MemoryBank::tid, 0, 6});
  b.clear();
  REQUIRE_FALSE(codec::encode_add_accessspec(b, client.next_id(), access));
  REQUIRE(client.transact(b, codec::MessageType::add_accessspec_response).ok());
  b.clear();
  REQUIRE_FALSE(codec::encode_accessspec_command(b, codec::MessageType::enable_accessspec,
                                                 client.next_id(), 1));
  REQUIRE(client.transact(b, codec::MessageType::enable_accessspec_response).ok());
  b.clear();
  REQUIRE_FALSE(
      codec::encode_rospec_command(b, codec::MessageType::enable_rospec, client.next_id(), 1));
  REQUIRE(client.transact(b, codec::MessageType::enable_rospec_response).ok());
}

std::vector<SentRow> read_sent_log(const std::filesystem::path& path) {
  std::ifstream f(path);
  REQUIRE(f);
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
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    REQUIRE(cells.size() == 14);
    SentRow r;
    r.time_us = std::stoll(cells[0]);
    r.lane = static_cast<unsigned>(std::stoul(cells[1]));
    r.antenna = static_cast<unsigned>(std::stoul(cells[2]));
    r.epc = cells[3];
    r.first_seen_us = std::stoll(cells[4]);
    r.last_seen_us = std::stoll(cells[5]);
    r.seen_count = static_cast<unsigned>(std::stoul(cells[6]));
    r.peak_rssi_dbm = std::stoi(cells[7]);
    r.tid = cells[9];
    r.outcome = cells[10];
    r.detail = cells[11];
    if (!cells[12].empty()) r.connection = static_cast<unsigned>(std::stoul(cells[12]));
    if (!cells[13].empty()) r.message_id = static_cast<std::uint32_t>(std::stoul(cells[13]));
    rows.push_back(r);
  }
  REQUIRE(header);
  return rows;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string report_key(const std::string& epc_hex, unsigned antenna, std::uint64_t first_seen_us) {
  return epc_hex + "/" + std::to_string(antenna) + "/" + std::to_string(first_seen_us);
}

}  // namespace garita::test

#pragma once
// Support for the integration tests that run the real `garita-sim llrp`:
// a scratch directory, the simulator as a background process (waiting for
// its ready file), a scripted LLRP client made from the codec over a
// blocking loopback socket, and the simulator's sent log parsed back.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "BackgroundProcess.hpp"
#include "garita/hal/llrp/FrameLexer.hpp"
#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ReaderEventNotification.hpp"
#include "garita/hal/llrp/TagReport.hpp"

namespace garita::test {

using namespace std::chrono_literals;

// A fresh directory under the system temp dir, removed at the end.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// `garita-sim llrp --port 0 --ready-file ... ARGS`, started and ready.
class SimProcess {
 public:
  SimProcess(const TempDir& dir, std::vector<std::string> args, const std::string& name = "sim");
  // The port of lane `lane` (1-based), from the ready file.
  std::uint16_t port(unsigned lane = 1) const;
  BackgroundProcess& process() { return *process_; }
  ProcessResult stop(std::chrono::milliseconds limit = 15s) { return process_->stop(limit); }

 private:
  std::unique_ptr<BackgroundProcess> process_;
  std::map<unsigned, std::uint16_t> ports_;
};

// One whole message received, owning its bytes.
struct ReceivedMessage {
  std::vector<std::uint8_t> bytes;
  std::chrono::steady_clock::time_point at;
  hal::llrp::MessageView view() const;
  hal::llrp::MessageType type() const { return view().header.type; }
};

// A blocking LLRP client for tests.
class LlrpTestClient {
 public:
  LlrpTestClient() = default;
  ~LlrpTestClient();
  LlrpTestClient(const LlrpTestClient&) = delete;
  LlrpTestClient& operator=(const LlrpTestClient&) = delete;

  // Connects to 127.0.0.1:port; the error (e.g. connection refused) otherwise.
  std::error_code connect(std::uint16_t port);
  void close();
  bool is_open() const noexcept { return fd_ >= 0; }

  void send(const std::vector<std::uint8_t>& bytes);
  std::uint32_t next_id() { return ++message_id_; }

  // The next message, or nullopt on timeout, EOF or a framing error
  // (eof()/framing_error() say which). KEEPALIVEs are answered with
  // KEEPALIVE_ACK when auto_ack is on, and counted either way.
  std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout);
  // Receives until a message of `type` arrives (others are kept in
  // `skipped`); fails the test on timeout.
  ReceivedMessage expect(hal::llrp::MessageType type, std::chrono::milliseconds timeout = 5s);
  // Sends a request and returns the LLRPStatus of its `response` type.
  hal::llrp::LlrpStatus transact(const std::vector<std::uint8_t>& request,
                                 hal::llrp::MessageType response);
  // Reads until EOF or error; true if the connection ended within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout);

  bool eof() const noexcept { return eof_; }
  std::error_code framing_error() const noexcept { return framing_error_; }

  bool auto_ack = true;
  std::size_t keepalives = 0;
  std::vector<std::chrono::steady_clock::time_point> keepalive_times;
  std::vector<ReceivedMessage> skipped;
  std::vector<hal::llrp::TagReport> tags;  // from every RO_ACCESS_REPORT received

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::uint32_t message_id_ = 1000;
  hal::llrp::FrameLexer lexer_;
  std::vector<ReceivedMessage> ready_;
  bool eof_ = false;
  std::error_code framing_error_;
};

// Waits for the first message and checks it is ConnectionAttemptEvent(status).
hal::llrp::ReaderEventNotification expect_connection_event(LlrpTestClient& client);

// The start-up sequence a lane client runs (reset, keepalives every
// `keepalive_ms`, ROSpec 1 over antennas 1-2 reporting every tag with the
// lane's fields, the TID AccessSpec 1), ending with ENABLE_ROSPEC.
void run_lane_setup(LlrpTestClient& client, std::uint32_t keepalive_ms);

// One row of the simulator's sent log.
struct SentRow {
  std::int64_t time_us = 0;
  unsigned lane = 0;
  unsigned antenna = 0;
  std::string epc;
  std::int64_t first_seen_us = 0;
  std::int64_t last_seen_us = 0;
  unsigned seen_count = 0;
  int peak_rssi_dbm = 0;
  std::string tid;
  std::string outcome;
  std::string detail;
  unsigned connection = 0;
  std::uint32_t message_id = 0;
};

std::vector<SentRow> read_sent_log(const std::filesystem::path& path);

// The whole file as text ("" if it cannot be read).
std::string read_text(const std::filesystem::path& path);

// "EPC/antenna/first-seen" keys, the identity of one TagReportData.
std::string report_key(const std::string& epc_hex, unsigned antenna, std::uint64_t first_seen_us);

}  // namespace garita::test

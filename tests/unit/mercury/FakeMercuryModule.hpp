#pragma once
// A scripted Mercury module for driver tests: the far end of a local
// socketpair, answering host commands with the codec the simulator uses.
// Behaviour knobs: bootloader first, a region, statuses or silence for any
// opcode, responses without CRC, and "unplugged" (the opener fails until
// replugged). Tag and status frames are pushed by the test.
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/write.hpp>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "garita/hal/AsioByteStream.hpp"
#include "garita/hal/ByteStream.hpp"
#include "garita/hal/mercury/Commands.hpp"
#include "garita/hal/mercury/MercuryFrameLexer.hpp"
#include "garita/hal/mercury/Opcode.hpp"
#include "garita/hal/mercury/Responses.hpp"
#include "garita/hal/mercury/StreamMessages.hpp"

namespace garita::test {

namespace asio = boost::asio;
using local_socket = asio::local::stream_protocol::socket;
namespace m = hal::mercury;

class FakeMercuryModule {
 public:
  explicit FakeMercuryModule(asio::io_context& io) : io_(io) {}

  // --- knobs ---
  bool start_in_bootloader = false;
  std::uint8_t region = 0x0D;  // NA2
  bool with_crc = true;
  bool plugged = true;
  std::set<std::uint8_t> silent;                   // opcodes never answered
  std::map<std::uint8_t, std::uint16_t> statuses;  // opcode -> error status
  bool refuse_stats_streaming = false;             // old firmware: 0x2F with stats flag fails

  // --- what happened ---
  std::vector<std::uint8_t> opcodes;  // every command received, in order
  std::vector<std::vector<std::uint8_t>> command_data;
  int opens = 0;
  bool streaming = false;
  m::ContinuousReadPlan plan;
  std::vector<std::pair<std::uint8_t, bool>> gpo;

  // The driver's opener: a new socketpair per attempt.
  hal::ByteStreamOpener opener() {
    return [this](asio::io_context& io, std::error_code& ec,
                  std::string& why) -> std::unique_ptr<hal::ByteStream> {
      if (!plugged) {
        ec = std::make_error_code(std::errc::no_such_file_or_directory);
        why = "cannot open /dev/ttyFAKE: No such file or directory";
        return nullptr;
      }
      ++opens;
      local_socket driver_end(io);
      auto module_end = std::make_shared<local_socket>(io);
      asio::local::connect_pair(driver_end, *module_end);
      socket_ = module_end;
      lexer_ =
          std::make_unique<m::MercuryFrameLexer>(m::MercuryFrameLexer::Direction::host_commands);
      in_bootloader_ = start_in_bootloader;
      streaming = false;
      read_from(module_end);
      return std::make_unique<hal::AsioByteStream<local_socket>>(std::move(driver_end),
                                                                 "/dev/ttyFAKE at 115200 baud");
    };
  }

  // Pulls the plug: the link breaks and opens fail until replug().
  void unplug() {
    plugged = false;
    if (socket_) {
      boost::system::error_code ignored;
      socket_->close(ignored);
    }
    socket_.reset();
    streaming = false;
  }
  void replug() { plugged = true; }

  // Stream frames (only meaningful while streaming).
  void send_tag(std::span<const std::uint8_t> epc, std::span<const std::uint8_t> tid,
                std::uint8_t antenna = 1, std::int8_t rssi = -52, std::uint32_t time_ms = 1200) {
    m::StreamTagRead r;
    r.search_flags = plan.search_flags;
    r.metadata_flags = plan.metadata_flags;
    r.read_count = 1;
    r.rssi_dbm = rssi;
    r.antenna = static_cast<std::uint8_t>(antenna << 4 | antenna);
    r.frequency_khz = 915250;
    r.timestamp_ms = time_ms;
    r.protocol = 5;
    r.data.assign(tid);
    r.pc = static_cast<std::uint16_t>((epc.size() / 2) << 11);
    r.epc.assign(epc);
    std::vector<std::uint8_t> data;
    REQUIRE_FALSE(m::encode_stream_tag_read(r, data));
    reply(0x22, 0, data);
  }
  void send_keep_alive() { reply(0x22, 0x0400, {}); }
  void send_status(std::uint16_t status) { reply(0x22, status, {}); }
  void send_stats(std::int8_t celsius) {
    m::ModuleStats s;
    s.search_flags = plan.search_flags;
    s.metadata_flags = plan.metadata_flags;
    s.temperature_c = celsius;
    reply(0x22, 0, m::encode_stats_report_data(s));
  }
  void send_raw(std::vector<std::uint8_t> bytes) { write(std::move(bytes)); }

  std::size_t count(m::Opcode op) const {
    std::size_t n = 0;
    for (auto o : opcodes) n += o == static_cast<std::uint8_t>(op) ? 1 : 0;
    return n;
  }

 private:
  void read_from(const std::shared_ptr<local_socket>& s) {
    s->async_read_some(
        asio::buffer(buffer_), [this, s](const boost::system::error_code& ec, std::size_t n) {
          if (ec || s != socket_) return;
          lexer_->feed(std::span<const std::uint8_t>(buffer_.data(), n),
                       [this](const m::MercuryFrameLexer::Frame& f) { on_command(f); });
          if (s == socket_) read_from(s);
        });
  }

  void on_command(const m::MercuryFrameLexer::Frame& f) {
    opcodes.push_back(f.opcode);
    command_data.emplace_back(f.data.begin(), f.data.end());
    if (silent.count(f.opcode)) return;
    if (auto it = statuses.find(f.opcode); it != statuses.end()) {
      reply(f.opcode, it->second, {});
      return;
    }
    const m::HostFrame frame{f.opcode, f.data};
    switch (static_cast<m::Opcode>(f.opcode)) {
      case m::Opcode::version: {
        m::VersionInfo v;
        v.hardware = {0x30, 0, 0, 0x40};
        v.firmware_date = {0x20, 0x21, 0x03, 0x04};
        v.firmware_version = {0x01, 0x0B, 0x01, 0x02};
        v.supported_protocols = 0x10;
        reply(f.opcode, 0, m::encode_version_data(v));
        return;
      }
      case m::Opcode::get_current_program:
        reply(f.opcode, 0, {static_cast<std::uint8_t>(in_bootloader_ ? 0x11 : 0x12)});
        return;
      case m::Opcode::boot_firmware:
        in_bootloader_ = false;
        reply(f.opcode, 0, {});
        return;
      case m::Opcode::get_region: reply(f.opcode, 0, {region}); return;
      case m::Opcode::set_region: {
        std::uint8_t r = 0;
        REQUIRE_FALSE(m::decode_set_region_command(frame, r));
        region = r;
        reply(f.opcode, 0, {});
        return;
      }
      case m::Opcode::get_antenna_port: {
        const m::PortReturnLoss loss[] = {{1, 19}, {2, 4}};
        reply(f.opcode, 0, m::encode_return_loss_data(loss));
        return;
      }
      case m::Opcode::get_temperature: reply(f.opcode, 0, {31}); return;
      case m::Opcode::set_user_gpio_outputs: {
        std::uint8_t pin = 0;
        bool high = false;
        REQUIRE_FALSE(m::decode_set_gpo_command(frame, pin, high));
        gpo.emplace_back(pin, high);
        reply(f.opcode, 0, {});
        return;
      }
      case m::Opcode::multi_protocol_tag_op: {
        m::MultiProtocolCommand c;
        REQUIRE_FALSE(m::decode_multi_protocol_command(frame, c));
        if (c.stop) {
          streaming = false;
          reply(f.opcode, 0, {0x00, 0x00, 0x02});
        } else if (refuse_stats_streaming &&
                   (c.plan.search_flags & m::search_flag::stats_report_streaming) != 0) {
          reply(f.opcode, 0x0105, {});  // invalid parameter value
        } else {
          plan = c.plan;
          streaming = true;
          reply(f.opcode, 0, {0x00, 0x00, 0x01});
        }
        return;
      }
      default: reply(f.opcode, 0, {}); return;
    }
  }

  void reply(std::uint8_t op, std::uint16_t status, std::vector<std::uint8_t> data) {
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(m::encode_reader_frame(op, status, data, out, with_crc));
    write(std::move(out));
  }

  void write(std::vector<std::uint8_t> bytes) {
    if (!socket_) return;
    auto b = std::make_shared<std::vector<std::uint8_t>>(std::move(bytes));
    asio::async_write(*socket_, asio::buffer(*b),
                      [b](const boost::system::error_code&, std::size_t) {});
  }

  asio::io_context& io_;
  std::shared_ptr<local_socket> socket_;
  std::unique_ptr<m::MercuryFrameLexer> lexer_;
  std::array<std::uint8_t, 512> buffer_{};
  bool in_bootloader_ = false;
};

}  // namespace garita::test

#pragma once
// One simulated Mercury module on its pseudo-terminal: the pty (its slave is
// what the host opens, through the stable --link), the module's engine, the
// bytes in both directions and the faults aimed at this lane.
//
// Delivery is judged at the host's end of the line. A frame written to the
// pty master is not yet "sent": it sits in the slave's input queue until the
// host reads it. The port counts the bytes it wrote and asks the kernel how
// many the host has not read (FIONREAD on the simulator's own slave
// descriptor); a tag record becomes a `sent` row once the host has read past
// its last byte. On an unplug the records still unread are `lost/unplugged`,
// exactly what a host loses when a USB reader is pulled out.
//
// Unplug (hangup@T+D): at T the module loses power (nothing more is
// written), a moment later (kUnplugSettle, real time, so bytes already on the
// line can still be read) the pty is closed and the --link removed; after D
// a new pty is opened, the link re-pointed and the module powers up in its
// bootloader. The host's reads fail in between (EIO / hang-up), and it
// recovers by reopening the link.
#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "garita/sim/TagObservation.hpp"
#include "garita/sim/llrp/SimClock.hpp"
#include "garita/sim/serial/PseudoTerminal.hpp"
#include "garita/sim/serial/SerialFault.hpp"
#include "garita/sim/serial/SerialModule.hpp"

namespace garita::sim::serial {

class ModulePort {
 public:
  // Real time between the power loss of an unplug and the pty closing.
  static constexpr std::chrono::milliseconds kUnplugSettle{30};
  // A written frame counts as read only this long after its write: the
  // kernel moves pty bytes to the slave's queue asynchronously, so a fresh
  // write may not show in FIONREAD yet.
  static constexpr std::chrono::milliseconds kDeliveryGrace{20};

  struct Options {
    LaneId lane = 1;
    std::filesystem::path link;  // empty: no link
    ModuleOptions module;
    bool quiet = false;
  };

  // `catch_up` brings the whole simulation up to now before host bytes are
  // handled; `on_device_changed` is called after a replug (new slave path).
  // `log` and `tag_log` must outlive the port.
  ModulePort(boost::asio::io_context& io, const llrp::SimClock& clock, Options options,
             TagLog& tag_log, std::ostream& log, std::function<void()> catch_up,
             std::function<void()> on_device_changed);
  ~ModulePort();
  ModulePort(const ModulePort&) = delete;
  ModulePort& operator=(const ModulePort&) = delete;

  // Opens the first pty and starts reading.
  std::error_code open(std::string& error);
  LaneId lane() const noexcept { return options_.lane; }
  // The slave device, empty while unplugged.
  const std::string& device() const noexcept { return pty_.slave_path(); }
  const std::filesystem::path& link() const noexcept { return options_.link; }
  std::uint32_t generation() const noexcept { return generation_; }

  // The air and the clock (the simulator's time loop).
  void on_observation(const TagObservation& read);
  void advance_to(std::int64_t now_us);
  std::optional<std::int64_t> next_deadline() const { return module_.next_deadline(); }
  // Writes what the module queued, settles deliveries, prints notices.
  void kick();

  void apply_fault(const SerialFault& fault);

  // Stops I/O; frames the host has not read are lost/simulator_exit.
  void shutdown();
  // After the io_context stopped.
  void finish();

  const SerialModule& module() const noexcept { return module_; }

 private:
  struct Written {
    OutgoingFrame frame;
    std::uint64_t end_offset = 0;
    std::chrono::steady_clock::time_point at;
  };

  std::error_code open_pty(std::string& error);
  void do_read();
  void on_read(boost::system::error_code ec, std::size_t n, std::uint32_t generation);
  void do_write();
  void on_write(boost::system::error_code ec, std::uint32_t generation);
  void settle_deliveries(bool at_close);
  void begin_unplug(std::int64_t duration_us);
  void on_unplug_settled(boost::system::error_code ec);
  void on_replug(boost::system::error_code ec);
  void close_line(std::string_view why);
  void say(const std::string& text);

  boost::asio::io_context& io_;
  const llrp::SimClock& clock_;
  Options options_;
  std::ostream& log_;
  std::function<void()> catch_up_;
  std::function<void()> on_device_changed_;
  SerialModule module_;
  PseudoTerminal pty_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> stream_;
  boost::asio::steady_timer unplug_timer_;
  std::array<std::uint8_t, 512> read_buffer_{};
  std::uint32_t generation_ = 0;  // pty number: 1, 2 after the first replug, ...
  bool writing_ = false;
  std::optional<OutgoingFrame> in_flight_;
  std::deque<Written> unread_;
  std::uint64_t bytes_written_ = 0;  // on this pty
  bool unplugged_ = false;           // power lost: no writes, pty closing or closed
  std::int64_t replug_after_us_ = 0;
  bool shutting_down_ = false;
};

}  // namespace garita::sim::serial

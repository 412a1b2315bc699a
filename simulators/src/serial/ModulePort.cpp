#include "garita/sim/serial/ModulePort.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

namespace garita::sim::serial {
namespace asio = boost::asio;

ModulePort::ModulePort(asio::io_context& io, const llrp::SimClock& clock, Options options,
                       TagLog& tag_log, std::ostream& log, std::function<void()> catch_up,
                       std::function<void()> on_device_changed)
    : io_(io),
      clock_(clock),
      options_(std::move(options)),
      log_(log),
      catch_up_(std::move(catch_up)),
      on_device_changed_(std::move(on_device_changed)),
      module_(options_.module, options_.lane, tag_log, clock.now_us()),
      unplug_timer_(io) {}

ModulePort::~ModulePort() = default;

std::error_code ModulePort::open(std::string& error) { return open_pty(error); }

std::error_code ModulePort::open_pty(std::string& error) {
  if (auto ec = pty_.open(options_.link, error)) return ec;
  stream_ = std::make_unique<asio::posix::stream_descriptor>(io_, pty_.release_master());
  ++generation_;
  bytes_written_ = 0;
  unread_.clear();
  do_read();
  return {};
}

// --- host -> module ----------------------------------------------------------------

void ModulePort::do_read() {
  if (!stream_) return;
  const std::uint32_t generation = generation_;
  stream_->async_read_some(asio::buffer(read_buffer_),
                           [this, generation](boost::system::error_code ec, std::size_t n) {
                             on_read(ec, n, generation);
                           });
}

void ModulePort::on_read(boost::system::error_code ec, std::size_t n, std::uint32_t generation) {
  if (ec == asio::error::operation_aborted || !stream_ || generation != generation_ ||
      shutting_down_) {
    return;
  }
  if (ec) {
    // The simulator holds the slave open, so the master does not see EIO
    // when the host closes; anything else is unexpected.
    say("reading the pty failed: " + ec.message());
    return;
  }
  catch_up_();
  module_.receive(std::span<const std::uint8_t>(read_buffer_.data(), n), clock_.now_us());
  kick();
  do_read();
}

// --- module -> host ----------------------------------------------------------------

void ModulePort::kick() {
  for (const std::string& line : module_.take_notices()) say(line);
  settle_deliveries(false);
  do_write();
}

void ModulePort::do_write() {
  if (writing_ || !stream_ || unplugged_ || shutting_down_) return;
  std::optional<OutgoingFrame> frame = module_.pop_outgoing();
  for (const std::string& line : module_.take_notices()) say(line);
  if (!frame) return;
  writing_ = true;
  in_flight_ = std::move(frame);
  const std::uint32_t generation = generation_;
  asio::async_write(
      *stream_, asio::buffer(in_flight_->bytes),
      [this, generation](boost::system::error_code ec, std::size_t) { on_write(ec, generation); });
}

void ModulePort::on_write(boost::system::error_code ec, std::uint32_t generation) {
  // The pty it went to is gone: close_line() already accounted for it.
  if (!stream_ || generation != generation_) return;
  writing_ = false;
  if (!in_flight_) return;
  OutgoingFrame frame = std::move(*in_flight_);
  in_flight_.reset();
  if (ec) {
    if (ec != asio::error::operation_aborted) say("writing the pty failed: " + ec.message());
    module_.on_undelivered(frame, clock_.now_us(),
                           shutting_down_ ? detail::simulator_exit : detail::unplugged);
    return;
  }
  bytes_written_ += frame.bytes.size();
  unread_.push_back(Written{std::move(frame), bytes_written_, std::chrono::steady_clock::now()});
  kick();
}

void ModulePort::settle_deliveries(bool at_close) {
  if (unread_.empty() || !pty_.is_open()) return;
  const std::uint64_t unread_bytes = pty_.unread_by_host();
  const std::uint64_t consumed = bytes_written_ > unread_bytes ? bytes_written_ - unread_bytes : 0;
  const auto now = std::chrono::steady_clock::now();
  while (!unread_.empty() && unread_.front().end_offset <= consumed &&
         (at_close || now - unread_.front().at >= kDeliveryGrace)) {
    module_.on_delivered(unread_.front().frame, clock_.now_us(), generation_);
    unread_.pop_front();
  }
}

// --- the air and the clock -----------------------------------------------------------

void ModulePort::on_observation(const TagObservation& read) { module_.on_observation(read); }

void ModulePort::advance_to(std::int64_t now_us) { module_.advance_to(now_us); }

// --- faults ----------------------------------------------------------------------------

void ModulePort::apply_fault(const SerialFault& fault) {
  const std::int64_t now = clock_.now_us();
  if (unplugged_) {
    // An unplugged module has no power and no line: nothing to reset or garble.
    say("fault " + to_string(fault) + " ignored: the module is unplugged");
    return;
  }
  say("fault " + to_string(fault));
  switch (fault.kind) {
    case SerialFaultKind::junk: module_.inject_junk(now); break;
    case SerialFaultKind::bad_crc: module_.corrupt_next_frame_crc(); break;
    case SerialFaultKind::truncate: module_.truncate_next_frame(); break;
    case SerialFaultKind::no_crc:
      module_.send_without_crc(now, fault.duration_us > 0
                                        ? std::optional<std::int64_t>(now + fault.duration_us)
                                        : std::nullopt);
      break;
    case SerialFaultKind::reboot:
      module_.reboot(now, now + (fault.duration_us > 0 ? fault.duration_us : kDefaultRebootUs));
      break;
    case SerialFaultKind::hangup: begin_unplug(fault.duration_us); break;
  }
  kick();
}

void ModulePort::begin_unplug(std::int64_t duration_us) {
  module_.power_off(clock_.now_us());
  unplugged_ = true;
  replug_after_us_ = duration_us;
  unplug_timer_.expires_after(kUnplugSettle);
  unplug_timer_.async_wait([this](boost::system::error_code ec) { on_unplug_settled(ec); });
}

void ModulePort::on_unplug_settled(boost::system::error_code ec) {
  if (ec || shutting_down_) return;
  close_line(detail::unplugged);
  say("unplugged (pty closed" + std::string(options_.link.empty() ? "" : ", link removed") + ")");
  // The settle time is already part of the unplugged time.
  const auto real = clock_.real_duration(replug_after_us_);
  unplug_timer_.expires_after(real > kUnplugSettle ? real - kUnplugSettle
                                                   : std::chrono::steady_clock::duration::zero());
  unplug_timer_.async_wait([this](boost::system::error_code e) { on_replug(e); });
}

void ModulePort::on_replug(boost::system::error_code ec) {
  if (ec || shutting_down_) return;
  std::string error;
  if (open_pty(error)) {
    say("replug failed: " + error);
    return;
  }
  unplugged_ = false;
  catch_up_();
  module_.power_on(clock_.now_us());
  say("plugged in again as " + pty_.slave_path() + " (module in its bootloader)");
  if (on_device_changed_) on_device_changed_();
  kick();
}

// Closes the pty: what the host had not read yet is lost with it.
void ModulePort::close_line(std::string_view why) {
  settle_deliveries(true);
  const std::int64_t now = clock_.now_us();
  for (const Written& w : unread_) module_.on_undelivered(w.frame, now, why);
  unread_.clear();
  if (in_flight_) {
    module_.on_undelivered(*in_flight_, now, why);
    in_flight_.reset();
  }
  writing_ = false;
  // The cancelled handlers of this pty find no stream (or, after a replug,
  // a newer generation) and do nothing.
  if (stream_) {
    boost::system::error_code ignored;
    stream_->close(ignored);
    stream_.reset();
  }
  pty_.close();
}

void ModulePort::shutdown() {
  if (shutting_down_) return;
  unplug_timer_.cancel();
  // Give the host the frames already written: they are on the line.
  settle_deliveries(true);
  shutting_down_ = true;
}

void ModulePort::finish() {
  close_line(detail::simulator_exit);
  module_.finish(clock_.now_us());
}

void ModulePort::say(const std::string& text) {
  if (!options_.quiet) log_ << "garita-sim serial: lane " << options_.lane << ": " << text << '\n';
}

}  // namespace garita::sim::serial

// ByteStream over a serial port (USB-serial adapters, CDC-ACM ttys, UARTs,
// ptys): boost::asio::serial_port, which puts the tty in raw mode on open
// (no echo, no line discipline, 8 bits, CLOCAL|CREAD); garita sets the speed,
// 8N1 and no flow control, as the Mercury modules expect (Embedded Module
// User Guide, "Serial port settings": 115200 8N1 by default, no handshake).
#include <sys/ioctl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/serial_port.hpp>
#include <cerrno>
#include <string>

#include "garita/hal/AsioByteStream.hpp"
#include "garita/hal/ByteStream.hpp"

namespace garita::hal {
namespace {

// What a technician should check for the common open failures.
std::string open_hint(const boost::system::error_code& ec) {
  switch (ec.value()) {
    case ENOENT:
    case ENODEV:
    case ENXIO: return " (not plugged in? `ls -l /dev/serial/by-id/` lists what is there)";
    case EACCES:
    case EPERM: return " (is the garita user in the dialout group?)";
    case EBUSY: return " (another program has it open)";
    default: return {};
  }
}

}  // namespace

std::unique_ptr<ByteStream> open_serial_byte_stream(boost::asio::io_context& io,
                                                    const std::string& device, unsigned baud,
                                                    std::error_code& ec, std::string& why) {
  using boost::asio::serial_port;
  using boost::asio::serial_port_base;
  serial_port port(io);
  boost::system::error_code bec;
  port.open(device, bec);
  if (bec) {
    ec = bec;
    why = "cannot open " + device + ": " + bec.message() + open_hint(bec);
    return nullptr;
  }
  // Exclusive use (TIOCEXCL): a second garita, or a technician's minicom,
  // opening the same tty would steal bytes from the frame stream.
  ::ioctl(port.native_handle(), TIOCEXCL);
  const auto set = [&](const auto& option, const char* what) {
    if (bec) return;
    port.set_option(option, bec);
    if (bec) why = "cannot set " + std::string(what) + " on " + device + ": " + bec.message();
  };
  set(serial_port_base::baud_rate(baud), "the baud rate");
  set(serial_port_base::character_size(8), "8 data bits");
  set(serial_port_base::parity(serial_port_base::parity::none), "no parity");
  set(serial_port_base::stop_bits(serial_port_base::stop_bits::one), "one stop bit");
  set(serial_port_base::flow_control(serial_port_base::flow_control::none), "no flow control");
  if (bec) {
    ec = bec;
    return nullptr;
  }
  ec.clear();
  return std::make_unique<AsioByteStream<serial_port>>(
      std::move(port), device + " at " + std::to_string(baud) + " baud");
}

}  // namespace garita::hal

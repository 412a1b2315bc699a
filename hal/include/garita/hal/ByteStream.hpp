#pragma once
// A byte stream to a reader, whatever carries it: a serial port, a pty, a
// USB bulk endpoint pair, a socketpair in a test. Drivers of byte-oriented
// readers (Mercury) are written against this, so the same driver code runs
// on all of them.
//
// Completion-handler style like Asio's streams. Handlers run on the stream's
// executor (the driver's strand wraps them); every handler gets an error code
// first. At most one read and one write may be outstanding. close() cancels
// both (their handlers get operation_aborted) and is idempotent.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>

#include <boost/asio/any_io_executor.hpp>

namespace boost::asio {
class io_context;
}

namespace garita::hal {

class ByteStream {
 public:
  using Handler = std::function<void(std::error_code, std::size_t)>;

  virtual ~ByteStream() = default;

  // Reads at least one byte into `buffer` (which must stay valid until the
  // handler runs). End of stream (device gone, peer closed) is an error.
  virtual void async_read_some(std::span<std::uint8_t> buffer, Handler handler) = 0;
  // Writes some of `bytes` (valid until the handler runs).
  virtual void async_write_some(std::span<const std::uint8_t> bytes, Handler handler) = 0;
  virtual void close() noexcept = 0;
  virtual boost::asio::any_io_executor get_executor() = 0;
  // "/dev/ttyUSB0 at 115200 baud", "usb 1325:c029 bus 1 addr 4", for status.
  virtual std::string describe() const = 0;
};

// Opens a stream for one connection attempt; on failure returns null with
// `ec` and a one-line `why` ("cannot open /dev/ttyUSB0: Permission denied
// (is the user in the dialout group?)"). Called on the driver's strand.
using ByteStreamOpener = std::function<std::unique_ptr<ByteStream>(
    boost::asio::io_context& io, std::error_code& ec, std::string& why)>;

// A serial port (termios raw, 8N1, no flow control) at `baud`.
std::unique_ptr<ByteStream> open_serial_byte_stream(boost::asio::io_context& io,
                                                    const std::string& device, unsigned baud,
                                                    std::error_code& ec, std::string& why);

// Wraps any connected Asio stream socket/descriptor (e.g. one end of a
// boost::asio::local::stream_protocol socketpair, a posix::stream_descriptor
// on a pty master) as a ByteStream. Defined in AsioByteStream.hpp.

}  // namespace garita::hal

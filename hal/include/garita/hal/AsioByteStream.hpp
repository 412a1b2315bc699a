#pragma once
// ByteStream over any Asio stream (socket, posix::stream_descriptor,
// serial_port): the adapter tests and replay tools use, e.g. one end of a
// boost::asio::local::stream_protocol::socket pair.
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>

#include "garita/hal/ByteStream.hpp"

namespace garita::hal {

template <typename Stream>
class AsioByteStream final : public ByteStream {
 public:
  AsioByteStream(Stream stream, std::string description)
      : stream_(std::move(stream)), description_(std::move(description)) {}

  void async_read_some(std::span<std::uint8_t> buffer, Handler handler) override {
    stream_.async_read_some(boost::asio::buffer(buffer.data(), buffer.size()),
                            [h = std::move(handler)](const boost::system::error_code& ec,
                                                     std::size_t n) mutable { h(ec, n); });
  }
  void async_write_some(std::span<const std::uint8_t> bytes, Handler handler) override {
    stream_.async_write_some(boost::asio::buffer(bytes.data(), bytes.size()),
                             [h = std::move(handler)](const boost::system::error_code& ec,
                                                      std::size_t n) mutable { h(ec, n); });
  }
  void close() noexcept override {
    boost::system::error_code ignored;
    stream_.close(ignored);
  }
  boost::asio::any_io_executor get_executor() override { return stream_.get_executor(); }
  std::string describe() const override { return description_; }

  Stream& stream() noexcept { return stream_; }

 private:
  Stream stream_;
  std::string description_;
};

}  // namespace garita::hal

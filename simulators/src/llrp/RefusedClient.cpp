#include "garita/sim/llrp/RefusedClient.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/write.hpp>

namespace garita::sim::llrp {
namespace asio = boost::asio;

RefusedClient::RefusedClient(asio::ip::tcp::socket socket, std::vector<std::uint8_t> message)
    : socket_(std::move(socket)), message_(std::move(message)), timer_(socket_.get_executor()) {}

void RefusedClient::start() {
  timer_.expires_after(kLingerTimeout);
  timer_.async_wait(
      [self = shared_from_this()](boost::system::error_code ec) { self->on_timeout(ec); });
  asio::async_write(socket_, asio::buffer(message_),
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                      self->on_write(ec);
                    });
}

void RefusedClient::on_write(boost::system::error_code ec) {
  if (ec) {
    close();
    return;
  }
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  do_drain();
}

void RefusedClient::do_drain() {
  if (closed_) return;
  socket_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                            self->on_drain(ec);
                          });
}

void RefusedClient::on_drain(boost::system::error_code ec) {
  if (ec) {
    close();
    return;
  }
  do_drain();
}

void RefusedClient::on_timeout(boost::system::error_code ec) {
  if (ec == asio::error::operation_aborted) return;
  close();
}

void RefusedClient::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  timer_.cancel();
  socket_.close(ignored);
}

}  // namespace garita::sim::llrp

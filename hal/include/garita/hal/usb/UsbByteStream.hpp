#pragma once
// USB bulk transport for readers with vendor bulk endpoints (usb://VID:PID),
// on libusb-1.0. Readers that enumerate as CDC-ACM (/dev/ttyACM*) are serial
// ports and go through serial:// instead.
//
// The libusb layer is thin: enumerate, pick (UsbDeviceSelector.hpp), open,
// claim the first interface that has a bulk IN and a bulk OUT endpoint
// (libusb_set_auto_detach_kernel_driver first), and run asynchronous bulk
// transfers. libusb's file descriptors are watched by the io_context
// (libusb_get_pollfds + posix::stream_descriptor::async_wait; events handled
// with libusb_handle_events_timeout_completed and a zero timeout; libusb's
// own timeouts via libusb_get_next_timeout and a steady_timer), so no thread
// is started. Hotplug (libusb_hotplug_register_callback, where the platform
// has it) tells the driver when its device arrives or leaves; without it the
// driver's reconnect backoff re-enumerates on every attempt.
//
// libusb_init can hang under qemu user emulation, so nothing here touches
// libusb until the first open() of a usb:// reader.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "garita/hal/ByteStream.hpp"
#include "garita/hal/usb/UsbDeviceSelector.hpp"

namespace boost::asio {
class io_context;
}

namespace garita::hal::usb {

// libusb error codes (LIBUSB_ERROR_*, negative) as std::error_code, category
// "libusb", message from libusb_strerror.
const std::error_category& libusb_category() noexcept;

class UsbContext;      // one libusb context + its io_context integration (internal)
struct UsbOpenDevice;  // the device currently open, shared with the hotplug callback

// Opens the reader's device, once per connection attempt (a ByteStreamOpener).
class UsbOpener {
 public:
  UsbOpener(std::uint16_t vid, std::uint16_t pid, std::string serial);
  ~UsbOpener();
  UsbOpener(const UsbOpener&) = delete;
  UsbOpener& operator=(const UsbOpener&) = delete;

  std::unique_ptr<ByteStream> open(boost::asio::io_context& io, std::error_code& ec,
                                   std::string& why);

  // Called (on the io_context) with connect_now / link_lost decisions from
  // hotplug events. Set before the first open().
  void set_hotplug_handler(std::function<void(HotplugAction)> handler);

 private:
  UsbMatch match_;
  std::shared_ptr<UsbContext> context_;
  std::shared_ptr<UsbOpenDevice> open_device_;
  std::shared_ptr<std::function<void(HotplugAction)>> hotplug_handler_;
};

}  // namespace garita::hal::usb

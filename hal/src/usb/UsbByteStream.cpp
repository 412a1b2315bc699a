// The thin libusb layer (see UsbByteStream.hpp). Decisions (which device,
// what a hotplug event means) live in UsbDeviceSelector.cpp and are tested
// there; this file only talks to libusb and Asio.
#include "garita/hal/usb/UsbByteStream.hpp"

#include <libusb.h>
#include <poll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <map>
#include <mutex>

namespace garita::hal::usb {
namespace asio = boost::asio;

namespace {

class LibusbCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "libusb"; }
  std::string message(int ev) const override { return ::libusb_strerror(ev); }
};

std::error_code usb_error(int rc) { return {rc, libusb_category()}; }

std::string open_hint(int rc) {
  switch (rc) {
    case LIBUSB_ERROR_ACCESS:
      return " (no permission: install the udev rule from docs/readers/mercury.md)";
    case LIBUSB_ERROR_BUSY: return " (another program or kernel driver holds the interface)";
    case LIBUSB_ERROR_NO_DEVICE: return " (unplugged while opening)";
    default: return {};
  }
}

}  // namespace

const std::error_category& libusb_category() noexcept {
  static const LibusbCategory category;
  return category;
}

// One libusb context, its file descriptors watched by the io_context.
class UsbContext : public std::enable_shared_from_this<UsbContext> {
 public:
  explicit UsbContext(asio::io_context& io)
      : io_(io), strand_(asio::make_strand(io)), timer_(strand_) {}

  ~UsbContext() {
    if (ctx_ == nullptr) return;
    if (hotplug_registered_) ::libusb_hotplug_deregister_callback(ctx_, hotplug_);
    ::libusb_set_pollfd_notifiers(ctx_, nullptr, nullptr, nullptr);
    {
      std::lock_guard lock(mutex_);
      for (auto& [fd, w] : watches_) forget(*w);
      watches_.clear();
    }
    ::libusb_exit(ctx_);
  }

  std::error_code init(std::string& why) {
    const int rc = ::libusb_init(&ctx_);
    if (rc < 0) {
      ctx_ = nullptr;
      why = std::string("cannot initialise libusb: ") + ::libusb_strerror(rc);
      return usb_error(rc);
    }
    const libusb_pollfd** fds = ::libusb_get_pollfds(ctx_);
    if (fds == nullptr) {
      why = "this libusb cannot hand out its file descriptors (no event-loop integration)";
      return usb_error(LIBUSB_ERROR_NOT_SUPPORTED);
    }
    for (const libusb_pollfd** p = fds; *p != nullptr; ++p) add_fd((*p)->fd, (*p)->events);
    ::libusb_free_pollfds(fds);
    ::libusb_set_pollfd_notifiers(ctx_, &UsbContext::on_added, &UsbContext::on_removed, this);
    asio::post(strand_, [self = shared_from_this()] { self->arm_timeout(); });
    return {};
  }

  libusb_context* get() const noexcept { return ctx_; }
  asio::io_context& io() noexcept { return io_; }

  // Hotplug where the platform supports it; `decide` maps an event to an
  // action, `act` gets the non-ignore ones (on the io_context).
  void register_hotplug(const UsbMatch& match,
                        std::function<HotplugAction(bool arrived, const UsbDeviceInfo&)> decide,
                        std::function<void(HotplugAction)> act) {
    if (!::libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG)) return;
    decide_ = std::move(decide);
    act_ = std::move(act);
    const int rc = ::libusb_hotplug_register_callback(
        ctx_,
        static_cast<libusb_hotplug_event>(LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                          LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT),
        LIBUSB_HOTPLUG_NO_FLAGS, match.vid, match.pid, LIBUSB_HOTPLUG_MATCH_ANY,
        &UsbContext::on_hotplug, this, &hotplug_);
    hotplug_registered_ = rc == LIBUSB_SUCCESS;
  }

 private:
  struct Watch {
    int fd = -1;
    short events = 0;
    std::unique_ptr<asio::posix::stream_descriptor> descriptor;
    bool live = true;
  };

  static void LIBUSB_CALL on_added(int fd, short events, void* user) {
    static_cast<UsbContext*>(user)->add_fd(fd, events);
  }
  static void LIBUSB_CALL on_removed(int fd, void* user) {
    static_cast<UsbContext*>(user)->remove_fd(fd);
  }
  static int LIBUSB_CALL on_hotplug(libusb_context*, libusb_device* device,
                                    libusb_hotplug_event event, void* user) {
    auto* self = static_cast<UsbContext*>(user);
    libusb_device_descriptor desc{};
    if (::libusb_get_device_descriptor(device, &desc) != 0 || !self->decide_) return 0;
    UsbDeviceInfo info;
    info.vid = desc.idVendor;
    info.pid = desc.idProduct;
    info.bus = ::libusb_get_bus_number(device);
    info.address = ::libusb_get_device_address(device);
    const HotplugAction action = self->decide_(event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, info);
    if (action != HotplugAction::ignore && self->act_) {
      asio::post(self->io_, [act = self->act_, action] { act(action); });
    }
    return 0;  // stay registered
  }

  void add_fd(int fd, short events) {
    auto w = std::make_shared<Watch>();
    w->fd = fd;
    w->events = events;
    w->descriptor = std::make_unique<asio::posix::stream_descriptor>(strand_, fd);
    {
      std::lock_guard lock(mutex_);
      if (auto old = watches_.find(fd); old != watches_.end()) forget(*old->second);
      watches_[fd] = w;
    }
    asio::post(strand_, [self = shared_from_this(), w] { self->arm(w); });
  }

  void remove_fd(int fd) {
    std::lock_guard lock(mutex_);
    if (auto it = watches_.find(fd); it != watches_.end()) {
      forget(*it->second);
      watches_.erase(it);
    }
  }

  // Stops watching without closing: the fd belongs to libusb.
  static void forget(Watch& w) {
    w.live = false;
    if (w.descriptor) {
      boost::system::error_code ignored;
      w.descriptor->cancel(ignored);
      (void)w.descriptor->release();
    }
  }

  void arm(const std::shared_ptr<Watch>& w) {
    if (!w->live || !w->descriptor) return;
    const auto kind = (w->events & POLLOUT) != 0 ? asio::posix::stream_descriptor::wait_write
                                                 : asio::posix::stream_descriptor::wait_read;
    w->descriptor->async_wait(kind, [self = shared_from_this(), w](boost::system::error_code ec) {
      if (ec || !w->live) return;
      self->handle_events();
      self->arm(w);
    });
  }

  void handle_events() {
    timeval zero{0, 0};
    ::libusb_handle_events_timeout_completed(ctx_, &zero, nullptr);
    arm_timeout();
  }

  void arm_timeout() {
    timeval tv{};
    if (::libusb_get_next_timeout(ctx_, &tv) != 1) return;
    timer_.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->handle_events();
    });
  }

  asio::io_context& io_;
  asio::strand<asio::io_context::executor_type> strand_;
  asio::steady_timer timer_;
  libusb_context* ctx_ = nullptr;
  std::mutex mutex_;
  std::map<int, std::shared_ptr<Watch>> watches_;
  libusb_hotplug_callback_handle hotplug_{};
  bool hotplug_registered_ = false;
  std::function<HotplugAction(bool, const UsbDeviceInfo&)> decide_;
  std::function<void(HotplugAction)> act_;
};

// What the opener and the hotplug callback share about the open device.
struct UsbOpenDevice {
  std::mutex mutex;
  std::optional<UsbDeviceInfo> device;
};

namespace {

// One claimed interface and its two transfers. Shared: it stays alive while
// a transfer is in flight, even after the ByteStream that made it is gone.
class UsbLink : public std::enable_shared_from_this<UsbLink> {
 public:
  UsbLink(std::shared_ptr<UsbContext> context, libusb_device_handle* handle, int interface,
          std::uint8_t in, std::uint8_t out, UsbDeviceInfo info,
          std::shared_ptr<UsbOpenDevice> open_device)
      : context_(std::move(context)),
        handle_(handle),
        interface_(interface),
        ep_in_(in),
        ep_out_(out),
        info_(std::move(info)),
        open_device_(std::move(open_device)),
        in_(::libusb_alloc_transfer(0)),
        out_(::libusb_alloc_transfer(0)) {}

  ~UsbLink() {
    if (in_) ::libusb_free_transfer(in_);
    if (out_) ::libusb_free_transfer(out_);
    // A destructor must not throw (it would terminate): if locking or posting
    // fails (out of memory) the handle is left open rather than the process.
    try {
      {
        std::lock_guard lock(open_device_->mutex);
        open_device_->device.reset();
      }
      // Not from inside a libusb callback: release and close on the io_context.
      asio::post(context_->io(), [context = context_, h = handle_, i = interface_] {
        ::libusb_release_interface(h, i);
        ::libusb_close(h);
      });
    } catch (...) {
    }
  }

  void submit(bool is_in, std::span<std::uint8_t> buffer, ByteStream::Handler handler) {
    std::error_code ec;
    {
      std::lock_guard lock(mutex_);
      libusb_transfer* t = is_in ? in_ : out_;
      bool& busy = is_in ? in_busy_ : out_busy_;
      if (closing_ || t == nullptr) {
        ec = std::make_error_code(std::errc::operation_canceled);
      } else if (busy) {
        ec = std::make_error_code(std::errc::operation_in_progress);
      } else {
        ::libusb_fill_bulk_transfer(t, handle_, is_in ? ep_in_ : ep_out_, buffer.data(),
                                    static_cast<int>(buffer.size()), &UsbLink::on_transfer, this,
                                    0);
        (is_in ? read_handler_ : write_handler_) = std::move(handler);
        const int rc = ::libusb_submit_transfer(t);
        if (rc < 0) {
          ec = usb_error(rc);
          handler = std::move(is_in ? read_handler_ : write_handler_);
        } else {
          busy = true;
          keep_ = shared_from_this();
        }
      }
    }
    // ec is set only where `handler` was never moved or was moved back above;
    // the check cannot see that correlation.
    // NOLINTNEXTLINE(bugprone-use-after-move)
    if (ec) asio::post(context_->io(), [h = std::move(handler), ec] { h(ec, 0); });
  }

  void close() {
    std::lock_guard lock(mutex_);
    closing_ = true;
    if (in_busy_) ::libusb_cancel_transfer(in_);
    if (out_busy_) ::libusb_cancel_transfer(out_);
  }

  const UsbDeviceInfo& info() const noexcept { return info_; }

 private:
  static void LIBUSB_CALL on_transfer(libusb_transfer* t) {
    static_cast<UsbLink*>(t->user_data)->completed(t);
  }

  void completed(libusb_transfer* t) {
    std::error_code ec;
    switch (t->status) {
      case LIBUSB_TRANSFER_COMPLETED: break;
      case LIBUSB_TRANSFER_CANCELLED:
        ec = std::make_error_code(std::errc::operation_canceled);
        break;
      case LIBUSB_TRANSFER_NO_DEVICE: ec = usb_error(LIBUSB_ERROR_NO_DEVICE); break;
      case LIBUSB_TRANSFER_TIMED_OUT: ec = usb_error(LIBUSB_ERROR_TIMEOUT); break;
      case LIBUSB_TRANSFER_STALL: ec = usb_error(LIBUSB_ERROR_PIPE); break;
      case LIBUSB_TRANSFER_OVERFLOW: ec = usb_error(LIBUSB_ERROR_OVERFLOW); break;
      default: ec = usb_error(LIBUSB_ERROR_IO); break;
    }
    std::shared_ptr<UsbLink> keep;
    ByteStream::Handler handler;
    const bool is_in = t == in_;
    {
      std::lock_guard lock(mutex_);
      // A zero-length IN packet carries nothing: ask again.
      if (is_in && !ec && t->actual_length == 0 && !closing_ && ::libusb_submit_transfer(t) == 0) {
        return;
      }
      (is_in ? in_busy_ : out_busy_) = false;
      handler = std::move(is_in ? read_handler_ : write_handler_);
      if (!in_busy_ && !out_busy_) keep = std::move(keep_);
    }
    const auto n = static_cast<std::size_t>(t->actual_length < 0 ? 0 : t->actual_length);
    if (handler) asio::post(context_->io(), [h = std::move(handler), ec, n] { h(ec, n); });
    // `keep` may hold the last reference: `this` can go when it does.
  }

  std::shared_ptr<UsbContext> context_;
  libusb_device_handle* handle_;
  int interface_;
  std::uint8_t ep_in_;
  std::uint8_t ep_out_;
  UsbDeviceInfo info_;
  std::shared_ptr<UsbOpenDevice> open_device_;
  std::mutex mutex_;
  libusb_transfer* in_;
  libusb_transfer* out_;
  bool in_busy_ = false;
  bool out_busy_ = false;
  bool closing_ = false;
  ByteStream::Handler read_handler_;
  ByteStream::Handler write_handler_;
  std::shared_ptr<UsbLink> keep_;
};

class UsbByteStream final : public ByteStream {
 public:
  UsbByteStream(std::shared_ptr<UsbLink> link, asio::io_context& io)
      : link_(std::move(link)), io_(io) {}
  ~UsbByteStream() override { link_->close(); }

  void async_read_some(std::span<std::uint8_t> buffer, Handler handler) override {
    link_->submit(true, buffer, std::move(handler));
  }
  void async_write_some(std::span<const std::uint8_t> bytes, Handler handler) override {
    // libusb takes a non-const buffer for both directions; OUT transfers
    // only read it.
    link_->submit(false, {const_cast<std::uint8_t*>(bytes.data()), bytes.size()},
                  std::move(handler));
  }
  void close() noexcept override { link_->close(); }
  asio::any_io_executor get_executor() override { return io_.get_executor(); }
  std::string describe() const override { return "usb " + usb::describe(link_->info()); }

 private:
  std::shared_ptr<UsbLink> link_;
  asio::io_context& io_;
};

// The first interface (alternate setting 0) with a bulk IN and a bulk OUT.
bool find_bulk_endpoints(libusb_device* device, int& interface, std::uint8_t& in,
                         std::uint8_t& out) {
  libusb_config_descriptor* config = nullptr;
  if (::libusb_get_active_config_descriptor(device, &config) != 0 || config == nullptr) {
    return false;
  }
  bool found = false;
  for (int i = 0; i < config->bNumInterfaces && !found; ++i) {
    if (config->interface[i].num_altsetting < 1) continue;
    const libusb_interface_descriptor& alt = config->interface[i].altsetting[0];
    std::uint8_t bulk_in = 0;
    std::uint8_t bulk_out = 0;
    for (int e = 0; e < alt.bNumEndpoints; ++e) {
      const libusb_endpoint_descriptor& ep = alt.endpoint[e];
      if ((ep.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK) continue;
      if ((ep.bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
        if (bulk_in == 0) bulk_in = ep.bEndpointAddress;
      } else if (bulk_out == 0) {
        bulk_out = ep.bEndpointAddress;
      }
    }
    if (bulk_in != 0 && bulk_out != 0) {
      interface = alt.bInterfaceNumber;
      in = bulk_in;
      out = bulk_out;
      found = true;
    }
  }
  ::libusb_free_config_descriptor(config);
  return found;
}

}  // namespace

UsbOpener::UsbOpener(std::uint16_t vid, std::uint16_t pid, std::string serial)
    : match_{vid, pid, std::move(serial)},
      open_device_(std::make_shared<UsbOpenDevice>()),
      hotplug_handler_(std::make_shared<std::function<void(HotplugAction)>>()) {}

UsbOpener::~UsbOpener() = default;

void UsbOpener::set_hotplug_handler(std::function<void(HotplugAction)> handler) {
  *hotplug_handler_ = std::move(handler);
}

std::unique_ptr<ByteStream> UsbOpener::open(asio::io_context& io, std::error_code& ec,
                                            std::string& why) {
  if (!context_) {
    auto context = std::make_shared<UsbContext>(io);
    if ((ec = context->init(why))) return nullptr;
    context_ = std::move(context);
    context_->register_hotplug(
        match_,
        [match = match_, od = open_device_](bool arrived, const UsbDeviceInfo& info) {
          std::lock_guard lock(od->mutex);
          return arrived ? on_hotplug_arrived(match, info, od->device.has_value())
                         : on_hotplug_left(match, info, od->device);
        },
        [handler = hotplug_handler_](HotplugAction action) {
          if (*handler) (*handler)(action);
        });
  }
  libusb_context* ctx = context_->get();
  libusb_device** list = nullptr;
  const ssize_t count = ::libusb_get_device_list(ctx, &list);
  if (count < 0) {
    ec = usb_error(static_cast<int>(count));
    why = std::string("cannot list USB devices: ") + ::libusb_strerror(static_cast<int>(count));
    return nullptr;
  }
  std::vector<UsbDeviceInfo> infos;
  std::vector<libusb_device*> devices;
  for (ssize_t i = 0; i < count; ++i) {
    libusb_device_descriptor desc{};
    if (::libusb_get_device_descriptor(list[i], &desc) != 0) continue;
    UsbDeviceInfo info;
    info.vid = desc.idVendor;
    info.pid = desc.idProduct;
    if (!match_.matches_ids(info)) continue;
    info.bus = ::libusb_get_bus_number(list[i]);
    info.address = ::libusb_get_device_address(list[i]);
    if (desc.iSerialNumber != 0) {
      libusb_device_handle* h = nullptr;
      if (::libusb_open(list[i], &h) == 0) {
        unsigned char text[128] = {};
        const int n =
            ::libusb_get_string_descriptor_ascii(h, desc.iSerialNumber, text, sizeof text - 1);
        if (n > 0)
          info.serial.assign(reinterpret_cast<const char*>(text), static_cast<std::size_t>(n));
        ::libusb_close(h);
      }
    }
    infos.push_back(std::move(info));
    devices.push_back(list[i]);
  }
  const auto pick = choose_usb_device(infos, match_, why);
  if (!pick) {
    ::libusb_free_device_list(list, 1);
    ec = usb_error(LIBUSB_ERROR_NOT_FOUND);
    return nullptr;
  }
  libusb_device* device = devices[*pick];
  const UsbDeviceInfo info = infos[*pick];
  libusb_device_handle* handle = nullptr;
  int rc = ::libusb_open(device, &handle);
  int interface = 0;
  std::uint8_t ep_in = 0;
  std::uint8_t ep_out = 0;
  if (rc == 0 && !find_bulk_endpoints(device, interface, ep_in, ep_out)) {
    ::libusb_close(handle);
    ::libusb_free_device_list(list, 1);
    ec = usb_error(LIBUSB_ERROR_NOT_SUPPORTED);
    why = "USB device " + describe(info) +
          " has no interface with bulk IN and OUT endpoints (a CDC-ACM reader? use "
          "serial:///dev/ttyACM0)";
    return nullptr;
  }
  ::libusb_free_device_list(list, 1);
  if (rc == 0) {
    // Let libusb unbind a kernel driver (e.g. cdc_acm, ftdi_sio) while we
    // hold the interface, and rebind it when we let go.
    ::libusb_set_auto_detach_kernel_driver(handle, 1);
    rc = ::libusb_claim_interface(handle, interface);
    if (rc != 0) ::libusb_close(handle);
  }
  if (rc != 0) {
    ec = usb_error(rc);
    why = "cannot open USB device " + describe(info) + ": " + ::libusb_strerror(rc) + open_hint(rc);
    return nullptr;
  }
  {
    std::lock_guard lock(open_device_->mutex);
    open_device_->device = info;
  }
  ec.clear();
  auto link =
      std::make_shared<UsbLink>(context_, handle, interface, ep_in, ep_out, info, open_device_);
  return std::make_unique<UsbByteStream>(std::move(link), io);
}

}  // namespace garita::hal::usb

#pragma once
// Which USB device is "the reader" of a usb://VID:PID[?serial=S] URI, and
// what a hotplug event means for a driver: the decisions, kept apart from
// libusb so they are unit-tested with fake device lists (no USB in CI).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace garita::hal::usb {

// One device as enumeration sees it.
struct UsbDeviceInfo {
  std::uint16_t vid = 0;
  std::uint16_t pid = 0;
  std::string serial;  // iSerialNumber; empty when the device has none or it was not read
  std::uint8_t bus = 0;
  std::uint8_t address = 0;
  friend bool operator==(const UsbDeviceInfo&, const UsbDeviceInfo&) = default;
};

struct UsbMatch {
  std::uint16_t vid = 0;
  std::uint16_t pid = 0;
  std::string serial;  // empty: any serial, but then only one device may match

  bool matches_ids(const UsbDeviceInfo& d) const noexcept { return d.vid == vid && d.pid == pid; }
  bool matches(const UsbDeviceInfo& d) const noexcept {
    return matches_ids(d) && (serial.empty() || d.serial == serial);
  }
};

// Picks the device for `match` from an enumeration. None: nullopt and `why`
// ("no USB device 1325:c029 is plugged in"); several without a serial in the
// URI: nullopt and a `why` listing their serials, because guessing would
// let two lanes swap readers after a reboot.
std::optional<std::size_t> choose_usb_device(std::span<const UsbDeviceInfo> devices,
                                             const UsbMatch& match, std::string& why);

// What a hotplug notification means for the driver holding (or waiting for)
// a device.
enum class HotplugAction : std::uint8_t {
  ignore,       // not our device
  connect_now,  // our device arrived while we wait: skip the rest of the backoff
  link_lost,    // the device we have open left: fail the session now
};

HotplugAction on_hotplug_arrived(const UsbMatch& match, const UsbDeviceInfo& device,
                                 bool have_open_device) noexcept;
HotplugAction on_hotplug_left(const UsbMatch& match, const UsbDeviceInfo& device,
                              const std::optional<UsbDeviceInfo>& open_device) noexcept;

// "1325:c029 bus 1 addr 4 serial AB12" for logs and status.
std::string describe(const UsbDeviceInfo& device);

}  // namespace garita::hal::usb

#include "garita/hal/usb/UsbDeviceSelector.hpp"

#include <cstdio>

namespace garita::hal::usb {
namespace {

std::string ids(std::uint16_t vid, std::uint16_t pid) {
  char text[16];
  // Two 16-bit ids in hex: always fits in 16.
  static_cast<void>(std::snprintf(text, sizeof text, "%04x:%04x", vid, pid));
  return text;
}

}  // namespace

std::string describe(const UsbDeviceInfo& d) {
  std::string s =
      ids(d.vid, d.pid) + " bus " + std::to_string(d.bus) + " addr " + std::to_string(d.address);
  if (!d.serial.empty()) s += " serial " + d.serial;
  return s;
}

std::optional<std::size_t> choose_usb_device(std::span<const UsbDeviceInfo> devices,
                                             const UsbMatch& match, std::string& why) {
  std::vector<std::size_t> hits;
  std::size_t same_ids = 0;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (match.matches_ids(devices[i])) ++same_ids;
    if (match.matches(devices[i])) hits.push_back(i);
  }
  if (hits.size() == 1) {
    why.clear();
    return hits.front();
  }
  if (hits.empty()) {
    why = "no USB device " + ids(match.vid, match.pid);
    if (!match.serial.empty()) why += " with serial " + match.serial;
    why += " is plugged in";
    if (!match.serial.empty() && same_ids > 0) {
      why += " (" + std::to_string(same_ids) + " with other serials: check ?serial= in the URI)";
    } else {
      why += " (check `lsusb`)";
    }
    return std::nullopt;
  }
  why = std::to_string(hits.size()) + " USB devices " + ids(match.vid, match.pid) +
        " are plugged in (serials:";
  for (std::size_t i : hits) {
    why += " " + (devices[i].serial.empty() ? std::string("<none>") : devices[i].serial);
  }
  why += "); add ?serial=... to the URI to say which one this lane uses";
  return std::nullopt;
}

HotplugAction on_hotplug_arrived(const UsbMatch& match, const UsbDeviceInfo& device,
                                 bool have_open_device) noexcept {
  // The serial of an arriving device is often unreadable in the callback
  // (libusb forbids opening it there): ids are enough to try now, and the
  // open itself checks the serial.
  if (have_open_device || !match.matches_ids(device)) return HotplugAction::ignore;
  return HotplugAction::connect_now;
}

HotplugAction on_hotplug_left(const UsbMatch& match, const UsbDeviceInfo& device,
                              const std::optional<UsbDeviceInfo>& open_device) noexcept {
  if (!open_device || !match.matches_ids(device)) return HotplugAction::ignore;
  // Bus and address identify a device while it is plugged in.
  if (device.bus != open_device->bus || device.address != open_device->address) {
    return HotplugAction::ignore;
  }
  return HotplugAction::link_lost;
}

}  // namespace garita::hal::usb

// USB device selection and hotplug decisions, against fake enumerations
// (no libusb here: CI has no USB and libusb_init may hang under qemu).
#include <catch2/catch.hpp>

#include "garita/hal/ReaderUri.hpp"
#include "garita/hal/usb/UsbDeviceSelector.hpp"

using namespace garita::hal;
using namespace garita::hal::usb;

TEST_CASE("usb: picking the reader among the plugged devices") {
  const std::vector<UsbDeviceInfo> devices{
      {0x1d6b, 0x0002, "", 1, 1},      // root hub
      {0x1325, 0xc029, "AB12", 1, 4},  // the reader
      {0x0403, 0x6001, "FT1", 1, 5},   // an FTDI cable
  };
  std::string why;
  CHECK(choose_usb_device(devices, {0x1325, 0xc029, ""}, why) == 1U);
  CHECK(choose_usb_device(devices, {0x1325, 0xc029, "AB12"}, why) == 1U);

  CHECK_FALSE(choose_usb_device(devices, {0x1325, 0xc029, "ZZ99"}, why));
  CHECK(why ==
        "no USB device 1325:c029 with serial ZZ99 is plugged in (1 with other serials: "
        "check ?serial= in the URI)");
  CHECK_FALSE(choose_usb_device(devices, {0x1234, 0x5678, ""}, why));
  CHECK(why == "no USB device 1234:5678 is plugged in (check `lsusb`)");

  auto two = devices;
  two.push_back({0x1325, 0xc029, "CD34", 2, 7});
  CHECK_FALSE(choose_usb_device(two, {0x1325, 0xc029, ""}, why));
  CHECK(why.find("2 USB devices 1325:c029 are plugged in (serials: AB12 CD34)") == 0);
  CHECK(choose_usb_device(two, {0x1325, 0xc029, "CD34"}, why) == 3U);
  CHECK(describe(two[3]) == "1325:c029 bus 2 addr 7 serial CD34");
}

TEST_CASE("usb: hotplug decisions") {
  const UsbMatch match{0x1325, 0xc029, "AB12"};
  const UsbDeviceInfo reader{0x1325, 0xc029, "", 1, 9};
  const UsbDeviceInfo other{0x0403, 0x6001, "", 1, 3};
  CHECK(on_hotplug_arrived(match, reader, false) == HotplugAction::connect_now);
  CHECK(on_hotplug_arrived(match, reader, true) == HotplugAction::ignore);
  CHECK(on_hotplug_arrived(match, other, false) == HotplugAction::ignore);
  const std::optional<UsbDeviceInfo> open = UsbDeviceInfo{0x1325, 0xc029, "AB12", 1, 9};
  CHECK(on_hotplug_left(match, reader, open) == HotplugAction::link_lost);
  CHECK(on_hotplug_left(match, reader, std::nullopt) == HotplugAction::ignore);
  // Another unit of the same model leaving is not ours.
  CHECK(on_hotplug_left(match, UsbDeviceInfo{0x1325, 0xc029, "", 2, 4}, open) ==
        HotplugAction::ignore);
}

TEST_CASE("reader URI: module options for serial and usb readers") {
  ReaderUri u;
  std::string why;
  REQUIRE_FALSE(parse_reader_uri(
      "serial:///dev/ttyUSB0?baud=115200&region=NA2&power=2700&antennas=1,2", u, why));
  CHECK(u.region == "NA2");
  CHECK(u.read_power_cdbm == 2700);
  CHECK(u.antennas == std::vector<std::uint16_t>{1, 2});
  CHECK(u.to_string() == "serial:///dev/ttyUSB0?baud=115200&region=NA2&power=2700&antennas=1,2");
  REQUIRE_FALSE(parse_reader_uri("usb://1325:c029?serial=AB&antennas=2", u, why));
  CHECK(u.to_string() == "usb://1325:c029?serial=AB&antennas=2");
  REQUIRE_FALSE(parse_reader_uri("usb://1325:c029?region=EU3", u, why));
  CHECK(u.to_string() == "usb://1325:c029?region=EU3");

  CHECK(parse_reader_uri("serial:///dev/ttyUSB0?power=4000", u, why));
  CHECK(why.find("power '4000'") == 0);
  CHECK(parse_reader_uri("serial:///dev/ttyUSB0?antennas=1,1", u, why));
  CHECK(why == "antennas '1,1' lists port 1 twice");
  CHECK(parse_reader_uri("serial:///dev/ttyUSB0?antennas=0", u, why));
  CHECK(parse_reader_uri("serial:///dev/ttyUSB0?region=N-A", u, why));
  CHECK(parse_reader_uri("serial:///dev/ttyUSB0?speed=1", u, why));
  CHECK(why == "unknown serial option 'speed' (expected baud, region, power, antennas)");
}

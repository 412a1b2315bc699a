#pragma once
// The Mercury reader driver (serial://, usb://): garita as the host of a
// ThingMagic/JADAK Mercury embedded module (M6e, M6e Micro, M6e Nano, M7e,
// SparkFun Simultaneous RFID Reader) over a serial line, a USB-CDC tty or a
// vendor USB bulk link.
//
// One session, each step bounded by the response timeout:
//   open the link -> VERSION -> GET_CURRENT_PROGRAM -> [bootloader:
//   BOOT_FIRMWARE -> VERSION] -> GET_REGION -> [SET_REGION if configured
//   and different] -> SET_TAG_PROTOCOL Gen2 -> SET_ANTENNA_PORT (search
//   list) -> SET_READ_TX_POWER (if configured) -> GET_ANTENNA_PORT return
//   loss -> GET_TEMPERATURE -> MULTI_PROTOCOL_TAG_OP start continuous read
//   (with embedded TID read) -> running: streamed tag reads -> TagRead,
//   keep-alives and stats -> status/health.
// A stream silent for keepalive_period * dead_after_keepalives is a dead link.
// Any failure: close, record why, back off (ReconnectBackoff), reopen; a
// device path that vanished (unplugged) is simply retried until it returns.
// stop(): stop continuous read (answer awaited, bounded), close.
//
// URI options (ReaderUri): baud (serial), serial (usb), region=NA|EU3|...
// (set the module's region; without it the module's own region is kept and
// a module with none is refused), power=CDBM (read power in centi-dBm, e.g.
// 2700), antennas=1,2 (overrides DriverOptions::antennas; default [1]).
#include <memory>
#include <string>
#include <system_error>

#include "garita/hal/ByteStream.hpp"
#include "garita/hal/DriverOptions.hpp"
#include "garita/hal/ReaderDriver.hpp"
#include "garita/hal/ReaderUri.hpp"

namespace boost::asio {
class io_context;
}

namespace garita::hal::mercury {

// The DriverTable entry for serial:// and usb://. Checks the options (region
// name, power range, antenna numbers) now; on failure returns null with
// DriverErrc::bad_options and a one-line `why`.
std::shared_ptr<ReaderDriver> make_mercury_driver(const ReaderUri& uri, boost::asio::io_context& io,
                                                  ReaderSink& sink, const DriverOptions& options,
                                                  std::error_code& ec, std::string& why);

// The same driver over links made by `opener` (tests, replay of a captured
// byte stream, a pty): it is called for every connection attempt. `uri` is
// still used for the options and the status text.
std::shared_ptr<ReaderDriver> make_mercury_driver(const ReaderUri& uri, boost::asio::io_context& io,
                                                  ReaderSink& sink, const DriverOptions& options,
                                                  ByteStreamOpener opener, std::error_code& ec,
                                                  std::string& why);

}  // namespace garita::hal::mercury

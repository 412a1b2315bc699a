#pragma once
// One driver per reader family, one file each, all listed in one table (the
// way gpsd registers its drivers): the table maps a URI scheme to the
// function that makes its driver. A scheme whose driver is not in this build
// has an entry too, so the error says so instead of "unknown scheme".
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/hal/DriverOptions.hpp"
#include "garita/hal/ReaderDriver.hpp"
#include "garita/hal/ReaderUri.hpp"

namespace boost::asio {
class io_context;
}

namespace garita::hal {

// Makes a driver, not yet started. On failure returns null, sets `ec` and a
// one-line `why` (e.g. "llrps:// needs a CA file to check the reader's
// certificate (DriverOptions.tls.ca_file / --tls-ca)").
using DriverFactory = std::shared_ptr<ReaderDriver> (*)(const ReaderUri& uri,
                                                        boost::asio::io_context& io,
                                                        ReaderSink& sink,
                                                        const DriverOptions& options,
                                                        std::error_code& ec, std::string& why);

struct DriverTableEntry {
  ReaderScheme scheme;
  std::string_view family;  // "LLRP (TCP)", for messages and docs
  DriverFactory make;       // null: not supported by this build
};

std::span<const DriverTableEntry> driver_table() noexcept;

// Picks the driver for uri.scheme from the table and makes it. A scheme
// without a driver gives DriverErrc::scheme_not_supported and a `why` like
// "serial readers are not supported yet by this build".
std::shared_ptr<ReaderDriver> make_reader_driver(const ReaderUri& uri, boost::asio::io_context& io,
                                                 ReaderSink& sink, const DriverOptions& options,
                                                 std::error_code& ec, std::string& why);

}  // namespace garita::hal

#include "garita/hal/DriverTable.hpp"

#include <array>

#include "garita/hal/DriverErrc.hpp"
#include "garita/hal/llrp/LlrpClient.hpp"
#include "garita/hal/mercury/MercuryDriver.hpp"

namespace garita::hal {
namespace {

// The table. Adding a reader family = one driver file + one line here.
constexpr std::array kDrivers{
    DriverTableEntry{ReaderScheme::llrp, "LLRP over TCP", &llrp::make_llrp_client},
    DriverTableEntry{ReaderScheme::llrps, "LLRP over TLS", &llrp::make_llrp_client},
    DriverTableEntry{ReaderScheme::serial, "Mercury serial module", &mercury::make_mercury_driver},
    DriverTableEntry{ReaderScheme::usb, "Mercury USB module", &mercury::make_mercury_driver},
};

}  // namespace

std::span<const DriverTableEntry> driver_table() noexcept { return kDrivers; }

std::shared_ptr<ReaderDriver> make_reader_driver(const ReaderUri& uri, boost::asio::io_context& io,
                                                 ReaderSink& sink, const DriverOptions& options,
                                                 std::error_code& ec, std::string& why) {
  ec.clear();
  why.clear();
  for (const DriverTableEntry& entry : kDrivers) {
    if (entry.scheme != uri.scheme) continue;
    if (entry.make == nullptr) {
      ec = DriverErrc::scheme_not_supported;
      why = std::string(entry.family) + " readers (" + std::string(to_string(uri.scheme)) +
            "://) are not supported yet by this build";
      return nullptr;
    }
    return entry.make(uri, io, sink, options, ec, why);
  }
  ec = DriverErrc::scheme_not_supported;
  why = "no driver for " + std::string(to_string(uri.scheme)) + ":// readers in this build";
  return nullptr;
}

}  // namespace garita::hal

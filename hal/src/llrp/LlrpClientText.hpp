#pragma once
// Words for people: how the LLRP client phrases durations and transport
// failures in status lines and logs.
#include <boost/system/error_code.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace garita::hal::llrp {

// "250 ms", "5 s", "1.5 s".
std::string format_duration(std::chrono::milliseconds duration);

// A transport error as a code and one line a technician can act on.
// End-of-stream becomes DriverErrc::reader_closed_connection. `doing` is
// what failed ("reading from the reader"); `peer` is "address:port".
std::pair<std::error_code, std::string> describe_link_error(const boost::system::error_code& ec,
                                                            std::string_view doing,
                                                            const std::string& peer);

// A failed TCP connect, with a hint for the usual causes.
std::string describe_connect_error(const boost::system::error_code& ec, const std::string& target);

}  // namespace garita::hal::llrp

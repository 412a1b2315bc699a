#pragma once
// The LLRP reader driver (llrp://, llrps://): garita as an LLRP 1.1 client of
// an RFID reader (Impinj Speedway/R700, Zebra FX, any LLRP reader).
//
// One connection's life, each step checked and bounded by a timeout:
//   connect (TCP, or TLS checking the reader's certificate; or, in listen
//   mode, accept the reader's call) -> wait for the reader's
//   READER_EVENT_NOTIFICATION/ConnectionAttemptEvent (LLRP 1.1 §19: the client
//   sends nothing before it) -> GET_READER_CAPABILITIES -> [Impinj:
//   IMPINJ_ENABLE_EXTENSIONS] -> SET_READER_CONFIG factory reset ->
//   SET_READER_CONFIG lane settings -> GET_READER_CONFIG antenna properties
//   -> DELETE_ROSPEC 0 -> DELETE_ACCESSSPEC 0 -> ADD_ROSPEC -> [non-Impinj:
//   ADD_ACCESSSPEC + ENABLE_ACCESSSPEC] -> ENABLE_ROSPEC ->
//   ENABLE_EVENTS_AND_REPORTS -> running: RO_ACCESS_REPORT -> TagRead,
//   KEEPALIVE -> KEEPALIVE_ACK, events -> status.
// Any failure: close, record the reason, back off (capped exponential with
// jitter), start again. The exact settings are in LlrpClientSetup.hpp.
#include <memory>
#include <string>
#include <system_error>

#include "garita/hal/DriverOptions.hpp"
#include "garita/hal/ReaderDriver.hpp"
#include "garita/hal/ReaderUri.hpp"

namespace boost::asio {
class io_context;
}

namespace garita::hal::llrp {

// The DriverTable entry for llrp:// and llrps://. Checks the options (and,
// for llrps, loads the TLS files once so a bad path fails now, not at 3 a.m.);
// on failure returns null with DriverErrc::bad_options / tls_setup_failed
// and a one-line `why`.
std::shared_ptr<ReaderDriver> make_llrp_client(const ReaderUri& uri, boost::asio::io_context& io,
                                               ReaderSink& sink, const DriverOptions& options,
                                               std::error_code& ec, std::string& why);

}  // namespace garita::hal::llrp

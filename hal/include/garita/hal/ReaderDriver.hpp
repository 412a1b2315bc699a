#pragma once
// The interface every reader family implements: LLRP network readers now,
// serial (Mercury) and USB readers later. A driver owns the conversation with
// one reader for years: it connects, configures the reader, hands every tag
// read to its sink, notices a dead link, reconnects with backoff and keeps a
// status snapshot a technician can read.
//
// Threading: a driver runs on the io_context it was made with, all of it on
// one strand of its own; it starts no threads. Sink calls happen on that
// strand. start(), stop(), status() and set_output() may be called from any
// thread.
//
// Lifetime: drivers are shared objects (their pending operations hold a
// reference). Call stop() and wait for its completion before destroying the
// sink; after the completion the driver makes no more sink calls. Destroying
// the io_context also ends a driver, with no goodbye to the reader.
#include <cstdint>
#include <functional>
#include <system_error>

#include "garita/common/TagRead.hpp"
#include "garita/hal/ReaderStatus.hpp"

namespace garita::hal {

// Where a driver's output goes. Calls come on the driver's strand, must not
// block, and must not throw (a throw is caught, logged and the item dropped).
class ReaderSink {
 public:
  virtual ~ReaderSink() = default;
  // One tag read, as the reader reported it (no debouncing). The reference
  // is only valid during the call.
  virtual void on_tag_read(const TagRead& read) = 0;
  // Something a person would want to know changed: the state, the reader's
  // identity, an antenna, the last error. Not called for every read.
  virtual void on_status(const ReaderStatus& status) = 0;
};

class ReaderDriver {
 public:
  virtual ~ReaderDriver() = default;

  // Begins connecting; from then on the driver reconnects by itself after
  // any failure. A second call does nothing.
  virtual void start() = 0;

  // Stops for good, gracefully: the reader is told to stop inventorying and
  // the connection is closed the way the protocol wants (LLRP:
  // DISABLE_ROSPEC, CLOSE_CONNECTION), each step bounded by the response
  // timeout. `on_stopped` runs on the driver's strand once the driver is
  // quiet; it is never called from inside stop().
  virtual void stop(std::function<void()> on_stopped) = 0;

  // A consistent copy of the status (thread-safe).
  virtual ReaderStatus status() const = 0;

  // Drives a general-purpose output of the reader, e.g. a lane light (LLRP:
  // SET_READER_CONFIG with GPOWriteData). `done` gets the outcome on the
  // strand: DriverErrc::not_running when no session is up, bad_argument for
  // a port the reader does not have, busy when too many are queued.
  virtual void set_output(std::uint16_t port, bool on,
                          std::function<void(std::error_code)> done) = 0;
};

}  // namespace garita::hal

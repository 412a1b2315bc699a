#pragma once
// How a reader driver behaves: timeouts, reconnect backoff, what to ask the
// reader for, TLS files and the log hook. The defaults suit a lane; tests
// shrink the times to milliseconds.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "garita/hal/DriverLog.hpp"

namespace garita::hal {

// TLS material for llrps://, as files: key material never travels on a
// command line or in the configuration itself.
struct TlsFiles {
  std::string ca_file;    // PEM CA(s) the reader's certificate must chain to (required for llrps)
  std::string cert_file;  // PEM client certificate (chain), for readers that require one
  std::string key_file;   // PEM private key of cert_file

  bool empty() const noexcept { return ca_file.empty() && cert_file.empty() && key_file.empty(); }
};

struct DriverOptions {
  // Copied into every TagRead: which of the daemon's readers this is.
  std::uint32_t reader_id = 0;

  // --- time limits ---
  // TCP connect, TLS handshake included.
  std::chrono::milliseconds connect_timeout{10'000};
  // Every request/response pair, and the wait for the reader's first
  // message. Impinj readers take 1-3 s to reset to factory defaults.
  std::chrono::milliseconds response_timeout{10'000};
  // The reader sends a KEEPALIVE this often (LLRP KeepaliveSpec) ...
  std::chrono::milliseconds keepalive_period{5'000};
  // ... and the link counts as dead after this many periods of silence.
  unsigned dead_after_keepalives = 3;

  // --- reconnect backoff: capped exponential, with jitter ---
  std::chrono::milliseconds backoff_initial{1'000};
  std::chrono::milliseconds backoff_max{30'000};
  // Seed for the jitter (tests pin it); empty: from std::random_device.
  std::optional<std::uint64_t> backoff_seed;

  // --- what the reader is asked to do ---
  // Reset the reader's LLRP configuration to factory defaults on every
  // connection, so settings left by another client cannot change what a lane
  // reads. Turn off only if the site tunes the reader by hand.
  bool reset_to_factory_defaults = true;
  // Antennas to inventory; empty: all the reader has.
  std::vector<std::uint16_t> antennas;
  // One RO_ACCESS_REPORT per this many tags: 1 keeps latency lowest.
  std::uint16_t report_every_n_tags = 1;
  // Read the TID (FastID on Impinj readers, an AccessSpec elsewhere).
  bool read_tid = true;
  // TID words read by the AccessSpec: 6 covers class, maker, model and the
  // 48-bit serial of the chips on WHTI cards.
  std::uint16_t tid_words = 6;
  // Use Impinj extensions (FastID) when the reader is an Impinj.
  bool use_impinj_extensions = true;

  // --- transport ---
  TlsFiles tls;
  // Largest message accepted from the reader (bounded memory).
  std::uint32_t max_message_size = 1024 * 1024;
  // Messages waiting to be written; a reader that stops reading fills this
  // and the connection is dropped rather than growing memory.
  std::size_t max_queued_writes = 64;
  // Commands (lane lights) waiting for the reader.
  std::size_t max_queued_commands = 16;

  DriverLog log;
};

}  // namespace garita::hal

#pragma once
// `garita reader check URI`: the technician's "is my reader alive?" tool.
// Connects with the same driver the daemon uses, configures the reader,
// prints its identity and antennas, every tag read as it arrives, and a
// summary. Exit codes: 0 when the reader ran (even with no tags in the
// field), 1 when it did not (one line on stderr says why: connection
// refused, timeout, TLS, the reader's LLRPStatus), 2 for bad arguments.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace garita::daemon {

struct ReaderCheckOptions {
  std::string uri;                      // llrp://host[:port], llrps://..., llrp://0.0.0.0?listen=1
  double seconds = 10;                  // how long to read once the reader runs
  bool json = false;                    // one JSON object per line instead of text
  bool verbose = false;                 // the driver's log lines on stderr
  std::vector<std::uint16_t> antennas;  // empty: all
  std::string tls_ca;                   // files, never key material on the command line
  std::string tls_cert;
  std::string tls_key;
};

inline constexpr int kExitReaderFailed = 1;

int run_reader_check(const ReaderCheckOptions& options, std::ostream& out, std::ostream& err);

}  // namespace garita::daemon

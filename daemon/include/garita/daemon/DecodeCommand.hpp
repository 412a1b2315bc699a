#pragma once
// `garita decode epc|tid`: the technician's first tool. Prints one JSON
// object per call (docs/epc-and-tid.md lists the fields). Exit codes: 0 on a
// decode (raw included), 2 on input that cannot be decoded at all (bad hex,
// impossible length, unreadable issuer table), with one line on stderr.
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace garita::daemon {

struct DecodeEpcOptions {
  std::string epc_hex;
  std::optional<std::string> pc_hex;   // --pc: the 16-bit PC word
  std::vector<std::string> xpc_hex;    // --xpc: XPC_W1 [XPC_W2]
  std::optional<std::string> tid_hex;  // --tid: lets issuer rules that need the TID match
  std::optional<std::string>
      issuers;  // --issuers FILE; default /etc/garita/issuers.toml if present
};

struct DecodeTidOptions {
  std::string tid_hex;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 2;

// Default issuer table location, used when --issuers is not given and the file exists.
inline constexpr const char* kDefaultIssuersPath = "/etc/garita/issuers.toml";

int run_decode_epc(const DecodeEpcOptions& options, std::ostream& out, std::ostream& err);
int run_decode_tid(const DecodeTidOptions& options, std::ostream& out, std::ostream& err);

}  // namespace garita::daemon

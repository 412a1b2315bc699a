#include "garita/daemon/DecodeCommand.hpp"

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <ostream>

#include "garita/common/DecodeJson.hpp"
#include "garita/common/Epc.hpp"
#include "garita/common/Errc.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/IssuerTable.hpp"
#include "garita/common/Tid.hpp"

namespace garita::daemon {
namespace {

// Gen2 §6.3.2.1.2.2: the PC's 5-bit length field counts 16-bit words, so an
// EPC is 1..31 whole words. TID memory is also word-addressed (Gen2 §6.3.2.1.3);
// 64 bytes covers the XTID header, the longest serial and every optional segment.
constexpr std::size_t kMaxEpcBytes = 62;
constexpr std::size_t kMaxTidBytes = 64;

// Parses a word-aligned hex argument; on failure writes "garita: WHAT: reason" to err.
bool parse_words(std::string_view what, std::string_view text, std::size_t max_bytes,
                 std::vector<std::uint8_t>& out, std::ostream& err) {
  const std::error_code ec = parse_hex(text, out, max_bytes);
  if (ec == Errc::hex_too_long) {
    err << "garita: " << what << " is longer than " << max_bytes << " bytes (" << 2 * max_bytes
        << " hex digits)\n";
    return false;
  }
  if (ec) {
    err << "garita: " << what << " '" << text << "': " << ec.message() << "\n";
    return false;
  }
  if (out.size() % 2 != 0) {
    err << "garita: " << what << " is " << out.size()
        << " bytes; it must be whole 16-bit words (an even number of bytes)\n";
    return false;
  }
  return true;
}

bool parse_word(std::string_view what, std::string_view text, std::uint16_t& out,
                std::ostream& err) {
  std::vector<std::uint8_t> bytes;
  const std::error_code ec = parse_hex(text, bytes, 2);
  if (ec || bytes.size() != 2) {
    err << "garita: " << what << " '" << text
        << "' must be exactly 4 hex digits (one 16-bit word)\n";
    return false;
  }
  out = static_cast<std::uint16_t>((bytes[0] << 8) | bytes[1]);
  return true;
}

}  // namespace

int run_decode_epc(const DecodeEpcOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<std::uint8_t> epc_bytes;
  if (!parse_words("EPC", options.epc_hex, kMaxEpcBytes, epc_bytes, err)) return kExitBadInput;

  std::optional<PcWord> pc;
  if (options.pc_hex) {
    std::uint16_t word = 0;
    if (!parse_word("--pc", *options.pc_hex, word, err)) return kExitBadInput;
    pc = PcWord{word};
  }
  std::vector<std::uint16_t> xpc;
  if (!options.xpc_hex.empty()) {
    if (!pc) {
      err << "garita: --xpc needs --pc (the XPC words follow a PC word whose XI bit is set)\n";
      return kExitBadInput;
    }
    if (!pc->xi()) {
      err << "garita: --xpc given but the PC word's XI bit (Gen2 §6.3.2.1.2.2) is 0\n";
      return kExitBadInput;
    }
    if (options.xpc_hex.size() > 2) {
      err << "garita: at most two XPC words (XPC_W1, XPC_W2)\n";
      return kExitBadInput;
    }
    for (const std::string& text : options.xpc_hex) {
      std::uint16_t word = 0;
      if (!parse_word("--xpc", text, word, err)) return kExitBadInput;
      xpc.push_back(word);
    }
  }

  std::optional<DecodedTid> tid;
  if (options.tid_hex) {
    std::vector<std::uint8_t> tid_bytes;
    if (!parse_words("--tid", *options.tid_hex, kMaxTidBytes, tid_bytes, err)) return kExitBadInput;
    tid = decode_tid(tid_bytes);
  }

  IssuerTable issuers;
  std::string path;
  if (options.issuers) {
    path = *options.issuers;
  } else if (std::error_code ec; std::filesystem::exists(kDefaultIssuersPath, ec)) {
    path = kDefaultIssuersPath;
  }
  if (!path.empty()) {
    std::string why;
    if (IssuerTable::load_file(path, issuers, why)) {
      err << "garita: issuer table: " << why << "\n";
      return kExitBadInput;
    }
  }

  const DecodedEpc epc = decode_epc(epc_bytes, pc, xpc);
  const DocumentMatch document = issuers.match(epc, tid ? &*tid : nullptr);
  boost::json::object json = to_json(epc, document);
  if (tid) json["tid"] = to_json(*tid);
  out << boost::json::serialize(json) << "\n";
  return kExitOk;
}

int run_decode_tid(const DecodeTidOptions& options, std::ostream& out, std::ostream& err) {
  std::vector<std::uint8_t> tid_bytes;
  if (!parse_words("TID", options.tid_hex, kMaxTidBytes, tid_bytes, err)) return kExitBadInput;
  out << boost::json::serialize(to_json(decode_tid(tid_bytes))) << "\n";
  return kExitOk;
}

}  // namespace garita::daemon

#pragma once
// The EPC decoder: PC word + EPC bytes -> a decoded value, never a crash and
// never a rejection. GS1 EPC Tag Data Standard (TDS) 2.x: binary schemes of
// §14, tag/pure-identity URIs of §6 and §12, EPC memory (PC/XPC/toggle) of
// §15. Anything that is not a valid encoding of a supported scheme decodes
// to the EPC raw URI (TDS §12.4) with a reason saying why.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "garita/common/PcWord.hpp"

namespace garita {

enum class EpcScheme : std::uint8_t {
  raw,       // not decoded: see EpcRawReason
  sgtin_96,  // header 0x30
  sscc_96,   // header 0x31
  sgln_96,   // header 0x32
  grai_96,   // header 0x33
  giai_96,   // header 0x34
  gid_96,    // header 0x35
  usdod_96,  // header 0x2F
  adi_var,   // header 0x3B
};

enum class EpcRawReason : std::uint8_t {
  none,                // decoded
  empty,               // zero-length EPC
  truncated,           // fewer bits than the PC length or the scheme needs
  unprogrammed,        // header 0x00 (TDS §14.2: unprogrammed tag)
  unknown_header,      // header not assigned by the TDS
  unsupported_scheme,  // a TDS header garita does not decode (e.g. SGTIN-198)
  reserved_partition,  // partition value 7
  field_out_of_range,  // a numeric field at or above 10^digits
  invalid_character,   // a character field holds a value outside its alphabet
  length_mismatch,     // bits beyond the scheme's length are not zero
  iso_toggle,          // toggle=1: an ISO/IEC 15961 UII with an AFI, not a GS1 EPC
};

// One scheme field, in the order it appears in the URI.
struct EpcField {
  std::string_view name;  // e.g. "company_prefix", "serial"
  std::string value;      // decimal with leading zeros kept, or the character string
};

struct DecodedEpc {
  std::vector<std::uint8_t> bytes;  // the EPC bits used (PC length applied)
  unsigned bits = 0;                // EPC length in bits
  std::string hex;                  // upper-case hex of `bytes`
  std::optional<PcWord> pc;         // as given
  std::vector<std::uint16_t> xpc;   // XPC_W1[, XPC_W2] as given

  EpcScheme scheme = EpcScheme::raw;
  std::optional<unsigned> filter;     // filter value, where the scheme has one
  std::optional<unsigned> partition;  // partition value, where the scheme has one
  std::vector<EpcField> fields;       // scheme fields in URI order

  std::string tag_uri;  // urn:epc:tag:... (the raw URI when not decoded)
  std::string id_uri;   // urn:epc:id:...  (empty when not decoded)
  std::string raw_uri;  // urn:epc:raw:... (always set)

  EpcRawReason reason = EpcRawReason::none;
  std::string reason_text;  // human detail for `reason`, empty when decoded

  bool decoded() const noexcept { return scheme != EpcScheme::raw; }
};

// Decodes an EPC. When `pc` is given its length bits decide how many of
// `epc`'s bits form the EPC (extra bytes are ignored, too few is `truncated`)
// and its toggle/UMI/attribute bits are honoured; `xpc` holds the XPC words
// the reader reported, if any. Without a PC the whole of `epc` is the EPC.
DecodedEpc decode_epc(std::span<const std::uint8_t> epc, std::optional<PcWord> pc = std::nullopt,
                      std::span<const std::uint16_t> xpc = {});

// "sgtin-96", ..., "raw".
std::string_view to_string(EpcScheme scheme) noexcept;
// "none", "truncated", "unknown_header", ...
std::string_view to_string(EpcRawReason reason) noexcept;

}  // namespace garita

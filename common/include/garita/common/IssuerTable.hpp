#pragma once
// Document type from the issuer table. The layout of the 96-bit number on
// WHTI cards (Border Crossing Card, Permanent Resident Card, Passport Card,
// SENTRI/NEXUS/FAST, EDL) is not public, so garita never guesses it: the
// site's configuration lists rules (EPC bit length + prefix value + mask,
// optionally the TID's maker/model) that name the issuer and document type.
// The first matching rule wins; no match is "UNKNOWN" and the raw hex is
// kept. A read is never rejected for not matching. Format and how to add a
// row: docs/epc-and-tid.md and config/issuers.example.toml.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace toml {
inline namespace v3 {
class array;
}
}  // namespace toml

namespace garita {

struct DecodedEpc;
struct DecodedTid;

enum class DocumentType : std::uint8_t {
  unknown,        // no rule matched
  bcc,            // Border Crossing Card (DSP-150, "laser visa")
  prc,            // Permanent Resident Card (I-551)
  passport_card,  // U.S. Passport Card
  sentri,         // SENTRI trusted-traveler card
  nexus,          // NEXUS trusted-traveler card
  fast,           // FAST commercial-driver card
  global_entry,   // Global Entry card
  edl,            // Enhanced Driver's License / Enhanced ID
  etc,            // Enhanced Tribal Card
  other,          // a known issuer's document outside this list
};

// "UNKNOWN", "BCC", "PRC", "PASSPORT_CARD", ... (the spelling used in configs).
std::string_view to_string(DocumentType type) noexcept;
// Parses the config spelling (case-insensitive). nullopt when not a type.
std::optional<DocumentType> document_type_from_string(std::string_view text) noexcept;

struct IssuerRule {
  std::string name;    // label shown in decode output
  std::string issuer;  // e.g. "U.S. Department of State"
  DocumentType document = DocumentType::unknown;
  unsigned epc_bits = 96;                 // EPC length the rule applies to
  std::vector<std::uint8_t> prefix;       // compared to the EPC's leading bytes...
  std::vector<std::uint8_t> mask;         // ...under this mask (same length as prefix)
  std::optional<std::uint16_t> tid_mdid;  // when set, the TID's MDID must equal it
  std::optional<std::uint16_t> tid_tmn;   // when set, the TID's TMN must equal it
  std::string source;                     // "file:line" the rule came from
};

struct DocumentMatch {
  DocumentType document = DocumentType::unknown;
  const IssuerRule* rule = nullptr;  // nullptr when nothing matched
};

class IssuerTable {
 public:
  // Reads a TOML file of [[issuer]] tables. On error returns a garita Errc
  // and sets `error` to "FILE:LINE: issuer[N].KEY: what is wrong".
  static std::error_code load_file(const std::filesystem::path& path, IssuerTable& out,
                                   std::string& error);
  // The same from text already in memory; `source_name` is used in messages.
  static std::error_code parse(std::string_view toml_text, std::string_view source_name,
                               IssuerTable& out, std::string& error);
  // From the `issuer` array of an already-parsed config (garitad's config
  // embeds the table).
  static std::error_code from_toml(const toml::array& issuers, std::string_view source_name,
                                   IssuerTable& out, std::string& error);

  void add(IssuerRule rule);
  std::span<const IssuerRule> rules() const noexcept { return rules_; }
  bool empty() const noexcept { return rules_.empty(); }

  // First rule whose length, masked prefix and (when set) TID maker/model
  // match. `tid` may be null when the reader gave no TID; rules that need a
  // TID then do not match.
  DocumentMatch match(const DecodedEpc& epc, const DecodedTid* tid) const noexcept;

 private:
  std::vector<IssuerRule> rules_;
};

}  // namespace garita

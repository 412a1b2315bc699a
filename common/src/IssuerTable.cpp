// The issuer table: site-configured rules that name the issuer and document
// type of a card from its EPC (length + masked prefix) and, optionally, its
// TID maker/model. See IssuerTable.hpp for why garita never guesses WHTI
// layouts, and config/issuers.example.toml for the format a technician sees.
//
// Errors are reported as "FILE:LINE: issuer[N].KEY: what is wrong" (N is
// 1-based, in file order). Only the first problem is reported; `out` is
// replaced only when the whole table is valid, so a bad reload keeps the
// table that was already loaded. Nothing here lets an exception escape.
#include "garita/common/IssuerTable.hpp"

#include <toml++/toml.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "garita/common/Epc.hpp"
#include "garita/common/Errc.hpp"
#include "garita/common/Hex.hpp"
#include "garita/common/TextFile.hpp"
#include "garita/common/Tid.hpp"
#include "garita/common/config/TomlTableReader.hpp"

namespace garita {
namespace {

// Messages are "FILE:LINE: LABEL: what", built by the config library's
// ErrorSink so every garita config file reports problems the same way.
using config::edit_distance;
using config::in_quotes;
using config::line_of;
using Reporter = config::ErrorSink;

std::string_view type_phrase(const toml::node& node) noexcept { return config::type_phrase(node); }

// ---------------------------------------------------------------- document types

struct DocumentName {
  DocumentType type;
  std::string_view name;
};

constexpr std::array<DocumentName, 11> kDocumentNames{{
    {DocumentType::unknown, "UNKNOWN"},
    {DocumentType::bcc, "BCC"},
    {DocumentType::prc, "PRC"},
    {DocumentType::passport_card, "PASSPORT_CARD"},
    {DocumentType::sentri, "SENTRI"},
    {DocumentType::nexus, "NEXUS"},
    {DocumentType::fast, "FAST"},
    {DocumentType::global_entry, "GLOBAL_ENTRY"},
    {DocumentType::edl, "EDL"},
    {DocumentType::etc, "ETC"},
    {DocumentType::other, "OTHER"},
}};

// What a rule may name (UNKNOWN is the no-match result, never a rule's).
constexpr std::string_view kRuleDocumentList =
    "BCC, PRC, PASSPORT_CARD, SENTRI, NEXUS, FAST, GLOBAL_ENTRY, EDL, ETC, OTHER";

char ascii_upper(char c) noexcept {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

// ---------------------------------------------------------------- rule keys

constexpr std::string_view kKeyName = "name";
constexpr std::string_view kKeyIssuer = "issuer";
constexpr std::string_view kKeyDocument = "document";
constexpr std::string_view kKeyEpcBits = "epc_bits";
constexpr std::string_view kKeyPrefix = "prefix";
constexpr std::string_view kKeyMask = "mask";
constexpr std::string_view kKeyTidMdid = "tid_mdid";
constexpr std::string_view kKeyTidTmn = "tid_tmn";

constexpr std::array<std::string_view, 8> kRuleKeys{
    kKeyName, kKeyIssuer, kKeyDocument, kKeyEpcBits, kKeyPrefix, kKeyMask, kKeyTidMdid, kKeyTidTmn};
constexpr std::string_view kRuleKeyList =
    "name, issuer, document, epc_bits, prefix, mask, tid_mdid, tid_tmn";

constexpr std::string_view kTopLevelKey = "issuer";  // [[issuer]]

constexpr unsigned kDefaultEpcBits = 96;
constexpr unsigned kMinEpcBits = 16;
constexpr unsigned kMaxEpcBits = 496;  // Gen2 PC length field: 31 words
constexpr std::size_t kMaxPrefixBytes = kMaxEpcBits / 8;
constexpr std::int64_t kMaxMdid = 511;  // 9 bits (TDS §16)
constexpr std::int64_t kMaxTmn = 4095;  // 12 bits (TDS §16)

std::string_view closest_rule_key(std::string_view key) {
  std::string_view best;
  std::size_t best_distance = 3;  // suggest only close spellings
  for (std::string_view known : kRuleKeys) {
    const std::size_t d = edit_distance(key, known);
    if (d < best_distance) {
      best = known;
      best_distance = d;
    }
  }
  return best;
}

// ---------------------------------------------------------------- error reporting

// ---------------------------------------------------------------- one rule

class RuleParser {
 public:
  RuleParser(const toml::table& table, std::size_t index, std::string_view source, Reporter& report)
      : table_(table), index_(index), source_(source), report_(report) {}

  std::error_code parse(IssuerRule& rule) {
    if (auto ec = check_unknown_keys()) return ec;
    if (auto ec = required_string(
            kKeyName, "a label shown in decode output, e.g. name = \"DEMO card\"", rule.name))
      return ec;
    if (auto ec = required_string(
            kKeyIssuer, "who issues the document, e.g. issuer = \"U.S. Department of State\"",
            rule.issuer))
      return ec;
    if (auto ec = parse_document(rule.document)) return ec;
    if (auto ec = parse_epc_bits(rule.epc_bits)) return ec;
    if (auto ec = parse_prefix(rule.epc_bits, rule.prefix)) return ec;
    if (auto ec = parse_mask(rule.prefix, rule.mask)) return ec;
    if (auto ec = parse_tid_field(kKeyTidMdid, kMaxMdid, "an MDID is 9 bits", rule.tid_mdid))
      return ec;
    if (auto ec = parse_tid_field(kKeyTidTmn, kMaxTmn, "a TMN is 12 bits", rule.tid_tmn)) return ec;
    rule.source = std::string(source_);
    if (const std::uint32_t line = line_of(table_); line != 0) {
      rule.source += ':';
      rule.source += std::to_string(line);
    }
    return {};
  }

 private:
  std::string label(std::string_view key) const {
    std::string s = "issuer[" + std::to_string(index_ + 1) + "]";
    if (!key.empty()) {
      s += '.';
      s += key;
    }
    return s;
  }

  std::error_code fail(Errc code, const toml::node* at, std::string_view key,
                       std::string_view what) {
    return report_.fail(code, at != nullptr ? line_of(*at) : line_of(table_), label(key), what);
  }

  std::error_code missing(std::string_view key, std::string_view hint) {
    std::string what = "missing required key " + in_quotes(key) + " (" + std::string(hint) + ")";
    return fail(Errc::config_missing_key, nullptr, key, what);
  }

  std::error_code wrong_type(const toml::node& node, std::string_view key,
                             std::string_view expected, std::string_view hint = {}) {
    std::string what =
        "must be " + std::string(expected) + ", not " + std::string(type_phrase(node));
    if (!hint.empty()) {
      what += " (";
      what += hint;
      what += ')';
    }
    return fail(Errc::config_wrong_type, &node, key, what);
  }

  std::error_code check_unknown_keys() {
    // The table is ordered by key; report the unknown key nearest the top
    // of the file so the message points at the first thing to fix.
    const toml::key* first = nullptr;
    for (const auto& [key, value] : table_) {
      bool known = false;
      for (std::string_view k : kRuleKeys) known = known || key.str() == k;
      if (known) continue;
      if (first == nullptr || key.source().begin.line < first->source().begin.line) first = &key;
    }
    if (first == nullptr) return {};
    std::string what = "unknown key " + in_quotes(first->str());
    if (std::string_view guess = closest_rule_key(first->str()); !guess.empty()) {
      what += " (did you mean " + in_quotes(guess) + "?)";
    }
    what += "; a rule may only have ";
    what += kRuleKeyList;
    const std::uint32_t line = first->source().begin.line;
    return report_.fail(Errc::config_unknown_key, line != 0 ? line : line_of(table_),
                        label(first->str()), what);
  }

  std::error_code required_string(std::string_view key, std::string_view hint, std::string& out) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) return missing(key, hint);
    const auto* value = node->as_string();
    if (value == nullptr)
      return wrong_type(*node, key, "a string", "put the text in double quotes");
    if (value->get().empty()) return fail(Errc::config_bad_value, node, key, "must not be empty");
    out = value->get();
    return {};
  }

  std::error_code parse_document(DocumentType& out) {
    const toml::node* node = table_.get(kKeyDocument);
    if (node == nullptr) {
      return missing(kKeyDocument, std::string("one of ") + std::string(kRuleDocumentList));
    }
    const auto* value = node->as_string();
    if (value == nullptr) {
      return wrong_type(*node, kKeyDocument, "a string", "e.g. document = \"PASSPORT_CARD\"");
    }
    const std::string& text = value->get();
    const std::optional<DocumentType> type = document_type_from_string(text);
    if (!type) {
      return fail(Errc::config_bad_value, node, kKeyDocument,
                  "unknown document type " + in_quotes(text) + " (expected one of " +
                      std::string(kRuleDocumentList) + ")");
    }
    if (*type == DocumentType::unknown) {
      return fail(Errc::config_bad_value, node, kKeyDocument,
                  in_quotes(text) +
                      " cannot be used in a rule: it is what garita reports when no rule "
                      "matches (expected one of " +
                      std::string(kRuleDocumentList) + ")");
    }
    out = *type;
    return {};
  }

  std::error_code parse_epc_bits(unsigned& out) {
    const toml::node* node = table_.get(kKeyEpcBits);
    if (node == nullptr) {
      out = kDefaultEpcBits;
      return {};
    }
    const auto* value = node->as_integer();
    if (value == nullptr) {
      return wrong_type(*node, kKeyEpcBits, "an integer",
                        "write the number without quotes, e.g. epc_bits = 96");
    }
    const std::int64_t bits = value->get();
    if (bits < kMinEpcBits || bits > kMaxEpcBits || bits % 16 != 0) {
      return fail(Errc::config_bad_value, node, kKeyEpcBits,
                  std::to_string(bits) +
                      " is not a possible EPC length: it must be a multiple of 16 from 16 to 496 "
                      "(the EPC length of the card; `garita decode epc HEX` shows it as \"bits\")");
    }
    out = static_cast<unsigned>(bits);
    return {};
  }

  // Parses a hex-string key (prefix, mask) into bytes.
  std::error_code parse_hex_key(const toml::node& node, std::string_view key,
                                std::vector<std::uint8_t>& out) {
    const auto* value = node.as_string();
    if (value == nullptr) {
      return wrong_type(node, key, "a string of hex digits",
                        "put it in double quotes, e.g. \"E2C0DE01\"");
    }
    const std::string& text = value->get();
    const std::error_code ec = parse_hex(text, out, kMaxPrefixBytes);
    if (!ec) return {};
    std::string what = in_quotes(text);
    switch (static_cast<Errc>(ec.value())) {
      case Errc::hex_empty: what = "is empty; give at least one byte (two hex digits)"; break;
      case Errc::hex_odd_length:
        what += " has an odd number of hex digits; it must be whole bytes (two hex digits each)";
        break;
      case Errc::hex_too_long:
        what += " is longer than the longest EPC (" + std::to_string(kMaxPrefixBytes) + " bytes)";
        break;
      case Errc::hex_invalid_char:
      default:
        what += " is not hex: use only 0-9 and A-F (spaces or ':' between bytes are allowed)";
        break;
    }
    return fail(Errc::config_bad_value, &node, key, what);
  }

  std::error_code parse_prefix(unsigned epc_bits, std::vector<std::uint8_t>& out) {
    const toml::node* node = table_.get(kKeyPrefix);
    if (node == nullptr) {
      return missing(
          kKeyPrefix,
          "the hex bytes every EPC of this card type starts with, e.g. prefix = \"E2C0DE01\"");
    }
    if (auto ec = parse_hex_key(*node, kKeyPrefix, out)) return ec;
    const std::size_t limit = epc_bits / 8;
    if (out.size() > limit) {
      return fail(Errc::config_bad_value, node, kKeyPrefix,
                  "is " + std::to_string(out.size()) + " bytes but a " + std::to_string(epc_bits) +
                      "-bit EPC has only " + std::to_string(limit) +
                      " (check epc_bits, or shorten the prefix)");
    }
    return {};
  }

  std::error_code parse_mask(const std::vector<std::uint8_t>& prefix,
                             std::vector<std::uint8_t>& out) {
    const toml::node* node = table_.get(kKeyMask);
    if (node == nullptr) {
      out.assign(prefix.size(), 0xFF);
      return {};
    }
    if (auto ec = parse_hex_key(*node, kKeyMask, out)) return ec;
    if (out.size() != prefix.size()) {
      return fail(Errc::config_bad_value, node, kKeyMask,
                  "is " + std::to_string(out.size()) + " bytes but prefix is " +
                      std::to_string(prefix.size()) + "; mask and prefix must be the same length");
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      if ((prefix[i] & ~out[i] & 0xFF) == 0) continue;
      const std::uint8_t p = prefix[i];
      const std::uint8_t m = out[i];
      std::string what = "prefix byte " + std::to_string(i + 1) + " is ";
      append_hex(what, std::span<const std::uint8_t>(&p, 1));
      what += " but the mask byte is ";
      append_hex(what, std::span<const std::uint8_t>(&m, 1));
      what +=
          ": the prefix has bits set where the mask is 0, so this rule could never match as "
          "written; clear those bits in the prefix or set them in the mask";
      const toml::node* prefix_node = table_.get(kKeyPrefix);
      return fail(Errc::config_bad_value, prefix_node != nullptr ? prefix_node : node, kKeyPrefix,
                  what);
    }
    return {};
  }

  std::error_code parse_tid_field(std::string_view key, std::int64_t max, std::string_view why,
                                  std::optional<std::uint16_t>& out) {
    const toml::node* node = table_.get(key);
    if (node == nullptr) {
      out.reset();
      return {};
    }
    const auto* value = node->as_integer();
    if (value == nullptr) {
      return wrong_type(*node, key, "an integer",
                        "write the number without quotes; hex is written 0x160");
    }
    const std::int64_t v = value->get();
    if (v < 0 || v > max) {
      return fail(Errc::config_bad_value, node, key,
                  std::to_string(v) + " is out of range: " + std::string(why) + " (0 to " +
                      std::to_string(max) + "); `garita decode tid HEX` shows the card's value");
    }
    out = static_cast<std::uint16_t>(v);
    return {};
  }

  const toml::table& table_;
  std::size_t index_;
  std::string_view source_;
  Reporter& report_;
};

std::error_code rules_from_array(const toml::array& issuers, std::string_view source,
                                 std::vector<IssuerRule>& rules, Reporter& report) {
  rules.reserve(issuers.size());
  for (std::size_t i = 0; i < issuers.size(); ++i) {
    const toml::node& element = issuers[i];
    const toml::table* table = element.as_table();
    if (table == nullptr) {
      return report.fail(Errc::config_wrong_type, line_of(element),
                         "issuer[" + std::to_string(i + 1) + "]",
                         "must be a table, not " + std::string(type_phrase(element)) +
                             " (start each rule with its own [[issuer]] line)");
    }
    IssuerRule rule;
    if (auto ec = RuleParser(*table, i, source, report).parse(rule)) return ec;
    rules.push_back(std::move(rule));
  }
  return {};
}

// Validates a parsed standalone issuers file and returns its rules.
std::error_code rules_from_document(const toml::table& document, std::string_view source,
                                    std::vector<IssuerRule>& rules, Reporter& report) {
  // A standalone issuers file holds only [[issuer]] tables: anything else at
  // the top is most likely a typo ([[isuser]]) or a file meant for elsewhere.
  const toml::key* unknown = nullptr;
  for (const auto& [key, value] : document) {
    if (key.str() == kTopLevelKey) continue;
    if (unknown == nullptr || key.source().begin.line < unknown->source().begin.line)
      unknown = &key;
  }
  if (unknown != nullptr) {
    std::string what = "unknown top-level key " + in_quotes(unknown->str()) +
                       "; an issuers file holds only [[issuer]] tables";
    if (edit_distance(unknown->str(), kTopLevelKey) <= 2) what += " (did you mean [[issuer]]?)";
    return report.fail(Errc::config_unknown_key, unknown->source().begin.line, unknown->str(),
                       what);
  }
  const toml::node* node = document.get(kTopLevelKey);
  if (node == nullptr) return {};  // no rules: every card reads as UNKNOWN
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    std::string what = "must be a list of rules, not " + std::string(type_phrase(*node));
    if (node->is_table()) what += " (write [[issuer]] with double brackets, once per rule)";
    return report.fail(Errc::config_wrong_type, line_of(*node), kTopLevelKey, what);
  }
  return rules_from_array(*array, source, rules, report);
}

void replace_rules(IssuerTable& out, std::vector<IssuerRule>& rules) {
  IssuerTable table;
  for (IssuerRule& rule : rules) table.add(std::move(rule));
  out = std::move(table);
}

// The last line of defence: nothing may leave the loaders as an exception
// (a lane runs unattended; a bad config must be a message, not a crash).
std::error_code unexpected_failure(std::string_view source, std::string& error,
                                   const char* what) noexcept {
  try {
    error = std::string(source) +
            ": could not be loaded: " + (what != nullptr ? what : "unexpected error");
  } catch (...) {
    error.clear();
  }
  return Errc::io_error;
}

}  // namespace

// ---------------------------------------------------------------- DocumentType

std::string_view to_string(DocumentType type) noexcept {
  for (const DocumentName& d : kDocumentNames) {
    if (d.type == type) return d.name;
  }
  return "UNKNOWN";
}

std::optional<DocumentType> document_type_from_string(std::string_view text) noexcept {
  for (const DocumentName& d : kDocumentNames) {
    if (iequals(text, d.name)) return d.type;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- IssuerTable

std::error_code IssuerTable::from_toml(const toml::array& issuers, std::string_view source_name,
                                       IssuerTable& out, std::string& error) {
  try {
    error.clear();
    Reporter report(source_name, error);
    std::vector<IssuerRule> rules;
    if (auto ec = rules_from_array(issuers, source_name, rules, report)) return ec;
    replace_rules(out, rules);
    return {};
  } catch (const std::exception& e) {
    return unexpected_failure(source_name, error, e.what());
  } catch (...) {
    return unexpected_failure(source_name, error, nullptr);
  }
}

std::error_code IssuerTable::parse(std::string_view toml_text, std::string_view source_name,
                                   IssuerTable& out, std::string& error) {
  try {
    error.clear();
    toml::table document;
    try {
      document = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& e) {
      const toml::source_position& at = e.source().begin;
      std::string message(source_name);
      if (at.line != 0) {
        message += ':';
        message += std::to_string(at.line);
        message += ':';
        message += std::to_string(at.column);
      }
      message += ": not valid TOML: ";
      message += e.description();
      error = std::move(message);
      return Errc::config_syntax;
    }
    Reporter report(source_name, error);
    std::vector<IssuerRule> rules;
    if (auto ec = rules_from_document(document, source_name, rules, report)) return ec;
    replace_rules(out, rules);
    return {};
  } catch (const std::exception& e) {
    return unexpected_failure(source_name, error, e.what());
  } catch (...) {
    return unexpected_failure(source_name, error, nullptr);
  }
}

std::error_code IssuerTable::load_file(const std::filesystem::path& path, IssuerTable& out,
                                       std::string& error) {
  std::string source;
  try {
    error.clear();
    source = path.string();
    // An issuers file is a few kilobytes; anything this big is not one.
    constexpr std::size_t kMaxFileBytes = 4u << 20;
    std::string text;
    if (auto ec = read_text_file(path, "the issuer table", kMaxFileBytes, text, error)) return ec;
    return parse(text, source, out, error);
  } catch (const std::exception& e) {
    return unexpected_failure(source, error, e.what());
  } catch (...) {
    return unexpected_failure(source, error, nullptr);
  }
}

void IssuerTable::add(IssuerRule rule) {
  // Rules built in code may leave the mask out: it then defaults, as in the
  // file format, to all ones over the prefix.
  if (rule.mask.size() != rule.prefix.size()) rule.mask.resize(rule.prefix.size(), 0xFF);
  rules_.push_back(std::move(rule));
}

DocumentMatch IssuerTable::match(const DecodedEpc& epc, const DecodedTid* tid) const noexcept {
  const bool tid_usable = tid != nullptr && tid->decoded();
  for (const IssuerRule& rule : rules_) {
    if (rule.epc_bits != epc.bits) continue;
    if (rule.prefix.size() > epc.bytes.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < rule.prefix.size() && same; ++i) {
      const std::uint8_t mask = i < rule.mask.size() ? rule.mask[i] : std::uint8_t{0xFF};
      same = (epc.bytes[i] & mask) == rule.prefix[i];
    }
    if (!same) continue;
    if (rule.tid_mdid || rule.tid_tmn) {
      if (!tid_usable) continue;
      if (rule.tid_mdid && *rule.tid_mdid != tid->mdid) continue;
      if (rule.tid_tmn && *rule.tid_tmn != tid->tmn) continue;
    }
    return DocumentMatch{rule.document, &rule};
  }
  return DocumentMatch{};
}

}  // namespace garita

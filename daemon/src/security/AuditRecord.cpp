#include "garita/daemon/security/AuditRecord.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <boost/json/serialize.hpp>

namespace garita::security {
namespace {

void append_field(std::string& out, std::string_view bytes) {
  out += std::to_string(bytes.size());
  out += ':';
  out.append(bytes.data(), bytes.size());
  out += '\n';
}

bool canonical_into(const boost::json::value& v, std::string& out, std::string& why, int depth) {
  if (depth > 32) {
    why = "terms nest deeper than 32 levels";
    return false;
  }
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; return true;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; return true;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); return true;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); return true;
    case boost::json::kind::double_:
      if (!std::isfinite(v.get_double())) {
        why = "terms hold a number that is not finite";
        return false;
      }
      out += boost::json::serialize(v);
      return true;
    case boost::json::kind::string: out += boost::json::serialize(v); return true;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        if (!canonical_into(item, out, why, depth + 1)) return false;
      }
      out += ']';
      return true;
    }
    case boost::json::kind::object: {
      const auto& object = v.get_object();
      std::vector<const boost::json::key_value_pair*> members;
      members.reserve(object.size());
      for (const auto& kv : object) members.push_back(&kv);
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) {
        return std::string_view(a->key()) < std::string_view(b->key());
      });
      out += '{';
      for (std::size_t i = 0; i < members.size(); ++i) {
        if (i > 0) {
          if (members[i]->key() == members[i - 1]->key()) {
            why = "terms hold the key \"" + std::string(members[i]->key()) + "\" twice";
            return false;
          }
          out += ',';
        }
        out += boost::json::serialize(boost::json::value(members[i]->key()));
        out += ':';
        if (!canonical_into(members[i]->value(), out, why, depth + 1)) return false;
      }
      out += '}';
      return true;
    }
  }
  why = "terms hold an unknown JSON kind";
  return false;
}

std::string to_hex(const unsigned char* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 0xF];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string_view to_string(AuditOutcome outcome) noexcept {
  switch (outcome) {
    case AuditOutcome::ok: return "ok";
    case AuditOutcome::denied: return "denied";
    case AuditOutcome::invalid: return "invalid";
    case AuditOutcome::failed: return "failed";
  }
  return "failed";
}

std::optional<AuditOutcome> parse_audit_outcome(std::string_view text) noexcept {
  for (auto o :
       {AuditOutcome::ok, AuditOutcome::denied, AuditOutcome::invalid, AuditOutcome::failed}) {
    if (to_string(o) == text) return o;
  }
  return std::nullopt;
}

bool canonical_json(const boost::json::value& value, std::string& out, std::string& why) {
  out.clear();
  return canonical_into(value, out, why, 0);
}

std::string canonical_content(const AuditRecord& row) {
  std::string out = "garita-audit-v1\n";
  append_field(out, std::to_string(row.id));
  append_field(out, std::to_string(row.utc_us));
  append_field(out, row.user);
  append_field(out, row.role);
  append_field(out, row.action);
  append_field(out, row.terms);
  append_field(out, std::to_string(row.records));
  append_field(out, row.outcome);
  append_field(out, row.peer);
  return out;
}

std::string compute_row_hash(std::string_view prev_hash_hex, const AuditRecord& row) {
  // prev_hash enters as its 32 raw bytes. A malformed one (which only a
  // damaged file can hold) enters as its text with a marker instead, so the
  // result is still deterministic and never equals a well-formed row's hash.
  std::string input;
  if (prev_hash_hex.size() == 64 && std::all_of(prev_hash_hex.begin(), prev_hash_hex.end(),
                                                [](char c) { return hex_value(c) >= 0; })) {
    for (std::size_t i = 0; i < 64; i += 2) {
      input +=
          static_cast<char>(hex_value(prev_hash_hex[i]) * 16 + hex_value(prev_hash_hex[i + 1]));
    }
  } else {
    input = "malformed-prev:";
    input.append(prev_hash_hex.data(), prev_hash_hex.size());
  }
  input += canonical_content(row);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return {};
  }
  return to_hex(digest, length);
}

std::string head_signing_message(std::int64_t row_id, std::int64_t row_utc_us,
                                 std::string_view row_hash_hex) {
  std::string out = "garita-audit-head-v1\n";
  out += std::to_string(row_id);
  out += '\n';
  out += std::to_string(row_utc_us);
  out += '\n';
  out.append(row_hash_hex.data(), row_hash_hex.size());
  out += '\n';
  return out;
}

bool is_valid_audit_action(std::string_view action) noexcept {
  if (action.empty() || action.size() > 64) return false;
  return std::all_of(action.begin(), action.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace garita::security

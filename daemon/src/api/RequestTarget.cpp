#include "garita/daemon/api/RequestTarget.hpp"

#include "garita/daemon/api/ApiErrc.hpp"

namespace garita::daemon::api {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_control(unsigned char c) noexcept { return c < 0x20 || c == 0x7f; }

// Names are ASCII letters, digits and '_' only: nothing to escape in logs.
bool is_clean_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::error_code fail(std::string& why, std::string text) {
  why = std::move(text);
  return ApiErrc::bad_target;
}

}  // namespace

std::optional<std::string_view> RequestTarget::get(std::string_view name) const noexcept {
  for (const auto& [k, v] : params) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

bool percent_decode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (in.size() - i < 3) return false;  // '%' needs two hex digits after it
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (is_control(static_cast<unsigned char>(c))) return false;
    out.push_back(c);
  }
  return true;
}

std::string percent_encode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::error_code parse_request_target(std::string_view target, RequestTarget& out, std::string& why,
                                     const TargetLimits& limits) {
  out = RequestTarget{};
  if (target.empty()) return fail(why, "empty request target");
  if (target.size() > limits.max_target) {
    return fail(why, "request target longer than " + std::to_string(limits.max_target) + " bytes");
  }
  // Origin-form only (RFC 9112 §3.2.1): absolute-form is for proxies.
  if (target.front() != '/') return fail(why, "request target must start with '/'");
  for (char c : target) {
    if (is_control(static_cast<unsigned char>(c)) || c == ' ' || c == '#') {
      return fail(why, "request target holds a control character, space or '#'");
    }
  }
  const std::size_t q = target.find('?');
  const std::string_view raw_path = target.substr(0, q);
  if (!percent_decode(raw_path, false, out.path)) {
    return fail(why, "bad %-escape in the path");
  }
  // No dot segments or empty segments: there is no file system behind the
  // paths, but a clean path is the only one routed.
  if (out.path.find("/../") != std::string::npos || out.path.ends_with("/..") ||
      out.path.find("/./") != std::string::npos || out.path.find("//") != std::string::npos) {
    return fail(why, "request path holds '.', '..' or empty segments");
  }
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless
    if (out.params.size() == limits.max_params) {
      return fail(why, "more than " + std::to_string(limits.max_params) + " query parameters");
    }
    const std::size_t eq = pair.find('=');
    std::string name;
    std::string value;
    if (!percent_decode(pair.substr(0, eq), true, name) || !is_clean_name(name)) {
      return fail(why, "query parameter name is not letters, digits and '_' (at most 32)");
    }
    if (eq != std::string_view::npos && !percent_decode(pair.substr(eq + 1), true, value)) {
      return fail(why, "query parameter '" + name + "': bad %-escape or control character");
    }
    if (value.size() > limits.max_value) {
      return fail(why, "query parameter '" + name + "' longer than " +
                           std::to_string(limits.max_value) + " bytes");
    }
    if (out.get(name)) return fail(why, "query parameter '" + name + "' given twice");
    out.params.emplace_back(std::move(name), std::move(value));
  }
  return {};
}

}  // namespace garita::daemon::api

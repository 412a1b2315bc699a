#include "garita/hal/ReaderUri.hpp"

#include <charconv>

#include "garita/common/Errc.hpp"

namespace garita::hal {
namespace {

// IANA-assigned ports for LLRP and LLRP over TLS.
constexpr std::uint16_t kLlrpPort = 5084;
constexpr std::uint16_t kLlrpsPort = 5085;
constexpr unsigned kDefaultBaud = 115200;

template <typename T>
bool parse_uint(std::string_view text, T& out, int base = 10) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, out, base);
  return ec == std::errc{} && ptr == end;
}

bool is_standard_baud(unsigned baud) {
  switch (baud) {
    case 9600:
    case 19200:
    case 38400:
    case 57600:
    case 115200:
    case 230400:
    case 460800:
    case 921600: return true;
    default: return false;
  }
}

std::error_code fail(std::string& why, std::string text) {
  why = std::move(text);
  return Errc::config_bad_value;
}

// Splits "a=b&c=d" and calls on(key, value) for each; returns false with
// `why` set when on() refuses a key.
template <typename F>
bool for_each_query(std::string_view query, std::string& why, F&& on) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      why = "query item '" + std::string(item) + "' has no '='";
      return false;
    }
    if (!on(item.substr(0, eq), item.substr(eq + 1))) return false;
  }
  return true;
}

std::error_code parse_network(std::string_view rest, ReaderUri& out, std::string& why) {
  std::string_view query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    if (query.empty()) return fail(why, "empty query after '?'");
  }
  const bool query_ok =
      for_each_query(query, why, [&](std::string_view key, std::string_view value) {
        if (key == "listen") {
          if (value != "1" && value != "0") {
            why = "listen '" + std::string(value) + "' must be 1 (the reader dials garita) or 0";
            return false;
          }
          out.listen = value == "1";
          return true;
        }
        why = "unknown llrp option '" + std::string(key) +
              "' (llrp URIs take no query options except listen=1)";
        return false;
      });
  if (!query_ok) return make_error_code(Errc::config_bad_value);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) {
    return fail(why, "llrp URIs take no path (got '" + std::string(rest) + "')");
  }
  std::string_view host = rest;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail(why, "IPv6 address has no closing ']'");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(why, "expected ':port' after ']'");
      port = after.substr(1);
      if (port.empty()) return fail(why, "empty port after ':'");
    }
  } else if (const std::size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (rest.find(':') != colon) {
      return fail(why, "IPv6 addresses must be in brackets, e.g. llrp://[fe80::1]:5084");
    }
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (port.empty()) return fail(why, "empty port after ':'");
  }
  if (host.empty()) return fail(why, "no reader host name or address");
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == ':' || c == '_' || c == '%';
    if (!ok)
      return fail(why, "reader host '" + std::string(host) +
                           "' has a character not allowed in a host name");
  }
  out.host = std::string(host);
  if (!port.empty()) {
    std::uint16_t p = 0;
    if (!parse_uint(port, p) || p == 0) {
      return fail(why, "port '" + std::string(port) + "' is not a number from 1 to 65535");
    }
    out.port = p;
  } else {
    out.port = out.scheme == ReaderScheme::llrps ? kLlrpsPort : kLlrpPort;
  }
  return {};
}

// Options every module reader (serial://, usb://) takes besides its own:
// region, power, antennas. Returns false with `why` set for a bad value;
// `handled` says whether `key` was one of them.
bool parse_module_option(std::string_view key, std::string_view value, ReaderUri& out,
                         std::string& why, bool& handled) {
  handled = true;
  if (key == "region") {
    const bool ok =
        !value.empty() && value.size() <= 8 &&
        value.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
            std::string_view::npos;
    if (!ok) {
      why = "region '" + std::string(value) + "' is not a region name such as NA, EU3, NA2";
      return false;
    }
    out.region = std::string(value);
    return true;
  }
  if (key == "power") {
    unsigned p = 0;
    if (!parse_uint(value, p) || p > 3150) {
      why = "power '" + std::string(value) +
            "' is not a read power in centi-dBm from 0 to 3150 (e.g. 2700 = 27 dBm)";
      return false;
    }
    out.read_power_cdbm = static_cast<std::uint16_t>(p);
    return true;
  }
  if (key == "antennas") {
    std::vector<std::uint16_t> list;
    std::string_view rest = value;
    while (true) {
      const std::size_t comma = rest.find(',');
      const std::string_view item = rest.substr(0, comma);
      std::uint16_t a = 0;
      if (!parse_uint(item, a) || a == 0 || a > 64) {
        why = "antennas '" + std::string(value) + "' is not a list of antenna ports 1..64 like 1,2";
        return false;
      }
      for (std::uint16_t seen : list) {
        if (seen == a) {
          why = "antennas '" + std::string(value) + "' lists port " + std::to_string(a) + " twice";
          return false;
        }
      }
      list.push_back(a);
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
    out.antennas = std::move(list);
    return true;
  }
  handled = false;
  return true;
}

std::string module_options_text(const ReaderUri& u) {
  std::string s;
  if (!u.region.empty()) s += "&region=" + u.region;
  if (u.read_power_cdbm) s += "&power=" + std::to_string(*u.read_power_cdbm);
  if (!u.antennas.empty()) {
    s += "&antennas=";
    for (std::size_t i = 0; i < u.antennas.size(); ++i) {
      if (i) s += ',';
      s += std::to_string(u.antennas[i]);
    }
  }
  return s;
}

std::error_code parse_serial(std::string_view rest, ReaderUri& out, std::string& why) {
  std::string_view query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (rest.empty() || rest.front() != '/') {
    return fail(why, "serial URIs need an absolute device path, e.g. serial:///dev/ttyUSB0");
  }
  out.device = std::string(rest);
  out.baud = kDefaultBaud;
  const bool ok = for_each_query(query, why, [&](std::string_view key, std::string_view value) {
    if (key == "baud") {
      unsigned b = 0;
      if (!parse_uint(value, b) || !is_standard_baud(b)) {
        why = "baud '" + std::string(value) +
              "' is not one of 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600";
        return false;
      }
      out.baud = b;
      return true;
    }
    bool handled = false;
    if (!parse_module_option(key, value, out, why, handled)) return false;
    if (handled) return true;
    why =
        "unknown serial option '" + std::string(key) + "' (expected baud, region, power, antennas)";
    return false;
  });
  return ok ? std::error_code{} : make_error_code(Errc::config_bad_value);
}

std::error_code parse_usb(std::string_view rest, ReaderUri& out, std::string& why) {
  std::string_view query;
  if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  const std::size_t colon = rest.find(':');
  if (colon != 4 || rest.size() != 9) {  // npos is not 4 either
    return fail(why, "usb URIs are usb://VID:PID with four hex digits each, e.g. usb://1325:c029");
  }
  if (!parse_uint(rest.substr(0, 4), out.vid, 16) || !parse_uint(rest.substr(5, 4), out.pid, 16)) {
    return fail(why, "VID:PID '" + std::string(rest) + "' is not two 4-digit hex numbers");
  }
  const bool ok = for_each_query(query, why, [&](std::string_view key, std::string_view value) {
    if (key == "serial") {
      if (value.empty()) {
        why = "empty usb serial";
        return false;
      }
      out.usb_serial = std::string(value);
      return true;
    }
    bool handled = false;
    if (!parse_module_option(key, value, out, why, handled)) return false;
    if (handled) return true;
    why =
        "unknown usb option '" + std::string(key) + "' (expected serial, region, power, antennas)";
    return false;
  });
  return ok ? std::error_code{} : make_error_code(Errc::config_bad_value);
}

}  // namespace

std::string_view to_string(ReaderScheme scheme) noexcept {
  switch (scheme) {
    case ReaderScheme::llrp: return "llrp";
    case ReaderScheme::llrps: return "llrps";
    case ReaderScheme::serial: return "serial";
    case ReaderScheme::usb: return "usb";
  }
  return "?";
}

std::string ReaderUri::to_string() const {
  std::string s(hal::to_string(scheme));
  s += "://";
  switch (scheme) {
    case ReaderScheme::llrp:
    case ReaderScheme::llrps:
      if (host.find(':') != std::string::npos) {
        s += '[' + host + ']';
      } else {
        s += host;
      }
      s += ':' + std::to_string(port);
      if (listen) s += "?listen=1";
      break;
    case ReaderScheme::serial:
      s += device + "?baud=" + std::to_string(baud) + module_options_text(*this);
      break;
    case ReaderScheme::usb: {
      static constexpr char digits[] = "0123456789abcdef";
      for (std::uint16_t v : {vid, pid}) {
        for (int shift = 12; shift >= 0; shift -= 4) s += digits[(v >> shift) & 0xF];
        s += ':';
      }
      s.pop_back();
      std::string query = usb_serial.empty() ? std::string() : "&serial=" + usb_serial;
      query += module_options_text(*this);
      if (!query.empty()) s += "?" + query.substr(1);
      break;
    }
  }
  return s;
}

std::error_code parse_reader_uri(std::string_view text, ReaderUri& out, std::string& why) {
  out = ReaderUri{};
  why.clear();
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos) {
    return fail(why, "reader URI '" + std::string(text) +
                         "' has no scheme (expected llrp://, llrps://, serial://, usb://)");
  }
  const std::string_view scheme = text.substr(0, sep);
  const std::string_view rest = text.substr(sep + 3);
  if (scheme == "llrp" || scheme == "llrps") {
    out.scheme = scheme == "llrp" ? ReaderScheme::llrp : ReaderScheme::llrps;
    return parse_network(rest, out, why);
  }
  if (scheme == "serial") {
    out.scheme = ReaderScheme::serial;
    return parse_serial(rest, out, why);
  }
  if (scheme == "usb") {
    out.scheme = ReaderScheme::usb;
    return parse_usb(rest, out, why);
  }
  return fail(why, "unknown reader scheme '" + std::string(scheme) +
                       "' (expected llrp, llrps, serial, usb)");
}

}  // namespace garita::hal

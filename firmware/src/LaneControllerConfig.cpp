// Parsing and validation of garita-lane's configuration. Everything that can
// be checked without the network is checked here (the key file's mode too),
// so a bad file is refused at start with a message naming the line.
#include "LaneControllerConfig.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "garita/common/config/ConfigFile.hpp"
#include "garita/common/config/SharedSettings.hpp"
#include "garita/common/config/TomlTableReader.hpp"
#include "garita/hal/ReaderUri.hpp"

namespace garita::firmware {
namespace {

using config::in_quotes;
using config::is_plain_id;
using config::TomlTableReader;

std::chrono::milliseconds seconds(double s) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(s * 1000.0)));
}

// https://HOST[:PORT][/] with HOST a DNS name, an IPv4 address or [IPv6].
// Nothing else (no user info, path, query): the endpoints are fixed.
bool parse_https_url(std::string_view url, std::string& host, std::uint16_t& port,
                     std::string& why) {
  constexpr std::string_view kScheme = "https://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    why = "must start with https:// (the uplink is always TLS), e.g. \"https://10.0.0.5:8443\"";
    return false;
  }
  std::string_view rest = url.substr(kScheme.size());
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    why = "give only https://host:port (no path, query or user)";
    return false;
  }
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      why = "IPv6 address without its closing ']'";
      return false;
    }
    host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        why = "expected ':PORT' after the IPv6 address";
        return false;
      }
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = rest.find(':');
    host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (host.empty()) {
    why = "has no host";
    return false;
  }
  port = 443;
  if (!port_text.empty() || rest.find(':') != std::string_view::npos) {
    unsigned value = 0;
    if (port_text.empty() || port_text.size() > 5) {
      why = "port must be a number from 1 to 65535";
      return false;
    }
    for (char c : port_text) {
      if (c < '0' || c > '9') {
        why = "port must be a number from 1 to 65535";
        return false;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value == 0 || value > 65535) {
      why = "port must be a number from 1 to 65535";
      return false;
    }
    port = static_cast<std::uint16_t>(value);
  }
  return true;
}

class LaneParser {
 public:
  LaneParser(const toml::table& root, const std::filesystem::path& source,
             config::ErrorSink& errors, LaneControllerConfig& out)
      : root_(root, "", errors), source_(source), errors_(errors), out_(out) {}

  std::error_code parse() {
    if (auto ec = root_.only_keys({"lane", "reader", "pipeline", "uplink", "journal", "light"})) {
      return ec;
    }
    if (auto ec = parse_lane()) return ec;
    if (auto ec = parse_reader()) return ec;
    if (auto ec = parse_pipeline()) return ec;
    if (auto ec = parse_uplink()) return ec;
    if (auto ec = parse_journal()) return ec;
    return parse_light();
  }

 private:
  std::error_code parse_lane() {
    const toml::table* t = nullptr;
    if (auto ec = root_.required_table("lane", t, "id, port_code and time_zone")) return ec;
    TomlTableReader r(*t, "lane", errors_);
    if (auto ec = r.only_keys({"id", "port_code", "time_zone", "antenna"})) return ec;
    if (auto ec = r.required_string("id", out_.lane_id,
                                    "the lane id, e.g. id = \"P03\" (the CN of the lane's "
                                    "certificate)")) {
      return ec;
    }
    if (!is_plain_id(out_.lane_id)) {
      return r.fail(Errc::config_bad_value, "id",
                    in_quotes(out_.lane_id) + " must be 1 to 16 letters, digits, '-' or '_'");
    }
    if (auto ec = config::read_port(r, out_.port_code, out_.time_zone)) return ec;
    const toml::array* antennas = nullptr;
    if (auto ec = r.optional_table_array("antenna", antennas)) return ec;
    if (antennas == nullptr) return {};
    std::set<std::uint16_t> used;
    for (std::size_t i = 0; i < antennas->size(); ++i) {
      const toml::table& at = *antennas->get(i)->as_table();
      TomlTableReader ar(at, r.label_for("antenna[" + std::to_string(i + 1) + "]"), errors_);
      if (auto ec = ar.only_keys({"antenna", "role"})) return ec;
      LaneAntennaSetting a;
      std::int64_t number = 0;
      if (auto ec = ar.required_int("antenna", 1, 65535, number,
                                    "the reader's antenna port number, from 1")) {
        return ec;
      }
      a.antenna = static_cast<std::uint16_t>(number);
      if (!used.insert(a.antenna).second) {
        return ar.fail(Errc::config_bad_value, "antenna",
                       "antenna " + std::to_string(a.antenna) + " is listed twice");
      }
      if (auto ec = config::read_antenna_role(ar, a.role)) return ec;
      out_.antennas.push_back(a);
    }
    return {};
  }

  std::error_code parse_reader() {
    const toml::table* t = nullptr;
    if (auto ec = root_.required_table("reader", t, "uri of the lane's reader")) return ec;
    TomlTableReader r(*t, "reader", errors_);
    if (auto ec = r.only_keys(
            {"uri", "tls_ca", "tls_cert", "tls_key", "read_tid", "reset_to_factory_defaults"})) {
      return ec;
    }
    ReaderSection& rs = out_.reader;
    if (auto ec = r.required_string("uri", rs.uri,
                                    "e.g. uri = \"serial:///dev/ttyUSB0?baud=115200\" or "
                                    "\"llrp://10.0.4.21\"")) {
      return ec;
    }
    hal::ReaderUri uri;
    std::string why;
    if (hal::parse_reader_uri(rs.uri, uri, why)) {
      return r.fail(Errc::config_bad_value, "uri", why);
    }
    if (auto ec = config::read_reader_tls(
            r, uri.scheme == hal::ReaderScheme::llrps,
            [this](const std::string& path) { return resolve(path); }, rs.tls.ca_file,
            rs.tls.cert_file, rs.tls.key_file, "give both tls_cert and tls_key, or neither")) {
      return ec;
    }
    if (!rs.tls.key_file.empty()) {
      if (!config::private_key_file_ok(rs.tls.key_file, why)) {
        return r.fail(Errc::config_bad_value, "tls_key", why);
      }
    }
    if (auto ec = r.optional_bool("read_tid", rs.read_tid)) return ec;
    return r.optional_bool("reset_to_factory_defaults", rs.reset_to_factory_defaults);
  }

  std::error_code parse_pipeline() {
    const toml::table* t = nullptr;
    if (auto ec = root_.optional_table("pipeline", t)) return ec;
    if (t == nullptr) return {};  // every default
    TomlTableReader r(*t, "pipeline", errors_);
    if (auto ec = r.only_keys({"gap_s", "min_reads", "min_rssi_dbm", "rearm_s", "max_open_sessions",
                               "issuers_file"})) {
      return ec;
    }
    PipelineSection& p = out_.pipeline;
    // Keys and ranges are garitad's [lane_defaults].
    if (auto ec = config::read_debounce(r, p)) return ec;
    std::string file;
    if (auto ec = r.optional_string("issuers_file", file)) return ec;
    if (!file.empty()) {
      p.issuers_file = resolve(file);
      std::string why;
      if (auto ec = IssuerTable::load_file(p.issuers_file, out_.issuers, why)) {
        return r.fail(ec == Errc::io_error ? Errc::io_error : Errc::config_bad_value,
                      "issuers_file", why);
      }
    }
    return {};
  }

  std::error_code parse_uplink() {
    const toml::table* t = nullptr;
    if (auto ec =
            root_.required_table("uplink", t, "url and TLS files of garitad's lane listener")) {
      return ec;
    }
    TomlTableReader r(*t, "uplink", errors_);
    if (auto ec = r.only_keys({"url", "ca_file", "cert_file", "key_file", "batch_size",
                               "connect_timeout_s", "request_timeout_s", "backoff_initial_s",
                               "backoff_max_s", "idle_poll_s"})) {
      return ec;
    }
    UplinkSection& u = out_.uplink;
    if (auto ec = r.required_string("url", u.url, "e.g. url = \"https://10.0.0.5:8443\"")) {
      return ec;
    }
    std::string why;
    if (!parse_https_url(u.url, u.host, u.port, why)) {
      return r.fail(Errc::config_bad_value, "url", in_quotes(u.url) + ": " + why);
    }
    struct FileKey {
      const char* key;
      std::filesystem::path* field;
      const char* hint;
    };
    for (const FileKey& f :
         {FileKey{"ca_file", &u.ca_file, "the private CA that signed garitad's certificate"},
          FileKey{"cert_file", &u.cert_file, "this lane's client certificate (PEM)"},
          FileKey{"key_file", &u.key_file, "the client certificate's private key (PEM, 0600)"}}) {
      std::string value;
      if (auto ec = r.required_string(f.key, value, f.hint)) return ec;
      *f.field = resolve(value);
    }
    if (!config::private_key_file_ok(u.key_file, why)) {
      return r.fail(Errc::config_bad_value, "key_file", why);
    }
    std::int64_t batch = u.batch_size;
    if (auto ec = r.optional_int("batch_size", 1, 500, batch)) return ec;
    u.batch_size = static_cast<std::uint32_t>(batch);
    struct Duration {
      const char* key;
      double min, max;
      std::chrono::milliseconds* field;
    };
    for (const Duration& d : {Duration{"connect_timeout_s", 0.1, 300, &u.connect_timeout},
                              Duration{"request_timeout_s", 0.1, 600, &u.request_timeout},
                              Duration{"backoff_initial_s", 0.01, 600, &u.backoff_initial},
                              Duration{"backoff_max_s", 0.01, 3600, &u.backoff_max},
                              Duration{"idle_poll_s", 0.01, 60, &u.idle_poll}}) {
      double value = static_cast<double>(d.field->count()) / 1000.0;
      if (auto ec = r.optional_number(d.key, d.min, d.max, value)) return ec;
      *d.field = seconds(value);
    }
    if (u.backoff_max < u.backoff_initial) {
      return r.fail(Errc::config_bad_value, "backoff_max_s",
                    "must not be smaller than backoff_initial_s");
    }
    return {};
  }

  std::error_code parse_journal() {
    const toml::table* t = nullptr;
    if (auto ec = root_.required_table("journal", t, "path of the local crossing journal")) {
      return ec;
    }
    TomlTableReader r(*t, "journal", errors_);
    if (auto ec = r.only_keys({"path", "max_size_mib"})) return ec;
    std::string path;
    if (auto ec =
            r.required_string("path", path, "e.g. path = \"/var/lib/garita-lane/journal.db\"")) {
      return ec;
    }
    out_.journal.path = resolve(path);
    auto mib = static_cast<std::int64_t>(out_.journal.max_size_bytes >> 20);
    if (auto ec = r.optional_int("max_size_mib", 1, 1 << 20, mib)) return ec;
    out_.journal.max_size_bytes = static_cast<std::uint64_t>(mib) << 20;
    return {};
  }

  std::error_code parse_light() {
    const toml::table* t = nullptr;
    if (auto ec = root_.optional_table("light", t)) return ec;
    if (t == nullptr) return {};  // no light
    TomlTableReader r(*t, "light", errors_);
    if (auto ec = r.only_keys({"kind", "green_port", "red_port", "chip", "green_line", "red_line",
                               "active_low", "pulse_s"})) {
      return ec;
    }
    LightSection& l = out_.light;
    std::string kind;
    if (auto ec = r.required_string("kind", kind, R"("gpo", "gpio" or "none")")) return ec;
    if (kind == "gpo") {
      l.kind = LightKind::gpo;
    } else if (kind == "gpio") {
      l.kind = LightKind::gpio;
    } else if (kind == "none") {
      l.kind = LightKind::none;
    } else {
      return r.fail(Errc::config_bad_value, "kind",
                    "unknown light " + in_quotes(kind) + " (expected gpo, gpio or none)");
    }
    // Keys of the other kind are refused: a gpio line number under kind =
    // "gpo" is a mistake worth a message, not silence.
    auto only_for = [&](std::initializer_list<const char*> keys,
                        LightKind wanted) -> std::error_code {
      if (l.kind == wanted) return {};
      for (const char* key : keys) {
        if (t->contains(key)) {
          return r.fail(Errc::config_bad_value, key,
                        "is only used with kind = \"" +
                            std::string(wanted == LightKind::gpo ? "gpo" : "gpio") + "\"");
        }
      }
      return {};
    };
    if (auto ec = only_for({"green_port", "red_port"}, LightKind::gpo)) return ec;
    if (auto ec = only_for({"chip", "green_line", "red_line", "active_low"}, LightKind::gpio)) {
      return ec;
    }
    std::int64_t v = 0;
    if (l.kind == LightKind::gpo) {
      v = l.green_port;
      if (auto ec = r.optional_int("green_port", 1, 64, v)) return ec;
      l.green_port = static_cast<std::uint16_t>(v);
      v = l.red_port;
      if (auto ec = r.optional_int("red_port", 1, 64, v)) return ec;
      l.red_port = static_cast<std::uint16_t>(v);
      if (l.green_port == l.red_port) {
        return r.fail(Errc::config_bad_value, "red_port", "must differ from green_port");
      }
    }
    if (l.kind == LightKind::gpio) {
      std::string chip = l.chip.string();
      if (auto ec = r.optional_string("chip", chip)) return ec;
      if (chip.rfind("/dev/", 0) != 0) {
        return r.fail(Errc::config_bad_value, "chip",
                      in_quotes(chip) + " must be a GPIO character device, e.g. /dev/gpiochip0");
      }
      l.chip = chip;
      v = l.green_line;
      if (auto ec = r.optional_int("green_line", 0, 511, v)) return ec;
      l.green_line = static_cast<std::uint32_t>(v);
      v = l.red_line;
      if (auto ec = r.optional_int("red_line", 0, 511, v)) return ec;
      l.red_line = static_cast<std::uint32_t>(v);
      if (l.green_line == l.red_line) {
        return r.fail(Errc::config_bad_value, "red_line", "must differ from green_line");
      }
      if (auto ec = r.optional_bool("active_low", l.active_low)) return ec;
    }
    double pulse = static_cast<double>(l.pulse.count()) / 1000.0;
    if (auto ec = r.optional_number("pulse_s", 0.05, 10, pulse)) return ec;
    l.pulse = seconds(pulse);
    return {};
  }

  std::filesystem::path resolve(const std::string& path) const {
    std::filesystem::path p(path);
    if (p.is_relative()) p = source_.parent_path() / p;
    return p.lexically_normal();
  }

  TomlTableReader root_;
  const std::filesystem::path& source_;
  config::ErrorSink& errors_;
  LaneControllerConfig& out_;
};

std::int64_t seconds_to_us(double s) { return static_cast<std::int64_t>(std::llround(s * 1e6)); }

}  // namespace

std::error_code parse_lane_controller_config(std::string_view text,
                                             const std::filesystem::path& source,
                                             LaneControllerConfig& out, std::string& error) {
  LaneControllerConfig parsed;
  parsed.source = source;
  if (auto ec = config::parse_toml_config(text, source, error,
                                          [&](const toml::table& root, config::ErrorSink& errors) {
                                            return LaneParser(root, source, errors, parsed).parse();
                                          })) {
    return ec;
  }
  out = std::move(parsed);
  return {};
}

std::error_code load_lane_controller_config(const std::filesystem::path& path,
                                            LaneControllerConfig& out, std::string& error) {
  std::string text;
  if (auto ec = config::read_config_file(path, text, error)) return ec;
  return parse_lane_controller_config(text, path, out, error);
}

lane::PipelineConfig make_pipeline_config(const LaneControllerConfig& config,
                                          std::uint64_t last_sequence) {
  lane::PipelineConfig pc;
  pc.issuers = std::make_shared<const IssuerTable>(config.issuers);
  lane::LaneConfig lc;
  lc.lane_id = config.lane_id;
  lc.port_code = config.port_code;
  if (config.antennas.empty()) {
    lc.antennas.push_back({0, 0, lane::AntennaRole::both});
  } else {
    for (const LaneAntennaSetting& a : config.antennas)
      lc.antennas.push_back({0, a.antenna, a.role});
  }
  const PipelineSection& p = config.pipeline;
  lc.gap_us = seconds_to_us(p.gap_s);
  lc.min_reads = p.min_reads;
  lc.min_rssi_cdbm = static_cast<std::int16_t>(std::lround(p.min_rssi_dbm * 100.0));
  lc.rearm_us = seconds_to_us(p.rearm_s);
  lc.max_open_sessions = p.max_open_sessions;
  lc.last_sequence = last_sequence;
  // As garitad: the arbitration slack may not exceed gap + grace.
  pc.arbitration.overlap_slack_us =
      std::min(pc.arbitration.overlap_slack_us, lc.gap_us + pc.close_grace_us);
  pc.lanes.push_back(std::move(lc));
  return pc;
}

}  // namespace garita::firmware

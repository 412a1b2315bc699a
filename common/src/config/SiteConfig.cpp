// Parsing and validation of garitad's configuration (SiteConfig.hpp). Every
// check that can be made without touching the network or the database is
// made here, so a bad file is refused at start with a message naming the
// line, not discovered at 3 a.m. when a lane goes quiet.
#include "garita/common/config/SiteConfig.hpp"

#include <toml++/toml.h>

#include <boost/asio/ip/address.hpp>

#include <cmath>
#include <set>
#include <tuple>

#include "garita/common/config/ConfigFile.hpp"
#include "garita/common/config/SharedSettings.hpp"
#include "garita/common/config/TomlTableReader.hpp"

namespace garita::config {
namespace {

// Batch manifests' sender_id (docs/batch-format.md §3.1): [A-Za-z0-9._-]{1,64}.
bool is_sender_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class SiteParser {
 public:
  SiteParser(const toml::table& root, const std::filesystem::path& source, ErrorSink& errors,
             SiteConfig& out)
      : root_(root, "", errors), source_(source), errors_(errors), out_(out) {}

  std::error_code parse() {
    if (auto ec = root_.only_keys({"site", "database", "issuers_file", "issuer", "reader", "lane",
                                   "lane_defaults", "security", "uplink", "api", "retention",
                                   "exchange"})) {
      return ec;
    }
    if (auto ec = parse_site()) return ec;
    if (auto ec = parse_database()) return ec;
    if (auto ec = parse_issuers()) return ec;
    if (auto ec = parse_readers()) return ec;
    if (auto ec = parse_lane_defaults()) return ec;
    if (auto ec = parse_lanes()) return ec;
    if (auto ec = parse_security()) return ec;
    if (auto ec = parse_retention()) return ec;
    if (auto ec = parse_uplink()) return ec;
    if (auto ec = parse_api()) return ec;
    return parse_exchange();
  }

 private:
  std::error_code parse_site() {
    const toml::table* site = nullptr;
    if (auto ec = root_.required_table("site", site, "port_code and time_zone")) return ec;
    TomlTableReader r(*site, "site", errors_);
    if (auto ec = r.only_keys({"port_code", "time_zone"})) return ec;
    return read_port(r, out_.port_code, out_.time_zone);
  }

  std::error_code parse_database() {
    const toml::table* db = nullptr;
    if (auto ec = root_.required_table("database", db, "path of the crossings database")) {
      return ec;
    }
    TomlTableReader r(*db, "database", errors_);
    if (auto ec =
            r.only_keys({"path", "raw_reads", "raw_reads_retention_hours", "group_commit_ms"})) {
      return ec;
    }
    std::string path;
    if (auto ec = r.required_string("path", path, "e.g. path = \"/var/lib/garita/crossings.db\"")) {
      return ec;
    }
    out_.store.path = resolve(path);
    if (auto ec = r.optional_bool("raw_reads", out_.store.raw_reads)) return ec;
    if (auto ec = r.optional_number("raw_reads_retention_hours", 0.1, 24.0 * 30,
                                    out_.store.raw_reads_retention_hours)) {
      return ec;
    }
    return r.optional_number("group_commit_ms", 0, 1000, out_.store.group_commit_ms);
  }

  std::error_code parse_issuers() {
    std::string file;
    if (auto ec = root_.optional_string("issuers_file", file)) return ec;
    const toml::array* inline_rules = nullptr;
    if (auto ec = root_.optional_table_array("issuer", inline_rules)) return ec;
    if (!file.empty() && inline_rules != nullptr) {
      return root_.fail(Errc::config_bad_value, "issuers_file",
                        "give the issuer table either as issuers_file or as [[issuer]] blocks "
                        "in this file, not both");
    }
    std::string why;
    if (!file.empty()) {
      out_.issuers_file = resolve(file);
      if (auto ec = IssuerTable::load_file(out_.issuers_file, out_.issuers, why)) {
        return root_.fail(ec == Errc::io_error ? Errc::io_error : Errc::config_bad_value,
                          "issuers_file", why);
      }
      return {};
    }
    if (inline_rules != nullptr) {
      if (auto ec = IssuerTable::from_toml(*inline_rules, source_.string(), out_.issuers, why)) {
        // The issuer parser already wrote "FILE:LINE: issuer[N].KEY: ..." itself.
        return errors_.pass_on(ec, std::move(why));
      }
    }
    return {};
  }

  std::error_code parse_readers() {
    const toml::array* readers = nullptr;
    if (auto ec = root_.optional_table_array("reader", readers)) return ec;
    // A site whose lanes all have lane controllers has no readers of its
    // own; a lane with antennas then fails in parse_lanes().
    if (readers == nullptr) return {};
    std::set<std::string> ids;
    for (std::size_t i = 0; i < readers->size(); ++i) {
      const toml::table& t = *readers->get(i)->as_table();
      TomlTableReader r(t, "reader[" + std::to_string(i + 1) + "]", errors_);
      if (auto ec = r.only_keys({"id", "uri", "tls_ca", "tls_cert", "tls_key"})) return ec;
      ReaderSettings reader;
      if (auto ec = r.required_string("id", reader.id, "e.g. id = \"r1\"")) return ec;
      if (!is_plain_id(reader.id)) {
        return r.fail(Errc::config_bad_value, "id",
                      in_quotes(reader.id) + " must be 1 to 16 letters, digits, '-' or '_'");
      }
      if (!ids.insert(reader.id).second) {
        return r.fail(Errc::config_bad_value, "id",
                      "reader id " + in_quotes(reader.id) + " is used twice");
      }
      if (auto ec = r.required_string("uri", reader.uri,
                                      "e.g. uri = \"llrp://10.0.4.21\" or "
                                      "\"serial:///dev/ttyUSB0?baud=115200\"")) {
        return ec;
      }
      reader.uri_line = line_of(*t.get("uri"));
      if (auto ec = read_reader_tls(
              r, reader.uri.rfind("llrps://", 0) == 0,
              [this](const std::string& path) { return resolve(path); }, reader.tls_ca,
              reader.tls_cert, reader.tls_key,
              "give both tls_cert and tls_key (the client certificate and its key), or neither")) {
        return ec;
      }
      out_.readers.push_back(std::move(reader));
    }
    return {};
  }

  std::error_code parse_lane_defaults() {
    const toml::table* t = nullptr;
    if (auto ec = root_.optional_table("lane_defaults", t)) return ec;
    if (t == nullptr) return {};
    TomlTableReader r(*t, "lane_defaults", errors_);
    if (auto ec =
            r.only_keys({"gap_s", "min_reads", "min_rssi_dbm", "rearm_s", "max_open_sessions"})) {
      return ec;
    }
    return read_debounce(r, defaults_);
  }

  std::error_code parse_lanes() {
    const toml::array* lanes = nullptr;
    if (auto ec = root_.optional_table_array("lane", lanes)) return ec;
    if (lanes == nullptr || lanes->empty()) {
      return root_.fail(Errc::config_missing_key, "lane", "no [[lane]] blocks");
    }
    std::set<std::string> ids;
    std::set<std::pair<std::string, std::uint16_t>> used_antennas;
    for (std::size_t i = 0; i < lanes->size(); ++i) {
      const toml::table& t = *lanes->get(i)->as_table();
      TomlTableReader r(t, "lane[" + std::to_string(i + 1) + "]", errors_);
      if (auto ec = r.only_keys({"id", "antenna", "gap_s", "min_reads", "min_rssi_dbm", "rearm_s",
                                 "max_open_sessions", "controller"})) {
        return ec;
      }
      LaneSettings lane;
      lane.debounce = defaults_;
      if (auto ec = r.required_string("id", lane.id, "e.g. id = \"P01\"")) return ec;
      if (!is_plain_id(lane.id)) {
        return r.fail(Errc::config_bad_value, "id",
                      in_quotes(lane.id) + " must be 1 to 16 letters, digits, '-' or '_'");
      }
      if (!ids.insert(lane.id).second) {
        return r.fail(Errc::config_bad_value, "id",
                      "lane id " + in_quotes(lane.id) + " is used twice");
      }
      if (auto ec = r.optional_bool("controller", lane.controller)) return ec;
      if (lane.controller) {
        // The lane controller reads and debounces (docs/uplink.md): settings
        // here would silently do nothing, so they are refused.
        for (std::string_view key :
             {"antenna", "gap_s", "min_reads", "min_rssi_dbm", "rearm_s", "max_open_sessions"}) {
          if (t.contains(key)) {
            return r.fail(Errc::config_bad_value, key,
                          "a controller lane (controller = true) has no antennas or debounce "
                          "settings here: they belong in its garita-lane configuration");
          }
        }
        out_.lanes.push_back(std::move(lane));
        continue;
      }
      if (auto ec = read_debounce(r, lane.debounce)) return ec;
      const toml::array* antennas = nullptr;
      if (auto ec = r.optional_table_array("antenna", antennas)) return ec;
      if (antennas == nullptr || antennas->empty()) {
        return r.fail(Errc::config_missing_key, "antenna",
                      "a lane needs at least one [[lane.antenna]] block (reader and antenna), "
                      "or controller = true when a garita-lane controller runs it");
      }
      for (std::size_t a = 0; a < antennas->size(); ++a) {
        const toml::table& at = *antennas->get(a)->as_table();
        TomlTableReader ar(at, r.label_for("antenna[" + std::to_string(a + 1) + "]"), errors_);
        if (auto ec = ar.only_keys({"reader", "antenna", "role"})) return ec;
        LaneAntenna la;
        if (auto ec = ar.required_string("reader", la.reader, "the id of a [[reader]]")) return ec;
        if (out_.readers.empty()) {
          return root_.fail(Errc::config_missing_key, "reader",
                            "no [[reader]] blocks: a lane with antennas needs at least one reader");
        }
        bool found = false;
        for (const ReaderSettings& rs : out_.readers) found = found || rs.id == la.reader;
        if (!found) {
          return ar.fail(Errc::config_bad_value, "reader",
                         "no [[reader]] has id " + in_quotes(la.reader));
        }
        std::int64_t number = 0;
        if (auto ec = ar.required_int("antenna", 1, 65535, number,
                                      "the reader's antenna port number, from 1")) {
          return ec;
        }
        la.antenna = static_cast<std::uint16_t>(number);
        if (!used_antennas.emplace(la.reader, la.antenna).second) {
          return ar.fail(Errc::config_bad_value, "antenna",
                         "antenna " + std::to_string(la.antenna) + " of reader " +
                             in_quotes(la.reader) + " is already given to a lane");
        }
        if (auto ec = read_antenna_role(ar, la.role)) return ec;
        lane.antennas.push_back(std::move(la));
      }
      out_.lanes.push_back(std::move(lane));
    }
    return {};
  }

  // [security] (docs/security.md). Optional: defaults put the users and
  // audit databases next to the crossings database.
  std::error_code parse_security() {
    SecuritySettings& s = out_.security;
    const std::filesystem::path data_dir = out_.store.path.parent_path();
    s.users_db = data_dir / "users.db";
    s.audit_db = data_dir / "audit.db";
    const toml::table* t = nullptr;
    if (auto ec = root_.optional_table("security", t)) return ec;
    if (t == nullptr) return {};
    TomlTableReader r(*t, "security", errors_);
    if (auto ec = r.only_keys({"users_db", "audit_db", "signing_key", "signing_cert",
                               "token_lifetime_hours", "audit_retention_days",
                               "audit_sign_every_rows", "audit_sign_every_seconds"})) {
      return ec;
    }
    for (auto [key, field] :
         {std::pair{"users_db", &s.users_db}, std::pair{"audit_db", &s.audit_db},
          std::pair{"signing_key", &s.signing_key}, std::pair{"signing_cert", &s.signing_cert}}) {
      std::string value;
      if (auto ec = r.optional_string(key, value)) return ec;
      if (!value.empty()) *field = resolve(value);
    }
    if (s.users_db == s.audit_db || s.users_db == out_.store.path ||
        s.audit_db == out_.store.path) {
      return r.fail(Errc::config_bad_value, s.users_db == s.audit_db ? "audit_db" : "users_db",
                    "users_db, audit_db and [database] path must be three different files");
    }
    if (!s.signing_cert.empty() && s.signing_key.empty()) {
      return r.fail(Errc::config_missing_key, "signing_key",
                    "signing_cert is given but not signing_key (the PEM private key file)");
    }
    // Tokens live at most 90 days (docs/security.md).
    if (auto ec = r.optional_number("token_lifetime_hours", 1.0 / 60, 24.0 * 90,
                                    s.token_lifetime_hours)) {
      return ec;
    }
    for (auto [key, field, lo, hi] :
         {std::tuple{"audit_retention_days", &s.audit_retention_days, 1, 36500},
          std::tuple{"audit_sign_every_rows", &s.audit_sign_every_rows, 1, 100000},
          std::tuple{"audit_sign_every_seconds", &s.audit_sign_every_seconds, 1, 86400}}) {
      std::int64_t v = *field;
      if (auto ec = r.optional_int(key, lo, hi, v)) return ec;
      *field = static_cast<std::uint32_t>(v);
    }
    return {};
  }

  // [retention] (docs/operations.md): how long each record class is kept.
  // Optional; every key has a default. Runs after [database] and
  // [security], whose raw-read and audit schedules it carries along.
  std::error_code parse_retention() {
    store::RetentionSchedule& s = out_.retention;
    s.raw_reads_hours = out_.store.raw_reads_retention_hours;
    s.audit_days = out_.security.audit_retention_days;
    const toml::table* t = nullptr;
    if (auto ec = root_.optional_table("retention", t)) return ec;
    if (t == nullptr) return {};
    TomlTableReader r(*t, "retention", errors_);
    if (auto ec = r.only_keys({"daily_at", "batch_rows", "crossings_max_age_days",
                               "crossings_max_unexported_days", "crossings_after_exit_record_days",
                               "conflicts_max_age_days", "entry_records_years",
                               "officer_records_days"})) {
      return ec;
    }
    std::string daily_at;
    if (auto ec = r.optional_string("daily_at", daily_at)) return ec;
    if (!daily_at.empty()) {
      const auto minutes = store::parse_time_of_day(daily_at);
      if (!minutes) {
        return r.fail(Errc::config_bad_value, "daily_at",
                      in_quotes(daily_at) + " is not a local time of day HH:MM, e.g. \"03:30\"");
      }
      s.daily_at_minutes = *minutes;
    }
    for (auto [key, field, lo, hi] :
         {std::tuple{"batch_rows", &s.batch_rows, 1, 100000},
          std::tuple{"crossings_max_age_days", &s.crossings.max_age_days, 1, 36500},
          std::tuple{"crossings_max_unexported_days", &s.crossings.max_unexported_days, 1, 36500},
          std::tuple{"crossings_after_exit_record_days", &s.crossings.after_exit_record_days, 0,
                     36500},
          std::tuple{"conflicts_max_age_days", &s.conflicts_max_age_days, 1, 36500},
          std::tuple{"entry_records_years", &s.entry_records_years, 1, 100},
          std::tuple{"officer_records_days", &s.officer_records_days, 1, 36500}}) {
      std::int64_t v = *field;
      if (auto ec = r.optional_int(key, lo, hi, v)) return ec;
      *field = static_cast<std::uint32_t>(v);
    }
    // Rules between keys (the schedule's own check names the key).
    std::string why;
    if (store::validate(s, why)) {
      const std::string key = why.substr(0, why.find(':'));
      return r.fail(Errc::config_bad_value, key, why.substr(std::min(why.size(), key.size() + 2)));
    }
    return {};
  }

  // [uplink] and [api]: TLS listeners (docs/uplink.md, docs/api.md).
  std::error_code parse_listener(TomlTableReader& r, ListenerSettings& l, bool client_ca_required) {
    l.enabled = true;
    if (auto ec = r.optional_string("address", l.address)) return ec;
    boost::system::error_code not_ip;
    boost::asio::ip::make_address(l.address, not_ip);
    if (not_ip) {
      return r.fail(
          Errc::config_bad_value, "address",
          in_quotes(l.address) + R"( is not an IP address (e.g. "0.0.0.0" or "10.0.5.1"))");
    }
    std::int64_t port = l.port;
    if (auto ec = r.optional_int("port", 1, 65535, port)) return ec;
    l.port = static_cast<std::uint16_t>(port);
    for (auto [key, field, hint] :
         {std::tuple{"cert_file", &l.cert_file, "the server certificate chain (PEM)"},
          std::tuple{"key_file", &l.key_file, "its private key (PEM, mode 0600)"},
          std::tuple{"client_ca_file", &l.client_ca_file,
                     "the CA (PEM) that issues the lane controllers' certificates"}}) {
      std::string value;
      if (std::string_view(key) == "client_ca_file" && !client_ca_required) {
        if (auto ec = r.optional_string(key, value)) return ec;
      } else if (auto ec = r.required_string(key, value, hint)) {
        return ec;
      }
      if (!value.empty()) *field = resolve(value);
    }
    return {};
  }

  std::error_code parse_uplink() {
    const toml::table* t = nullptr;
    if (auto ec = root_.optional_table("uplink", t)) return ec;
    if (t == nullptr) {
      // Without [uplink] no lane may be a controller: the first one that is gets named.
      for (const LaneSettings& l : out_.lanes) {
        if (l.controller) {
          return root_.fail(Errc::config_missing_key, "uplink",
                            "lane " + in_quotes(l.id) +
                                " has controller = true but there is no [uplink] section for "
                                "lane controllers to connect to");
        }
      }
      return {};
    }
    TomlTableReader r(*t, "uplink", errors_);
    if (auto ec = r.only_keys(
            {"address", "port", "cert_file", "key_file", "client_ca_file", "max_batch"})) {
      return ec;
    }
    UplinkSettings& u = out_.uplink;
    u.listener.address = "0.0.0.0";
    u.listener.port = 8444;
    if (auto ec = parse_listener(r, u.listener, true)) return ec;
    std::int64_t max_batch = u.max_batch;
    if (auto ec = r.optional_int("max_batch", 1, 1000, max_batch)) return ec;
    u.max_batch = static_cast<std::uint32_t>(max_batch);
    return {};
  }

  std::error_code parse_api() {
    const toml::table* t = nullptr;
    if (auto ec = root_.optional_table("api", t)) return ec;
    if (t == nullptr) return {};
    TomlTableReader r(*t, "api", errors_);
    if (auto ec = r.only_keys({"address", "port", "cert_file", "key_file", "client_ca_file"})) {
      return ec;
    }
    out_.api.address = "127.0.0.1";
    out_.api.port = 8443;
    if (auto ec = parse_listener(r, out_.api, false)) return ec;
    if (out_.uplink.listener.enabled && out_.uplink.listener.port == out_.api.port) {
      return r.fail(Errc::config_bad_value, "port",
                    "[api] and [uplink] need different ports (both are " +
                        std::to_string(out_.api.port) + ")");
    }
    return {};
  }

  // [exchange] (docs/operations.md "Weekly exchange", docs/batch-format.md):
  // the weekly partner exchange. Optional; when present the workstation key,
  // its certificate, the partner's certificate and the partner CA are
  // required, since an exchange without any of them cannot run.
  std::error_code parse_exchange() {
    const toml::table* t = nullptr;
    if (auto ec = root_.optional_table("exchange", t)) return ec;
    if (t == nullptr) return {};
    TomlTableReader r(*t, "exchange", errors_);
    if (auto ec = r.only_keys({"sender_id", "key_file", "cert_file", "partner_certificate",
                               "partner_ca_file", "partner_sender_id", "partner_signers",
                               "export_dir"})) {
      return ec;
    }
    ExchangeSettings& x = out_.exchange;
    x.enabled = true;
    for (auto [key, field, hint] :
         {std::tuple{"key_file", &x.key_file,
                     "the workstation's exchange key (PEM, mode 0600), e.g. "
                     "\"keys/exchange.key\""},
          std::tuple{"cert_file", &x.cert_file,
                     "its certificate (PEM): the partner encrypts returned batches to it"},
          std::tuple{"partner_certificate", &x.partner_certificate,
                     "the partner's certificate (PEM): exports are encrypted to it"},
          std::tuple{"partner_ca_file", &x.partner_ca_file,
                     "the partner's CA (PEM): returned batches must be signed under it"}}) {
      std::string value;
      if (auto ec = r.required_string(key, value, hint)) return ec;
      *field = resolve(value);
    }
    std::string export_dir;
    if (auto ec = r.optional_string("export_dir", export_dir)) return ec;
    if (!export_dir.empty()) x.export_dir = resolve(export_dir);
    // Manifest sender ids (docs/batch-format.md §3.1).
    x.sender_id = "INM-" + out_.port_code;
    if (auto ec = r.optional_string("sender_id", x.sender_id)) return ec;
    if (auto ec = r.optional_string("partner_sender_id", x.partner_sender_id)) return ec;
    for (auto [key, value] : {std::pair{"sender_id", &x.sender_id},
                              std::pair{"partner_sender_id", &x.partner_sender_id}}) {
      if (!is_sender_id(*value)) {
        return r.fail(Errc::config_bad_value, key,
                      in_quotes(*value) + " must be 1 to 64 letters, digits, '.', '_' or '-'");
      }
    }
    return parse_signer_fingerprints(r, x.partner_signers);
  }

  // partner_signers = ["AB12...", ...]: SHA-256 fingerprints of the partner
  // certificates allowed to sign returned batches. Accepts either case and
  // the colon-separated form `openssl x509 -fingerprint -sha256` prints;
  // stored as 64 upper-case hex digits (what BatchEnvelope compares).
  std::error_code parse_signer_fingerprints(TomlTableReader& r, std::vector<std::string>& out) {
    const toml::node* node = r.table().get("partner_signers");
    if (node == nullptr) return {};
    const toml::array* list = node->as_array();
    if (list == nullptr) {
      return r.fail(
          Errc::config_wrong_type, "partner_signers",
          std::string("must be an array of strings, not ") + std::string(type_phrase(*node)));
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      const std::string label = "partner_signers[" + std::to_string(i + 1) + "]";
      const auto* text = item.as_string();
      if (text == nullptr) {
        return errors_.fail(Errc::config_wrong_type, line_of(item), r.label_for(label),
                            std::string("must be a string, not ") + std::string(type_phrase(item)));
      }
      std::string hex;
      bool ok = true;
      for (char c : text->get()) {
        if (c == ':') continue;
        const bool digit =
            (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
        ok = ok && digit;
        hex += static_cast<char>(c >= 'a' && c <= 'f' ? c - 'a' + 'A' : c);
      }
      if (!ok || hex.size() != 64) {
        return errors_.fail(Errc::config_bad_value, line_of(item), r.label_for(label),
                            in_quotes(text->get()) +
                                " is not a SHA-256 certificate fingerprint (64 hex digits; "
                                "`openssl x509 -noout -fingerprint -sha256 -in partner.pem`)");
      }
      out.push_back(std::move(hex));
    }
    return {};
  }

  // Relative paths are relative to the config file's folder, made absolute
  // so that `garitad --config garitad.toml` (no folder) works too.
  std::filesystem::path resolve(const std::string& path) const {
    std::filesystem::path p(path);
    if (p.is_relative()) {
      std::error_code ec;
      std::filesystem::path base = std::filesystem::absolute(source_, ec).parent_path();
      if (ec) base = source_.parent_path();
      p = base / p;
    }
    return p.lexically_normal();
  }

  TomlTableReader root_;
  const std::filesystem::path& source_;
  ErrorSink& errors_;
  SiteConfig& out_;
  DebounceSettings defaults_;
};

}  // namespace

std::string_view to_string(AntennaRole role) noexcept {
  switch (role) {
    case AntennaRole::both: return "both";
    case AntennaRole::entry: return "entry";
    case AntennaRole::exit: return "exit";
  }
  return "both";
}

std::error_code parse_site_config(std::string_view text, const std::filesystem::path& source,
                                  SiteConfig& out, std::string& error) {
  SiteConfig parsed;
  parsed.source = source;
  if (auto ec =
          parse_toml_config(text, source, error, [&](const toml::table& root, ErrorSink& errors) {
            return SiteParser(root, source, errors, parsed).parse();
          })) {
    return ec;
  }
  out = std::move(parsed);
  return {};
}

std::error_code load_site_config(const std::filesystem::path& path, SiteConfig& out,
                                 std::string& error) {
  std::string text;
  if (auto ec = read_config_file(path, text, error)) return ec;
  return parse_site_config(text, path, out, error);
}

}  // namespace garita::config

#include <catch2/catch.hpp>

#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "MinimalSiteConfig.hpp"
#include "garita/common/Errc.hpp"
#include "garita/common/config/SiteConfig.hpp"

using garita::Errc;
using garita::config::AntennaRole;
using garita::config::parse_site_config;
using garita::config::SiteConfig;

namespace {

const std::filesystem::path& kSource = garita::test::kSiteConfigSource;

const std::string kMinimal = garita::test::minimal_site_config();

std::string error_of(const std::string& text, Errc expected) {
  SiteConfig c;
  std::string error;
  const auto ec = parse_site_config(text, kSource, c, error);
  INFO(error);
  CHECK(ec == expected);
  return error;
}

std::string with(std::string_view extra) { return std::string(kMinimal) + std::string(extra); }

std::string replace(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  text.replace(at, from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("paths in a config named without a folder are made absolute") {
  // `garitad --config garitad.toml`: the database sits next to it, in the
  // current directory, and every later check sees an absolute path.
  SiteConfig c;
  std::string error;
  REQUIRE_FALSE(parse_site_config(kMinimal, "garitad.toml", c, error));
  CHECK(c.store.path.is_absolute());
  CHECK(c.store.path == (std::filesystem::current_path() / "crossings.db").lexically_normal());
}

TEST_CASE("a minimal config loads with the documented defaults") {
  SiteConfig c;
  std::string error;
  REQUIRE_FALSE(parse_site_config(kMinimal, kSource, c, error));
  CHECK(error.empty());
  CHECK(c.port_code == "SYS");
  CHECK(c.store.path == "/etc/garita/crossings.db");  // relative to the config file
  CHECK_FALSE(c.store.raw_reads);
  REQUIRE(c.readers.size() == 1);
  CHECK(c.readers[0].uri == "llrp://127.0.0.1:5084");
  CHECK(c.readers[0].uri_line == 11);
  REQUIRE(c.lanes.size() == 1);
  CHECK(c.lanes[0].id == "P01");
  CHECK(c.lanes[0].debounce.gap_s == 2.0);
  CHECK(c.lanes[0].debounce.min_reads == 2);
  CHECK(c.lanes[0].debounce.rearm_s == 60.0);
  REQUIRE(c.lanes[0].antennas.size() == 1);
  CHECK(c.lanes[0].antennas[0].role == AntennaRole::both);
  CHECK(c.issuers.empty());
}

TEST_CASE("lane defaults and per-lane overrides") {
  const std::string text = R"(
[site]
port_code = "SYS"
time_zone = "UTC"
[database]
path = "/tmp/x.db"
[[reader]]
id = "r1"
uri = "llrp://127.0.0.1"
[lane_defaults]
gap_s = 1.5
min_reads = 3
[[lane]]
id = "P01"
[[lane.antenna]]
reader = "r1"
antenna = 1
role = "entry"
[[lane]]
id = "P02"
rearm_s = 30
min_rssi_dbm = -65.5
[[lane.antenna]]
reader = "r1"
antenna = 2
role = "exit"
)";
  SiteConfig c;
  std::string error;
  REQUIRE_FALSE(parse_site_config(text, kSource, c, error));
  REQUIRE(c.lanes.size() == 2);
  CHECK(c.lanes[0].debounce.gap_s == 1.5);
  CHECK(c.lanes[0].debounce.min_reads == 3);
  CHECK(c.lanes[0].debounce.rearm_s == 60.0);
  CHECK(c.lanes[0].antennas[0].role == AntennaRole::entry);
  CHECK(c.lanes[1].debounce.gap_s == 1.5);
  CHECK(c.lanes[1].debounce.rearm_s == 30.0);
  CHECK(c.lanes[1].debounce.min_rssi_dbm == -65.5);
  CHECK(c.lanes[1].antennas[0].role == AntennaRole::exit);
}

TEST_CASE("config errors name the file, the line and the key") {
  CHECK(error_of("[site\n", Errc::config_syntax)
            .rfind("/etc/garita/garitad.toml:1: not valid TOML", 0) == 0);
  CHECK(error_of(replace(kMinimal, "port_code = \"SYS\"", "port_code = 5"),
                 Errc::config_wrong_type) ==
        "/etc/garita/garitad.toml:3: site.port_code: must be a string in double quotes, not an "
        "integer");
  CHECK(error_of(replace(kMinimal, "port_code = \"SYS\"", "port_code = \"San Ysidro\""),
                 Errc::config_bad_value)
            .find("site.port_code: 'San Ysidro' must be 2 to 8 upper-case") != std::string::npos);
  CHECK(error_of(replace(kMinimal, "port_code = \"SYS\"\n", ""), Errc::config_missing_key)
            .find("site.port_code: missing required key 'port_code'") != std::string::npos);
  CHECK(error_of(replace(kMinimal, "time_zone = \"UTC\"", "time_zone = \"Mars/Olympus\""),
                 Errc::config_bad_value)
            .find("not a time zone") != std::string::npos);
  CHECK(error_of(replace(kMinimal, "[database]\npath = \"crossings.db\"\n", ""),
                 Errc::config_missing_key)
            .find("missing [database]") != std::string::npos);
  CHECK(error_of(replace(kMinimal, "antenna = 1", "antena = 1"), Errc::config_unknown_key) ==
        "/etc/garita/garitad.toml:17: lane[1].antenna[1].antena: unknown key 'antena' (did you "
        "mean 'antenna'?)");
  CHECK(error_of(replace(kMinimal, "antenna = 1", "antenna = 0"), Errc::config_bad_value) ==
        "/etc/garita/garitad.toml:17: lane[1].antenna[1].antenna: must be from 1 to 65535, not 0");
  CHECK(error_of(replace(kMinimal, "reader = \"r1\"", "reader = \"r9\""), Errc::config_bad_value)
            .find("lane[1].antenna[1].reader: no [[reader]] has id 'r9'") != std::string::npos);
  CHECK(error_of(replace(kMinimal, "id = \"P01\"\n", "id = \"P01\"\ngap_s = 120\n"),
                 Errc::config_bad_value)
            .find("gap_s: must be a number from 0.1 to 60, not 120") != std::string::npos);
  CHECK(error_of(with("role = \"sideways\"\n"), Errc::config_bad_value)
            .find("unknown role 'sideways' (expected entry, exit or both)") != std::string::npos);
  CHECK(error_of(with("[[lane]]\nid = \"P01\"\n[[lane.antenna]]\nreader = \"r1\"\nantenna = 2\n"),
                 Errc::config_bad_value)
            .find("lane id 'P01' is used twice") != std::string::npos);
  CHECK(error_of(with("[[lane]]\nid = \"P02\"\n[[lane.antenna]]\nreader = \"r1\"\nantenna = 1\n"),
                 Errc::config_bad_value)
            .find("antenna 1 of reader 'r1' is already given to a lane") != std::string::npos);
  CHECK(error_of(with("[[lane]]\nid = \"P02\"\n"), Errc::config_missing_key)
            .find("lane[2].antenna: a lane needs at least one") != std::string::npos);
  CHECK(
      error_of(replace(kMinimal, "uri = \"llrp://127.0.0.1:5084\"", "uri = \"llrps://127.0.0.1\""),
               Errc::config_missing_key)
          .find("reader[1].tls_ca: an llrps:// reader needs tls_ca") != std::string::npos);
  CHECK(error_of(with("\nbogus = 1\n"), Errc::config_unknown_key).find("bogus") !=
        std::string::npos);
  CHECK(error_of(std::string("verbose = true\n") + kMinimal, Errc::config_unknown_key) ==
        "/etc/garita/garitad.toml:1: verbose: unknown key 'verbose'");
}

TEST_CASE("the issuer table is read from its own file or inline, not both") {
  SiteConfig c;
  std::string error;
  const std::string inline_rules = with(
      "\n[[issuer]]\nname = \"demo\"\nissuer = \"x\"\ndocument = \"BCC\"\nprefix = \"E2C0DE01\"\n");
  REQUIRE_FALSE(parse_site_config(inline_rules, kSource, c, error));
  CHECK(c.issuers.rules().size() == 1);
  // An inline rule's own error keeps its own "FILE:LINE: issuer[N].KEY" form.
  CHECK(error_of(replace(inline_rules, "document = \"BCC\"", "document = \"BCX\""),
                 Errc::config_bad_value)
            .rfind("/etc/garita/garitad.toml:", 0) == 0);
  CHECK(error_of(std::string("issuers_file = \"issuers.toml\"\n") + inline_rules,
                 Errc::config_bad_value)
            .find("not both") != std::string::npos);
  CHECK(error_of(std::string("issuers_file = \"/nonexistent/issuers.toml\"\n") + kMinimal,
                 Errc::io_error)
            .find("issuers_file") != std::string::npos);
}

TEST_CASE("the shipped example config loads") {
  SiteConfig c;
  std::string error;
  const auto path = std::filesystem::path(GARITA_TEST_DATA) / "../../config/garitad.example.toml";
  const auto ec = garita::config::load_site_config(path, c, error);
  INFO(error);
  REQUIRE_FALSE(ec);
  CHECK(c.lanes.size() == 2);
  CHECK(c.readers.size() == 2);
  CHECK_FALSE(c.issuers.empty());
  CHECK(c.lanes[0].debounce.min_rssi_dbm == -70.0);
}

TEST_CASE("a missing config file is an io error naming it") {
  SiteConfig c;
  std::string error;
  CHECK(garita::config::load_site_config("/nonexistent/garitad.toml", c, error) == Errc::io_error);
  CHECK(error.rfind("/nonexistent/garitad.toml: cannot open", 0) == 0);
}

TEST_CASE("an error message is always one printable line") {
  // toml++ quotes the character it stopped at, which can be a newline.
  const std::string e =
      error_of("[site]\nport_code = \"SYS\"\n[[lane]]\niid=f\n", Errc::config_syntax);
  CHECK(e.find('\n') == std::string::npos);
  CHECK(e.find("\\n") != std::string::npos);
  // A quoted key may hold control characters.
  const std::string k =
      error_of(std::string("\"a\\tb\" = 1\n") + kMinimal, Errc::config_unknown_key);
  CHECK(k.find('\t') == std::string::npos);
  CHECK(k.find("a\\tb") != std::string::npos);
}

// [exchange] (docs/operations.md "Weekly exchange"): the weekly partner exchange.
namespace {
constexpr const char* kExchange = R"(
[exchange]
key_file = "keys/exchange.key"
cert_file = "keys/exchange.pem"
partner_certificate = "/etc/garita/keys/partner.pem"
partner_ca_file = "keys/partner-ca.pem"
)";
}  // namespace

TEST_CASE("[exchange] is optional and its paths resolve like the other sections") {
  SiteConfig plain;
  std::string error;
  REQUIRE_FALSE(parse_site_config(kMinimal, kSource, plain, error));
  CHECK_FALSE(plain.exchange.enabled);

  SiteConfig c;
  REQUIRE_FALSE(parse_site_config(with(kExchange), kSource, c, error));
  INFO(error);
  CHECK(c.exchange.enabled);
  CHECK(c.exchange.key_file == "/etc/garita/keys/exchange.key");
  CHECK(c.exchange.cert_file == "/etc/garita/keys/exchange.pem");
  CHECK(c.exchange.partner_certificate == "/etc/garita/keys/partner.pem");
  CHECK(c.exchange.partner_ca_file == "/etc/garita/keys/partner-ca.pem");
  CHECK(c.exchange.sender_id == "INM-SYS");  // default: "INM-" + port code
  CHECK(c.exchange.partner_sender_id == "CBP");
  CHECK(c.exchange.partner_signers.empty());
  CHECK(c.exchange.export_dir.empty());

  const std::string fp = "2A80FB56747D5FBA8956C7401D0C7C64B255491C3474B589C5A86BCDD5F1F72B";
  std::string colons;  // the form `openssl x509 -fingerprint` prints, lower case
  for (std::size_t i = 0; i < fp.size(); i += 2) {
    if (i > 0) colons += ':';
    colons += static_cast<char>(std::tolower(fp[i]));
    colons += static_cast<char>(std::tolower(fp[i + 1]));
  }
  SiteConfig full;
  REQUIRE_FALSE(
      parse_site_config(with(std::string(kExchange) +
                             "sender_id = \"INM-SYS.WS_1\"\npartner_sender_id = \"CBP-SD\"\n" +
                             "partner_signers = [\"" + fp + "\", \"" + colons + "\"]\n" +
                             "export_dir = \"/media/garita-exchange\"\n"),
                        kSource, full, error));
  CHECK(full.exchange.sender_id == "INM-SYS.WS_1");
  CHECK(full.exchange.partner_sender_id == "CBP-SD");
  CHECK(full.exchange.partner_signers == std::vector<std::string>{fp, fp});
  CHECK(full.exchange.export_dir == "/media/garita-exchange");
}

TEST_CASE("[exchange] errors name the key") {
  CHECK(error_of(with(std::string(kExchange) + "parter_ca_file = \"x.pem\"\n"),
                 Errc::config_unknown_key) ==
        "/etc/garita/garitad.toml:24: exchange.parter_ca_file: unknown key 'parter_ca_file' (did "
        "you mean 'partner_ca_file'?)");
  CHECK(error_of(with(std::string(kExchange) + "partner_signers = [\"ABCD\"]\n"),
                 Errc::config_bad_value)
            .find("exchange.partner_signers[1]: 'ABCD' is not a SHA-256 certificate fingerprint") !=
        std::string::npos);
  CHECK(error_of(with(std::string(kExchange) + "partner_signers = [\"" + std::string(63, 'A') +
                      "G\"]\n"),
                 Errc::config_bad_value)
            .find("partner_signers[1]") != std::string::npos);
  CHECK(error_of(with(std::string(kExchange) + "partner_signers = [42]\n"), Errc::config_wrong_type)
            .find("exchange.partner_signers[1]: must be a string, not an integer") !=
        std::string::npos);
  CHECK(error_of(with(std::string(kExchange) + "partner_signers = \"ABCD\"\n"),
                 Errc::config_wrong_type)
            .find("exchange.partner_signers: must be an array") != std::string::npos);
  CHECK(error_of(with(std::string(kExchange) + "sender_id = \"INM SYS\"\n"), Errc::config_bad_value)
            .find("exchange.sender_id: 'INM SYS' must be 1 to 64 letters") != std::string::npos);
  CHECK(error_of(with(std::string(kExchange) + "sender_id = \"" + std::string(65, 'A') + "\"\n"),
                 Errc::config_bad_value)
            .find("exchange.sender_id") != std::string::npos);
  for (const char* key : {"key_file", "cert_file", "partner_certificate", "partner_ca_file"}) {
    INFO(key);
    std::string text = kExchange;
    const auto at = text.find(std::string(key) + " = ");
    REQUIRE(at != std::string::npos);
    text.erase(at, text.find('\n', at) + 1 - at);
    CHECK(error_of(with(text), Errc::config_missing_key)
              .find(std::string("exchange.") + key + ": missing required key") !=
          std::string::npos);
  }
}

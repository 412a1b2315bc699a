#include <catch2/catch.hpp>

#include "MinimalSiteConfig.hpp"
#include "garita/common/Errc.hpp"
#include "garita/common/config/SiteConfig.hpp"

using garita::config::parse_site_config;
using garita::config::SiteConfig;

namespace {

const std::filesystem::path& kSource = garita::test::kSiteConfigSource;

const std::string kMinimal = garita::test::minimal_site_config("/var/lib/garita/crossings.db");

}  // namespace

TEST_CASE("[security] defaults put users and audit next to the crossings", "[config]") {
  SiteConfig c;
  std::string error;
  REQUIRE_FALSE(parse_site_config(kMinimal, kSource, c, error));
  CHECK(c.security.users_db == "/var/lib/garita/users.db");
  CHECK(c.security.audit_db == "/var/lib/garita/audit.db");
  CHECK(c.security.signing_key.empty());
  CHECK(c.security.token_lifetime_hours == 12);
  CHECK(c.security.audit_retention_days == 730);
  CHECK(c.security.audit_sign_every_rows == 100);
  CHECK(c.security.audit_sign_every_seconds == 300);
}

TEST_CASE("[security] keys are read and paths resolved", "[config]") {
  SiteConfig c;
  std::string error;
  const std::string text = std::string(kMinimal) + R"(
[security]
users_db = "u.db"
audit_db = "/srv/audit.db"
signing_key = "keys/audit.key"
signing_cert = "keys/audit.crt"
token_lifetime_hours = 8
audit_retention_days = 365
audit_sign_every_rows = 50
audit_sign_every_seconds = 60
)";
  REQUIRE_FALSE(parse_site_config(text, kSource, c, error));
  CHECK(c.security.users_db == "/etc/garita/u.db");
  CHECK(c.security.audit_db == "/srv/audit.db");
  CHECK(c.security.signing_key == "/etc/garita/keys/audit.key");
  CHECK(c.security.signing_cert == "/etc/garita/keys/audit.crt");
  CHECK(c.security.token_lifetime_hours == 8);
  CHECK(c.security.audit_retention_days == 365);
  CHECK(c.security.audit_sign_every_rows == 50);
  CHECK(c.security.audit_sign_every_seconds == 60);
}

TEST_CASE("[security] mistakes are refused with the line and key", "[config]") {
  auto error_of = [](const std::string& extra) {
    SiteConfig c;
    std::string error;
    CHECK(parse_site_config(std::string(kMinimal) + "\n[security]\n" + extra, kSource, c, error));
    return error;
  };
  CHECK(error_of("token_lifetime_hours = 24000\n").find("security.token_lifetime_hours") !=
        std::string::npos);
  CHECK(error_of("signing_kye = \"k\"\n").find("signing_kye") != std::string::npos);
  CHECK(error_of("users_db = \"/x.db\"\naudit_db = \"/x.db\"\n").find("different files") !=
        std::string::npos);
  CHECK(error_of("signing_cert = \"c.pem\"\n").find("signing_key") != std::string::npos);
  CHECK(error_of("audit_sign_every_rows = 0\n").find("audit_sign_every_rows") != std::string::npos);
}

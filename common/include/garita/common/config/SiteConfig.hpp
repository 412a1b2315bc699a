#pragma once
// garitad's configuration: the port, its readers, its lanes (which reader
// antennas belong to which lane, with what role and debounce settings), the
// crossing database and the issuer table. One TOML file, validated whole at
// start: the first problem is reported as "FILE:LINE: KEY: what" and the
// daemon does not start half-configured. Format: docs/configuration.md and
// config/garitad.example.toml.
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "garita/common/IssuerTable.hpp"
#include "garita/common/store/RetentionSchedule.hpp"

namespace garita::config {

enum class AntennaRole : std::uint8_t { both, entry, exit };
std::string_view to_string(AntennaRole role) noexcept;

struct ReaderSettings {
  std::string id;   // referenced by lanes, e.g. "r1"
  std::string uri;  // llrp://..., serial://... (validated by the daemon with hal's parser)
  std::uint32_t uri_line = 0;  // where `uri` is, for the daemon's messages
  std::string tls_ca;          // llrps: CA file that signed the reader's certificate
  std::string tls_cert;        // llrps: our client certificate file
  std::string tls_key;         // llrps: its private key file (never inline key material)
};

struct LaneAntenna {
  std::string reader;  // ReaderSettings::id
  std::uint16_t antenna = 1;
  AntennaRole role = AntennaRole::both;
};

// Debounce settings (docs/lane-pipeline.md says what each does).
struct DebounceSettings {
  double gap_s = 2.0;                      // a session closes after this long without a read
  std::uint32_t min_reads = 2;             // reads needed for a crossing...
  double min_rssi_dbm = -70.0;             // ...at or above this RSSI (the pipeline's default)
  double rearm_s = 60.0;                   // a new session this soon after a crossing extends it
  std::uint32_t max_open_sessions = 4096;  // per lane; a flood of EPCs cannot grow memory
};

struct LaneSettings {
  std::string id;  // e.g. "P01": stored with every crossing
  std::vector<LaneAntenna> antennas;
  DebounceSettings debounce;
  // Run by a lane controller (garita-lane) that sends its crossings over the
  // uplink (docs/uplink.md): no antennas here, no pipeline in garitad.
  bool controller = false;
};

struct StoreSettings {
  std::filesystem::path path;  // relative paths are relative to the config file's folder
  bool raw_reads = false;      // opt-in diagnostic capture of raw reads (data minimisation)
  double raw_reads_retention_hours = 24;
  double group_commit_ms = 5;  // how long the writer gathers crossings into one transaction
};

// [security]: users, tokens and the audit log (docs/security.md). Paths
// default to files next to the crossings database; the signing key has no
// default (without one the audit chain is kept but not signed).
struct SecuritySettings {
  std::filesystem::path users_db;      // default: DATABASE_DIR/users.db
  std::filesystem::path audit_db;      // default: DATABASE_DIR/audit.db
  std::filesystem::path signing_key;   // PEM private key, mode 0600/0400
  std::filesystem::path signing_cert;  // its certificate (or public key), for verify
  double token_lifetime_hours = 12;    // default lifetime of a person's token (max 90 days)
  std::uint32_t audit_retention_days = 730;
  std::uint32_t audit_sign_every_rows = 100;
  std::uint32_t audit_sign_every_seconds = 300;
};

// One of garitad's HTTPS listeners ([uplink], [api]); the daemon turns it
// into http::ListenerOptions. Paths are resolved against the config's folder.
struct ListenerSettings {
  bool enabled = false;  // the section is present
  std::string address;   // an IP address to listen on
  std::uint16_t port = 0;
  std::filesystem::path cert_file;       // server certificate chain (PEM)
  std::filesystem::path key_file;        // its private key (PEM, mode 0600)
  std::filesystem::path client_ca_file;  // clients must present a certificate from it
};

// [uplink]: the listener for lane controllers (mutual TLS 1.3, docs/uplink.md).
struct UplinkSettings {
  ListenerSettings listener;      // address default 0.0.0.0, port 8444
  std::uint32_t max_batch = 500;  // crossings per batch, announced in hello (1..1000)
};

// [exchange]: the weekly exchange with the partner agency (docs/operations.md
// "Weekly exchange", docs/batch-format.md). Absent: `garita batch` and the
// /v1/batches API refuse with "not configured".
struct ExchangeSettings {
  bool enabled = false;
  std::string sender_id;                      // manifests' sender; default "INM-" + port code
  std::filesystem::path key_file;             // workstation exchange key (PEM, mode 0600)
  std::filesystem::path cert_file;            // its certificate: the partner encrypts returns to it
  std::filesystem::path partner_certificate;  // exports are encrypted to this certificate
  std::filesystem::path partner_ca_file;      // signers of returned batches chain to it
  std::string partner_sender_id = "CBP";      // sender_id required in returned manifests
  std::vector<std::string> partner_signers;   // optional: accepted signer certificate
                                              // SHA-256 (64 hex); empty = any that chains
  std::filesystem::path export_dir;           // where exports asked for through the API are written
                                              // (the exchange device's mount point); may be empty
};

struct SiteConfig {
  std::filesystem::path source;  // the file it came from
  std::string port_code;         // e.g. "SYS" (San Ysidro)
  std::string time_zone;         // IANA name, e.g. "America/Tijuana"
  StoreSettings store;
  std::vector<ReaderSettings> readers;
  std::vector<LaneSettings> lanes;
  IssuerTable issuers;
  std::filesystem::path issuers_file;  // when the table comes from its own file
  SecuritySettings security;
  UplinkSettings uplink;  // disabled when [uplink] is absent
  ListenerSettings api;   // [api]: address default 127.0.0.1, port 8443
  ExchangeSettings exchange;
  // [retention] (docs/operations.md); raw_reads_hours and audit_days are
  // copied from [database] raw_reads_retention_hours and [security]
  // audit_retention_days, where those schedules are set.
  store::RetentionSchedule retention;
};

// Reads and validates `path`. On failure returns a garita Errc and sets
// `error` to one line naming the file, line and key.
std::error_code load_site_config(const std::filesystem::path& path, SiteConfig& out,
                                 std::string& error);
// The same from text; `source` names it in messages and anchors relative paths.
std::error_code parse_site_config(std::string_view text, const std::filesystem::path& source,
                                  SiteConfig& out, std::string& error);

}  // namespace garita::config

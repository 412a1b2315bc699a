// garita: the technician's command-line tool. Each subcommand lives in its
// own file; this file only wires them into CLI11.
#include <CLI/CLI.hpp>
#include <iostream>

#include "garita/daemon/AuditCommand.hpp"
#include "garita/daemon/BatchCommand.hpp"
#include "garita/daemon/ConfigCommand.hpp"
#include "garita/daemon/CrossingsCommand.hpp"
#include "garita/daemon/DecodeCommand.hpp"
#include "garita/daemon/PurgeCommand.hpp"
#include "garita/daemon/ReaderCommand.hpp"
#include "garita/daemon/UserCommand.hpp"
#include "garita/daemon/api/ApiCommands.hpp"

#ifndef GARITA_VERSION
#define GARITA_VERSION "unknown"
#endif

namespace {

int run(int argc, char** argv) {
  using namespace garita::daemon;
  CLI::App app{
      "garita: RFID entry-lane tools for technicians (see docs/ and `garita COMMAND --help`)"};
  app.set_version_flag("--version", GARITA_VERSION);
  app.require_subcommand(1);

  auto* decode =
      app.add_subcommand("decode", "Decode an EPC or TID read from a card and print JSON");
  decode->require_subcommand(1);

  DecodeEpcOptions epc_options;
  auto* epc = decode->add_subcommand(
      "epc", "Decode an EPC (the card's RFID number): GS1 schemes, raw form, document type");
  epc->add_option("HEX", epc_options.epc_hex, "EPC bytes in hex, e.g. 3074257BF7194E4000001A85")
      ->required();
  epc->add_option("--pc", epc_options.pc_hex,
                  "The Gen2 PC word (4 hex digits); its length bits then set the EPC length");
  epc->add_option("--xpc", epc_options.xpc_hex,
                  "XPC_W1 [XPC_W2] (4 hex digits each), when the PC's XI bit is set")
      ->expected(1, 2);
  epc->add_option("--tid", epc_options.tid_hex,
                  "The card's TID, so issuer rules that name a chip maker/model can match");
  epc->add_option("--issuers", epc_options.issuers,
                  std::string("Issuer table (TOML) giving the document type; default ") +
                      kDefaultIssuersPath + " when it exists");

  DecodeTidOptions tid_options;
  auto* tid = decode->add_subcommand("tid", "Decode a TID (the chip maker's tag identifier)");
  tid->add_option("HEX", tid_options.tid_hex, "TID bytes in hex, e.g. E2801160200074CF085909AD")
      ->required();

  auto* config = app.add_subcommand("config", "Check garitad's configuration file");
  config->require_subcommand(1);
  std::string config_path;
  auto* config_check = config->add_subcommand(
      "check", "Validate a config exactly as garitad does at start, and print what it says");
  config_check->add_option("FILE", config_path, "The configuration, e.g. /etc/garita/garitad.toml")
      ->required();

  auto* reader = app.add_subcommand("reader", "Talk to an RFID reader");
  reader->require_subcommand(1);
  ReaderCheckOptions check_options;
  auto* check = reader->add_subcommand(
      "check", "Is this reader alive? Connect, configure, print its reads and a summary");
  check
      ->add_option("URI", check_options.uri,
                   "Reader URI: llrp://HOST[:5084], llrps://HOST[:5085], llrp://0.0.0.0?listen=1")
      ->required();
  check->add_option("--seconds", check_options.seconds,
                    "How long to read once the reader runs (default 10)");
  check->add_flag("--json", check_options.json, "One JSON object per line instead of text");
  check->add_flag("--verbose", check_options.verbose, "Print the driver's log on stderr");
  check->add_option("--antenna", check_options.antennas,
                    "Read only this antenna (repeatable; default all)");
  check->add_option("--tls-ca", check_options.tls_ca,
                    "llrps: PEM file of the CA that signed the reader's certificate");
  check->add_option("--tls-cert", check_options.tls_cert,
                    "llrps: PEM file of garita's client certificate");
  check->add_option("--tls-key", check_options.tls_key,
                    "llrps: PEM file of the client certificate's key");

  CrossingsOptions crossings_options;
  auto* crossings = app.add_subcommand(
      "crossings",
      "List stored crossings from the database (local administrator's tool, read only)");
  crossings->add_option("--db", crossings_options.db, "The crossings database file")->required();
  crossings->add_option("--lane", crossings_options.lane, "Only this lane, e.g. P01");
  crossings->add_option(
      "--since", crossings_options.since,
      "From this UTC time (2026-11-23T14:30:00Z, 2026-11-23) or age (15m, 2h, 1d)");
  crossings->add_option("--until", crossings_options.until, "Before this UTC time or age");
  crossings->add_option("--limit", crossings_options.limit, "At most this many rows (1-10000)")
      ->capture_default_str();
  crossings->add_flag("--json", crossings_options.json, "One JSON object per line");
  crossings->add_flag("--count", crossings_options.count_only, "Only print how many match");

  // Users and tokens of garitad's API (docs/security.md); every change is audited.
  UserCommandOptions user_options;
  auto* user = app.add_subcommand("user", "Manage API users and their tokens (audited)");
  user->require_subcommand(1);
  user->add_option("--config", user_options.config, "garitad's configuration ([security])")
      ->capture_default_str();
  auto* user_add = user->add_subcommand(
      "add", "Add a user with a role and print their first token (shown once)");
  user_add->add_option("NAME", user_options.name, "1-32 of a-z 0-9 . _ -")->required();
  user_add
      ->add_option("--role", user_options.role, "technician, officer, supervisor, auditor or admin")
      ->required();
  user_add->add_option("--expires-hours", user_options.expires_hours,
                       "Token lifetime (default [security] token_lifetime_hours; max 2160)");
  auto* user_list =
      user->add_subcommand("list", "List users and their tokens' ids and states (never tokens)");
  auto* user_revoke =
      user->add_subcommand("revoke", "Revoke every token of a user, or one token by id");
  user_revoke->add_option("NAME", user_options.name, "The user whose tokens to revoke");
  user_revoke->add_option("--token-id", user_options.token_id,
                          "Revoke only this token (ids from `garita user list`)");
  auto* user_token = user->add_subcommand("token", "Issue a new token for a user (shown once)");
  user_token->add_option("NAME", user_options.name, "The user")->required();
  user_token->add_option("--expires-hours", user_options.expires_hours,
                         "Token lifetime (default [security] token_lifetime_hours; max 2160)");
  auto* user_disable =
      user->add_subcommand("disable", "Disable a user: every token of theirs stops at once");
  user_disable->add_option("NAME", user_options.name, "The user")->required();
  auto* user_enable = user->add_subcommand("enable", "Enable a disabled user again");
  user_enable->add_option("NAME", user_options.name, "The user")->required();
  for (auto* sub : {user_add, user_list, user_revoke, user_token, user_disable, user_enable}) {
    sub->add_option("--config", user_options.config, "garitad's configuration ([security])")
        ->capture_default_str();
  }

  // The auditor's local tools.
  AuditCommandOptions audit_options;
  auto* audit = app.add_subcommand("audit", "Check and read the tamper-evident audit log");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand(
      "verify",
      "Check every row's hash chain link and every signature; exit 0 ok, 1 tampered, 2 usage");
  audit_verify->add_option("--cert", audit_options.certificates,
                           "Extra certificate/public key (PEM) of older signing keys; repeatable");
  auto* audit_list =
      audit->add_subcommand("list", "Print audit rows, oldest first (the read is audited)");
  audit_list->add_option("--since", audit_options.since,
                         "From this UTC time (2026-11-23T14:30:00Z, 2026-11-23) or age (2h, 7d)");
  audit_list->add_option("--until", audit_options.until, "Before this UTC time or age");
  audit_list->add_option("--user", audit_options.user, "Only rows of this user");
  audit_list->add_option("--action", audit_options.action,
                         "Only this action, e.g. crossings.search");
  audit_list->add_option("--limit", audit_options.limit, "At most this many rows (1-10000)")
      ->capture_default_str();
  audit_list->add_flag("--json", audit_options.json, "One JSON object per line");
  auto* audit_purge = audit->add_subcommand(
      "purge",
      "Delete audit rows older than [security] audit_retention_days, in whole signed segments");
  for (auto* sub : {audit_verify, audit_list, audit_purge}) {
    sub->add_option("--config", audit_options.config, "garitad's configuration ([security])")
        ->capture_default_str();
  }

  // Retention (docs/operations.md): the same purge as garitad's daily job.
  PurgeCommandOptions purge_options;
  auto* purge = app.add_subcommand(
      "purge", "Delete records past their retention schedule ([retention]); audited");
  purge->add_option("--config", purge_options.config, "garitad's configuration")
      ->capture_default_str();
  purge->add_flag("--dry-run", purge_options.dry_run,
                  "Print per class what would go and the oldest/newest kept; change nothing");
  purge->add_option("--class", purge_options.classes,
                    "Only this record class (repeatable): crossings, raw_reads, conflicts, "
                    "entry_records, officer_records, audit");
  purge->add_option("--now", purge_options.now,
                    "Measure the schedule from this UTC time instead of now (tests, audits)");

  // The weekly exchange with the partner agency (docs/operations.md "Weekly
  // exchange"): same code as garitad's /v1/batches; audited.
  BatchCommandOptions batch_options;
  auto* batch = app.add_subcommand(
      "batch", "Weekly exchange with the partner agency: export, import, list, rewrite (audited)");
  batch->require_subcommand(1);
  auto* batch_export = batch->add_subcommand(
      "export", "Seal a week's new entry records to the partner and write the batch file");
  batch_export->add_option("--period", batch_options.period, "ISO week of the port, e.g. 2026-W47")
      ->required();
  batch_export
      ->add_option("--to", batch_options.to, "Folder on the mounted exchange device to write to")
      ->required();
  auto* batch_import = batch->add_subcommand(
      "import", "Open a returned batch, store its entry records, print the reconciliation");
  batch_import->add_option("FILE", batch_options.file, "The partner's return batch file")
      ->required();
  auto* batch_list = batch->add_subcommand("list", "Print the batch ledger, newest first");
  batch_list->add_option("--period", batch_options.period, "Only this ISO week, e.g. 2026-W47");
  batch_list->add_option("--limit", batch_options.limit, "At most this many rows (1-10000)")
      ->capture_default_str();
  auto* batch_rewrite = batch->add_subcommand(
      "rewrite", "Write an earlier export batch's file again (same batch id and records)");
  batch_rewrite->add_option("BATCH_ID", batch_options.batch_id, "From `garita batch list`")
      ->required();
  batch_rewrite
      ->add_option("--to", batch_options.to, "Folder on the mounted exchange device to write to")
      ->required();
  for (auto* sub : {batch_export, batch_import, batch_list, batch_rewrite}) {
    sub->add_option("--config", batch_options.config, "garitad's configuration ([exchange])")
        ->capture_default_str();
  }

  // Person-facing commands: through garitad's API, so they are authorised
  // and audited (docs/api.md). The token comes from a file, never argv.
  garita::daemon::api::SearchOptions search_options;
  garita::daemon::api::StatusOptions status_options;
  garita::daemon::api::TailOptions tail_options;
  auto* search = app.add_subcommand(
      "search", "Search stored crossings through garitad's API (officers; audited)");
  auto* status = app.add_subcommand("status", "Lanes, readers and alarms from garitad's API");
  auto* tail = app.add_subcommand(
      "tail", "Follow crossings live through garitad's API (masked unless your role sees EPCs)");
  for (auto [sub, connect] :
       {std::pair{search, &search_options.connect}, std::pair{status, &status_options.connect},
        std::pair{tail, &tail_options.connect}}) {
    sub->add_option("--url", connect->url, "garitad's API")->capture_default_str();
    sub->add_option("--ca", connect->ca_file,
                    "PEM of the CA that signed garitad's API certificate (default $GARITA_API_CA "
                    "or /etc/garita/api-ca.pem)");
    sub->add_option("--token-file", connect->token_file,
                    "File holding your gar_ token, mode 0600 (default $GARITA_TOKEN_FILE or "
                    "~/.config/garita/token)");
  }
  search->add_option("--epc", search_options.epc, "This card's EPC (hex, any case/separators)");
  search->add_option("--lane", search_options.lane, "Only this lane, e.g. P01");
  search->add_option("--document", search_options.document,
                     "Only this document type (bcc, prc, passport_card, sentri, ...)");
  search->add_option("--since", search_options.since,
                     "From this UTC time (2026-11-23T14:30:00Z, 2026-11-23) or age (15m, 2h, 1d)");
  search->add_option("--until", search_options.until, "Before this UTC time or age");
  search->add_option("--limit", search_options.limit, "Rows per page (1-1000)")
      ->capture_default_str();
  search->add_flag("--all", search_options.all, "Follow every page (at most 100000 rows)");
  search->add_flag("--json", search_options.json, "One JSON object per line");
  status->add_flag("--json", status_options.json, "The API's JSON as it is");
  tail->add_flag("--json", tail_options.json, "One JSON object per line");
  tail->add_option("--count", tail_options.count, "Stop after this many crossings");
  tail->add_option("--seconds", tail_options.seconds, "Stop after this many seconds");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line naming the problem; usage errors exit 2 like other Unix tools.
    std::cerr << "garita: " << e.what() << " (try --help)\n";
    return kExitBadInput;
  }

  if (*epc) return run_decode_epc(epc_options, std::cout, std::cerr);
  if (*tid) return run_decode_tid(tid_options, std::cout, std::cerr);
  if (*check) return run_reader_check(check_options, std::cout, std::cerr);
  if (*config_check) return run_config_check(config_path, std::cout, std::cerr);
  if (*crossings) return run_crossings(crossings_options, std::cout, std::cerr);
  if (*search) return garita::daemon::api::run_search(search_options, std::cout, std::cerr);
  if (*status) return garita::daemon::api::run_status(status_options, std::cout, std::cerr);
  if (*tail) return garita::daemon::api::run_tail(tail_options, std::cout, std::cerr);
  if (*user_add) return run_user_add(user_options, std::cout, std::cerr);
  if (*user_list) return run_user_list(user_options, std::cout, std::cerr);
  if (*user_revoke) return run_user_revoke(user_options, std::cout, std::cerr);
  if (*user_token) return run_user_token(user_options, std::cout, std::cerr);
  if (*user_disable) return run_user_disable(user_options, true, std::cout, std::cerr);
  if (*user_enable) return run_user_disable(user_options, false, std::cout, std::cerr);
  if (*audit_verify) return run_audit_verify(audit_options, std::cout, std::cerr);
  if (*audit_list) return run_audit_list(audit_options, std::cout, std::cerr);
  if (*audit_purge) return run_audit_purge(audit_options, std::cout, std::cerr);
  if (*purge) return run_purge(purge_options, std::cout, std::cerr);
  if (*batch_export) return run_batch_export(batch_options, std::cout, std::cerr);
  if (*batch_import) return run_batch_import(batch_options, std::cout, std::cerr);
  if (*batch_list) return run_batch_list(batch_options, std::cout, std::cerr);
  if (*batch_rewrite) return run_batch_rewrite(batch_options, std::cout, std::cerr);
  return kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    // Out of memory or a broken stdout: say so on one line, never a core dump.
    std::cerr << "garita: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "garita: unexpected error\n";
  }
  return 1;
}

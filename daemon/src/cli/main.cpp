// garita: the technician's command-line tool. Each subcommand lives in its
// own file; this file only wires them into CLI11.
#include <CLI/CLI.hpp>
#include <iostream>

#include "garita/daemon/ConfigCommand.hpp"
#include "garita/daemon/CrossingsCommand.hpp"
#include "garita/daemon/DecodeCommand.hpp"
#include "garita/daemon/ReaderCommand.hpp"

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

// garita: the technician's command-line tool. Each subcommand lives in its
// own file; this file only wires them into CLI11.
#include <CLI/CLI.hpp>
#include <iostream>

#include "garita/daemon/ConfigCommand.hpp"
#include "garita/daemon/DecodeCommand.hpp"

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
  if (*config_check) return run_config_check(config_path, std::cout, std::cerr);
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

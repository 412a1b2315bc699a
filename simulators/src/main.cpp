// garita-sim: the simulators garita is tested against (readers, later the
// partner agency). Each subcommand lives in its own file; this file only
// wires them into CLI11.
#include <CLI/CLI.hpp>
#include <iostream>

#include "LlrpCommand.hpp"
#include "PartnerCommand.hpp"
#include "SerialCommand.hpp"

#ifndef GARITA_VERSION
#define GARITA_VERSION "unknown"
#endif

namespace {

constexpr int kExitBadInput = 2;

int run(int argc, char** argv) {
  using namespace garita::sim::cli;
  CLI::App app{
      "garita-sim: simulated readers and partner agency for testing garita without hardware (see "
      "docs/simulators.md)"};
  app.set_version_flag("--version", GARITA_VERSION);
  app.require_subcommand(1);

  LlrpCommandArgs llrp_args;
  auto* llrp = add_llrp_command(app, llrp_args);
  SerialCommandArgs serial_args;
  auto* serial = add_serial_command(app, serial_args);
  PartnerCommandArgs partner_args;
  auto* partner = add_partner_command(app, partner_args);

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
    std::cerr << "garita-sim: " << e.what() << " (try --help)\n";
    return kExitBadInput;
  }

  if (*llrp) return run_llrp_command(llrp_args, std::cout, std::cerr);
  if (*serial) return run_serial_command(serial_args, std::cout, std::cerr);
  if (*partner) return run_partner_command(partner_args, std::cout, std::cerr);
  return kExitBadInput;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "garita-sim: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "garita-sim: unexpected error\n";
  }
  return 1;
}

#pragma once
// `garita-sim partner`: the command-line face of the partner agency
// simulator (garita/sim/partner/PartnerSimulator.hpp).
#include <CLI/CLI.hpp>
#include <ostream>

#include "garita/sim/partner/PartnerSimulator.hpp"

namespace garita::sim::cli {

struct PartnerCommandArgs {
  partner::PartnerSimulatorOptions options;
};

CLI::App* add_partner_command(CLI::App& app, PartnerCommandArgs& args);
int run_partner_command(PartnerCommandArgs& args, std::ostream& out, std::ostream& err);

}  // namespace garita::sim::cli

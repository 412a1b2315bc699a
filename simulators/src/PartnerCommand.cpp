#include "PartnerCommand.hpp"

namespace garita::sim::cli {
namespace {

constexpr const char* kPartnerFooter =
    "\nPlays the partner agency (CBP) of the weekly exchange (docs/batch-format.md):\n"
    "opens the workstation's export batch with the partner key (the signer must chain to\n"
    "--ca), answers every exported record whose traveller the synthetic registry knows\n"
    "with an exit record (same EPC and port-local entry date/time; officer-entered\n"
    "records by document, EPC empty), adds --extra records that belong to nobody's\n"
    "crossing, signs with the partner key, encrypts to --recipient and writes\n"
    "DIR/cbp-return-<PERIOD>-<batch id>.p7m atomically. Prints one line:\n"
    "  partner: wrote PATH records=N answered=A unknown=U extra=E\n"
    "Exit: 0 written, 2 bad options or keys, 1 a file failed, 3 the export was rejected.\n"
    "Test data only: the people are made up from the seed and each card's EPC.\n";

}  // namespace

CLI::App* add_partner_command(CLI::App& app, PartnerCommandArgs& args) {
  auto* cmd = app.add_subcommand("partner",
                                 "The partner agency: answers an export batch with a return batch");
  auto& o = args.options;
  cmd->add_option("--in", o.in, "The workstation's export batch file")->required();
  cmd->add_option("--out", o.out_dir, "Folder for the return batch (created if missing)")
      ->required();
  cmd->add_option("--key", o.key_file, "Partner private key, PEM (mode 0600)")->required();
  cmd->add_option("--cert", o.cert_file, "Partner certificate, PEM (exports are encrypted to it)")
      ->required();
  cmd->add_option("--ca", o.ca_file, "CA the workstation's signing certificate chains to")
      ->required();
  cmd->add_option("--recipient", o.recipient,
                  "The workstation's exchange certificate (the return is encrypted to it)")
      ->required();
  cmd->add_option("--seed", o.seed, "Registry seed (same seed and EPC, same person)")
      ->capture_default_str();
  cmd->add_option("--extra", o.extra, "Records that belong to nobody's crossing")
      ->capture_default_str();
  cmd->add_option("--miss-rate", o.miss_rate,
                  "Fraction of exported travellers the registry does not know (0..1)")
      ->capture_default_str();
  cmd->add_option("--sender-id", o.sender_id, "The return manifest's sender_id")
      ->capture_default_str();
  cmd->add_option("--expect-sender", o.expected_sender_id,
                  "Refuse an export whose sender_id is not this (default: any)");
  cmd->add_option("--period-override", o.period_override,
                  "Write this ISO week in the return's manifest instead of the export's");
  cmd->footer(kPartnerFooter);
  return cmd;
}

int run_partner_command(PartnerCommandArgs& args, std::ostream& out, std::ostream& err) {
  return partner::run_partner_simulator(args.options, out, err);
}

}  // namespace garita::sim::cli

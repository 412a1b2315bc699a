#include "SerialCommand.hpp"

#include "garita/sim/serial/SerialFault.hpp"

namespace garita::sim::cli {
namespace {

constexpr const char* kSerialFooter =
    "\nDevices: one pseudo-terminal per module (lanes 1..N, or only --lane N). The slave\n"
    "devices are printed once every module is up, and --ready-file gets 'LANE DEVICE [LINK]'\n"
    "lines (written atomically, rewritten after each replug). --link PATH keeps a symlink\n"
    "to the current pty, like /dev/serial/by-id/...; with several modules put {lane} in it.\n"
    "Point a driver at serial://LINK.\n"
    "\n"
    "Module: a ThingMagic/JADAK Mercury M6e (or M7e) embedded module. After power-up and\n"
    "after a reset it is in its bootloader and answers only VERSION, GET_CURRENT_PROGRAM and\n"
    "BOOT_FIRMWARE; once booted: region (none until set), Gen2, antenna list, read power,\n"
    "GPO (lane lights), temperature, return loss, continuous reading (0x2F/0x22) with\n"
    "metadata and an embedded TID read, keep-alives each search cycle, stats reports.\n"
    "\n"
    "Sent log (--sent-log): the same CSV as garita-sim llrp's: one row per streamed tag\n"
    "record the host read (outcome sent; connection = pty generation, message_id = frame\n"
    "number) or per read not delivered (not_read: not_streaming, antenna_not_selected,\n"
    "module_booting; lost: module_rebooted, unplugged, bad_crc, truncated_frame, no_crc,\n"
    "record_buffer_full, simulator_exit).\n"
    "\n";

}  // namespace

CLI::App* add_serial_command(CLI::App& app, SerialCommandArgs& args) {
  auto* cmd = app.add_subcommand(
      "serial",
      "Simulated Mercury serial reader modules on ptys (one per lane) fed by the "
      "traffic model");
  auto& o = args.options;
  cmd->add_option("--lanes", o.lanes, "Number of lanes in the model (one module each)")
      ->capture_default_str();
  cmd->add_option("--lane", o.only_lane,
                  "Run only lane N's module (the model still has --lanes lanes); 0 = all")
      ->capture_default_str();
  add_traffic_options(*cmd, args, o);
  cmd->add_option("--model", args.model, "Module: m6e or m7e")
      ->check(CLI::IsMember({"m6e", "m7e"}))
      ->capture_default_str();
  cmd->add_option("--tid", args.tid,
                  "yes: embedded TID reads succeed; no: they fail on every tag (records "
                  "without TID)")
      ->check(CLI::IsMember({"yes", "no"}))
      ->capture_default_str();
  cmd->add_option("--link", o.link,
                  "Keep a symlink to the module's current pty here ({lane} = lane number)");
  add_output_file_options(*cmd, args);
  add_fault_option(*cmd, args);
  cmd->add_option("--ready-file", args.ready_file,
                  "Write 'LANE DEVICE [LINK]' lines here once every module is up");
  add_quiet_flag(*cmd, o);
  cmd->footer(std::string(kSerialFooter) + std::string(serial::serial_fault_syntax_help()));
  return cmd;
}

int run_serial_command(SerialCommandArgs& args, std::ostream& out, std::ostream& err) {
  auto& o = args.options;
  if (!parse_fault_args(args.faults, &serial::parse_serial_fault, "garita-sim serial", o.faults,
                        err))
    return kExitBadInput;
  apply_reader_args(args, o);
  o.model = args.model == "m7e" ? serial::ModuleModel::m7e : serial::ModuleModel::m6e;
  o.tid_readable = args.tid == "yes";
  return serial::run_serial_simulator(o, out, err);
}

}  // namespace garita::sim::cli

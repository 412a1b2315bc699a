#include "LlrpCommand.hpp"

#include "garita/sim/llrp/FaultSpec.hpp"

namespace garita::sim::cli {
namespace {

constexpr const char* kLlrpFooter =
    "\nPorts: reader L (lanes 1..N) listens on PORT + L - 1 (5084, 5085, ... by default);\n"
    "with --port 0 each reader gets an ephemeral port. The ports are printed once every\n"
    "reader listens, and --ready-file gets one 'LANE PORT' line per reader (written\n"
    "atomically), so a test can wait for it instead of sleeping.\n"
    "\n"
    "Time: everything runs on simulated time, --speed times faster than the host clock:\n"
    "the traffic, KEEPALIVE periods, ROSpec/AISpec durations, report flushes, faults.\n"
    "\n"
    "Readers: each behaves like a fixed LLRP 1.0.1 reader (Impinj Speedway R420 with\n"
    "--vendor impinj): ConnectionAttemptEvent on connect, one client at a time, spec\n"
    "validation with LLRPStatus errors, KEEPALIVE per KeepaliveSpec. Reports follow the\n"
    "ROReportSpec; with N = 0 and no time bound on the AISpec/ROSpec end, the reader\n"
    "reports every 100 ms of simulated time. Reports wait in a 10 000-tag buffer while\n"
    "no client is connected or the client reads slowly; when full, new reports are\n"
    "dropped and counted (never the connection).\n"
    "\n"
    "Sent log (--sent-log): CSV, one row per TagReportData written to a client (outcome\n"
    "sent) or per read not reported (not_read: no active ROSpec, antenna not in the\n"
    "AISpec, rebooting; lost: reboot, full buffer, exit). Its '#' lines document the\n"
    "columns: time_us,lane,antenna,epc,first_seen_us,last_seen_us,seen_count,\n"
    "peak_rssi_dbm,channel,tid,outcome,detail,connection,message_id.\n"
    "\n";

}  // namespace

CLI::App* add_llrp_command(CLI::App& app, LlrpCommandArgs& args) {
  auto* cmd = app.add_subcommand(
      "llrp", "Simulated LLRP fixed readers (one per lane) fed by the traffic model");
  auto& o = args.options;
  cmd->add_option("--bind", o.bind_address,
                  "Address to listen on (never all interfaces unless asked)")
      ->capture_default_str();
  cmd->add_option("--port", o.port,
                  "Port of lane 1's reader; lane L uses PORT + L - 1; 0 = ephemeral")
      ->capture_default_str();
  cmd->add_option("--lanes", o.lanes, "Number of lanes, one reader each")->capture_default_str();
  add_traffic_options(*cmd, args, o);
  add_output_file_options(*cmd, args);
  cmd->add_option(
         "--vendor", args.vendor,
         "generic (plain LLRP, PEN 32473) or impinj (Speedway R420, Impinj extensions, FastID)")
      ->check(CLI::IsMember({"generic", "impinj"}))
      ->capture_default_str();
  cmd->add_option("--clock", args.clock,
                  "utc: UTCTimestamp / FirstSeenTimestampUTC; uptime: Uptime only, like readers "
                  "without a wall clock")
      ->check(CLI::IsMember({"utc", "uptime"}))
      ->capture_default_str();
  add_fault_option(*cmd, args);
  cmd->add_option("--ready-file", args.ready_file,
                  "Write 'LANE PORT' lines here once every reader listens");
  add_quiet_flag(*cmd, o);
  cmd->footer(std::string(kLlrpFooter) + std::string(llrp::fault_syntax_help()));
  return cmd;
}

int run_llrp_command(LlrpCommandArgs& args, std::ostream& out, std::ostream& err) {
  auto& o = args.options;
  if (!parse_fault_args(args.faults, &llrp::parse_fault_spec, "garita-sim llrp", o.faults, err))
    return kExitBadInput;
  apply_reader_args(args, o);
  o.vendor = args.vendor == "impinj" ? llrp::ReaderVendor::impinj : llrp::ReaderVendor::generic;
  o.clock = args.clock == "uptime" ? llrp::ReaderClock::uptime : llrp::ReaderClock::utc;
  return llrp::run_llrp_simulator(o, out, err);
}

}  // namespace garita::sim::cli

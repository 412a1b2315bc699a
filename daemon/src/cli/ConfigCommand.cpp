#include "garita/daemon/ConfigCommand.hpp"

#include <ostream>
#include <string_view>

#include "garita/daemon/DecodeCommand.hpp"
#include "garita/daemon/SiteCheck.hpp"

namespace garita::daemon {

int run_config_check(const std::string& path, std::ostream& out, std::ostream& err) {
  config::SiteConfig site;
  std::string error;
  if (load_and_check_site(path, site, error)) {
    err << "garita: " << error << "\n";
    return kExitBadInput;
  }
  out << path << ": OK\n";
  out << "  port " << site.port_code << ", time zone " << site.time_zone << "\n";
  out << "  database " << site.store.path.string()
      << (site.store.raw_reads ? " (raw-read capture ON)" : "") << "\n";
  out << "  issuer table: " << site.issuers.rules().size() << " rule(s)";
  if (!site.issuers_file.empty()) out << " from " << site.issuers_file.string();
  out << "\n";
  for (const config::ReaderSettings& r : site.readers) {
    out << "  reader " << r.id << ": " << r.uri << "\n";
  }
  for (const config::LaneSettings& l : site.lanes) {
    if (l.controller) {
      out << "  lane " << l.id
          << ": run by a lane controller (garita-lane), crossings arrive over the uplink\n";
      continue;
    }
    out << "  lane " << l.id << ": gap " << l.debounce.gap_s << " s, min " << l.debounce.min_reads
        << " reads at >= " << l.debounce.min_rssi_dbm << " dBm, rearm " << l.debounce.rearm_s
        << " s; antennas";
    for (const config::LaneAntenna& a : l.antennas) {
      out << " " << a.reader << "#" << a.antenna << "(" << config::to_string(a.role) << ")";
    }
    out << "\n";
  }
  auto listener = [&out](std::string_view name, const config::ListenerSettings& l) {
    if (!l.enabled) return;
    out << "  " << name << ": https://" << l.address << ":" << l.port << ", certificate "
        << l.cert_file.string();
    if (!l.client_ca_file.empty())
      out << ", client certificates from " << l.client_ca_file.string();
    out << "\n";
  };
  listener("uplink (lane controllers)", site.uplink.listener);
  listener("api (people)", site.api);
  if (site.exchange.enabled) {
    const config::ExchangeSettings& x = site.exchange;
    out << "  exchange: sender " << x.sender_id << ", key " << x.key_file.string()
        << ", certificate " << x.cert_file.string() << "\n";
    out << "  exchange: exports encrypted to " << x.partner_certificate.string()
        << "; returns from sender " << x.partner_sender_id << " signed under "
        << x.partner_ca_file.string();
    if (x.partner_signers.empty()) {
      out << " (any signer certificate of that CA)";
    } else {
      out << " by " << x.partner_signers.size() << " listed signer certificate(s)";
    }
    out << "\n";
    if (!x.export_dir.empty())
      out << "  exchange: API exports to " << x.export_dir.string() << "\n";
  }
  return kExitOk;
}

}  // namespace garita::daemon

#include "garita/sim/partner/PartnerSimulator.hpp"

#include <cmath>
#include <system_error>

#include "garita/daemon/batch/BatchEnvelope.hpp"
#include "garita/daemon/batch/BatchErrc.hpp"
#include "garita/daemon/batch/BatchFile.hpp"
#include "garita/sim/partner/PartnerRegistry.hpp"
#include "garita/sim/partner/PartnerReturnBuilder.hpp"

namespace garita::sim::partner {

std::string return_file_name(const std::string& period, const std::string& batch_id) {
  return "cbp-return-" + period + "-" + batch_id + ".p7m";
}

int run_partner_simulator(const PartnerSimulatorOptions& o, std::ostream& out, std::ostream& err) {
  const char* const who = "garita-sim partner: ";
  if (!std::isfinite(o.miss_rate) || o.miss_rate < 0.0 || o.miss_rate > 1.0) {
    err << who << "--miss-rate: " << o.miss_rate << " is not a fraction between 0 and 1\n";
    return kExitBadInput;
  }
  std::string error;
  batch::BatchKeyPair partner;
  if (batch::BatchKeyPair::load(o.key_file, o.cert_file, partner, error)) {
    err << who << "partner key: " << error << '\n';
    return kExitBadInput;
  }
  batch::BatchTrustStore workstation_ca;
  if (batch::BatchTrustStore::load(o.ca_file, workstation_ca, error)) {
    err << who << "--ca: " << error << '\n';
    return kExitBadInput;
  }
  batch::BatchCertificate recipient;
  if (batch::BatchCertificate::load(o.recipient, recipient, error)) {
    err << who << "--recipient: " << error << '\n';
    return kExitBadInput;
  }

  std::string der;
  if (auto ec = batch::read_batch_file(o.in, der, error)) {
    err << who << o.in.string() << ": " << error << '\n';
    return ec == batch::Errc::too_large ? kExitRejected : kExitRuntime;
  }
  batch::ExportBatch exported;
  if (batch::open_export_batch(der, partner, workstation_ca, {}, o.expected_sender_id, exported,
                               error)) {
    err << who << "export batch rejected: " << error << '\n';
    return kExitRejected;
  }

  const PartnerRegistry registry(o.seed, o.miss_rate);
  PartnerReturnOptions build;
  build.seed = o.seed;
  build.extra = o.extra;
  build.sender_id = o.sender_id;
  build.period = o.period_override;
  batch::ReturnBatch answer;
  PartnerReturnCounts counts;
  if (build_partner_return(exported, registry, build, answer, counts, error)) {
    err << who << error << '\n';
    return kExitBadInput;
  }
  std::string sealed;
  if (auto ec = batch::seal_return_batch(answer, partner, recipient, sealed, error)) {
    err << who << "seal: " << error << '\n';
    return ec == batch::Errc::malformed_content || ec == batch::Errc::invalid_argument
               ? kExitBadInput
               : kExitRuntime;
  }

  std::error_code fs_ec;
  std::filesystem::create_directories(o.out_dir, fs_ec);
  if (fs_ec) {
    err << who << o.out_dir.string() << ": " << fs_ec.message() << '\n';
    return kExitRuntime;
  }
  const std::string name = return_file_name(answer.manifest.period, answer.manifest.batch_id);
  if (batch::write_batch_file(o.out_dir, name, sealed, error)) {
    err << who << error << '\n';
    return kExitRuntime;
  }
  out << "partner: wrote " << (o.out_dir / name).string() << " records=" << counts.records
      << " answered=" << counts.answered << " unknown=" << counts.unknown
      << " extra=" << counts.extra << '\n';
  return kExitOk;
}

}  // namespace garita::sim::partner

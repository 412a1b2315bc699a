#pragma once
// `garita-sim partner`'s work, apart from its command line: open the
// workstation's export batch as the partner would (decrypt with the partner
// key, verify the workstation's signature chains to its CA), answer it
// (PartnerReturnBuilder), seal the return batch (signed with the partner
// key, encrypted to the workstation's certificate) and write it atomically
// as DIR/cbp-return-<PERIOD>-<batch id>.p7m (contracts: partner exchange).
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>

namespace garita::sim::partner {

struct PartnerSimulatorOptions {
  std::filesystem::path in;         // the export batch file
  std::filesystem::path out_dir;    // where the return batch goes (created if missing)
  std::filesystem::path key_file;   // partner private key (PEM, not group/other readable)
  std::filesystem::path cert_file;  // partner certificate (exports are encrypted to it)
  std::filesystem::path ca_file;    // the workstation's CA: the export's signer chains here
  std::filesystem::path recipient;  // the workstation's exchange certificate
  std::string expected_sender_id;   // empty: any export sender id
  std::uint64_t seed = 1;
  std::size_t extra = 0;
  double miss_rate = 0.0;  // 0..1
  std::string sender_id = "CBP";
  std::string period_override;  // empty: the export's period
};

// Exit codes as garita's: 0 written, 2 bad options, 1 runtime failure (a
// file, a key), 3 the export batch was rejected (names the check). One
// summary line on `out`:
//   partner: wrote PATH records=N answered=A unknown=U extra=E
// Never prints a record's contents.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitRejected = 3;
int run_partner_simulator(const PartnerSimulatorOptions& options, std::ostream& out,
                          std::ostream& err);

// "cbp-return-2026-W47-<batch id>.p7m"
std::string return_file_name(const std::string& period, const std::string& batch_id);

}  // namespace garita::sim::partner

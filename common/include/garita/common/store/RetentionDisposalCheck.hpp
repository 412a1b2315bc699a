#pragma once
// Verifies that purged records are gone from the FILES, not only from the
// tables (privacy assessment: destruction of records): after the purge and
// the WAL checkpoint, the database file and its -wal and -shm files are read
// byte by byte and searched for every purged EPC, as its binary bytes and as
// upper- and lower-case hex text. An EPC that some kept record still holds
// (the card crossed again) is not searched for: it is rightly there.
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace garita::store {

struct DisposalCheckResult {
  std::uint64_t epcs_checked = 0;                // distinct purged EPCs searched for
  std::uint64_t epcs_skipped = 0;                // beyond the cap (see max_epcs)
  std::uint64_t bytes_scanned = 0;               // of all files read
  std::uint64_t remnants = 0;                    // purged EPCs found somewhere in the files
  std::vector<std::string> files_with_remnants;  // file names only, never the EPC
};

// Searches `files` (missing files are skipped) for each EPC of `epc_hex`
// (upper-case hex; duplicates ignored), at most `max_epcs` of them.
std::error_code check_disposal(const std::vector<std::filesystem::path>& files,
                               const std::vector<std::string>& epc_hex, std::size_t max_epcs,
                               DisposalCheckResult& out, std::string& error);

// The files SQLite keeps a database in: FILE, FILE-wal, FILE-shm.
std::vector<std::filesystem::path> database_files(const std::filesystem::path& db);

}  // namespace garita::store

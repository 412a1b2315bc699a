#pragma once
// Test helpers: a temporary folder, freshly generated signing keys written
// as PEM files with chosen modes, and raw SQL on a database file (to play
// the attacker who edits the audit log behind garita's back).
#include <filesystem>
#include <string>

namespace garita::security::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes a new key ("ec" P-256, "rsa" 2048, "ed25519") as PEM private key
// (mode `mode`) and its public key PEM next to it; returns the key path.
std::filesystem::path write_key(const TempDir& dir, const std::string& name,
                                const std::string& type = "ec", unsigned mode = 0600);
// The public key file written by write_key for `key_path`.
std::filesystem::path public_key_of(const std::filesystem::path& key_path);

// Runs SQL on the file with a plain SQLite connection; throws on failure.
void raw_sql(const std::filesystem::path& db, const std::string& sql);
long long raw_int(const std::filesystem::path& db, const std::string& sql);

}  // namespace garita::security::test

#include "SecurityTestSupport.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <vector>

namespace garita::security::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/garita-sec-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path public_key_of(const std::filesystem::path& key_path) {
  return std::filesystem::path(key_path.string() + ".pub");
}

std::filesystem::path write_key(const TempDir& dir, const std::string& name,
                                const std::string& type, unsigned mode) {
  EVP_PKEY* key = nullptr;
  if (type == "ec") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  } else if (type == "rsa") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  } else if (type == "rsa1024") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024));
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  }
  if (key == nullptr) throw std::runtime_error("key generation failed");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> owner(key, EVP_PKEY_free);
  const auto path = dir / name;
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write key");
  PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
  f = std::fopen(public_key_of(path).c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write public key");
  PEM_write_PUBKEY(f, key);
  std::fclose(f);
  return path;
}

void raw_sql(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  if (sqlite3_open(db.c_str(), &h) != SQLITE_OK) throw std::runtime_error("open failed");
  char* msg = nullptr;
  const int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &msg);
  std::string why = msg != nullptr ? msg : "";
  sqlite3_free(msg);
  sqlite3_close(h);
  if (rc != SQLITE_OK) throw std::runtime_error("raw_sql: " + why + ": " + sql);
}

long long raw_int(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  if (sqlite3_open(db.c_str(), &h) != SQLITE_OK) throw std::runtime_error("open failed");
  sqlite3_stmt* st = nullptr;
  long long v = -1;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW) {
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

}  // namespace garita::security::test

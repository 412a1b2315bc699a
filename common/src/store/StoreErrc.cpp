#include "garita/common/store/StoreErrc.hpp"

#include <string>

namespace garita::store {
namespace {

class StoreCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "store"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::invalid_argument: return "invalid argument";
      case Errc::open_failed: return "database file could not be opened";
      case Errc::directory_missing: return "directory for the database does not exist";
      case Errc::directory_not_writable: return "directory for the database is not writable";
      case Errc::path_is_directory: return "path is a directory, not a database file";
      case Errc::permission_denied: return "permission denied";
      case Errc::not_a_database: return "file is not an SQLite database";
      case Errc::not_a_garita_store: return "database is not a garita crossing store";
      case Errc::schema_too_new: return "database schema is newer than this program";
      case Errc::schema_too_old: return "database schema needs migrating (opened read-only)";
      case Errc::migration_failed: return "schema migration failed";
      case Errc::pragma_not_applied: return "a required PRAGMA did not take effect";
      case Errc::sqlite_too_old: return "SQLite library is too old";
      case Errc::locked: return "database is locked";
      case Errc::disk_full: return "disk full";
      case Errc::read_only: return "database is read-only";
      case Errc::io_error: return "I/O error";
      case Errc::corrupt: return "database file is corrupt";
      case Errc::out_of_memory: return "out of memory";
      case Errc::constraint: return "row violates a table constraint";
      case Errc::sqlite_error: return "SQLite error";
      case Errc::not_open: return "store is not open";
      case Errc::invalid_crossing: return "crossing is invalid";
      case Errc::sequence_conflict: return "lane sequence already used by another card";
      case Errc::queue_full: return "commit queue is full";
      case Errc::not_running: return "committer is not running";
      case Errc::timed_out: return "timed out";
      case Errc::uncommitted_at_shutdown: return "not committed before shutdown";
    }
    return "unknown store error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& store_category() noexcept {
  static const StoreCategory category;
  return category;
}

}  // namespace garita::store

#pragma once
// Error codes of the crossing store (category "store"). Every failing call
// of CrossingStore also leaves a message for a person in last_error(): the
// database file, what was being done and what SQLite or the OS said.
#include <system_error>

namespace garita::store {

enum class Errc {
  invalid_argument = 1,     // a bad filter, an empty path, a call out of order
  open_failed,              // the file could not be opened (see the message)
  directory_missing,        // the directory meant to hold the file does not exist
  directory_not_writable,   // the file does not exist and cannot be created there
  path_is_directory,        // the path names a directory, not a file
  permission_denied,        // the file exists but may not be opened as asked
  not_a_database,           // the file is not an SQLite database
  not_a_garita_store,       // an SQLite database of something else: left untouched
  schema_too_new,           // written by a newer garita: never downgraded
  schema_too_old,           // needs migrating but was opened read-only
  migration_failed,         // a migration step failed (rolled back, file unchanged)
  pragma_not_applied,       // a PRAGMA the store depends on did not take effect
  sqlite_too_old,           // the SQLite library lacks what the schema needs
  locked,                   // another connection held the lock past the busy timeout
  disk_full,                // the disk (or the configured size cap) is full
  read_only,                // the database or its filesystem is read-only
  io_error,                 // the OS reported an I/O error
  corrupt,                  // the file is damaged
  out_of_memory,            // an allocation failed
  constraint,               // a row broke a table constraint (row rejected)
  sqlite_error,             // any other SQLite failure (see the message)
  not_open,                 // the store is not open
  invalid_crossing,         // a crossing failed validation; nothing was written
  sequence_conflict,        // (lane, sequence) already holds another card: the
                            // crossing was kept in crossing_conflicts instead
  queue_full,               // the committer's queue stayed full for the whole wait
  not_running,              // the committer is not started or is stopping
  timed_out,                // flush() gave up waiting
  uncommitted_at_shutdown,  // stop() could not commit this crossing before its deadline
};

const std::error_category& store_category() noexcept;

inline std::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), store_category()};
}

}  // namespace garita::store

template <>
struct std::is_error_code_enum<garita::store::Errc> : std::true_type {};

#pragma once
// The lane controller's journal: every crossing the pipeline makes is
// written here (SQLite, WAL, synchronous=FULL) before anything else happens
// to it, and leaves only when garitad has acknowledged it (contracts.md A).
// A kill -9 or a power cut at any moment loses nothing committed.
//
// Tables: `pending` (crossings waiting for garitad, in queue order),
// `dead_letters` (crossings garitad rejected as invalid: kept, never resent,
// for a technician), `lanes` (the highest sequence ever journaled per lane,
// so numbering resumes after acked rows were deleted).
//
// The journal is bounded by a maximum size (PRAGMA max_page_count); when it
// is full, store() fails with LaneErrc::journal_full and nothing stored is
// ever dropped: the caller holds the crossing and raises the alarm. Acked
// rows are deleted with secure_delete on (their pages are zeroed).
//
// One connection, one thread. Nothing throws.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "garita/common/Crossing.hpp"

namespace garita::firmware {

inline constexpr int kJournalSchemaVersion = 1;
// PRAGMA application_id of a garita-lane journal ("GLJ1").
inline constexpr std::int32_t kJournalApplicationId = 0x474c4a31;

struct JournalOptions {
  std::uint64_t max_size_bytes = 2ull << 30;  // 0: no cap
};

// One crossing waiting for garitad. `revision` grows each time the pipeline
// extends the crossing, so an ack for an older revision (sent before the
// extension) does not delete the newer one.
struct JournalEntry {
  std::int64_t id = 0;  // queue position: smaller is older
  std::int64_t revision = 0;
  Crossing crossing;
};

struct AckedCrossing {
  std::uint64_t sequence = 0;
  std::int64_t revision = 0;
};

struct DeadLetter {
  std::uint64_t sequence = 0;
  std::string reason;
  std::int64_t rejected_at_utc_us = 0;
};

class LaneJournal {
 public:
  LaneJournal() noexcept;
  ~LaneJournal();
  LaneJournal(const LaneJournal&) = delete;
  LaneJournal& operator=(const LaneJournal&) = delete;

  // Opens (creating when absent) and checks the file; refuses a file that is
  // not a journal or comes from a newer version.
  std::error_code open(const std::filesystem::path& file, const JournalOptions& options = {});
  void close() noexcept;
  bool is_open() const noexcept;

  // Writes the crossing durably (COMMIT returned). A crossing with a
  // (lane, sequence) already pending replaces it in place (the pipeline
  // extended it) with revision + 1; one that was already acked comes back as
  // a new pending row. Also raises the lane's remembered last sequence.
  std::error_code store(const Crossing& crossing);

  // Up to `limit` pending crossings of `lane_id`, oldest first.
  std::error_code pending(std::string_view lane_id, std::size_t limit,
                          std::vector<JournalEntry>& out);
  std::error_code backlog(std::string_view lane_id, std::uint64_t& count);

  // Deletes the acked crossings whose revision is still the one sent (one
  // transaction). `deleted` counts rows removed.
  std::error_code acknowledge(std::string_view lane_id, std::span<const AckedCrossing> acked,
                              std::uint64_t& deleted);
  // Moves a pending crossing garitad rejected to dead_letters (one transaction).
  std::error_code dead_letter(std::string_view lane_id, std::uint64_t sequence,
                              std::string_view reason);
  std::error_code dead_letters(std::string_view lane_id, std::vector<DeadLetter>& out);
  std::error_code dead_letter_count(std::uint64_t& count);

  // The highest sequence ever journaled for the lane (0 when none): where the
  // pipeline resumes numbering.
  std::error_code last_sequence(std::string_view lane_id, std::uint64_t& out);

  // True after a store() failed for lack of space, until one succeeds.
  bool full() const noexcept;
  // Bytes used by the database file (pages in use; WAL excluded).
  std::uint64_t size_bytes();
  // The last error as one line naming the file.
  const std::string& last_error() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace garita::firmware

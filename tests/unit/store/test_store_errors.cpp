// CrossingStore error paths: each failure has its own code and a message
// naming the file and what failed, and none of them changes a file that is
// not ours.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "ScratchFiles.hpp"
#include "StoreTestSupport.hpp"
#include "garita/common/store/CrossingStore.hpp"

using garita::store::CrossingStore;
using garita::store::Errc;
using garita::store::StoreOptions;
using garita::store::test::make_crossing;
using garita::store::test::RawDb;
using garita::store::test::TempDir;

namespace {

bool mentions(const CrossingStore& s, const std::string& text) {
  return s.last_error().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("store errors: the error category has a name and messages") {
  const std::error_code ec = Errc::disk_full;
  CHECK(std::string(ec.category().name()) == "store");
  CHECK(ec.message() == "disk full");
  CHECK(std::error_code(Errc::schema_too_new).message().find("newer") != std::string::npos);
  CHECK_FALSE(std::error_code(static_cast<Errc>(999)).message().empty());
}

TEST_CASE("store errors: a file that is not a database is refused and left as it was") {
  TempDir dir;
  const auto file = dir / "notes.db";
  const std::string content =
      "this is a text file that someone named .db by mistake, long enough to look like a "
      "header and then some more bytes so it is more than one hundred bytes long........\n";
  {
    std::ofstream out(file, std::ios::binary);
    out << content;
  }
  CrossingStore store;
  const auto ec = store.open(file);
  CHECK(ec == Errc::not_a_database);
  CHECK_FALSE(store.is_open());
  CHECK(mentions(store, file.string()));
  CHECK(garita::test::read_whole_file(file) == content);
  CHECK_FALSE(std::filesystem::exists(dir / "notes.db-wal"));
}

TEST_CASE("store errors: another program's SQLite database is refused untouched") {
  TempDir dir;
  const auto file = dir / "other.db";
  {
    RawDb raw(file, true);
    REQUIRE(raw.exec("CREATE TABLE invoices (n INTEGER); INSERT INTO invoices VALUES (1)") ==
            SQLITE_OK);
  }
  CrossingStore store;
  CHECK(store.open(file) == Errc::not_a_garita_store);
  CHECK(mentions(store, file.string()));
  RawDb raw(file);
  CHECK(raw.text("PRAGMA journal_mode") == "delete");  // not switched to WAL
  CHECK(raw.integer("SELECT count(*) FROM invoices") == 1);
  CHECK(raw.integer("SELECT count(*) FROM sqlite_schema WHERE name = 'crossings'") == 0);
}

TEST_CASE("store errors: a directory as the path") {
  TempDir dir;
  CrossingStore store;
  CHECK(store.open(dir.path()) == Errc::path_is_directory);
  CHECK(mentions(store, dir.path().string()));
  CHECK(mentions(store, "directory"));
}

TEST_CASE("store errors: a missing directory and a file where a directory should be") {
  TempDir dir;
  CrossingStore store;
  const auto missing = dir / "no-such-dir" / "c.db";
  CHECK(store.open(missing) == Errc::directory_missing);
  CHECK(mentions(store, missing.string()));
  CHECK(mentions(store, "does not exist"));

  const auto plain = dir / "plain";
  std::ofstream(plain) << "x";
  CHECK(store.open(plain / "c.db") == Errc::directory_missing);
  CHECK(mentions(store, "not a directory"));
}

TEST_CASE("store errors: an unwritable directory") {
  TempDir dir;
  std::filesystem::path file;
  if (::geteuid() == 0) {
    // root ignores permission bits; sysfs refuses new files even to root.
    if (!std::filesystem::is_directory("/sys")) {
      WARN("no /sys to test an unwritable directory as root");
      return;
    }
    file = "/sys/garita-store-test.db";
  } else {
    const auto ro = dir / "ro";
    std::filesystem::create_directory(ro);
    std::filesystem::permissions(
        ro, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    file = ro / "c.db";
  }
  CrossingStore store;
  CHECK(store.open(file) == Errc::directory_not_writable);
  CHECK(mentions(store, file.string()));
  CHECK(mentions(store, "cannot create"));
  CHECK_FALSE(std::filesystem::exists(file));
}

TEST_CASE("store errors: missing file without create and empty path and closed store") {
  TempDir dir;
  CrossingStore store;
  StoreOptions no_create;
  no_create.create = false;
  CHECK(store.open(dir / "absent.db", no_create) == Errc::open_failed);
  CHECK(mentions(store, "does not exist"));
  CHECK_FALSE(std::filesystem::exists(dir / "absent.db"));
  CHECK(store.open("") == Errc::invalid_argument);

  CrossingStore closed;
  std::optional<std::uint64_t> max;
  CHECK(closed.write(make_crossing("P01", 1)) == Errc::not_open);
  CHECK(closed.max_sequence("P01", max) == Errc::not_open);
  garita::store::CrossingPage page;
  CHECK(closed.list_crossings({}, page) == Errc::not_open);
  CHECK(closed.path().empty());
}

TEST_CASE("store errors: a lock held past the busy timeout is reported as locked") {
  TempDir dir;
  const auto file = dir / "c.db";
  StoreOptions opts;
  opts.busy_timeout = std::chrono::milliseconds{50};
  CrossingStore store;
  REQUIRE_FALSE(store.open(file, opts));
  RawDb other(file);
  REQUIRE(other.exec("BEGIN IMMEDIATE") == SQLITE_OK);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(store.write(make_crossing("P01", 1)) == Errc::locked);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds{3});
  CHECK(mentions(store, file.string()));
  CHECK(mentions(store, "locked"));
  REQUIRE(other.exec("COMMIT") == SQLITE_OK);
  CHECK_FALSE(store.write(make_crossing("P01", 1)));
}

TEST_CASE("store errors: a full disk (size cap) fails the write and keeps what was stored") {
  TempDir dir;
  const auto file = dir / "c.db";
  CrossingStore store;
  REQUIRE_FALSE(store.open(file));
  REQUIRE_FALSE(store.set_max_size(64 * 1024));
  std::error_code ec;
  std::uint64_t written = 0;
  for (std::uint64_t seq = 1; seq < 100000 && !ec; ++seq) {
    ec = store.write(make_crossing("P01", seq, static_cast<std::uint32_t>(seq)));
    if (!ec) written = seq;
  }
  CHECK(ec == Errc::disk_full);
  CHECK(mentions(store, file.string()));
  CHECK(written > 10);
  CHECK_FALSE(store.in_transaction());
  // Nothing committed was lost; lifting the cap lets writing go on.
  std::uint64_t n = 0;
  REQUIRE_FALSE(store.count_crossings({}, n));
  CHECK(n == written);
  REQUIRE_FALSE(store.set_max_size(0));
  CHECK_FALSE(store.write(make_crossing("P01", written + 1)));
  std::string integrity;
  REQUIRE_FALSE(store.integrity_check(integrity));
  CHECK(integrity == "ok");
}

TEST_CASE("store errors: transaction steps out of order") {
  TempDir dir;
  CrossingStore store;
  REQUIRE_FALSE(store.open(dir / "c.db"));
  garita::store::WriteOutcome o{};
  CHECK(store.put(make_crossing("P01", 1), o) == Errc::invalid_argument);
  CHECK(store.commit() == Errc::invalid_argument);
  REQUIRE_FALSE(store.begin());
  CHECK(store.begin() == Errc::invalid_argument);
  REQUIRE_FALSE(store.put(make_crossing("P01", 1), o));
  store.rollback();
  CHECK_FALSE(store.in_transaction());
  std::uint64_t n = 1;
  REQUIRE_FALSE(store.count_crossings({}, n));
  CHECK(n == 0);
}

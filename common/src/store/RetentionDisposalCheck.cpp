#include "garita/common/store/RetentionDisposalCheck.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string_view>
#include <unordered_set>

#include "garita/common/Errc.hpp"
#include "garita/common/Hex.hpp"

namespace garita::store {
namespace {

std::string lower(std::string s) {
  for (char& ch : s) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return s;
}

// Fixed-length needles looked up in a hash set at every offset: one pass
// per distinct length over the file, whatever the number of EPCs.
struct NeedleSet {
  std::size_t length = 0;
  std::unordered_set<std::string_view> needles;
};

}  // namespace

std::vector<std::filesystem::path> database_files(const std::filesystem::path& db) {
  return {db, std::filesystem::path(db.string() + "-wal"),
          std::filesystem::path(db.string() + "-shm")};
}

std::error_code check_disposal(const std::vector<std::filesystem::path>& files,
                               const std::vector<std::string>& epc_hex, std::size_t max_epcs,
                               DisposalCheckResult& out, std::string& error) {
  out = {};
  std::set<std::string> distinct(epc_hex.begin(), epc_hex.end());
  std::vector<std::string> patterns;  // binary, upper hex, lower hex
  for (const std::string& hex : distinct) {
    if (out.epcs_checked == max_epcs) {
      ++out.epcs_skipped;
      continue;
    }
    std::vector<std::uint8_t> bytes;
    if (parse_hex(hex, bytes, 64) || bytes.empty()) continue;
    ++out.epcs_checked;
    patterns.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    patterns.push_back(hex);
    patterns.push_back(lower(hex));
  }
  std::vector<NeedleSet> sets;
  for (const std::string& p : patterns) {
    auto it = std::find_if(sets.begin(), sets.end(),
                           [&](const NeedleSet& s) { return s.length == p.size(); });
    if (it == sets.end()) {
      sets.push_back({p.size(), {}});
      it = sets.end() - 1;
    }
    it->needles.insert(p);
  }
  if (sets.empty()) return {};
  std::size_t longest = 0;
  for (const auto& s : sets) longest = std::max(longest, s.length);

  std::set<std::string_view> found;  // patterns seen (views into `patterns`)
  for (const auto& file : files) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      error = file.string() + ": cannot read for the disposal check: " + std::strerror(errno);
      return make_error_code(Errc::io_error);
    }
    bool hit_in_file = false;
    // Chunks overlap by longest-1 bytes so a needle across a boundary is seen.
    std::string buf;
    std::vector<char> chunk(1 << 20);
    for (;;) {
      const ssize_t n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        error = file.string() + ": read failed during the disposal check: " + std::strerror(errno);
        ::close(fd);
        return make_error_code(Errc::io_error);
      }
      if (n == 0) break;
      out.bytes_scanned += static_cast<std::uint64_t>(n);
      buf.append(chunk.data(), static_cast<std::size_t>(n));
      const std::string_view view(buf);
      for (const auto& s : sets) {
        for (std::size_t i = 0; i + s.length <= view.size(); ++i) {
          auto it = s.needles.find(view.substr(i, s.length));
          if (it != s.needles.end()) {
            found.insert(*it);
            hit_in_file = true;
          }
        }
      }
      const std::size_t keep = std::min(buf.size(), longest - 1);
      buf.erase(0, buf.size() - keep);
    }
    ::close(fd);
    if (hit_in_file) out.files_with_remnants.push_back(file.filename().string());
  }
  // Count EPCs (not patterns) with any remnant.
  std::set<std::string> epcs_found;
  for (std::size_t i = 0; i + 2 < patterns.size(); i += 3) {
    if (found.count(patterns[i]) != 0 || found.count(patterns[i + 1]) != 0 ||
        found.count(patterns[i + 2]) != 0) {
      epcs_found.insert(patterns[i + 1]);
    }
  }
  out.remnants = epcs_found.size();
  return {};
}

}  // namespace garita::store

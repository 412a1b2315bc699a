#include "garita/common/Log.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>

namespace garita::log {
namespace {

std::atomic<int> g_threshold{static_cast<int>(Severity::info)};

std::string_view word(Severity s) noexcept {
  switch (s) {
    case Severity::error: return "error";
    case Severity::warning: return "warning";
    case Severity::notice: return "notice";
    case Severity::info: return "info";
    case Severity::debug: return "debug";
  }
  return "info";
}

}  // namespace

void set_threshold(Severity lowest_kept) noexcept {
  g_threshold.store(static_cast<int>(lowest_kept), std::memory_order_relaxed);
}

void write(Severity severity, std::string_view component, std::string_view message) noexcept {
  if (static_cast<int>(severity) > g_threshold.load(std::memory_order_relaxed)) return;
  // A fixed buffer: logging must work when memory is short. Long messages are cut.
  std::array<char, 2048> line{};
  std::size_t n = 0;
  auto put = [&](std::string_view s) {
    const std::size_t room = line.size() - 1 - n;  // keep one byte for '\n'
    const std::size_t take = s.size() < room ? s.size() : room;
    std::memcpy(line.data() + n, s.data(), take);
    n += take;
  };
  static const bool terminal = ::isatty(STDERR_FILENO) == 1;
  if (terminal) {
    put(word(severity));
    put(" ");
  } else {
    const char prefix[4] = {'<', static_cast<char>('0' + static_cast<int>(severity)), '>', '\0'};
    put(std::string_view(prefix, 3));
  }
  put(component);
  put(": ");
  for (char c : message) {  // one event, one line
    put(c == '\n' ? std::string_view(" ") : std::string_view(&c, 1));
  }
  line[n++] = '\n';
  const char* p = line.data();
  while (n > 0) {
    const ssize_t w = ::write(STDERR_FILENO, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace garita::log

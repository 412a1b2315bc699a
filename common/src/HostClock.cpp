#include "garita/common/HostClock.hpp"

#include <sys/timex.h>
#include <ctime>

namespace garita {
namespace {
std::int64_t micros(clockid_t id) noexcept {
  timespec ts{};
  ::clock_gettime(id, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}
}  // namespace

HostTime host_now() noexcept { return {micros(CLOCK_REALTIME), micros(CLOCK_MONOTONIC)}; }

bool host_clock_synchronized() noexcept {
  timex tx{};  // modes = 0: read only
  const int state = ::adjtimex(&tx);
  return state != -1 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

}  // namespace garita

#pragma once
// One way to write a UTC instant as text, for every log line, CLI table, API
// answer and audit term: RFC 3339 §5.6 "date-time" with the "Z" offset,
// "YYYY-MM-DDThh:mm:ss[.fff|.ffffff]Z". Before this there were seven
// hand-written copies (strftime, snprintf) that disagreed on times before
// 1970; this one rounds toward the past, so a time is never shown later than
// it was.
#include <cstdint>
#include <string>

namespace garita {

enum class UtcDigits {
  seconds,  // 2026-11-23T10:05:07Z
  millis,   // 2026-11-23T10:05:07.123Z
  micros,   // 2026-11-23T10:05:07.123456Z
};

// `utc_us`: microseconds since the Unix epoch (the unit of every stored time).
std::string utc_text(std::int64_t utc_us, UtcDigits digits = UtcDigits::seconds);

}  // namespace garita

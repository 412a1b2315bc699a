#pragma once
// One decoded LLRP TagReportData -> the TagRead every driver emits.
// Pure and allocation-free: it runs once per tag on the hot path.
#include <cstdint>

#include "garita/common/TagRead.hpp"
#include "garita/hal/llrp/TagReport.hpp"

namespace garita::hal::llrp {

// What the report itself does not say: which reader, and when the message
// arrived on the host (every tag of one RO_ACCESS_REPORT shares it).
struct TagReadContext {
  std::uint32_t reader_id = 0;
  std::int64_t host_utc_us = 0;
  std::int64_t host_mono_us = 0;
};

// Fills `out` from `report` (after inherit_unreported_fields). The TID is
// the successful C1G2ReadOpSpecResult of garita's TID OpSpec
// (kTidReadOpSpecId), else the ImpinjSerializedTID (FastID), cut to
// TidBytes::capacity; a failed TID read leaves it empty.
void to_tag_read(const TagReport& report, const TagReadContext& context, TagRead& out) noexcept;

}  // namespace garita::hal::llrp

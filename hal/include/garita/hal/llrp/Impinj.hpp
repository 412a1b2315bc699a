#pragma once
// Impinj's LLRP extensions (vendor PEN 25882), the few garita uses.
//
// Subtype numbers are from Impinj's LTK extension definitions as used by
// sllurp (llrp_proto.py) and the Impinj Octane LTK samples:
//   CUSTOM_MESSAGE 21 IMPINJ_ENABLE_EXTENSIONS (u32 reserved)
//   CUSTOM_MESSAGE 22 IMPINJ_ENABLE_EXTENSIONS_RESPONSE (LLRPStatus)
//   Custom 50 ImpinjTagReportContentSelector (sub-parameters only)
//   Custom 51 ImpinjEnableSerializedTID (u16 mode: 0 disabled, 1 enabled)
//   Custom 55 ImpinjSerializedTID (u16v TID words [+ optional sub-parameters])
// A Speedway/R700 rejects Impinj custom parameters until the client has sent
// IMPINJ_ENABLE_EXTENSIONS on the connection; with ImpinjEnableSerializedTID
// ("FastID") in the ROReportSpec the reader puts each tag's TID in its
// TagReportData without an AccessSpec round trip.
#include <cstdint>
#include <system_error>
#include <vector>

#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/MessageView.hpp"
#include "garita/hal/llrp/ProtocolVersion.hpp"

namespace garita::hal::llrp {

inline constexpr std::uint32_t kImpinjVendorId = 25882;

enum class ImpinjMessageSubtype : std::uint8_t {
  enable_extensions = 21,
  enable_extensions_response = 22,
};

enum class ImpinjParameterSubtype : std::uint32_t {
  tag_report_content_selector = 50,
  enable_serialized_tid = 51,
  enable_rf_phase_angle = 52,
  enable_peak_rssi = 53,
  serialized_tid = 55,
  rf_phase_angle = 56,
  peak_rssi = 57,
};

std::error_code encode_impinj_enable_extensions(std::vector<std::uint8_t>& out,
                                                std::uint32_t message_id,
                                                ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_impinj_enable_extensions(const MessageView& message);

std::error_code encode_impinj_enable_extensions_response(
    std::vector<std::uint8_t>& out, std::uint32_t message_id, const LlrpStatus& status,
    ProtocolVersion version = kDefaultProtocolVersion);
std::error_code decode_impinj_enable_extensions_response(const MessageView& message,
                                                         LlrpStatus& out);

}  // namespace garita::hal::llrp

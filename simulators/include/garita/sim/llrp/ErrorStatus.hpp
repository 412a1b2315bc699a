#pragma once
// The LLRPStatus values the simulated reader answers with (LLRP 1.1
// §15.2.1/§15.2.2). Readers point at the culprit: a message field
// (FieldError), or a chain of ParameterErrors from the message's top-level
// parameter down to the one at fault, the innermost possibly naming a field.
// These helpers keep that shape uniform across the engine.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <system_error>

#include "garita/hal/llrp/LlrpStatus.hpp"
#include "garita/hal/llrp/ParameterType.hpp"

namespace garita::sim::llrp {

hal::llrp::LlrpStatus success_status();

// A message-level status with only a description (M_UnsupportedMessage,
// M_UnsupportedVersion, R_DeviceError, ...).
hal::llrp::LlrpStatus message_status(hal::llrp::StatusCode code, std::string description);

// M_FieldError pointing at field `field_number` of the message itself
// (e.g. field 0 = the ROSpecID of START_ROSPEC).
hal::llrp::LlrpStatus message_field_error(std::uint16_t field_number,
                                          hal::llrp::StatusCode field_code,
                                          std::string description);

// M_ParameterError with a ParameterError chain, outermost parameter first.
hal::llrp::LlrpStatus parameter_error(std::initializer_list<hal::llrp::ParameterError> chain,
                                      std::string description);

// One link of a chain: `type` has an error in one of its sub-parameters.
hal::llrp::ParameterError in_parameter(hal::llrp::ParameterType type);
// The innermost link: field `field_number` of `type` is wrong.
hal::llrp::ParameterError bad_field(hal::llrp::ParameterType type, std::uint16_t field_number,
                                    hal::llrp::StatusCode field_code);
// The innermost link: `type` itself is wrong (P_UnsupportedParameter, P_MissingParameter, ...).
hal::llrp::ParameterError bad_parameter(hal::llrp::ParameterType type, hal::llrp::StatusCode code);

// What a reader answers when the codec could not decode a message body:
// M_MissingParameter, M_DuplicateParameter, M_UnexpectedParameter,
// M_UnknownParameter, M_FieldError or M_ParameterError, with `what`
// (the codec's message) as the description.
hal::llrp::LlrpStatus status_for_decode_error(std::error_code ec);

}  // namespace garita::sim::llrp

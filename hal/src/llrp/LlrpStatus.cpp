#include "garita/hal/llrp/LlrpStatus.hpp"

#include <array>
#include <string>

#include "garita/hal/llrp/Errc.hpp"
#include "garita/hal/llrp/FieldReader.hpp"
#include "garita/hal/llrp/MessageWriter.hpp"
#include "garita/hal/llrp/ParameterWalker.hpp"

namespace garita::hal::llrp {

std::string_view to_string(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::m_success: return "M_Success";
    case StatusCode::m_parameter_error: return "M_ParameterError";
    case StatusCode::m_field_error: return "M_FieldError";
    case StatusCode::m_unexpected_parameter: return "M_UnexpectedParameter";
    case StatusCode::m_missing_parameter: return "M_MissingParameter";
    case StatusCode::m_duplicate_parameter: return "M_DuplicateParameter";
    case StatusCode::m_overflow_parameter: return "M_OverflowParameter";
    case StatusCode::m_overflow_field: return "M_OverflowField";
    case StatusCode::m_unknown_parameter: return "M_UnknownParameter";
    case StatusCode::m_unknown_field: return "M_UnknownField";
    case StatusCode::m_unsupported_message: return "M_UnsupportedMessage";
    case StatusCode::m_unsupported_version: return "M_UnsupportedVersion";
    case StatusCode::m_unsupported_parameter: return "M_UnsupportedParameter";
    case StatusCode::m_unexpected_message: return "M_UnexpectedMessage";
    case StatusCode::p_parameter_error: return "P_ParameterError";
    case StatusCode::p_field_error: return "P_FieldError";
    case StatusCode::p_unexpected_parameter: return "P_UnexpectedParameter";
    case StatusCode::p_missing_parameter: return "P_MissingParameter";
    case StatusCode::p_duplicate_parameter: return "P_DuplicateParameter";
    case StatusCode::p_overflow_parameter: return "P_OverflowParameter";
    case StatusCode::p_overflow_field: return "P_OverflowField";
    case StatusCode::p_unknown_parameter: return "P_UnknownParameter";
    case StatusCode::p_unknown_field: return "P_UnknownField";
    case StatusCode::p_unsupported_parameter: return "P_UnsupportedParameter";
    case StatusCode::a_invalid: return "A_Invalid";
    case StatusCode::a_out_of_range: return "A_OutOfRange";
    case StatusCode::r_device_error: return "R_DeviceError";
  }
  return "unknown";
}

namespace {

void append_code(std::string& s, StatusCode code) {
  const std::string_view name = to_string(code);
  if (name == "unknown") {
    s += "status " + std::to_string(static_cast<unsigned>(code));
  } else {
    s += name;
  }
}

void append_field_error(std::string& s, const FieldError& fe) {
  s += "field " + std::to_string(fe.field_number) + ": ";
  append_code(s, fe.error_code);
}

std::error_code read_field_error(std::span<const std::uint8_t> body, FieldError& out) {
  FieldReader r(body);
  out.field_number = r.u16();
  out.error_code = static_cast<StatusCode>(r.u16());
  return r.error();
}

void write_field_error(MessageWriter& w, const FieldError& fe) {
  const auto start = w.begin(ParameterType::field_error);
  w.u16(fe.field_number);
  w.u16(static_cast<std::uint16_t>(fe.error_code));
  w.end(start);
}

}  // namespace

std::string LlrpStatus::describe() const {
  std::string s;
  append_code(s, code);
  if (!error_description.empty()) s += ": " + error_description;
  if (field_error || !parameter_errors.empty()) {
    s += " (";
    bool first = true;
    if (field_error) {
      append_field_error(s, *field_error);
      first = false;
    }
    for (const ParameterError& pe : parameter_errors) {
      if (!first) s += "; ";
      first = false;
      s += "parameter " + std::to_string(pe.parameter_type) + ": ";
      append_code(s, pe.error_code);
      if (pe.field_error) {
        s += "; ";
        append_field_error(s, *pe.field_error);
      }
    }
    s += ")";
  }
  return s;
}

std::error_code read_llrp_status(std::span<const std::uint8_t> body, LlrpStatus& out) {
  out = LlrpStatus{};
  FieldReader r(body);
  out.code = static_cast<StatusCode>(r.u16());
  const auto description = r.byte_field();
  if (auto ec = r.error()) return ec;
  out.error_description.assign(description.begin(), description.end());

  // FieldError 0-1, ParameterError 0-1 (§15.2.2); anything else is skipped.
  std::span<const std::uint8_t> nested;
  bool have_nested = false;
  ParameterWalker walker(r.rest());
  Parameter p;
  while (walker.next(p)) {
    if (p.type == ParameterType::field_error) {
      if (out.field_error) return Errc::duplicate_parameter;
      FieldError fe;
      if (auto ec = read_field_error(p.body, fe)) return ec;
      out.field_error = fe;
    } else if (p.type == ParameterType::parameter_error) {
      if (have_nested) return Errc::duplicate_parameter;
      nested = p.body;
      have_nested = true;
    }
  }
  if (auto ec = walker.error()) return ec;

  // Unroll the ParameterError chain iteratively: depth is bounded by the
  // message size only, so recursion would let a peer choose our stack depth.
  while (have_nested) {
    if (out.parameter_errors.size() == kMaxParameterErrorDepth) return Errc::nesting_too_deep;
    ParameterError pe;
    FieldReader pr(nested);
    pe.parameter_type = pr.u16();
    pe.error_code = static_cast<StatusCode>(pr.u16());
    if (auto ec = pr.error()) return ec;
    have_nested = false;
    ParameterWalker inner(pr.rest());
    while (inner.next(p)) {
      if (p.type == ParameterType::field_error) {
        if (pe.field_error) return Errc::duplicate_parameter;
        FieldError fe;
        if (auto ec = read_field_error(p.body, fe)) return ec;
        pe.field_error = fe;
      } else if (p.type == ParameterType::parameter_error) {
        if (have_nested) return Errc::duplicate_parameter;
        nested = p.body;
        have_nested = true;
      }
    }
    if (auto ec = inner.error()) return ec;
    out.parameter_errors.push_back(pe);
  }
  return {};
}

std::error_code find_llrp_status(std::span<const std::uint8_t> parameters, LlrpStatus& out) {
  ParameterWalker walker(parameters);
  Parameter p;
  bool found = false;
  while (walker.next(p)) {
    if (p.type != ParameterType::llrp_status) continue;
    if (found) return Errc::duplicate_parameter;
    if (auto ec = read_llrp_status(p.body, out)) return ec;
    found = true;
  }
  if (auto ec = walker.error()) return ec;
  return found ? std::error_code{} : make_error_code(Errc::missing_parameter);
}

void write_llrp_status(MessageWriter& w, const LlrpStatus& status) {
  if (status.parameter_errors.size() > kMaxParameterErrorDepth) {
    w.fail(Errc::nesting_too_deep);
    return;
  }
  const auto start = w.begin(ParameterType::llrp_status);
  w.u16(static_cast<std::uint16_t>(status.code));
  w.string_field(status.error_description);
  if (status.field_error) write_field_error(w, *status.field_error);
  std::array<MessageWriter::ParameterStart, kMaxParameterErrorDepth> open{};
  std::size_t depth = 0;
  for (const ParameterError& pe : status.parameter_errors) {
    open[depth++] = w.begin(ParameterType::parameter_error);
    w.u16(pe.parameter_type);
    w.u16(static_cast<std::uint16_t>(pe.error_code));
    if (pe.field_error) write_field_error(w, *pe.field_error);
  }
  while (depth > 0) w.end(open[--depth]);
  w.end(start);
}

}  // namespace garita::hal::llrp

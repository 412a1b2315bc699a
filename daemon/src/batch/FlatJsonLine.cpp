#include "FlatJsonLine.hpp"

#include <boost/json/basic_parser_impl.hpp>

namespace garita::batch::detail {
namespace {

struct FlatHandler {
  // Bounds handed to basic_parser (a line is at most 4096 bytes anyway).
  static constexpr std::size_t max_array_size = 0;
  static constexpr std::size_t max_object_size = FlatJsonLine::max_members;
  static constexpr std::size_t max_string_size = 4096;
  static constexpr std::size_t max_key_size = 64;

  FlatJsonLine* line = nullptr;
  int depth = 0;
  std::string key;      // the current key (may arrive in parts)
  std::string partial;  // the current string value (may arrive in parts)
  bool have_key = false;

  using ec_t = boost::json::error_code;
  bool fail(std::string what, ec_t& ec) const {
    line->set_error(std::move(what));
    ec = boost::json::error::syntax;  // any error stops the parser
    return false;
  }
  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t& ec) const { return fail("arrays are not allowed", ec); }
  bool on_array_end(std::size_t, ec_t&) { return true; }
  bool on_object_begin(ec_t& ec) {
    if (depth != 0) return fail("nested objects are not allowed", ec);
    ++depth;
    return true;
  }
  bool on_object_end(std::size_t, ec_t&) {
    --depth;
    return true;
  }
  bool on_key_part(boost::json::string_view s, std::size_t, ec_t&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(boost::json::string_view s, std::size_t, ec_t& ec) {
    key.append(s.data(), s.size());
    if (depth != 1) return fail("not an object", ec);
    have_key = true;
    return true;
  }
  FlatJsonMember* member(ec_t& ec) {
    if (depth != 1 || !have_key) {
      fail("the line is not a JSON object", ec);
      return nullptr;
    }
    if (line->size() == FlatJsonLine::max_members) {
      fail("more than 24 keys", ec);
      return nullptr;
    }
    FlatJsonMember* m = line->add_member(key);
    if (m == nullptr) {
      // Key names are the format's field names, never personal data.
      fail((key.size() > 64 ? key.substr(0, 64) : key) + ": duplicate key", ec);
      return nullptr;
    }
    key.clear();
    have_key = false;
    return m;
  }
  bool on_string_part(boost::json::string_view s, std::size_t, ec_t&) {
    partial.append(s.data(), s.size());
    return true;
  }
  bool on_string(boost::json::string_view s, std::size_t, ec_t& ec) {
    FlatJsonMember* m = member(ec);
    if (m == nullptr) return false;
    m->is_string = true;
    m->text.assign(partial);
    m->text.append(s.data(), s.size());
    partial.clear();
    return true;
  }
  bool on_number_part(boost::json::string_view, ec_t&) { return true; }
  bool on_int64(std::int64_t i, boost::json::string_view, ec_t& ec) {
    if (i < 0) return fail("negative numbers are not allowed", ec);
    return on_uint64(static_cast<std::uint64_t>(i), {}, ec);
  }
  bool on_uint64(std::uint64_t u, boost::json::string_view, ec_t& ec) {
    FlatJsonMember* m = member(ec);
    if (m == nullptr) return false;
    m->is_string = false;
    m->number = u;
    return true;
  }
  bool on_double(double, boost::json::string_view, ec_t& ec) const {
    return fail("fractional or exponent numbers are not allowed", ec);
  }
  bool on_bool(bool, ec_t& ec) const { return fail("true/false are not allowed", ec); }
  bool on_null(ec_t& ec) const { return fail("null is not allowed", ec); }
  bool on_comment_part(boost::json::string_view, ec_t& ec) const {
    return fail("comments are not allowed", ec);
  }
  bool on_comment(boost::json::string_view, ec_t& ec) const {
    return fail("comments are not allowed", ec);
  }
};

}  // namespace

FlatJsonMember* FlatJsonLine::add_member(std::string_view key) {
  for (std::size_t i = 0; i < count_; ++i)
    if (members_[i].key == key) return nullptr;
  if (count_ == max_members) return nullptr;
  FlatJsonMember& m = members_[count_++];
  m.key.assign(key);
  m.used = false;
  return &m;
}

bool FlatJsonLine::parse(std::string_view line, std::string& error) {
  count_ = 0;
  handler_error_.clear();
  // docs/batch-format.md §3: a line is exactly one object, nothing around it.
  if (line.empty() || line.front() != '{' || line.back() != '}') {
    error = "the line is not a JSON object";
    return false;
  }
  // RFC 8259 strict JSON: no comments, no trailing commas, invalid UTF-8
  // refused (Boost.JSON's defaults).
  boost::json::basic_parser<FlatHandler> parser(boost::json::parse_options{});
  parser.handler().line = this;
  boost::json::error_code ec;
  const std::size_t n = parser.write_some(false, line.data(), line.size(), ec);
  if (!ec && n != line.size()) ec = boost::json::error::extra_data;
  if (ec) {
    if (!handler_error_.empty())
      error = handler_error_;
    else
      error = "not valid JSON (" + ec.message() + " at byte " + std::to_string(n + 1) + ")";
    count_ = 0;
    return false;
  }
  return true;
}

const FlatJsonMember* FlatJsonLine::take(std::string_view key) {
  for (std::size_t i = 0; i < count_; ++i) {
    if (members_[i].key == key) {
      members_[i].used = true;
      return &members_[i];
    }
  }
  return nullptr;
}

const FlatJsonMember* FlatJsonLine::first_unused() const {
  for (std::size_t i = 0; i < count_; ++i)
    if (!members_[i].used) return &members_[i];
  return nullptr;
}

}  // namespace garita::batch::detail

#pragma once
// Strict, friendly reading of one TOML table of a garita config file. Every
// error names the file, the line and the key ("garitad.toml:12: lane[2].gap_s:
// must be a number from 0.1 to 60, not 120"), unknown keys are errors with a
// "did you mean" (a typo must never silently fall back to a default), and
// nothing throws. Used for every config garita reads.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "garita/common/Errc.hpp"

namespace toml {
inline namespace v3 {
class node;
class array;
class table;
}  // namespace v3
}  // namespace toml

namespace garita::config {

// Builds "SOURCE:LINE: LABEL: what" messages and keeps the first one.
class ErrorSink {
 public:
  ErrorSink(std::string_view source, std::string& error) : source_(source), error_(error) {}
  std::error_code fail(Errc code, std::uint32_t line, std::string_view label,
                       std::string_view what);
  // Takes a message that already names its file and line (from a nested parser).
  std::error_code pass_on(std::error_code code, std::string message) {
    error_ = std::move(message);
    return code;
  }
  std::string_view source() const noexcept { return source_; }

 private:
  std::string source_;
  std::string& error_;
};

std::uint32_t line_of(const toml::node& node) noexcept;
// "a string", "an integer", ... for messages.
std::string_view type_phrase(const toml::node& node) noexcept;
// Case-insensitive edit distance, for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b);

class TomlTableReader {
 public:
  // `label` prefixes keys in messages ("lane[2]" -> "lane[2].gap_s"); empty
  // for the top level.
  TomlTableReader(const toml::table& table, std::string label, ErrorSink& errors)
      : table_(table), label_(std::move(label)), errors_(errors) {}

  // Fails on the first key (nearest the top of the file) not in `allowed`.
  std::error_code only_keys(std::initializer_list<std::string_view> allowed);

  std::error_code required_string(std::string_view key, std::string& out, std::string_view hint);
  std::error_code optional_string(std::string_view key, std::string& out);
  std::error_code optional_bool(std::string_view key, bool& out);
  // Integers in [min, max].
  std::error_code required_int(std::string_view key, std::int64_t min, std::int64_t max,
                               std::int64_t& out, std::string_view hint);
  std::error_code optional_int(std::string_view key, std::int64_t min, std::int64_t max,
                               std::int64_t& out);
  // Numbers (integer or float) in [min, max].
  std::error_code optional_number(std::string_view key, double min, double max, double& out);

  // A sub-table or array of tables, or nullptr when absent; fails when the key
  // holds something else.
  std::error_code optional_table(std::string_view key, const toml::table*& out);
  std::error_code optional_table_array(std::string_view key, const toml::array*& out);
  // A sub-table that must be there: when absent, fails with "missing [KEY]
  // table (WHAT)", `what` saying what the table holds.
  std::error_code required_table(std::string_view key, const toml::table*& out,
                                 std::string_view what);

  // Reports a problem with `key`'s value (or the table itself when key is empty).
  std::error_code fail(Errc code, std::string_view key, std::string_view what);

  std::string label_for(std::string_view key) const;
  const toml::table& table() const noexcept { return table_; }

 private:
  const toml::node* find(std::string_view key) const;
  std::error_code missing(std::string_view key, std::string_view hint);
  std::error_code wrong_type(std::string_view key, const toml::node& node,
                             std::string_view expected);

  const toml::table& table_;
  std::string label_;
  ErrorSink& errors_;
};

// 'text' in single quotes, for messages.
std::string in_quotes(std::string_view text);

}  // namespace garita::config

#include "garita/common/config/TomlTableReader.hpp"

#include <toml++/toml.h>

#include <cmath>
#include <vector>

namespace garita::config {
namespace {

char ascii_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

std::string number_text(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15)
    return std::to_string(static_cast<std::int64_t>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

}  // namespace

// Config text can put any byte into a message (a quoted key, or the
// character toml++ quotes when it stops): escape control characters so an
// error stays one printable line in a terminal and the journal.
static void append_printable(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
}

std::error_code ErrorSink::fail(Errc code, std::uint32_t line, std::string_view label,
                                std::string_view what) {
  std::string message = source_;
  if (line != 0) message += ':' + std::to_string(line);
  message += ": ";
  if (!label.empty()) {
    append_printable(message, label);
    message += ": ";
  }
  append_printable(message, what);
  error_ = std::move(message);
  return code;
}

std::uint32_t line_of(const toml::node& node) noexcept { return node.source().begin.line; }

std::string_view type_phrase(const toml::node& node) noexcept {
  switch (node.type()) {
    case toml::node_type::none: return "nothing";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
  }
  return "an unknown kind of value";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = ascii_upper(a[i - 1]) == ascii_upper(b[j - 1]) ? 0 : 1;
      std::size_t best = diagonal + cost;
      if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
      if (above + 1 < best) best = above + 1;
      row[j] = best;
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string in_quotes(std::string_view text) {
  std::string s = "'";
  s += text;
  s += '\'';
  return s;
}

std::string TomlTableReader::label_for(std::string_view key) const {
  if (label_.empty()) return std::string(key);
  if (key.empty()) return label_;
  return label_ + "." + std::string(key);
}

const toml::node* TomlTableReader::find(std::string_view key) const { return table_.get(key); }

std::error_code TomlTableReader::fail(Errc code, std::string_view key, std::string_view what) {
  const toml::node* node = key.empty() ? nullptr : find(key);
  const std::uint32_t line = node != nullptr ? line_of(*node) : line_of(table_);
  return errors_.fail(code, line, label_for(key), what);
}

std::error_code TomlTableReader::missing(std::string_view key, std::string_view hint) {
  std::string what = "missing required key " + in_quotes(key);
  if (!hint.empty()) what += " (" + std::string(hint) + ")";
  return errors_.fail(Errc::config_missing_key, line_of(table_), label_for(key), what);
}

std::error_code TomlTableReader::wrong_type(std::string_view key, const toml::node& node,
                                            std::string_view expected) {
  return errors_.fail(
      Errc::config_wrong_type, line_of(node), label_for(key),
      "must be " + std::string(expected) + ", not " + std::string(type_phrase(node)));
}

std::error_code TomlTableReader::only_keys(std::initializer_list<std::string_view> allowed) {
  const toml::key* first = nullptr;
  for (const auto& [key, value] : table_) {
    bool known = false;
    for (std::string_view k : allowed) known = known || key.str() == k;
    if (known) continue;
    if (first == nullptr || key.source().begin.line < first->source().begin.line) first = &key;
  }
  if (first == nullptr) return {};
  std::string what = "unknown key " + in_quotes(first->str());
  std::string_view guess;
  std::size_t best = 3;  // suggest only close spellings
  for (std::string_view k : allowed) {
    const std::size_t d = edit_distance(first->str(), k);
    if (d < best) {
      best = d;
      guess = k;
    }
  }
  if (!guess.empty()) what += " (did you mean " + in_quotes(guess) + "?)";
  const std::uint32_t line = first->source().begin.line;
  return errors_.fail(Errc::config_unknown_key, line != 0 ? line : line_of(table_),
                      label_for(first->str()), what);
}

std::error_code TomlTableReader::required_string(std::string_view key, std::string& out,
                                                 std::string_view hint) {
  if (find(key) == nullptr) return missing(key, hint);
  if (auto ec = optional_string(key, out)) return ec;
  if (out.empty()) return fail(Errc::config_bad_value, key, "must not be empty");
  return {};
}

std::error_code TomlTableReader::optional_string(std::string_view key, std::string& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return {};
  const auto* value = node->as_string();
  if (value == nullptr) return wrong_type(key, *node, "a string in double quotes");
  out = value->get();
  return {};
}

std::error_code TomlTableReader::optional_bool(std::string_view key, bool& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return {};
  const auto* value = node->as_boolean();
  if (value == nullptr) return wrong_type(key, *node, "true or false");
  out = value->get();
  return {};
}

std::error_code TomlTableReader::required_int(std::string_view key, std::int64_t min,
                                              std::int64_t max, std::int64_t& out,
                                              std::string_view hint) {
  if (find(key) == nullptr) return missing(key, hint);
  return optional_int(key, min, max, out);
}

std::error_code TomlTableReader::optional_int(std::string_view key, std::int64_t min,
                                              std::int64_t max, std::int64_t& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return {};
  const auto* value = node->as_integer();
  if (value == nullptr) return wrong_type(key, *node, "a whole number");
  const std::int64_t v = value->get();
  if (v < min || v > max) {
    return fail(Errc::config_bad_value, key,
                "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", not " +
                    std::to_string(v));
  }
  out = v;
  return {};
}

std::error_code TomlTableReader::optional_number(std::string_view key, double min, double max,
                                                 double& out) {
  const toml::node* node = find(key);
  if (node == nullptr) return {};
  double v = 0;
  if (const auto* i = node->as_integer()) {
    v = static_cast<double>(i->get());
  } else if (const auto* f = node->as_floating_point()) {
    v = f->get();
  } else {
    return wrong_type(key, *node, "a number");
  }
  if (!(v >= min && v <= max)) {  // also catches NaN
    return fail(Errc::config_bad_value, key,
                "must be a number from " + number_text(min) + " to " + number_text(max) + ", not " +
                    number_text(v));
  }
  out = v;
  return {};
}

std::error_code TomlTableReader::optional_table(std::string_view key, const toml::table*& out) {
  out = nullptr;
  const toml::node* node = find(key);
  if (node == nullptr) return {};
  out = node->as_table();
  if (out == nullptr) return wrong_type(key, *node, "a table ([" + std::string(key) + "])");
  return {};
}

std::error_code TomlTableReader::required_table(std::string_view key, const toml::table*& out,
                                                std::string_view what) {
  if (auto ec = optional_table(key, out)) return ec;
  if (out == nullptr) {
    return fail(Errc::config_missing_key, key,
                "missing [" + std::string(key) + "] table (" + std::string(what) + ")");
  }
  return {};
}

std::error_code TomlTableReader::optional_table_array(std::string_view key,
                                                      const toml::array*& out) {
  out = nullptr;
  const toml::node* node = find(key);
  if (node == nullptr) return {};
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    return wrong_type(key, *node, "tables written as [[" + std::string(key) + "]] blocks");
  }
  out = array;
  return {};
}

}  // namespace garita::config

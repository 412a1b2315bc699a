#pragma once
// One line of a batch as a flat JSON object of string and unsigned integer
// members (docs/batch-format.md §3). Parsed with Boost.JSON's basic_parser
// and a handler that refuses what the format has no use for: nested values,
// arrays, negative or fractional numbers, booleans, null, and duplicate keys
// (Boost.JSON's DOM would keep the last duplicate silently, and a reader that
// keeps the first would see another record: RFC 8259 §4 leaves it open).
#include <cstdint>
#include <string>
#include <string_view>

namespace garita::batch::detail {

struct FlatJsonMember {
  std::string key;
  bool is_string = true;
  std::string text;          // when is_string
  std::uint64_t number = 0;  // otherwise
  bool used = false;         // set by the reader that consumes it
};

class FlatJsonLine {
 public:
  static constexpr std::size_t max_members = 24;

  // Parses `line` (without its LF). On failure returns false with `error`
  // saying what was wrong (no contents quoted).
  bool parse(std::string_view line, std::string& error);

  std::size_t size() const { return count_; }
  const FlatJsonMember& operator[](std::size_t i) const { return members_[i]; }
  // The member named `key`, or nullptr; marks it used.
  const FlatJsonMember* take(std::string_view key);
  // The first member not taken, or nullptr.
  const FlatJsonMember* first_unused() const;

  // Internal: used by the parse handler.
  FlatJsonMember* add_member(std::string_view key);
  void set_error(std::string what) { handler_error_ = std::move(what); }

 private:
  FlatJsonMember members_[max_members];
  std::size_t count_ = 0;
  std::string handler_error_;
};

}  // namespace garita::batch::detail

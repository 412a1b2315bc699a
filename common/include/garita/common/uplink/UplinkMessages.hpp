#pragma once
// The uplink protocol's JSON bodies (lane controller -> garitad; the
// protocol is described in docs/uplink.md). Pure codec: values in, text out
// and back, no I/O, no clocks.
//
// Decoding is strict and bounded: a body larger than kMaxBodyBytes, nesting
// deeper than the messages need, an unknown, missing or mistyped field, an
// integer outside its C++ type, a string longer than the store keeps, all
// give an uplink::Errc and ONE line naming the JSON path, e.g.
//   "$.crossings[3].epc_hex: not hex digits"
// Messages never quote EPC/TID values (personal data); they quote lane ids.
//
// Encoding writes every field, in a fixed order, so the same value always
// gives the same bytes (tests compare against known JSON).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/json/object.hpp>

#include "garita/common/Crossing.hpp"
#include "garita/common/uplink/UplinkErrc.hpp"

namespace garita::uplink {

// Contract A: request bodies are at most 4 MiB.
inline constexpr std::size_t kMaxBodyBytes = std::size_t{4} * 1024 * 1024;
// A batch carries 1..max_batch crossings; garitad announces max_batch in the
// hello response (default kDefaultMaxBatch) and the codec never accepts
// more than kMaxBatchLimit whatever is announced.
inline constexpr std::uint32_t kDefaultMaxBatch = 500;
inline constexpr std::uint32_t kMaxBatchLimit = 1000;
// Lengths the crossing store accepts (store::validate_crossing).
inline constexpr std::size_t kMaxIdBytes = 64;
inline constexpr std::size_t kMaxTextBytes = 1024;
// hello.controller and hello.reader.* are short labels.
inline constexpr std::size_t kMaxLabelBytes = 128;
// A rejection reason sent back to the lane.
inline constexpr std::size_t kMaxReasonBytes = 1024;

struct ReaderState {
  std::string state;       // e.g. "connected", "disconnected", "error"
  std::string uri_scheme;  // e.g. "serial", "llrp", "usb"
  friend bool operator==(const ReaderState&, const ReaderState&) = default;
};

// POST /v1/uplink/hello
struct Hello {
  std::string lane;           // must equal the client certificate's CN
  std::string controller;     // e.g. "garita-lane 0.1.0"
  std::uint64_t backlog = 0;  // crossings waiting in the lane's journal
  ReaderState reader;
  friend bool operator==(const Hello&, const Hello&) = default;
};

struct HelloResponse {
  std::string lane;
  std::int64_t server_time_utc_us = 0;
  std::uint32_t max_batch = kDefaultMaxBatch;  // 1..kMaxBatchLimit
  friend bool operator==(const HelloResponse&, const HelloResponse&) = default;
};

// POST /v1/uplink/crossings
struct CrossingBatch {
  std::string lane;
  std::uint64_t backlog = 0;        // crossings still waiting after this batch
  std::vector<Crossing> crossings;  // 1..kMaxBatchLimit, all with lane_id == lane
};

struct Rejection {
  std::uint64_t sequence = 0;
  std::string reason;  // one line; no EPC/TID
  friend bool operator==(const Rejection&, const Rejection&) = default;
};

struct CrossingsResponse {
  std::vector<std::uint64_t> acked;  // durably recorded (inserted/extended/unchanged/conflict)
  std::vector<Rejection> rejected;   // invalid: the lane dead-letters them
  friend bool operator==(const CrossingsResponse&, const CrossingsResponse&) = default;
};

// Body of every 4xx/5xx answer: {"error":"code","message":"one line"}.
struct ErrorBody {
  std::string error;
  std::string message;
  friend bool operator==(const ErrorBody&, const ErrorBody&) = default;
};

// --- Crossing <-> JSON object (also usable by other JSON producers) --------
// Fields: every field of garita::Crossing with the same names; the EPC and
// TID as upper-case hex in epc_hex/tid_hex (the byte fields are derived from
// them), pc as 4 hex digits or null, times as integer µs, enums as their
// to_string names.
boost::json::object crossing_to_json(const Crossing& crossing);
// `path` is the JSON path used in error messages (e.g. "$.crossings[3]").
std::error_code crossing_from_json(const boost::json::value& value, std::string_view path,
                                   Crossing& out, std::string& error);

// --- Whole bodies ----------------------------------------------------------
std::string encode(const Hello& hello);
std::string encode(const HelloResponse& response);
std::string encode(const CrossingBatch& batch);
std::string encode(const CrossingsResponse& response);
std::string encode(const ErrorBody& body);

// Each decode leaves `out` in an unspecified state on failure and sets
// `error` to one line naming the JSON path.
std::error_code decode(std::string_view text, Hello& out, std::string& error);
std::error_code decode(std::string_view text, HelloResponse& out, std::string& error);
std::error_code decode(std::string_view text, CrossingBatch& out, std::string& error);
std::error_code decode(std::string_view text, CrossingsResponse& out, std::string& error);
std::error_code decode(std::string_view text, ErrorBody& out, std::string& error);

}  // namespace garita::uplink

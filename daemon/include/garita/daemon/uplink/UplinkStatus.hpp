#pragma once
// What garitad knows about each controller lane's uplink (docs/uplink.md),
// for the status API and page. A plain snapshot: copy it, keep it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace garita::daemon::uplink {

struct LaneUplinkStatus {
  std::string lane_id;  // a [[lane]] with controller = true
  // Host UTC µs of the last accepted request of each kind; nullopt = never
  // since garitad started.
  std::optional<std::int64_t> last_hello_utc_us;
  std::optional<std::int64_t> last_batch_utc_us;
  std::optional<std::int64_t> last_request_utc_us;
  std::string controller;              // "garita-lane 0.1.0", from the last hello
  std::string reader_state;            // e.g. "connected", from the last hello
  std::string reader_uri_scheme;       // e.g. "serial"
  std::uint64_t backlog = 0;           // crossings waiting on the lane, as last reported
  std::string peer_address;            // "10.0.5.3:50122" of the last accepted request
  std::uint64_t batches = 0;           // crossing batches answered 200
  std::uint64_t acked = 0;             // crossings acknowledged (durably recorded)
  std::uint64_t rejected = 0;          // crossings refused as invalid
  std::uint64_t refused_requests = 0;  // requests answered 4xx/5xx
  std::string last_refusal;            // one line: why the last refused request was refused
  std::string hello_peer;  // address of the last hello (another one: the lane reconnected)
};

struct UplinkStatus {
  bool enabled = false;                 // [uplink] configured and listening
  std::string listen;                   // "0.0.0.0:8444"
  std::vector<LaneUplinkStatus> lanes;  // one per controller lane, config order
  std::uint64_t tls_failures = 0;       // failed handshakes (wrong CA, expired, plain TCP...)
  std::uint64_t connections = 0;        // open now
};

}  // namespace garita::daemon::uplink

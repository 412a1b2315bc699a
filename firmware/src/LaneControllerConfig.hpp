#pragma once
// garita-lane's configuration: one lane, its reader, the lane pipeline's
// debounce settings, the uplink to garitad, the local journal and the lane
// light. One TOML file validated whole at start (strict like garitad's:
// unknown keys refused with "did you mean", errors "FILE:LINE: key: what").
// Format: docs/lane-controller.md and config/garita-lane.example.toml.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "garita/common/IssuerTable.hpp"
#include "garita/common/config/SiteConfig.hpp"
#include "garita/common/lane/LaneConfig.hpp"
#include "garita/hal/DriverOptions.hpp"

namespace garita::firmware {

struct LaneAntennaSetting {
  std::uint16_t antenna = 0;  // 0: every antenna of the reader
  lane::AntennaRole role = lane::AntennaRole::both;
};

struct ReaderSection {
  std::string uri;  // llrp://..., serial://... (checked with hal's parser)
  hal::TlsFiles tls;
  bool read_tid = true;
  bool reset_to_factory_defaults = true;
};

// The lane pipeline's per-lane rules: garitad's DebounceSettings (same keys,
// ranges and defaults), so a lane behaves the same behind either program.
struct PipelineSection : config::DebounceSettings {
  std::filesystem::path issuers_file;  // optional: document types (IssuerTable)
};

struct UplinkSection {
  std::string url;   // https://host:port as given
  std::string host;  // from url: DNS name or IP literal (no brackets)
  std::uint16_t port = 443;
  std::filesystem::path ca_file;    // the private CA that signed garitad's certificate
  std::filesystem::path cert_file;  // this lane's client certificate (CN = lane id)
  std::filesystem::path key_file;   // its private key: mode 0600 or 0400, refused otherwise
  std::uint32_t batch_size = 500;   // crossings per request (garitad may lower it in hello)
  std::chrono::milliseconds connect_timeout{10'000};  // TCP + TLS handshake
  std::chrono::milliseconds request_timeout{30'000};  // one request/response
  std::chrono::milliseconds backoff_initial{1'000};
  std::chrono::milliseconds backoff_max{60'000};
  std::chrono::milliseconds idle_poll{1'000};  // how often an idle link looks for new crossings
};

struct JournalSection {
  std::filesystem::path path;
  std::uint64_t max_size_bytes = 2ull << 30;  // 2 GiB: weeks of a busy lane
};

enum class LightKind : std::uint8_t { none, gpo, gpio };

struct LightSection {
  LightKind kind = LightKind::none;
  // gpo: reader general-purpose output ports (1-based)
  std::uint16_t green_port = 1;
  std::uint16_t red_port = 2;
  // gpio: Linux GPIO character device and line offsets
  std::filesystem::path chip = "/dev/gpiochip0";
  std::uint32_t green_line = 0;
  std::uint32_t red_line = 1;
  bool active_low = false;
  std::chrono::milliseconds pulse{800};  // green pulse per crossing
};

struct LaneControllerConfig {
  std::filesystem::path source;
  std::string lane_id;                       // = the CN of the lane's client certificate
  std::string port_code;                     // Crossing::port_code
  std::string time_zone;                     // IANA name
  std::vector<LaneAntennaSetting> antennas;  // empty: every antenna, role both
  ReaderSection reader;
  PipelineSection pipeline;
  IssuerTable issuers;
  UplinkSection uplink;
  JournalSection journal;
  LightSection light;
};

// Reads and validates `path` (the uplink key file's mode included). On
// failure returns a garita Errc and sets `error` to one line
// "FILE:LINE: key: what".
std::error_code load_lane_controller_config(const std::filesystem::path& path,
                                            LaneControllerConfig& out, std::string& error);
// The same from text; `source` names it and anchors relative paths.
std::error_code parse_lane_controller_config(std::string_view text,
                                             const std::filesystem::path& source,
                                             LaneControllerConfig& out, std::string& error);

// The lane pipeline configuration for this lane (reader id 0).
lane::PipelineConfig make_pipeline_config(const LaneControllerConfig& config,
                                          std::uint64_t last_sequence);

}  // namespace garita::firmware

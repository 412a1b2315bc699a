#pragma once
// The status page (daemon/www/), compiled into garitad at build time by
// daemon/www/EmbedWebAssets.cmake. "/" is index.html; the rest are
// "/static/NAME".
#include <span>
#include <string_view>

namespace garita::daemon::api {

struct WebAsset {
  std::string_view path;          // "/", "/static/app.js", ...
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
};

std::span<const WebAsset> web_assets() noexcept;

// The asset at `path` ("/index.html" is "/"), or nullptr.
const WebAsset* find_web_asset(std::string_view path) noexcept;

}  // namespace garita::daemon::api

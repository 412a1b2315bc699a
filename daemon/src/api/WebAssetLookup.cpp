#include "garita/daemon/api/WebAssets.hpp"

namespace garita::daemon::api {

const WebAsset* find_web_asset(std::string_view path) noexcept {
  if (path == "/index.html") path = "/";
  for (const WebAsset& a : web_assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

}  // namespace garita::daemon::api

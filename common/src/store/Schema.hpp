#pragma once
// Migration steps of the crossing store (private to common/src/store).
#include <span>
#include <string_view>

#include "garita/common/store/CrossingStore.hpp"

namespace garita::store::detail {

struct Migration {
  int version;                   // user_version after this step
  std::string_view description;  // for messages
  std::string_view sql;          // run in one transaction with the version bump
};

// In order; migrations()[i].version == i + 1.
std::span<const Migration> migrations() noexcept;

}  // namespace garita::store::detail

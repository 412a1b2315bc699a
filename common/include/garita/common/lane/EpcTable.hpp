#pragma once
// A bounded table keyed by EPC bytes, with a recency list: the building
// block for open sessions (Debouncer) and recent crossings (RearmMemory).
//
// - At most `capacity` entries; insert() on a full table is a caller error
//   (the caller decides what to evict: oldest()).
// - Entries live in a slab addressed by slot numbers that stay valid until
//   the entry is erased; the slab grows up to the high-water mark and then
//   slots are reused, so a table at steady state never allocates.
// - The index is open addressing with linear probing and backward-shift
//   deletion, sized once at construction (twice the capacity, a power of 2).
// - touch() moves an entry to the newest end of the recency list; oldest()
//   and next() walk it from the oldest end.
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

#include "garita/common/TagRead.hpp"

namespace garita::lane {

// A fast keyed hash of EPC bytes (not cryptographic; `seed` makes crafted
// collisions harder to plan).
inline std::uint32_t hash_epc(std::span<const std::uint8_t> bytes, std::uint64_t seed) noexcept {
  auto mix = [](std::uint64_t x) noexcept {
    x ^= x >> 32;
    x *= 0xD6E8FEB86659FD93ULL;
    x ^= x >> 32;
    x *= 0xD6E8FEB86659FD93ULL;
    x ^= x >> 32;
    return x;
  };
  std::uint64_t h = seed ^ (0x9E3779B97F4A7C15ULL * (bytes.size() + 1));
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, bytes.data() + i, 8);
    h = mix(h ^ w) + 0x9E3779B97F4A7C15ULL;
  }
  if (i < bytes.size()) {
    std::uint64_t w = 0;
    std::memcpy(&w, bytes.data() + i, bytes.size() - i);
    h = mix(h ^ w ^ 0xA5A5A5A5A5A5A5A5ULL);
  }
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

template <class T>
class EpcTable {
 public:
  static constexpr std::uint32_t npos = std::numeric_limits<std::uint32_t>::max();

  explicit EpcTable(std::uint32_t capacity, std::uint64_t seed = 0)
      : capacity_(capacity == 0 ? 1 : capacity),
        seed_(seed),
        mask_(static_cast<std::uint32_t>(std::bit_ceil(std::uint64_t{capacity_} * 2)) - 1),
        index_(std::size_t{mask_} + 1, npos) {
    free_.reserve(capacity_);  // so erase() never allocates
  }

  std::uint32_t size() const noexcept { return size_; }
  std::uint32_t capacity() const noexcept { return capacity_; }
  bool full() const noexcept { return size_ >= capacity_; }
  bool empty() const noexcept { return size_ == 0; }

  // The slot holding `key`, or npos.
  std::uint32_t find(const EpcBytes& key) const noexcept {
    const std::uint32_t h = hash_epc(key.view(), seed_);
    for (std::uint32_t i = h & mask_;; i = (i + 1) & mask_) {
      const std::uint32_t slot = index_[i];
      if (slot == npos) return npos;
      const Node& n = nodes_[slot];
      if (n.hash == h && n.key == key) return slot;
    }
  }

  // Adds `key` (which must be absent) at the newest end; the table must not
  // be full. The slot's value is default-constructed.
  std::uint32_t insert(const EpcBytes& key) {
    const std::uint32_t h = hash_epc(key.view(), seed_);
    std::uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    Node& n = nodes_[slot];
    n.value = T{};
    n.key = key;
    n.hash = h;
    n.used = true;
    std::uint32_t i = h & mask_;
    while (index_[i] != npos) i = (i + 1) & mask_;
    index_[i] = slot;
    link_tail(slot);
    ++size_;
    return slot;
  }

  void erase(std::uint32_t slot) noexcept {
    Node& n = nodes_[slot];
    // Find the index position, then shift later members of the probe run back.
    std::uint32_t i = n.hash & mask_;
    while (index_[i] != slot) i = (i + 1) & mask_;
    std::uint32_t j = i;
    for (;;) {
      j = (j + 1) & mask_;
      const std::uint32_t s = index_[j];
      if (s == npos) break;
      const std::uint32_t home = nodes_[s].hash & mask_;
      // Move s back to i unless its home lies cyclically in (i, j].
      const bool home_in_range = (i <= j) ? (home > i && home <= j) : (home > i || home <= j);
      if (!home_in_range) {
        index_[i] = s;
        i = j;
      }
    }
    index_[i] = npos;
    unlink(slot);
    n.used = false;
    free_.push_back(slot);
    --size_;
  }

  // Moves the entry to the newest end of the recency list.
  void touch(std::uint32_t slot) noexcept {
    if (tail_ == slot) return;
    unlink(slot);
    link_tail(slot);
  }

  std::uint32_t oldest() const noexcept { return head_; }
  std::uint32_t newest() const noexcept { return tail_; }
  std::uint32_t next(std::uint32_t slot) const noexcept { return nodes_[slot].next; }

  T& value(std::uint32_t slot) noexcept { return nodes_[slot].value; }
  const T& value(std::uint32_t slot) const noexcept { return nodes_[slot].value; }
  const EpcBytes& key(std::uint32_t slot) const noexcept { return nodes_[slot].key; }

  // Slots allocated so far (the high-water mark; memory in use).
  std::size_t allocated() const noexcept { return nodes_.size(); }

 private:
  struct Node {
    T value{};
    EpcBytes key;
    std::uint32_t hash = 0;
    std::uint32_t prev = npos;
    std::uint32_t next = npos;
    bool used = false;
  };

  void link_tail(std::uint32_t slot) noexcept {
    Node& n = nodes_[slot];
    n.prev = tail_;
    n.next = npos;
    if (tail_ != npos) nodes_[tail_].next = slot;
    tail_ = slot;
    if (head_ == npos) head_ = slot;
  }
  void unlink(std::uint32_t slot) noexcept {
    Node& n = nodes_[slot];
    if (n.prev != npos)
      nodes_[n.prev].next = n.next;
    else
      head_ = n.next;
    if (n.next != npos)
      nodes_[n.next].prev = n.prev;
    else
      tail_ = n.prev;
    n.prev = n.next = npos;
  }

  std::uint32_t capacity_;
  std::uint64_t seed_;
  std::uint32_t mask_;
  std::vector<std::uint32_t> index_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_;
  std::uint32_t head_ = npos;
  std::uint32_t tail_ = npos;
  std::uint32_t size_ = 0;
};

}  // namespace garita::lane

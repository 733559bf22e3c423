// DenseIndex: keys -> dense indexes (0, 1, 2… in insertion order) by open addressing in
// flat arrays, with no per-entry allocation (millions of trace ids, or the few keys of an
// aggregate looked up once per span). Thread-safety: one thread at a time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace ddbg {

// A hash for 64-bit keys made of packed ids.
struct U64Hash {
  size_t operator()(uint64_t k) const {
    k ^= k >> 29;
    k *= 0xBF58476D1CE4E5B9ull;
    return static_cast<size_t>(k ^ (k >> 32));
  }
};

template <typename Key, typename Hash>
class DenseIndex {
 public:
  // The index of `key`, adding it as the next index when new (*added says which).
  uint32_t Insert(const Key& key, bool* added) {
    if ((size_ + 1) * 2 > keys_.size()) Grow();
    const size_t mask = keys_.size() - 1;
    for (size_t slot = Hash()(key) & mask;; slot = (slot + 1) & mask) {
      if (values_[slot] == 0) {
        keys_[slot] = key;
        values_[slot] = static_cast<uint32_t>(++size_);
        *added = true;
        return values_[slot] - 1;
      }
      if (keys_[slot] == key) {
        *added = false;
        return values_[slot] - 1;
      }
    }
  }
  // The index of `key`, or -1 when absent.
  int64_t Find(const Key& key) const {
    if (keys_.empty()) return -1;
    const size_t mask = keys_.size() - 1;
    for (size_t slot = Hash()(key) & mask; values_[slot] != 0; slot = (slot + 1) & mask) {
      if (keys_[slot] == key) return static_cast<int64_t>(values_[slot]) - 1;
    }
    return -1;
  }
  size_t size() const { return size_; }
  void Clear() {
    std::fill(values_.begin(), values_.end(), 0);
    size_ = 0;
  }

 private:
  void Grow() {
    std::vector<Key> keys = std::move(keys_);
    std::vector<uint32_t> values = std::move(values_);
    keys_.assign(std::max<size_t>(64, keys.size() * 2), Key());
    values_.assign(keys_.size(), 0);
    const size_t mask = keys_.size() - 1;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (values[i] == 0) continue;
      size_t slot = Hash()(keys[i]) & mask;
      while (values_[slot] != 0) slot = (slot + 1) & mask;
      keys_[slot] = keys[i];
      values_[slot] = values[i];
    }
  }

  std::vector<Key> keys_;
  std::vector<uint32_t> values_;  // index + 1; 0 = empty slot
  size_t size_ = 0;
};

}  // namespace ddbg

// FlatHashMap: a map from 64-bit hashes to 32-bit values in one open-addressing array
// (linear probing, power-of-two capacity, load at most 1/2), for the hot lookups of template
// mining where std::unordered_map would chase one node per lookup. Keys are hashes, so the
// key 0 is remapped to 1 to mark empty slots. Internal to src/logs; not synchronised.
#pragma once

#include <cstdint>
#include <vector>

namespace ddbg::logs {

class FlatHashMap {
 public:
  // The value stored under `key`, or nullptr.
  const uint32_t* Find(uint64_t key) const {
    if (slots_.empty()) return nullptr;
    key = Fix(key);
    for (size_t i = key & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }

  // Inserts or overwrites.
  void Put(uint64_t key, uint32_t value) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    key = Fix(key);
    size_t i = key & mask_;
    while (slots_[i].key != 0 && slots_[i].key != key) i = (i + 1) & mask_;
    if (slots_[i].key == 0) ++size_;
    slots_[i] = {key, value};
  }

  size_t size() const { return size_; }
  void clear() {
    slots_.assign(slots_.size(), Slot{});
    size_ = 0;
  }

 private:
  struct Slot {
    uint64_t key = 0;
    uint32_t value = 0;
  };

  static uint64_t Fix(uint64_t key) { return key == 0 ? 1 : key; }

  void Grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.key != 0) Put(s.key, s.value);
    }
  }

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace ddbg::logs

// TraceTable: an open-addressing table of per-trace facts gathered in the report's single
// pass over the spans (span and error counts, the root's duration and status), so picking
// representative traces needs no second scan and no per-span heap object.
// Thread-safety: one writer.
#pragma once

#include <cstdint>
#include <vector>

#include "ddbg/model.h"

namespace ddbg::report {

struct TraceFacts {
  TraceId id;
  int64_t root_start_ns = 0;
  int64_t root_duration_ns = -1;  // -1: no root span seen
  uint32_t spans = 0;
  uint32_t error_spans = 0;
  bool root_error = false;
  bool in_scope = false;  // has a span of a service the report is scoped to
};

class TraceTable {
 public:
  TraceTable() { slots_.assign(1024, kEmpty); }

  // The index of the facts of `id`, added when new. Indices are stable; references are not.
  uint32_t IndexOf(TraceId id) {
    if ((facts_.size() + 1) * 2 > slots_.size()) Grow();
    const uint64_t h = Hash(id);
    const uint64_t tag = h & kTagMask;
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint64_t s = slots_[i];
      if (s == kEmpty) {
        auto index = static_cast<uint32_t>(facts_.size());
        slots_[i] = tag | index;
        facts_.push_back(TraceFacts{.id = id});
        return index;
      }
      if ((s & kTagMask) == tag && facts_[Index(s)].id == id) return Index(s);
    }
  }
  TraceFacts& operator[](uint32_t index) { return facts_[index]; }
  // The facts of a trace seen in the pass, or null.
  const TraceFacts* Find(TraceId id) const {
    const uint64_t h = Hash(id);
    const uint64_t tag = h & kTagMask;
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      uint64_t s = slots_[i];
      if (s == kEmpty) return nullptr;
      if ((s & kTagMask) == tag && facts_[Index(s)].id == id) return &facts_[Index(s)];
    }
  }
  const std::vector<TraceFacts>& facts() const { return facts_; }
  // Room for `n` traces without growing (a batch's digest knows its row count).
  void Reserve(size_t n) {
    size_t slots = slots_.size();
    while (slots < 2 * (n + 1)) slots *= 2;
    if (slots != slots_.size()) Rehash(slots);
    facts_.reserve(n);
  }

 private:
  // A slot holds the high half of the trace's hash (a tag: most probes that miss are told
  // apart without reading the facts, which lie elsewhere in memory) and the facts' index.
  static constexpr uint64_t kEmpty = ~0ull;
  static constexpr uint64_t kTagMask = 0xffffffff00000000ull;
  static uint32_t Index(uint64_t slot) { return static_cast<uint32_t>(slot); }
  static uint64_t Hash(TraceId id) {
    uint64_t h = id.lo * 0x9e3779b97f4a7c15ull ^ (id.hi + 0x632be59bd9b4e019ull);
    return h ^ (h >> 29);
  }
  void Grow() { Rehash(slots_.size() * 2); }
  void Rehash(size_t slots) {
    std::vector<uint64_t> next(slots, kEmpty);
    size_t mask = next.size() - 1;
    for (uint32_t s = 0; s < facts_.size(); ++s) {
      uint64_t h = Hash(facts_[s].id);
      size_t i = h & mask;
      while (next[i] != kEmpty) i = (i + 1) & mask;
      next[i] = (h & kTagMask) | s;
    }
    slots_.swap(next);
  }
  std::vector<uint64_t> slots_;
  std::vector<TraceFacts> facts_;
};

// A set of 64-bit hashes (open addressing, no heap object per element), to count distinct
// strings over millions of rows; 0 is stored as 1.
class HashSet64 {
 public:
  HashSet64() { slots_.assign(1024, 0); }
  // True when `h` was not in the set.
  bool Insert(uint64_t h) {
    if (h == 0) h = 1;
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = (h ^ (h >> 29)) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == h) return false;
      if (slots_[i] == 0) {
        slots_[i] = h;
        ++size_;
        return true;
      }
    }
  }
  size_t size() const { return size_; }

 private:
  void Grow() {
    std::vector<uint64_t> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, 0);
    size_ = 0;
    for (uint64_t h : old) {
      if (h != 0) Insert(h);
    }
  }
  std::vector<uint64_t> slots_;
  size_t size_ = 0;
};

}  // namespace ddbg::report

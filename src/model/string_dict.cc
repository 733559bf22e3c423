#include "ddbg/string_dict.h"

#include <xxhash.h>

#include <cstring>

namespace ddbg {
namespace {
constexpr size_t kChunkBytes = 1 << 16;
uint64_t HashOf(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }
}  // namespace

StringDict::StringDict() { Clear(); }
StringDict::~StringDict() = default;

StringDict::StringDict(const StringDict& other) : StringDict() { *this = other; }

StringDict::StringDict(StringDict&& other) noexcept { *this = std::move(other); }

StringDict& StringDict::operator=(StringDict&& other) noexcept {
  if (this == &other) return *this;
  strings_ = std::move(other.strings_);
  chunks_ = std::move(other.chunks_);
  chunk_used_ = other.chunk_used_;
  chunk_size_ = other.chunk_size_;
  bytes_ = other.bytes_;
  slots_ = std::move(other.slots_);
  hashes_ = std::move(other.hashes_);
  indexed_.store(other.indexed_.load());
  other.Clear();
  return *this;
}

StringDict& StringDict::operator=(const StringDict& other) {
  if (this == &other) return *this;
  Clear();
  strings_.reserve(other.strings_.size());
  for (size_t i = 1; i < other.strings_.size(); ++i) {
    // Ids are preserved exactly; duplicates cannot occur in `other`.
    AppendUnindexed(other.strings_[i]);
  }
  return *this;
}

void StringDict::Clear() {
  strings_.clear();
  chunks_.clear();
  chunk_used_ = 0;
  chunk_size_ = 0;
  bytes_ = 0;
  hashes_.clear();
  slots_.assign(64, 0);
  strings_.push_back(std::string_view());
  hashes_.push_back(HashOf(std::string_view()));
  size_t mask = slots_.size() - 1;
  slots_[hashes_[0] & mask] = 1;
  indexed_.store(1);
}

std::string_view StringDict::Store(std::string_view s) {
  if (s.empty()) return std::string_view();
  if (s.size() > kChunkBytes / 4) {
    // Large strings get a chunk of their own so small ones keep packing densely.
    auto big = std::make_unique<char[]>(s.size());
    std::memcpy(big.get(), s.data(), s.size());
    std::string_view v(big.get(), s.size());
    // Insert before the current chunk so the current one stays last.
    chunks_.insert(chunks_.empty() ? chunks_.end() : chunks_.end() - 1, std::move(big));
    return v;
  }
  if (chunks_.empty() || chunk_used_ + s.size() > chunk_size_) {
    chunks_.push_back(std::make_unique<char[]>(kChunkBytes));
    chunk_size_ = kChunkBytes;
    chunk_used_ = 0;
  }
  char* dst = chunks_.back().get() + chunk_used_;
  std::memcpy(dst, s.data(), s.size());
  chunk_used_ += s.size();
  return std::string_view(dst, s.size());
}

void StringDict::Grow() {
  std::vector<uint32_t> slots(slots_.size() * 2, 0);
  size_t mask = slots.size() - 1;
  for (uint32_t id = 0; id < hashes_.size(); ++id) {
    size_t pos = hashes_[id] & mask;
    while (slots[pos] != 0) pos = (pos + 1) & mask;
    slots[pos] = id + 1;
  }
  slots_.swap(slots);
}

StrId StringDict::AppendUnindexed(std::string_view s) {
  StrId id = static_cast<StrId>(strings_.size());
  strings_.push_back(Store(s));
  bytes_ += s.size();
  return id;
}

void StringDict::IndexRange(size_t end) const {
  size_t begin = indexed_.load(std::memory_order_relaxed);
  if (begin >= end) return;
  auto* self = const_cast<StringDict*>(this);
  size_t slots = self->slots_.size();
  while (end * 2 > slots) slots *= 2;
  hashes_.reserve(end);
  for (size_t id = begin; id < end; ++id) hashes_.push_back(HashOf(strings_[id]));
  if (slots != slots_.size()) {
    slots_.assign(slots, 0);
    begin = 0;  // rebuilt below from every hash
  }
  size_t mask = slots_.size() - 1;
  for (size_t id = begin; id < end; ++id) {
    size_t pos = hashes_[id] & mask;
    while (slots_[pos] != 0) pos = (pos + 1) & mask;
    slots_[pos] = static_cast<uint32_t>(id + 1);
  }
  indexed_.store(end, std::memory_order_release);
}

void StringDict::IndexAll() const {
  if (indexed_.load(std::memory_order_acquire) == strings_.size()) return;
  std::lock_guard<std::mutex> lock(index_mu_);
  IndexRange(strings_.size());
}

int64_t StringDict::Find(std::string_view s) const {
  IndexAll();
  uint64_t h = HashOf(s);
  size_t mask = slots_.size() - 1;
  for (size_t pos = h & mask;; pos = (pos + 1) & mask) {
    uint32_t slot = slots_[pos];
    if (slot == 0) return -1;
    uint32_t id = slot - 1;
    if (hashes_[id] == h && strings_[id] == s) return id;
  }
}

StrId StringDict::Intern(std::string_view s) {
  IndexAll();
  uint64_t h = HashOf(s);
  size_t mask = slots_.size() - 1;
  size_t pos = h & mask;
  for (;; pos = (pos + 1) & mask) {
    uint32_t slot = slots_[pos];
    if (slot == 0) break;
    uint32_t id = slot - 1;
    if (hashes_[id] == h && strings_[id] == s) return id;
  }
  StrId id = static_cast<StrId>(strings_.size());
  strings_.push_back(Store(s));
  hashes_.push_back(h);
  bytes_ += s.size();
  slots_[pos] = id + 1;
  indexed_.store(strings_.size(), std::memory_order_release);
  if (strings_.size() * 2 > slots_.size()) Grow();
  return id;
}

}  // namespace ddbg

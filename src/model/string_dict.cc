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

StringDict& StringDict::operator=(const StringDict& other) {
  if (this == &other) return *this;
  Clear();
  strings_.reserve(other.strings_.size());
  for (size_t i = 1; i < other.strings_.size(); ++i) {
    // Ids must be preserved exactly, duplicates cannot occur in `other`.
    Intern(other.strings_[i]);
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
  for (uint32_t id = 0; id < strings_.size(); ++id) {
    size_t pos = hashes_[id] & mask;
    while (slots[pos] != 0) pos = (pos + 1) & mask;
    slots[pos] = id + 1;
  }
  slots_.swap(slots);
}

int64_t StringDict::Find(std::string_view s) const {
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
  if (strings_.size() * 2 > slots_.size()) Grow();
  return id;
}

}  // namespace ddbg

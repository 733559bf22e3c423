#include "store/embedded/query_cache.h"

namespace ddbg::store {

std::shared_ptr<const void> QueryCache::FindAny(const Key& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.lru);
  return it->second.value;
}

void QueryCache::Put(uint64_t seq, Kind kind, uint32_t columns, std::shared_ptr<const void> value,
                     size_t bytes) {
  if (bytes > budget_) return;
  Key key{seq, kind, columns};
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.count(key) != 0) return;
  lru_.push_front(key);
  entries_[key] = Entry{std::move(value), bytes, lru_.begin()};
  bytes_ += bytes;
  while (bytes_ > budget_ && !lru_.empty()) {
    auto victim = entries_.find(lru_.back());
    bytes_ -= victim->second.bytes;
    entries_.erase(victim);
    lru_.pop_back();
  }
}

}  // namespace ddbg::store

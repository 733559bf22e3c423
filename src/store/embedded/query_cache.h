// Decoded posting tables and column projections of segments kept in memory for repeated
// queries (EmbeddedStoreOptions::query_cache_bytes), least recently used evicted beyond a
// byte budget. Entries are keyed by segment number, kind and column set; segments are
// immutable, so an entry never goes stale. Thread-safety: all methods may be called from any
// thread; entries are immutable and shared, so an evicted entry stays valid for its holders.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

namespace ddbg::store {

class QueryCache {
 public:
  enum Kind : uint32_t { kTermTable = 1, kTokenTable = 2, kSpanColumns = 3, kLogColumns = 4 };
  explicit QueryCache(size_t budget_bytes) : budget_(budget_bytes) {}

  template <typename T>
  std::shared_ptr<const T> Find(uint64_t seq, Kind kind, uint32_t columns) {
    return std::static_pointer_cast<const T>(FindAny({seq, kind, columns}));
  }
  void Put(uint64_t seq, Kind kind, uint32_t columns, std::shared_ptr<const void> value, size_t bytes);

 private:
  using Key = std::tuple<uint64_t, uint32_t, uint32_t>;
  struct Entry {
    std::shared_ptr<const void> value;
    size_t bytes = 0;
    std::list<Key>::iterator lru;
  };
  std::shared_ptr<const void> FindAny(const Key& key);

  const size_t budget_;
  std::mutex mu_;
  std::map<Key, Entry> entries_;
  std::list<Key> lru_;  // most recent first
  size_t bytes_ = 0;
};

}  // namespace ddbg::store

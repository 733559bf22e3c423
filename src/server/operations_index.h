// The services and operations the Jaeger API lists (/api/services, /api/operations,
// /api/services/{s}/operations), kept incrementally instead of scanning every span per
// request: each sealed segment is read once (only the segments committed since the last
// request, through ScanFilter::after_segment), each head chunk once while it is in the
// head (cached by its LSN, dropped when sealed). Thread-safety: all methods may be called
// from any thread (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "server/jaeger_query.h"
#include "server/live_store.h"

namespace ddbg::server {

class OperationsIndex {
 public:
  explicit OperationsIndex(LiveStore& store) : store_(store) {}

  // Sorted, distinct service names of every span.
  Result<std::vector<std::string>> Services();
  // Distinct operations of `service` (any service when empty), sorted.
  Result<std::vector<Operation>> Operations(const std::string& service);

 private:
  using Key = std::tuple<std::string, std::string, SpanKind>;  // service, name, kind
  using KeySet = std::set<Key>;
  static void AddBatch(const SpanBatch& b, KeySet* out);
  // Folds in the segments sealed since the last call and the head as it is now.
  Status Update();
  template <typename Fn>
  void ForEachKey(Fn fn) const;

  LiveStore& store_;
  std::mutex mu_;
  uint64_t last_segment_ = 0;       // segments up to this number are in sealed_
  KeySet sealed_;                   // guarded by mu_
  std::map<uint64_t, KeySet> head_;  // by head chunk LSN; guarded by mu_
};

}  // namespace ddbg::server

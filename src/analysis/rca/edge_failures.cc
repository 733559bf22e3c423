#include "analysis/rca/edge_failures.h"

#include <algorithm>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ddbg::rca {
namespace {

// (side, service) keys: side 1 is the window.
uint64_t SideKey(bool in_window, StrId service) {
  return (static_cast<uint64_t>(in_window) << 32) | service;
}

// Writers (per side) failing to reach two or more services no other writer on that side
// fails to reach.
std::unordered_map<uint64_t, bool> BrokenWriters(const TraceSet& set) {
  std::unordered_map<uint64_t, std::vector<StrId>> named;  // (side, writer) -> peers
  for (const RcaLog& log : set.logs) {
    if (log.peer == kEmptyStr) continue;
    std::vector<StrId>& peers = named[SideKey(log.in_window, log.service)];
    if (std::find(peers.begin(), peers.end(), log.peer) == peers.end()) peers.push_back(log.peer);
  }
  std::unordered_map<uint64_t, int> writers_of;  // (side, peer) -> writers naming it
  for (const auto& [writer, peers] : named) {
    for (StrId p : peers) ++writers_of[(writer & ~0xffffffffULL) | p];
  }
  std::unordered_map<uint64_t, bool> broken;
  for (const auto& [writer, peers] : named) {
    int own = 0;
    for (StrId p : peers) own += writers_of[(writer & ~0xffffffffULL) | p] == 1;
    broken[writer] = own >= 2;
  }
  return broken;
}

}  // namespace

void JudgePeers(TraceSet* set) {
  std::unordered_map<StrId, std::pair<double, double>> spans;  // service -> (window, baseline)
  double total[2] = {0, 0};
  for (const RcaTrace& tr : set->traces) {
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      auto& c = spans[set->spans[s].service];
      (tr.in_window ? c.first : c.second) += 1;
    }
    total[tr.in_window] += tr.span_count();
  }
  std::unordered_map<uint64_t, bool> broken = BrokenWriters(*set);
  for (RcaLog& log : set->logs) {
    if (log.peer == kEmptyStr) continue;
    if (broken[SideKey(log.in_window, log.service)]) {
      log.peer = kEmptyStr;
      continue;
    }
    auto it = spans.find(log.peer);
    double expected = it == spans.end() || total[0] == 0 ? 0 : it->second.second / total[0] * total[1];
    log.peer_blamed = expected >= kMinExpectedSpans && it->second.first == 0;
  }
}

}  // namespace ddbg::rca

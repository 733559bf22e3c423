// Topology: one pass over the span table collects cross-service edges (child latency per
// edge kept as a sample vector for percentiles) and entry spans per service; Tarjan's
// algorithm finds the strongly connected components, and a breadth-first search gives one
// readable loop through each.
#include "ddbg/topology.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "analysis/stats.h"
#include "analysis/topology_internal.h"

namespace ddbg {
namespace topology_internal {
namespace {

class CycleFinder {
 public:
  explicit CycleFinder(const std::vector<std::vector<uint32_t>>& adj) : adj_(adj) {
    size_t n = adj.size();
    index_.assign(n, -1);
    low_.assign(n, 0);
    on_stack_.assign(n, false);
  }

  std::vector<std::vector<uint32_t>> Components() {
    for (uint32_t v = 0; v < adj_.size(); ++v) {
      if (index_[v] < 0) Visit(v);
    }
    return components_;
  }

 private:
  // Iterative Tarjan (service graphs may be deep enough to matter).
  void Visit(uint32_t root) {
    std::vector<std::pair<uint32_t, size_t>> work{{root, 0}};
    while (!work.empty()) {
      auto& [v, next] = work.back();
      if (next == 0) {
        index_[v] = low_[v] = counter_++;
        stack_.push_back(v);
        on_stack_[v] = true;
      }
      if (next < adj_[v].size()) {
        uint32_t w = adj_[v][next++];
        if (index_[w] < 0) {
          work.push_back({w, 0});
        } else if (on_stack_[w]) {
          low_[v] = std::min(low_[v], index_[w]);
        }
        continue;
      }
      if (low_[v] == index_[v]) {
        std::vector<uint32_t> comp;
        uint32_t w;
        do {
          w = stack_.back();
          stack_.pop_back();
          on_stack_[w] = false;
          comp.push_back(w);
        } while (w != v);
        if (comp.size() > 1) components_.push_back(std::move(comp));
      }
      uint32_t done = v;
      work.pop_back();
      if (!work.empty()) low_[work.back().first] = std::min(low_[work.back().first], low_[done]);
    }
  }

  const std::vector<std::vector<uint32_t>>& adj_;
  std::vector<int64_t> index_, low_;
  std::vector<bool> on_stack_;
  std::vector<uint32_t> stack_;
  int64_t counter_ = 0;
  std::vector<std::vector<uint32_t>> components_;
};

// Shortest loop from `start` back to itself inside the component.
std::vector<uint32_t> ShortestLoop(const std::vector<std::vector<uint32_t>>& adj,
                                   const std::vector<uint8_t>& in_comp, uint32_t start) {
  std::unordered_map<uint32_t, uint32_t> prev;
  std::vector<uint32_t> queue{start};
  for (size_t q = 0; q < queue.size(); ++q) {
    uint32_t v = queue[q];
    for (uint32_t w : adj[v]) {
      if (!in_comp[w]) continue;
      if (w == start) {
        std::vector<uint32_t> loop{start};
        for (uint32_t x = v; x != start; x = prev[x]) loop.push_back(x);
        loop.push_back(start);
        std::reverse(loop.begin() + 1, loop.end() - 1);
        return loop;
      }
      if (prev.count(w)) continue;
      prev[w] = v;
      queue.push_back(w);
    }
  }
  return {start};
}

}  // namespace

TopologyEdge MakeEdge(std::string parent, std::string child, uint64_t key, EdgeAcc* acc) {
  TopologyEdge e;
  e.parent = std::move(parent);
  e.child = std::move(child);
  e.messaging = key & 1;
  e.calls = acc->calls;
  e.errors = acc->errors;
  // One pass of selections, each above the previous one (the same order statistics as
  // three separate quantiles, for about half the work on millions of calls).
  stats::LatencySummary latency = stats::Summarize(&acc->latency);
  e.p99_ns = latency.p99_ns;
  e.p95_ns = latency.p95_ns;
  e.p50_ns = latency.p50_ns;
  return e;
}

TopologyService MakeService(std::string name, uint64_t requests, uint64_t errors, double seconds) {
  TopologyService svc;
  svc.name = std::move(name);
  svc.requests = requests;
  svc.errors = errors;
  svc.request_rate_per_s = seconds > 0 ? requests / seconds : 0;
  return svc;
}

void KeepScopeEdges(const AnalysisScope& scope, Topology* topo) {
  if (scope.services.empty()) return;
  std::erase_if(topo->edges, [&](const TopologyEdge& e) {
    return !scope.IncludesService(e.parent) && !scope.IncludesService(e.child);
  });
}

void FinishGraph(Topology* topo) {
  std::sort(topo->services.begin(), topo->services.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::map<std::string, uint32_t> index;
  for (uint32_t i = 0; i < topo->services.size(); ++i) index[topo->services[i].name] = i;
  std::vector<std::vector<uint32_t>> adj(topo->services.size());
  for (const TopologyEdge& e : topo->edges) {
    uint32_t p = index[e.parent], c = index[e.child];
    if (std::find(adj[p].begin(), adj[p].end(), c) == adj[p].end()) {
      adj[p].push_back(c);
      ++topo->services[p].out_degree;
      ++topo->services[c].in_degree;
    }
  }
  for (auto& a : adj) std::sort(a.begin(), a.end());
  for (std::vector<uint32_t>& comp : CycleFinder(adj).Components()) {
    std::sort(comp.begin(), comp.end());
    std::vector<uint8_t> in_comp(adj.size(), 0);
    for (uint32_t v : comp) in_comp[v] = 1;
    Topology::Cycle cycle;
    for (uint32_t v : comp) cycle.services.push_back(topo->services[v].name);
    for (uint32_t v : ShortestLoop(adj, in_comp, comp[0])) {
      cycle.loop.push_back(topo->services[v].name);
    }
    topo->cycles.push_back(std::move(cycle));
  }
  std::sort(topo->cycles.begin(), topo->cycles.end(), [](const auto& a, const auto& b) {
    return a.services.size() != b.services.size() ? a.services.size() > b.services.size()
                                                  : a.services < b.services;
  });
  std::sort(topo->edges.begin(), topo->edges.end(), [](const auto& a, const auto& b) {
    if (a.calls != b.calls) return a.calls > b.calls;
    return std::tie(a.parent, a.child) < std::tie(b.parent, b.child);
  });
}

}  // namespace topology_internal

namespace {
using namespace topology_internal;

struct LinkTarget {
  size_t operator()(const std::pair<TraceId, SpanId>& k) const {
    return std::hash<uint64_t>()(k.first.lo ^ (k.first.hi * 31) ^ (k.second * 0x9E3779B97F4A7C15ull));
  }
};

}  // namespace

Topology ComputeTopology(const SpanTable& t) {
  Topology topo;
  topo.traces = t.traces();
  std::unordered_map<uint64_t, EdgeAcc> edges;
  std::vector<uint64_t> requests(t.dict.size(), 0), errors(t.dict.size(), 0);
  std::vector<uint8_t> seen(t.dict.size(), 0);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  auto add_edge = [&](StrId from, StrId to, bool messaging, size_t row) {
    EdgeAcc& e = edges[EdgeKey(from, to, messaging)];
    ++e.calls;
    e.errors += t.is_error(row);
    e.latency.push_back(t.duration_ns(row));
  };
  for (size_t r = 0; r < t.spans(); ++r) {
    StrId svc = t.service[r];
    seen[svc] = 1;
    lo = std::min(lo, t.start_ns[r]);
    hi = std::max(hi, t.end_ns[r]);
    int32_t p = t.parent[r];
    if (p >= 0 && t.service[p] == svc) continue;
    ++requests[svc];
    errors[svc] += t.is_error(r);
    if (p >= 0) add_edge(t.service[p], svc, t.async[r] != 0, r);
  }
  if (!t.links.empty()) {
    // Links to other traces: find the linked spans' services (only those wanted).
    std::unordered_map<std::pair<TraceId, SpanId>, uint32_t, LinkTarget> wanted;
    for (const SpanTableLink& l : t.links) wanted.emplace(std::make_pair(l.trace_id, l.span_id), UINT32_MAX);
    for (size_t tr = 0; tr < t.traces(); ++tr) {
      for (uint32_t r = t.begin(tr); r < t.end(tr); ++r) {
        auto it = wanted.find({t.trace_id[tr], t.span_id[r]});
        if (it != wanted.end()) it->second = r;
      }
    }
    for (const SpanTableLink& l : t.links) {
      uint32_t target = wanted[{l.trace_id, l.span_id}];
      if (target == UINT32_MAX || t.service[target] == t.service[l.row]) continue;
      add_edge(t.service[target], t.service[l.row], true, l.row);
    }
  }
  topo.window_ns = hi > lo ? hi - lo : 0;
  double seconds = topo.window_ns > 0 ? topo.window_ns / 1e9 : 0;
  for (StrId s = 0; s < seen.size(); ++s) {
    if (seen[s]) topo.services.push_back(MakeService(std::string(t.str(s)), requests[s], errors[s], seconds));
  }
  for (auto& [key, acc] : edges) {
    topo.edges.push_back(MakeEdge(std::string(t.str(EdgeParent(key))),
                                  std::string(t.str(EdgeChild(key))), key, &acc));
  }
  FinishGraph(&topo);
  return topo;
}

Result<Topology> ComputeTopologyFromTable(Store& store, const AnalysisScope& scope) {
  SpanTableOptions options;
  options.error_details = false;
  Result<SpanTable> table = LoadSpanTable(store, scope, options);
  if (!table.ok()) return table.status();
  Topology topo = ComputeTopology(*table);
  KeepScopeEdges(scope, &topo);
  return topo;
}

Topology TopologyFromDependencies(const std::vector<DependencyLink>& links) {
  Topology topo;
  std::map<std::string, uint32_t> names;
  for (const DependencyLink& l : links) {
    names.emplace(l.parent, 0);
    names.emplace(l.child, 0);
  }
  for (const auto& [name, unused] : names) {
    TopologyService s;
    s.name = name;
    topo.services.push_back(std::move(s));
  }
  for (const DependencyLink& l : links) {
    TopologyEdge e;
    e.parent = l.parent;
    e.child = l.child;
    e.calls = l.calls;
    topo.edges.push_back(std::move(e));
  }
  FinishGraph(&topo);
  return topo;
}

Result<std::vector<DependencyLink>> ParseJaegerDependencies(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc)) {
    return Status::InvalidArgument("dependencies: not valid JSON");
  }
  simdjson::dom::array arr;
  if (doc.get_array().get(arr)) {
    if (doc["data"].get_array().get(arr)) {
      return Status::InvalidArgument("dependencies: expected a JSON array of {parent, child, callCount}");
    }
  }
  std::vector<DependencyLink> out;
  size_t i = 0;
  for (simdjson::dom::element e : arr) {
    DependencyLink l;
    std::string_view parent, child;
    uint64_t calls = 0;
    if (e["parent"].get_string().get(parent) || e["child"].get_string().get(child)) {
      return Status::InvalidArgument(
          "dependencies[" + std::to_string(i) + "]: parent and child must be strings");
    }
    if (e["callCount"].get_uint64().get(calls)) calls = 0;
    l.parent = std::string(parent);
    l.child = std::string(child);
    l.calls = calls;
    out.push_back(std::move(l));
    ++i;
  }
  return out;
}

}  // namespace ddbg

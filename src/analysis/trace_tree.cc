// Builds the span tree of one trace. Steps: pick the trace's rows, index span ids (duplicates
// and Zipkin shared CLIENT/SERVER pairs), link parents, break parent cycles, group orphans
// under placeholders, lay out children, adjust clock skew the way Jaeger's adjuster does,
// sort children by start, and compute self time.
#include "ddbg/trace_tree.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <unordered_map>

namespace ddbg {

const char* TraceIssueKindName(TraceIssueKind kind) {
  switch (kind) {
    case TraceIssueKind::kOrphan:
      return "orphan";
    case TraceIssueKind::kCycle:
      return "cycle";
    case TraceIssueKind::kDuplicateId:
      return "duplicate-id";
  }
  return "unknown";
}

std::string FormatDurationNs(int64_t ns, bool ascii) {
  const char* sign = ns < 0 ? "-" : "";
  uint64_t v = ns < 0 ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  if (v < 1000) return fmt::format("{}{}ns", sign, v);
  const char* us = ascii ? "us" : "\xc2\xb5s";
  if (v < 1000000) {
    double x = v / 1e3;
    if (x < 100) return fmt::format("{}{:.2f}{}", sign, x, us);
    return fmt::format("{}{:.0f}{}", sign, x, us);
  }
  if (v < 1000000000) {
    double x = v / 1e6;
    return x < 100 ? fmt::format("{}{:.2f}ms", sign, x) : fmt::format("{}{:.1f}ms", sign, x);
  }
  if (v < 60000000000ull) return fmt::format("{}{:.3f}s", sign, v / 1e9);
  uint64_t s = v / 1000000000ull;
  if (s < 3600) return fmt::format("{}{}m{:02}s", sign, s / 60, s % 60);
  return fmt::format("{}{}h{:02}m", sign, s / 3600, (s / 60) % 60);
}

uint32_t TraceTree::NodeOfRow(uint32_t row) const {
  return row < row_to_node_.size() ? row_to_node_[row] : kNone;
}

std::vector<std::string_view> TraceTree::Services() const {
  std::vector<StrId> ids;
  for (const Node& n : nodes_) {
    if (!n.is_placeholder()) ids.push_back(batch_->service[n.row]);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<std::string_view> out;
  out.reserve(ids.size());
  for (StrId id : ids) out.push_back(batch_->dict.Get(id));
  std::sort(out.begin(), out.end());
  return out;
}

std::string_view TraceTree::HostKey(uint32_t row) const {
  uint32_t res = batch_->resource[row];
  StrId key = res < host_key_.size() ? host_key_[res] : batch_->service[row];
  return batch_->dict.Get(key);
}

class TraceTreeBuilder {
 public:
  TraceTreeBuilder(const SpanBatch& batch, const TraceTreeOptions& options, TraceTree* tree)
      : b_(batch), opt_(options), t_(*tree) {}

  void Build() {
    t_.batch_ = &b_;
    if (b_.empty()) return;
    t_.trace_id_ = opt_.trace_id.empty() ? b_.trace_id[0] : opt_.trace_id;
    ComputeHostKeys();
    IndexSpans();
    LinkParents();
    BreakCycles();
    AddPlaceholders();
    LayOutChildren();
    if (opt_.adjust_clock_skew) AdjustClockSkew();
    SortAndOrder();
    ComputeSelfTime();
  }

 private:
  using Node = TraceTree::Node;
  static constexpr uint32_t kNone = TraceTree::kNone;

  void ComputeHostKeys() {
    static constexpr std::string_view kKeys[] = {"host.id", "host.ip",  "host.name",
                                                 "ip",      "hostname", "net.host.ip"};
    int64_t key_ids[std::size(kKeys)];
    for (size_t k = 0; k < std::size(kKeys); ++k) key_ids[k] = b_.dict.Find(kKeys[k]);
    const ResourceTable& rt = b_.resources;
    t_.host_key_.assign(rt.size(), kEmptyStr);
    for (size_t r = 0; r < rt.size(); ++r) {
      StrId best = rt.service[r];
      size_t best_rank = std::size(kKeys);
      for (uint32_t a = rt.attr_off.begin(r); a < rt.attr_off.end(r); ++a) {
        for (size_t k = 0; k < best_rank; ++k) {
          if (key_ids[k] != rt.attrs.key[a]) continue;
          AttrType type = rt.attrs.type[a];
          if (type == AttrType::kString || type == AttrType::kArray) {
            best = static_cast<StrId>(rt.attrs.value[a]);
            best_rank = k;
          }
          break;
        }
      }
      t_.host_key_[r] = best;
    }
  }

  StrId HostKeyId(uint32_t row) const {
    uint32_t res = b_.resource[row];
    return res < t_.host_key_.size() ? t_.host_key_[res] : b_.service[row];
  }

  uint32_t AddNode(uint32_t row) {
    Node n;
    n.row = row;
    n.span_id = b_.span_id[row];
    n.start_ns = b_.start_ns[row];
    n.end_ns = std::max(b_.end_ns[row], n.start_ns);
    t_.nodes_.push_back(n);
    uint32_t idx = static_cast<uint32_t>(t_.nodes_.size() - 1);
    t_.row_to_node_[row] = idx;
    ++t_.span_count_;
    return idx;
  }

  // Span ids: the first span with an id owns it. A second span with the same id is a
  // duplicate, except the SERVER half of a Zipkin shared CLIENT/SERVER pair, which becomes
  // the child of the CLIENT half and the parent of the id's children (Jaeger's deduper).
  void IndexSpans() {
    t_.row_to_node_.assign(b_.size(), kNone);
    owner_.reserve(b_.size());
    for (uint32_t r = 0; r < b_.size(); ++r) {
      if (b_.trace_id[r] != t_.trace_id_) {
        ++t_.other_trace_rows_;
        continue;
      }
      auto [it, inserted] = owner_.try_emplace(b_.span_id[r], kNone);
      if (inserted) {
        it->second = AddNode(r);
        continue;
      }
      uint32_t first = it->second;
      SpanKind first_kind = b_.kind[t_.nodes_[first].row];
      SpanKind kind = b_.kind[r];
      bool pair = (first_kind == SpanKind::kClient && kind == SpanKind::kServer) ||
                  (first_kind == SpanKind::kServer && kind == SpanKind::kClient);
      if (pair && !shared_.count(b_.span_id[r])) {
        uint32_t second = AddNode(r);
        uint32_t client = kind == SpanKind::kClient ? second : first;
        uint32_t server = kind == SpanKind::kClient ? first : second;
        it->second = client;
        shared_[b_.span_id[r]] = server;
        t_.nodes_[server].shared_server = true;
        continue;
      }
      TraceIssue issue;
      issue.kind = TraceIssueKind::kDuplicateId;
      issue.row = r;
      issue.span_id = b_.span_id[r];
      issue.parent_span_id = b_.parent_span_id[r];
      t_.issues_.push_back(std::move(issue));
    }
  }

  void LinkParents() {
    missing_.assign(t_.nodes_.size(), false);
    for (uint32_t i = 0; i < t_.nodes_.size(); ++i) {
      Node& n = t_.nodes_[i];
      if (n.shared_server) {
        n.parent = owner_[n.span_id];
        continue;
      }
      SpanId pid = b_.parent_span_id[n.row];
      if (pid == 0) continue;
      auto sh = shared_.find(pid);
      if (sh != shared_.end() && sh->second != i) {
        n.parent = sh->second;
        continue;
      }
      auto it = owner_.find(pid);
      if (it != owner_.end()) {
        n.parent = it->second;
      } else {
        missing_[i] = true;
      }
    }
  }

  // Follows parent links from every node; a walk that meets its own path found a cycle.
  // The cycle member that starts first (then lowest row) is detached.
  void BreakCycles() {
    const size_t n = t_.nodes_.size();
    std::vector<uint32_t> walk(n, kNone);  // id of the walk that visited; kNone: not yet
    std::vector<bool> done(n, false);
    detached_.assign(n, false);
    for (uint32_t s = 0; s < n; ++s) {
      if (done[s]) continue;
      uint32_t cur = s;
      while (cur != kNone && !done[cur] && walk[cur] != s) {
        walk[cur] = s;
        cur = t_.nodes_[cur].parent;
      }
      if (cur != kNone && !done[cur] && walk[cur] == s) DetachCycle(cur);
      for (uint32_t c = s; c != kNone && !done[c]; c = t_.nodes_[c].parent) done[c] = true;
    }
  }

  void DetachCycle(uint32_t member) {
    std::vector<uint32_t> cycle;
    uint32_t c = member;
    do {
      cycle.push_back(c);
      c = t_.nodes_[c].parent;
    } while (c != member);
    uint32_t pick = 0;
    for (uint32_t k = 1; k < cycle.size(); ++k) {
      const Node& a = t_.nodes_[cycle[k]];
      const Node& p = t_.nodes_[cycle[pick]];
      if (a.start_ns < p.start_ns || (a.start_ns == p.start_ns && a.row < p.row)) pick = k;
    }
    std::rotate(cycle.begin(), cycle.begin() + pick, cycle.end());
    Node& d = t_.nodes_[cycle[0]];
    TraceIssue issue;
    issue.kind = TraceIssueKind::kCycle;
    issue.row = d.row;
    issue.span_id = d.span_id;
    issue.parent_span_id = b_.parent_span_id[d.row];
    for (uint32_t m : cycle) issue.cycle.push_back(t_.nodes_[m].span_id);
    t_.issues_.push_back(std::move(issue));
    d.parent = kNone;
    detached_[cycle[0]] = true;
  }

  // One placeholder per missing parent id, one per broken cycle.
  void AddPlaceholders() {
    std::unordered_map<SpanId, uint32_t> by_missing;
    const uint32_t real = static_cast<uint32_t>(t_.nodes_.size());
    for (uint32_t i = 0; i < real; ++i) {
      if (!missing_[i] && !detached_[i]) continue;
      SpanId pid = b_.parent_span_id[t_.nodes_[i].row];
      uint32_t ph = kNone;
      if (missing_[i]) {
        auto it = by_missing.find(pid);
        if (it != by_missing.end()) ph = it->second;
        TraceIssue issue;
        issue.kind = TraceIssueKind::kOrphan;
        issue.row = t_.nodes_[i].row;
        issue.span_id = t_.nodes_[i].span_id;
        issue.parent_span_id = pid;
        t_.issues_.push_back(std::move(issue));
      }
      if (ph == kNone) {
        Node p;
        p.placeholder = missing_[i] ? TraceTree::Placeholder::kMissingParent
                                    : TraceTree::Placeholder::kBrokenCycle;
        p.span_id = pid;
        t_.nodes_.push_back(p);
        ph = static_cast<uint32_t>(t_.nodes_.size() - 1);
        if (missing_[i]) by_missing[pid] = ph;
      }
      t_.nodes_[i].parent = ph;
    }
  }

  void LayOutChildren() {
    const size_t n = t_.nodes_.size();
    for (Node& node : t_.nodes_) node.child_count = 0;
    for (const Node& node : t_.nodes_) {
      if (node.parent != kNone) ++t_.nodes_[node.parent].child_count;
    }
    uint32_t at = 0;
    for (Node& node : t_.nodes_) {
      node.first_child = at;
      at += node.child_count;
    }
    t_.child_index_.assign(at, kNone);
    std::vector<uint32_t> fill(n, 0);
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t p = t_.nodes_[i].parent;
      if (p == kNone) {
        t_.roots_.push_back(i);
      } else {
        t_.child_index_[t_.nodes_[p].first_child + fill[p]++] = i;
      }
    }
  }

  // Jaeger's clock-skew adjuster: walking down from each root, a span on another host than
  // the current skew context gets a new delta computed against its (already adjusted)
  // parent; a span on the same host inherits the context's delta.
  void AdjustClockSkew() {
    struct Item {
      uint32_t node;
      StrId host;
      int64_t delta;
    };
    std::vector<Item> stack;
    for (uint32_t root : t_.roots_) {
      const Node& r = t_.nodes_[root];
      if (r.is_placeholder()) {
        for (const uint32_t* c = t_.children_begin(root); c != t_.children_end(root); ++c) {
          stack.push_back({*c, HostKeyId(t_.nodes_[*c].row), 0});
        }
      } else {
        stack.push_back({root, HostKeyId(r.row), 0});
      }
      while (!stack.empty()) {
        Item item = stack.back();
        stack.pop_back();
        Node& n = t_.nodes_[item.node];
        StrId host = HostKeyId(n.row);
        int64_t delta = item.delta;
        const Node* parent = n.parent == kNone ? nullptr : &t_.nodes_[n.parent];
        if (parent && !parent->is_placeholder() && (host != item.host || host == kEmptyStr)) {
          std::string reason;
          delta = ComputeSkew(n, *parent, &reason);
          if (delta != 0) {
            bool applied =
                opt_.max_skew_adjust_ns == 0 || std::llabs(delta) <= opt_.max_skew_adjust_ns;
            t_.skew_.push_back({item.node, delta, applied, std::move(reason)});
            if (!applied) delta = 0;
          }
        }
        n.start_ns += delta;
        n.end_ns += delta;
        n.skew_ns = delta;
        for (const uint32_t* c = t_.children_begin(item.node); c != t_.children_end(item.node);
             ++c) {
          stack.push_back({*c, host, delta});
        }
      }
    }
  }

  // Jaeger's rule, plus one departure: a CONSUMER child or a PRODUCER parent is asynchronous,
  // so finishing after the parent is normal; like a child longer than its parent, it is only
  // kept from starting before the parent.
  int64_t ComputeSkew(const Node& child, const Node& parent, std::string* reason) const {
    int64_t pd = parent.duration_ns();
    int64_t cd = child.duration_ns();
    bool async =
        b_.kind[child.row] == SpanKind::kConsumer || b_.kind[parent.row] == SpanKind::kProducer;
    if (cd > pd || async) {
      // Async work or a parent that timed out: only make sure the child starts in time.
      if (child.start_ns < parent.start_ns) {
        *reason = fmt::format("starts {} before its parent",
                              FormatDurationNs(parent.start_ns - child.start_ns));
        return parent.start_ns - child.start_ns;
      }
      return 0;
    }
    if (child.start_ns >= parent.start_ns && child.end_ns <= parent.end_ns) return 0;
    if (child.start_ns < parent.start_ns) {
      *reason = fmt::format("starts {} before its parent",
                            FormatDurationNs(parent.start_ns - child.start_ns));
    } else if (child.start_ns >= parent.end_ns) {
      *reason = fmt::format("starts {} after its parent ends",
                            FormatDurationNs(child.start_ns - parent.end_ns));
    } else {
      *reason =
          fmt::format("ends {} after its parent", FormatDurationNs(child.end_ns - parent.end_ns));
    }
    // Network latency split equally between request and response: centre the child.
    int64_t latency = (pd - cd) / 2;
    return parent.start_ns + latency - child.start_ns;
  }

  bool Earlier(uint32_t a, uint32_t b) const {
    const Node& x = t_.nodes_[a];
    const Node& y = t_.nodes_[b];
    if (x.start_ns != y.start_ns) return x.start_ns < y.start_ns;
    if (x.is_placeholder() != y.is_placeholder()) return !x.is_placeholder();
    if (x.row != y.row) return x.row < y.row;
    return a < b;
  }

  void SortAndOrder() {
    auto earlier = [this](uint32_t a, uint32_t b) { return Earlier(a, b); };
    for (uint32_t i = 0; i < t_.nodes_.size(); ++i) {
      Node& n = t_.nodes_[i];
      uint32_t* begin = t_.child_index_.data() + n.first_child;
      std::sort(begin, begin + n.child_count, earlier);
      if (n.is_placeholder() && n.child_count > 0) {
        n.start_ns = INT64_MAX;
        n.end_ns = INT64_MIN;
        for (uint32_t k = 0; k < n.child_count; ++k) {
          n.start_ns = std::min(n.start_ns, t_.nodes_[begin[k]].start_ns);
          n.end_ns = std::max(n.end_ns, t_.nodes_[begin[k]].end_ns);
        }
      }
    }
    std::sort(t_.roots_.begin(), t_.roots_.end(), earlier);
    t_.preorder_.reserve(t_.nodes_.size());
    std::vector<uint32_t> stack(t_.roots_.rbegin(), t_.roots_.rend());
    for (uint32_t r : t_.roots_) t_.nodes_[r].depth = 0;
    while (!stack.empty()) {
      uint32_t i = stack.back();
      stack.pop_back();
      t_.preorder_.push_back(i);
      const Node& n = t_.nodes_[i];
      for (uint32_t k = n.child_count; k-- > 0;) {
        uint32_t c = t_.child_index_[n.first_child + k];
        t_.nodes_[c].depth = n.depth + 1;
        stack.push_back(c);
      }
    }
    bool any = false;
    for (const Node& n : t_.nodes_) {
      if (n.is_placeholder()) continue;
      t_.start_ns_ = any ? std::min(t_.start_ns_, n.start_ns) : n.start_ns;
      t_.end_ns_ = any ? std::max(t_.end_ns_, n.end_ns) : n.end_ns;
      any = true;
    }
  }

  // Children are sorted by start, so their union is one merge pass.
  void ComputeSelfTime() {
    for (Node& n : t_.nodes_) {
      if (n.is_placeholder()) continue;
      int64_t covered = 0;
      int64_t run_start = 0, run_end = 0;
      bool open = false;
      for (uint32_t k = 0; k < n.child_count; ++k) {
        const Node& c = t_.nodes_[t_.child_index_[n.first_child + k]];
        int64_t s = std::max(c.start_ns, n.start_ns);
        int64_t e = std::min(c.end_ns, n.end_ns);
        if (e <= s) continue;
        if (open && s <= run_end) {
          run_end = std::max(run_end, e);
        } else {
          if (open) covered += run_end - run_start;
          run_start = s;
          run_end = e;
          open = true;
        }
      }
      if (open) covered += run_end - run_start;
      n.self_ns = n.duration_ns() - covered;
    }
  }

  const SpanBatch& b_;
  const TraceTreeOptions& opt_;
  TraceTree& t_;
  std::unordered_map<SpanId, uint32_t> owner_;   // span id -> node owning it
  std::unordered_map<SpanId, uint32_t> shared_;  // shared span id -> its SERVER node
  std::vector<bool> missing_;                    // per real node: parent id not in trace
  std::vector<bool> detached_;                   // per real node: detached from a cycle
};

TraceTree BuildTraceTree(const SpanBatch& batch, const TraceTreeOptions& options) {
  TraceTree tree;
  TraceTreeBuilder(batch, options, &tree).Build();
  return tree;
}

}  // namespace ddbg

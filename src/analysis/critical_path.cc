// Critical path: clipping children to their parents, then Jaeger's walk (or CRISP's
// recursion), producing pieces of self time on the path. Iterative, so deep traces cannot
// overflow the stack in Jaeger mode.
#include "ddbg/critical_path.h"

#include <algorithm>

namespace ddbg {
namespace {

// std::stable_sort without its temporary buffer for the small ranges most traces give
// (insertion sort is stable); larger ranges use std::stable_sort.
template <typename It, typename Less>
void StableSort(It begin, It end, Less less) {
  if (end - begin > 32) return std::stable_sort(begin, end, less);
  for (It i = begin + (begin != end); i < end; ++i) {
    auto v = std::move(*i);
    It j = i;
    for (; j != begin && less(v, *(j - 1)); --j) *j = std::move(*(j - 1));
    *j = std::move(v);
  }
}

}  // namespace

const char* CriticalPathModeName(CriticalPathMode mode) {
  return mode == CriticalPathMode::kCrisp ? "crisp" : "jaeger";
}

void CriticalPathInput::Clear() {
  start.clear();
  end.clear();
  parent.clear();
  async.clear();
}

// Children lists (in start order), then top-down clipping as Jaeger's sanitizer does: a
// child starting at or after its parent's end, or starting before the parent and ending at or
// before its start, is dropped with its subtree; otherwise it is clipped into the parent's
// (already clipped) window.
void CriticalPathSolver::Prepare(const CriticalPathInput& in, CriticalPathMode mode) {
  const size_t n = in.size();
  parent_.assign(in.parent.begin(), in.parent.end());
  start_.assign(in.start.begin(), in.start.end());
  end_.assign(in.end.begin(), in.end.end());
  alive_.assign(n, 1);
  count_.assign(n, 0);
  first_.assign(n, 0);
  for (size_t i = 0; i < n; ++i) {
    bool skip = mode == CriticalPathMode::kJaeger && in.async[i];
    if (parent_[i] >= 0 && skip) parent_[i] = -2;  // detached: not blocking
    if (parent_[i] >= 0) ++count_[parent_[i]];
  }
  uint32_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    first_[i] = at;
    at += count_[i];
  }
  children_.assign(at, 0);
  fill_.assign(n, 0);
  order_.resize(n);
  for (uint32_t i = 0; i < n; ++i) order_[i] = i;
  StableSort(order_.begin(), order_.end(),
             [&](uint32_t a, uint32_t b) { return in.start[a] < in.start[b]; });
  for (uint32_t i : order_) {
    if (parent_[i] >= 0) children_[first_[parent_[i]] + fill_[parent_[i]]++] = i;
  }
  // Top-down: roots first, then breadth-first through children.
  std::vector<uint32_t>& queue = fill_;
  queue.clear();
  for (uint32_t i : order_) {
    if (parent_[i] == -1) queue.push_back(i);
  }
  for (size_t q = 0; q < queue.size(); ++q) {
    uint32_t p = queue[q];
    for (uint32_t k = first_[p]; k < first_[p] + count_[p]; ++k) {
      uint32_t c = children_[k];
      bool outside = start_[c] >= start_[p] ? start_[c] >= end_[p] : end_[c] <= start_[p];
      if (!alive_[p] || outside) alive_[c] = 0;
      start_[c] = std::max(start_[c], start_[p]);
      end_[c] = std::min(end_[c], end_[p]);
      if (end_[c] < start_[c]) end_[c] = start_[c];
      queue.push_back(c);
    }
  }
}

void CriticalPathSolver::WalkJaeger(uint32_t root, std::vector<CriticalPathPiece>* out) {
  uint32_t cur = root;
  bool returning = false;
  int64_t returning_start = 0;
  while (true) {
    int64_t section_end = returning ? returning_start : end_[cur];
    int64_t best_end = INT64_MIN;
    int64_t lfc = -1;
    for (uint32_t k = first_[cur]; k < first_[cur] + count_[cur]; ++k) {
      uint32_t c = children_[k];
      if (!alive_[c]) continue;
      if (returning && end_[c] >= returning_start) continue;
      if (end_[c] > best_end) {
        best_end = end_[c];
        lfc = c;
      }
    }
    if (lfc >= 0) {
      if (best_end != section_end) out->push_back({cur, best_end, section_end});
      cur = static_cast<uint32_t>(lfc);
      returning = false;
      continue;
    }
    if (start_[cur] != section_end) out->push_back({cur, start_[cur], section_end});
    if (cur == root) break;
    returning = true;
    returning_start = start_[cur];
    cur = static_cast<uint32_t>(parent_[cur]);
  }
}

bool CriticalPathSolver::CrispHappensBefore(uint32_t parent, uint32_t before,
                                            uint32_t later) const {
  if (end_[before] < start_[later]) return true;
  if (end_[before] < end_[later] && start_[before] < start_[later]) {
    int64_t duration = end_[parent] - start_[parent];
    if (duration <= 0) return false;
    double overlap = static_cast<double>(end_[before] - start_[later]) / duration;
    if (overlap >= 0.01) return false;
    int events = 0;
    for (uint32_t k = first_[parent]; k < first_[parent] + count_[parent]; ++k) {
      uint32_t c = children_[k];
      if (!alive_[c]) continue;
      if (start_[c] >= start_[later] && start_[c] <= end_[before]) ++events;
      if (end_[c] >= start_[later] && end_[c] <= end_[before]) ++events;
    }
    return events == 2;
  }
  return false;
}

// CRISP: the node, the path of its last-finishing child, then each earlier child that
// happened before the last one added. Ties in end time: the later-listed child first.
void CriticalPathSolver::CrispPath(uint32_t node, std::vector<uint32_t>* path) {
  path->push_back(node);
  std::vector<uint32_t> sorted;
  for (uint32_t k = first_[node]; k < first_[node] + count_[node]; ++k) {
    if (alive_[children_[k]]) sorted.push_back(children_[k]);
  }
  if (sorted.empty()) return;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](uint32_t a, uint32_t b) { return end_[a] < end_[b]; });
  std::reverse(sorted.begin(), sorted.end());
  uint32_t lrc = sorted[0];
  CrispPath(lrc, path);
  for (size_t k = 1; k < sorted.size(); ++k) {
    if (CrispHappensBefore(node, sorted[k], lrc)) {
      CrispPath(sorted[k], path);
      lrc = sorted[k];
    }
  }
}

// Each span on the path owns the parts of its window that no on-path child covers.
void CriticalPathSolver::WalkCrisp(uint32_t root, std::vector<CriticalPathPiece>* out) {
  std::vector<uint32_t> path;
  CrispPath(root, &path);
  std::vector<uint8_t> on_path(start_.size(), 0);
  for (uint32_t n : path) on_path[n] = 1;
  for (uint32_t n : path) {
    int64_t lo = start_[n], hi = end_[n];
    int64_t cursor = lo;
    auto emit = [&](int64_t s, int64_t e) {
      s = std::max(s, lo);
      e = std::min(e, hi);
      if (e > s) out->push_back({n, s, e});
    };
    for (uint32_t k = first_[n]; k < first_[n] + count_[n]; ++k) {
      uint32_t c = children_[k];
      if (!on_path[c]) continue;
      emit(cursor, start_[c]);
      cursor = std::max(cursor, end_[c]);
    }
    emit(cursor, hi);
  }
}

void CriticalPathSolver::Solve(const CriticalPathInput& in, CriticalPathMode mode,
                               std::vector<CriticalPathPiece>* out) {
  out->clear();
  if (in.size() == 0) return;
  Prepare(in, mode);
  for (uint32_t i : order_) {
    if (parent_[i] != -1) continue;
    if (mode == CriticalPathMode::kJaeger) {
      WalkJaeger(i, out);
    } else {
      WalkCrisp(i, out);
    }
  }
  StableSort(out->begin(), out->end(), [](const CriticalPathPiece& a, const CriticalPathPiece& b) {
    return a.start_ns < b.start_ns;
  });
}

bool IsFollowsFromChild(const SpanBatch& b, size_t row) {
  int64_t key = b.dict.Find("opentracing.ref_type");
  int64_t value = b.dict.Find("follows_from");
  if (key < 0 || value < 0) return false;
  for (uint32_t l = b.link_off.begin(row); l < b.link_off.end(row); ++l) {
    if (b.link_span_id[l] != b.parent_span_id[row] || b.link_trace_id[l] != b.trace_id[row]) {
      continue;
    }
    for (uint32_t a = b.link_attr_off.begin(l); a < b.link_attr_off.end(l); ++a) {
      if (b.link_attrs.key[a] == key && b.link_attrs.type[a] == AttrType::kString &&
          b.link_attrs.value[a] == static_cast<uint64_t>(value)) {
        return true;
      }
    }
  }
  return false;
}

CriticalPath ComputeCriticalPath(const TraceTree& tree, CriticalPathMode mode) {
  CriticalPath cp;
  cp.trace_id = tree.trace_id();
  cp.mode = mode;
  const SpanBatch& b = tree.batch();
  CriticalPathInput in;
  const auto& nodes = tree.nodes();
  for (uint32_t i = 0; i < nodes.size(); ++i) {
    const TraceTree::Node& n = nodes[i];
    in.start.push_back(n.start_ns);
    in.end.push_back(n.end_ns);
    bool real_parent = n.parent != TraceTree::kNone && !nodes[n.parent].is_placeholder();
    in.parent.push_back(n.is_placeholder() ? -3 : real_parent ? static_cast<int32_t>(n.parent) : -1);
    bool async = false;
    if (real_parent && !n.is_placeholder()) {
      uint32_t prow = nodes[n.parent].row;
      async = IsFollowsFromChild(b, n.row) ||
              (b.kind[n.row] == SpanKind::kConsumer && b.kind[prow] == SpanKind::kProducer);
    }
    in.async.push_back(async);
  }
  CriticalPathSolver solver;
  std::vector<CriticalPathPiece> pieces;
  solver.Solve(in, mode, &pieces);
  for (const CriticalPathPiece& p : pieces) {
    const TraceTree::Node& n = nodes[p.node];
    CriticalPathSegment s;
    s.row = n.row;
    s.span_id = n.span_id;
    s.service = b.dict.Get(b.service[n.row]);
    s.operation = b.dict.Get(b.name[n.row]);
    s.start_ns = p.start_ns;
    s.end_ns = p.end_ns;
    cp.total_ns += p.end_ns - p.start_ns;
    cp.segments.push_back(s);
  }
  return cp;
}

}  // namespace ddbg

// Chunks are built per batch with a batch-to-chunk string map (one dictionary lookup per
// distinct string per batch); the merger remaps the chunk's few strings and traces once per
// chunk and copies its columns. When every trace's rows arrive contiguously (the usual case:
// writers keep a trace together) the rows are already grouped and need no permutation;
// otherwise a counting sort by trace regroups them. Parents are resolved per trace on
// several threads.
#include "analysis/span_table_builder.h"

#include "analysis/span_stream.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <type_traits>

namespace ddbg {
namespace {

constexpr StrId kUnmapped = 0xffffffffu;
constexpr uint32_t kNoTrace = 0xffffffffu;

// The per-batch state of SpanChunkBuilder::Build.
class ChunkFill {
 public:
  ChunkFill(const SpanBatch& b, const SpanTableOptions& options, SpanChunk* out)
      : b_(b), options_(options), out_(out), map_(b.dict.size(), kUnmapped) {
    ResolveResources();
    ref_type_key_ = b.dict.Find("opentracing.ref_type");
    follows_from_ = b.dict.Find("follows_from");
    type_key_ = b.dict.Find("exception.type");
    msg_key_ = b.dict.Find("exception.message");
    group_key_ = options.group_attribute.empty() ? -1 : b.dict.Find(options.group_attribute);
  }

  void Row(size_t i) {
    SpanTable& t = out_->rows;
    const SpanBatch& b = b_;
    uint32_t row = static_cast<uint32_t>(t.span_id.size());
    out_->row_trace.push_back(TraceIndex(b.trace_id[i]));
    t.span_id.push_back(b.span_id[i]);
    t.parent_span_id.push_back(b.parent_span_id[i]);
    t.service.push_back(Str(b.service[i]));
    t.name.push_back(Str(b.name[i]));
    t.instance.push_back(resource_instance_[b.resource[i]]);
    t.group.push_back(group_key_ >= 0 ? GroupValue(i) : kEmptyStr);
    t.kind.push_back(b.kind[i]);
    t.status.push_back(b.status[i]);
    t.start_ns.push_back(b.start_ns[i]);
    t.end_ns.push_back(std::max(b.end_ns[i], b.start_ns[i]));
    t.async.push_back(Links(i, row));
    StrId type = kEmptyStr, message = kEmptyStr;
    if (b.status[i] == SpanStatus::kError && options_.error_details) ErrorDetails(i, &type, &message);
    t.error_type.push_back(type);
    t.error_message.push_back(message);
  }

 private:
  StrId Str(StrId id) {
    StrId& m = map_[id];
    if (m == kUnmapped) m = out_->rows.dict.Intern(b_.dict.Get(id));
    return m;
  }

  uint32_t TraceIndex(TraceId id) {
    if (last_index_ != kNoTrace && id == last_trace_) return last_index_;
    bool added = false;
    last_index_ = trace_index_.Insert(id, &added);
    if (added) out_->rows.trace_id.push_back(id);
    last_trace_ = id;
    return last_index_;
  }

  // Records links to other traces; true when a link to the parent says FOLLOWS_FROM.
  uint8_t Links(size_t i, uint32_t row) {
    const SpanBatch& b = b_;
    uint8_t async = 0;
    for (uint32_t l = b.link_off.begin(i); l < b.link_off.end(i); ++l) {
      if (b.link_trace_id[l] != b.trace_id[i]) {
        out_->rows.links.push_back({row, b.link_trace_id[l], b.link_span_id[l]});
        continue;
      }
      if (b.link_span_id[l] != b.parent_span_id[i] || ref_type_key_ < 0) continue;
      for (uint32_t a = b.link_attr_off.begin(l); a < b.link_attr_off.end(l); ++a) {
        if (b.link_attrs.key[a] == ref_type_key_ &&
            b.link_attrs.value[a] == static_cast<uint64_t>(follows_from_)) {
          async = 1;
        }
      }
    }
    return async;
  }

  void ResolveResources() {
    std::vector<StrId> instances = ResourceInstances(b_);
    resource_instance_.resize(instances.size());
    for (size_t r = 0; r < instances.size(); ++r) {
      resource_instance_[r] = instances[r] == kEmptyStr ? kEmptyStr : Str(instances[r]);
    }
  }

  StrId GroupValue(size_t i) {
    bool in_resource = false;
    int64_t a = b_.FindAttr(i, options_.group_attribute, &in_resource);
    if (a < 0) return kEmptyStr;
    const AttrColumns& cols = in_resource ? b_.resources.attrs : b_.attrs;
    if (cols.type[a] == AttrType::kString) return Str(static_cast<StrId>(cols.value[a]));
    return out_->rows.dict.Intern(cols.ValueText(b_.dict, a));
  }

  // exception.type / exception.message from the first "exception" event, else from span
  // attributes; the message falls back to the status message.
  void ErrorDetails(size_t i, StrId* type, StrId* message) {
    const SpanBatch& b = b_;
    auto scan = [&](const AttrColumns& cols, uint32_t begin, uint32_t end) {
      for (uint32_t a = begin; a < end; ++a) {
        if (cols.type[a] != AttrType::kString) continue;
        if (cols.key[a] == type_key_ && *type == kEmptyStr) {
          *type = Str(static_cast<StrId>(cols.value[a]));
        }
        if (cols.key[a] == msg_key_ && *message == kEmptyStr) {
          *message = Str(static_cast<StrId>(cols.value[a]));
        }
      }
    };
    if (type_key_ >= 0 || msg_key_ >= 0) {
      for (uint32_t e = b.event_off.begin(i); e < b.event_off.end(i); ++e) {
        scan(b.event_attrs, b.event_attr_off.begin(e), b.event_attr_off.end(e));
      }
      scan(b.attrs, b.attr_off.begin(i), b.attr_off.end(i));
    }
    if (*message == kEmptyStr) *message = Str(b.status_message[i]);
  }

  const SpanBatch& b_;
  const SpanTableOptions& options_;
  SpanChunk* out_;
  std::vector<StrId> map_;
  std::vector<StrId> resource_instance_;
  TraceIndexMap trace_index_;
  TraceId last_trace_;
  uint32_t last_index_ = kNoTrace;
  int64_t ref_type_key_, follows_from_, type_key_, msg_key_, group_key_;
};

// Calls fn(column of a, column of b) for every per-row column of two tables (StrId columns
// are the only uint32_t ones).
template <typename A, typename B, typename Fn>
void ZipRowColumns(A& a, B& b, Fn fn) {
  fn(a.span_id, b.span_id);
  fn(a.parent_span_id, b.parent_span_id);
  fn(a.service, b.service);
  fn(a.name, b.name);
  fn(a.instance, b.instance);
  fn(a.group, b.group);
  fn(a.error_type, b.error_type);
  fn(a.error_message, b.error_message);
  fn(a.kind, b.kind);
  fn(a.status, b.status);
  fn(a.async, b.async);
  fn(a.start_ns, b.start_ns);
  fn(a.end_ns, b.end_ns);
}

template <typename T>
void AppendColumn(std::vector<T>* to, const std::vector<T>& from) {
  size_t old = to->size();
  to->resize(old + from.size());
  if (!from.empty()) std::memcpy(to->data() + old, from.data(), from.size() * sizeof(T));
}

void AppendStrColumn(std::vector<StrId>* to, const std::vector<StrId>& from,
                     const std::vector<StrId>& map) {
  size_t old = to->size();
  to->resize(old + from.size());
  StrId* d = to->data() + old;
  for (size_t i = 0; i < from.size(); ++i) d[i] = map[from[i]];
}

// Runs fn(begin, end) over [0, n) split in `parts` contiguous ranges on as many threads.
template <typename Fn>
void ParallelRanges(size_t n, Fn fn) {
  unsigned parts = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
  if (n < 4096) parts = 1;
  std::vector<std::thread> threads;
  for (unsigned p = 1; p < parts; ++p) {
    threads.emplace_back(fn, n * p / parts, n * (p + 1) / parts);
  }
  fn(size_t{0}, n / parts);
  for (std::thread& th : threads) th.join();
}

template <typename T>
void Gather(std::vector<T>* column, const std::vector<uint32_t>& perm) {
  std::vector<T> out(perm.size());
  const T* from = column->data();
  ParallelRanges(perm.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) out[i] = from[perm[i]];
  });
  column->swap(out);
}

void SetParent(SpanTable* t, uint32_t row, uint32_t parent) {
  t->parent[row] = static_cast<int32_t>(parent);
  if (t->kind[row] == SpanKind::kConsumer && t->kind[parent] == SpanKind::kProducer) {
    t->async[row] = 1;
  }
}

void ResolveParents(SpanTable* t) {
  t->parent.assign(t->spans(), SpanTable::kNoParent);
  ParallelRanges(t->traces(), [t](size_t from, size_t to) {
    std::vector<std::pair<SpanId, uint32_t>> index;
    for (size_t tr = from; tr < to; ++tr) {
      uint32_t b = t->begin(tr), e = t->end(tr);
      int32_t* local = t->parent.data() + b;
      FindParents(t->span_id.data() + b, t->parent_span_id.data() + b, e - b, local, &index);
      for (uint32_t r = b; r < e; ++r) {
        if (t->parent[r] >= 0) SetParent(t, r, b + static_cast<uint32_t>(t->parent[r]));
      }
    }
  });
}

// Traces up to this many spans find parents by a linear search (no index to build).
constexpr uint32_t kSmallTrace = 48;

}  // namespace

void FindParents(const SpanId* ids, const SpanId* parent_ids, uint32_t n, int32_t* parent,
                 std::vector<std::pair<SpanId, uint32_t>>* index) {
  std::fill(parent, parent + n, SpanTable::kNoParent);
  if (n <= kSmallTrace) {
    for (uint32_t r = 0; r < n; ++r) {
      SpanId p = parent_ids[r];
      if (p == 0) continue;
      for (uint32_t q = 0; q < n; ++q) {
        if (ids[q] != p) continue;
        if (q != r) parent[r] = static_cast<int32_t>(q);
        break;
      }
    }
    return;
  }
  index->clear();
  for (uint32_t r = 0; r < n; ++r) index->emplace_back(ids[r], r);
  std::sort(index->begin(), index->end());
  for (uint32_t r = 0; r < n; ++r) {
    SpanId p = parent_ids[r];
    if (p == 0) continue;
    auto it = std::lower_bound(index->begin(), index->end(), std::make_pair(p, 0u));
    if (it == index->end() || it->first != p || it->second == r) continue;
    parent[r] = static_cast<int32_t>(it->second);
  }
}

std::vector<StrId> ResourceInstances(const SpanBatch& b) {
  static constexpr std::string_view kKeys[] = {"service.instance.id", "host.name",
                                               "k8s.pod.name"};
  int64_t ids[3];
  for (int k = 0; k < 3; ++k) ids[k] = b.dict.Find(kKeys[k]);
  const ResourceTable& rt = b.resources;
  std::vector<StrId> out(rt.size(), kEmptyStr);
  for (size_t r = 0; r < rt.size(); ++r) {
    int best = 3;
    for (uint32_t a = rt.attr_off.begin(r); a < rt.attr_off.end(r); ++a) {
      for (int k = 0; k < best; ++k) {
        if (ids[k] == rt.attrs.key[a] && rt.attrs.type[a] == AttrType::kString) {
          best = k;
          out[r] = static_cast<StrId>(rt.attrs.value[a]);
        }
      }
    }
  }
  return out;
}

void SpanChunk::Clear() {
  rows.dict.Clear();
  rows.trace_id.clear();
  ZipRowColumns(rows, rows, [](auto& column, auto&) { column.clear(); });
  rows.links.clear();
  row_trace.clear();
}

SpanChunkBuilder::SpanChunkBuilder(const SpanTableOptions& options, const AnalysisScope* scope,
                                   const std::vector<TraceId>* where_ids)
    : options_(options), scope_(scope) {
  if (!where_ids) return;
  where_.emplace();
  bool added = false;
  for (const TraceId& id : *where_ids) where_->Insert(id, &added);
}

void SpanChunkBuilder::Build(const SpanBatch& b, SpanChunk* out) const {
  ChunkFill fill(b, options_, out);
  // Rows of a trace mostly come together: the set is asked once per run of a trace.
  TraceId last;
  bool last_wanted = false, have_last = false;
  for (size_t i = 0; i < b.size(); ++i) {
    if (scope_ && !scope_->time.Contains(b.start_ns[i])) continue;
    if (where_) {
      if (!have_last || !(b.trace_id[i] == last)) {
        last = b.trace_id[i];
        last_wanted = where_->Find(last) >= 0;
        have_last = true;
      }
      if (!last_wanted) continue;
    }
    fill.Row(i);
  }
}

SpanTableMerger::SpanTableMerger(std::vector<std::string> services, size_t expected_rows)
    : services_(std::move(services)) {
  t_.trace_begin.clear();
  ZipRowColumns(t_, t_, [&](auto& column, auto&) { column.reserve(expected_rows); });
  row_trace_.reserve(expected_rows);
}

uint32_t SpanTableMerger::GlobalTrace(TraceId id) {
  bool added = false;
  uint32_t index = trace_index_.Insert(id, &added);
  if (added) t_.trace_id.push_back(id);
  return index;
}

void SpanTableMerger::Merge(const SpanChunk& c) {
  const SpanTable& r = c.rows;
  str_map_.resize(r.dict.size());
  for (StrId i = 0; i < r.dict.size(); ++i) str_map_[i] = t_.dict.Intern(r.dict.Get(i));
  // Chunk traces in first-seen order map to global ids in first-appearance order, so rows
  // are grouped by trace exactly when their global trace ids never decrease.
  trace_map_.resize(r.trace_id.size());
  for (size_t k = 0; k < r.trace_id.size(); ++k) trace_map_[k] = GlobalTrace(r.trace_id[k]);
  const uint32_t base = static_cast<uint32_t>(t_.span_id.size());
  for (uint32_t local : c.row_trace) {
    uint32_t g = trace_map_[local];
    if (g < last_row_trace_) grouped_ = false;
    last_row_trace_ = g;
    row_trace_.push_back(g);
  }
  ZipRowColumns(t_, r, [this](auto& to, const auto& from) {
    if constexpr (std::is_same_v<std::decay_t<decltype(to)>, std::vector<StrId>>) {
      AppendStrColumn(&to, from, str_map_);
    } else {
      AppendColumn(&to, from);
    }
  });
  for (const SpanTableLink& l : r.links) t_.links.push_back({base + l.row, l.trace_id, l.span_id});
}

SpanTable SpanTableMerger::Finish() {
  std::vector<uint8_t> keep(t_.trace_id.size(), 1);
  if (!services_.empty()) {
    std::vector<uint8_t> wanted(t_.dict.size(), 0);
    for (const std::string& s : services_) {
      int64_t id = t_.dict.Find(s);
      if (id >= 0) wanted[static_cast<size_t>(id)] = 1;
    }
    std::fill(keep.begin(), keep.end(), 0);
    for (size_t r = 0; r < row_trace_.size(); ++r) {
      if (wanted[t_.service[r]]) keep[row_trace_[r]] = 1;
    }
  }
  SpanTable out;
  bool all_kept = std::find(keep.begin(), keep.end(), 0) == keep.end();
  if (grouped_ && all_kept) {
    out = std::move(t_);
    out.trace_begin.assign(out.trace_id.size() + 1, 0);
    for (uint32_t tr : row_trace_) ++out.trace_begin[tr + 1];
    for (size_t k = 1; k < out.trace_begin.size(); ++k) {
      out.trace_begin[k] += out.trace_begin[k - 1];
    }
  } else {
    Regroup(keep, &out);
  }
  row_trace_ = {};
  ResolveParents(&out);
  return out;
}

// Counting sort of the rows by trace, dropping traces not kept.
void SpanTableMerger::Regroup(const std::vector<uint8_t>& keep, SpanTable* out) {
  SpanTable& t = t_;
  std::vector<uint32_t> new_index(t.trace_id.size(), kNoTrace);
  out->dict = std::move(t.dict);
  for (uint32_t k = 0; k < t.trace_id.size(); ++k) {
    if (!keep[k]) continue;
    new_index[k] = static_cast<uint32_t>(out->trace_id.size());
    out->trace_id.push_back(t.trace_id[k]);
  }
  std::vector<uint32_t> counts(out->trace_id.size() + 1, 0);
  for (uint32_t tr : row_trace_) {
    if (new_index[tr] != kNoTrace) ++counts[new_index[tr] + 1];
  }
  for (size_t k = 1; k < counts.size(); ++k) counts[k] += counts[k - 1];
  out->trace_begin = counts;
  std::vector<uint32_t> perm(counts.back());
  std::vector<uint32_t> old_to_new(row_trace_.size(), kNoTrace);
  for (uint32_t r = 0; r < row_trace_.size(); ++r) {
    uint32_t tr = new_index[row_trace_[r]];
    if (tr == kNoTrace) continue;
    old_to_new[r] = counts[tr];
    perm[counts[tr]++] = r;
  }
  ZipRowColumns(*out, t, [&perm](auto& to, auto& from) {
    to = std::move(from);
    Gather(&to, perm);
  });
  for (const SpanTableLink& l : t.links) {
    if (old_to_new[l.row] == kNoTrace) continue;
    out->links.push_back({old_to_new[l.row], l.trace_id, l.span_id});
  }
}

}  // namespace ddbg

// Loading a SpanTable: each stored batch's rows are appended column by column with the
// batch's string ids remapped into the table's dictionary (one lookup per distinct string
// per batch), then rows are grouped by trace with a counting sort and parent ids resolved
// inside each trace.
#include "ddbg/span_table.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace ddbg {
namespace {

struct TraceIdHash {
  size_t operator()(const TraceId& t) const {
    uint64_t h = t.lo * 0x9E3779B97F4A7C15ull ^ (t.hi + 0x632BE59BD9B4E019ull + (t.lo >> 7));
    return static_cast<size_t>(h ^ (h >> 31));
  }
};

template <typename T>
void Gather(std::vector<T>* column, const std::vector<uint32_t>& perm) {
  std::vector<T> out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = (*column)[perm[i]];
  column->swap(out);
}

constexpr StrId kUnmapped = 0xffffffffu;

class SpanTableBuilder {
 public:
  SpanTableBuilder(const SpanTableOptions& options, const AnalysisScope* scope,
                   const std::vector<TraceId>* where_ids)
      : options_(options), scope_(scope) {
    if (where_ids) {
      where_.emplace(where_ids->begin(), where_ids->end());
    }
  }

  void Append(const SpanBatch& b) {
    map_.assign(b.dict.size(), kUnmapped);
    batch_ = &b;
    ResolveResources(b);
    const int64_t ref_type_key = b.dict.Find("opentracing.ref_type");
    const int64_t follows_from = b.dict.Find("follows_from");
    const int64_t group_key =
        options_.group_attribute.empty() ? -1 : b.dict.Find(options_.group_attribute);
    SpanTable& t = raw_;
    for (size_t i = 0; i < b.size(); ++i) {
      if (scope_ && !scope_->time.Contains(b.start_ns[i])) continue;
      if (where_ && !where_->count(b.trace_id[i])) continue;
      uint32_t row = static_cast<uint32_t>(t.span_id.size());
      row_trace_.push_back(TraceIndex(b.trace_id[i]));
      t.span_id.push_back(b.span_id[i]);
      t.parent_span_id.push_back(b.parent_span_id[i]);
      t.service.push_back(Str(b.service[i]));
      t.name.push_back(Str(b.name[i]));
      t.instance.push_back(resource_instance_[b.resource[i]]);
      t.group.push_back(group_key >= 0 ? GroupValue(b, i) : kEmptyStr);
      t.kind.push_back(b.kind[i]);
      t.status.push_back(b.status[i]);
      t.start_ns.push_back(b.start_ns[i]);
      t.end_ns.push_back(std::max(b.end_ns[i], b.start_ns[i]));
      uint8_t async = 0;
      for (uint32_t l = b.link_off.begin(i); l < b.link_off.end(i); ++l) {
        if (b.link_trace_id[l] != b.trace_id[i]) {
          t.links.push_back({row, b.link_trace_id[l], b.link_span_id[l]});
          continue;
        }
        if (b.link_span_id[l] != b.parent_span_id[i] || ref_type_key < 0) continue;
        for (uint32_t a = b.link_attr_off.begin(l); a < b.link_attr_off.end(l); ++a) {
          if (b.link_attrs.key[a] == ref_type_key && b.link_attrs.value[a] == static_cast<uint64_t>(follows_from)) {
            async = 1;
          }
        }
      }
      t.async.push_back(async);
      StrId type = kEmptyStr, message = kEmptyStr;
      if (b.status[i] == SpanStatus::kError) ErrorDetails(b, i, &type, &message);
      t.error_type.push_back(type);
      t.error_message.push_back(message);
    }
  }

  SpanTable Finish() {
    SpanTable& t = raw_;
    std::vector<uint8_t> keep(traces_.size(), 1);
    if (scope_ && !scope_->services.empty()) FilterServices(&keep);
    std::vector<uint32_t> new_index(traces_.size(), kUnmapped);
    SpanTable out;
    out.dict = std::move(t.dict);
    for (uint32_t k = 0; k < traces_.size(); ++k) {
      if (!keep[k]) continue;
      new_index[k] = static_cast<uint32_t>(out.trace_id.size());
      out.trace_id.push_back(traces_[k]);
    }
    std::vector<uint32_t> counts(out.trace_id.size() + 1, 0);
    for (uint32_t tr : row_trace_) {
      if (new_index[tr] != kUnmapped) ++counts[new_index[tr] + 1];
    }
    for (size_t k = 1; k < counts.size(); ++k) counts[k] += counts[k - 1];
    out.trace_begin = counts;
    std::vector<uint32_t> perm(counts.back());
    std::vector<uint32_t> old_to_new(row_trace_.size(), kUnmapped);
    for (uint32_t r = 0; r < row_trace_.size(); ++r) {
      uint32_t tr = new_index[row_trace_[r]];
      if (tr == kUnmapped) continue;
      old_to_new[r] = counts[tr];
      perm[counts[tr]++] = r;
    }
    row_trace_.clear();
    row_trace_.shrink_to_fit();
    out.span_id = std::move(t.span_id);
    out.parent_span_id = std::move(t.parent_span_id);
    out.service = std::move(t.service);
    out.name = std::move(t.name);
    out.instance = std::move(t.instance);
    out.group = std::move(t.group);
    out.error_type = std::move(t.error_type);
    out.error_message = std::move(t.error_message);
    out.kind = std::move(t.kind);
    out.status = std::move(t.status);
    out.async = std::move(t.async);
    out.start_ns = std::move(t.start_ns);
    out.end_ns = std::move(t.end_ns);
    Gather(&out.span_id, perm);
    Gather(&out.parent_span_id, perm);
    Gather(&out.service, perm);
    Gather(&out.name, perm);
    Gather(&out.instance, perm);
    Gather(&out.group, perm);
    Gather(&out.error_type, perm);
    Gather(&out.error_message, perm);
    Gather(&out.kind, perm);
    Gather(&out.status, perm);
    Gather(&out.async, perm);
    Gather(&out.start_ns, perm);
    Gather(&out.end_ns, perm);
    for (const SpanTableLink& l : t.links) {
      if (old_to_new[l.row] == kUnmapped) continue;
      out.links.push_back({old_to_new[l.row], l.trace_id, l.span_id});
    }
    ResolveParents(&out);
    return out;
  }

 private:
  StrId Str(StrId id) {
    StrId& m = map_[id];
    if (m == kUnmapped) m = raw_.dict.Intern(batch_->dict.Get(id));
    return m;
  }

  uint32_t TraceIndex(TraceId id) {
    if (have_last_ && id == last_trace_) return last_index_;
    auto [it, inserted] = trace_index_.try_emplace(id, static_cast<uint32_t>(traces_.size()));
    if (inserted) traces_.push_back(id);
    have_last_ = true;
    last_trace_ = id;
    last_index_ = it->second;
    return it->second;
  }

  void ResolveResources(const SpanBatch& b) {
    static constexpr std::string_view kKeys[] = {"service.instance.id", "host.name",
                                                 "k8s.pod.name"};
    int64_t ids[3];
    for (int k = 0; k < 3; ++k) ids[k] = b.dict.Find(kKeys[k]);
    const ResourceTable& rt = b.resources;
    resource_instance_.assign(rt.size(), kEmptyStr);
    for (size_t r = 0; r < rt.size(); ++r) {
      int best = 3;
      StrId value = kEmptyStr;
      for (uint32_t a = rt.attr_off.begin(r); a < rt.attr_off.end(r); ++a) {
        for (int k = 0; k < best; ++k) {
          if (ids[k] == rt.attrs.key[a] && rt.attrs.type[a] == AttrType::kString) {
            best = k;
            value = static_cast<StrId>(rt.attrs.value[a]);
          }
        }
      }
      resource_instance_[r] = best < 3 ? Str(value) : kEmptyStr;
    }
  }

  StrId GroupValue(const SpanBatch& b, size_t i) {
    bool in_resource = false;
    int64_t a = b.FindAttr(i, options_.group_attribute, &in_resource);
    if (a < 0) return kEmptyStr;
    const AttrColumns& cols = in_resource ? b.resources.attrs : b.attrs;
    if (cols.type[a] == AttrType::kString) return Str(static_cast<StrId>(cols.value[a]));
    return raw_.dict.Intern(cols.ValueText(b.dict, a));
  }

  // exception.type / exception.message from the first "exception" event, else from span
  // attributes; the message falls back to the status message.
  void ErrorDetails(const SpanBatch& b, size_t i, StrId* type, StrId* message) {
    const int64_t type_key = b.dict.Find("exception.type");
    const int64_t msg_key = b.dict.Find("exception.message");
    auto scan = [&](const AttrColumns& cols, uint32_t begin, uint32_t end) {
      for (uint32_t a = begin; a < end; ++a) {
        if (cols.type[a] != AttrType::kString) continue;
        if (cols.key[a] == type_key && *type == kEmptyStr) {
          *type = Str(static_cast<StrId>(cols.value[a]));
        }
        if (cols.key[a] == msg_key && *message == kEmptyStr) {
          *message = Str(static_cast<StrId>(cols.value[a]));
        }
      }
    };
    if (type_key >= 0 || msg_key >= 0) {
      for (uint32_t e = b.event_off.begin(i); e < b.event_off.end(i); ++e) {
        scan(b.event_attrs, b.event_attr_off.begin(e), b.event_attr_off.end(e));
      }
      scan(b.attrs, b.attr_off.begin(i), b.attr_off.end(i));
    }
    if (*message == kEmptyStr) *message = Str(b.status_message[i]);
  }

  void FilterServices(std::vector<uint8_t>* keep) {
    std::unordered_set<StrId> wanted;
    for (const std::string& s : scope_->services) {
      int64_t id = raw_.dict.Find(s);
      if (id >= 0) wanted.insert(static_cast<StrId>(id));
    }
    std::fill(keep->begin(), keep->end(), 0);
    for (size_t r = 0; r < row_trace_.size(); ++r) {
      if (wanted.count(raw_.service[r])) (*keep)[row_trace_[r]] = 1;
    }
  }

  static void ResolveParents(SpanTable* t) {
    t->parent.assign(t->spans(), SpanTable::kNoParent);
    std::vector<std::pair<SpanId, uint32_t>> index;
    for (size_t tr = 0; tr < t->traces(); ++tr) {
      uint32_t b = t->begin(tr), e = t->end(tr);
      index.clear();
      for (uint32_t r = b; r < e; ++r) index.emplace_back(t->span_id[r], r);
      std::sort(index.begin(), index.end());
      for (uint32_t r = b; r < e; ++r) {
        SpanId p = t->parent_span_id[r];
        if (p == 0) continue;
        auto it = std::lower_bound(index.begin(), index.end(), std::make_pair(p, 0u));
        if (it == index.end() || it->first != p || it->second == r) continue;
        t->parent[r] = static_cast<int32_t>(it->second);
        if (t->kind[r] == SpanKind::kConsumer && t->kind[it->second] == SpanKind::kProducer) {
          t->async[r] = 1;
        }
      }
    }
  }

  const SpanTableOptions& options_;
  const AnalysisScope* scope_;
  std::optional<std::unordered_set<TraceId, TraceIdHash>> where_;
  SpanTable raw_;
  std::vector<uint32_t> row_trace_;
  std::unordered_map<TraceId, uint32_t, TraceIdHash> trace_index_;
  std::vector<TraceId> traces_;
  bool have_last_ = false;
  TraceId last_trace_;
  uint32_t last_index_ = 0;
  const SpanBatch* batch_ = nullptr;
  std::vector<StrId> map_;
  std::vector<StrId> resource_instance_;
};

}  // namespace

int64_t SpanTable::TraceStart(size_t t) const {
  int64_t s = INT64_MAX;
  for (uint32_t r = begin(t); r < end(t); ++r) s = std::min(s, start_ns[r]);
  return s;
}

int64_t SpanTable::TraceDuration(size_t t) const {
  int64_t s = INT64_MAX, e = INT64_MIN;
  for (uint32_t r = begin(t); r < end(t); ++r) {
    s = std::min(s, start_ns[r]);
    e = std::max(e, end_ns[r]);
  }
  return e > s ? e - s : 0;
}

uint32_t SpanTable::RootRow(size_t t) const {
  uint32_t best = begin(t);
  bool found = false;
  for (uint32_t r = begin(t); r < end(t); ++r) {
    if (parent[r] != kNoParent) continue;
    if (!found || start_ns[r] < start_ns[best]) best = r;
    found = true;
  }
  return best;
}

namespace {

Result<SpanTable> LoadSpanTableOf(Store& store, const AnalysisScope& scope,
                                  const std::vector<TraceId>* ids,
                                  const SpanTableOptions& options) {
  SpanTableBuilder builder(options, &scope, ids);
  ScanFilter filter = scope.ToScanFilter();
  if (ids) filter.trace_ids = *ids;
  Status st = store.ScanSpans(filter, [&](const SpanBatch& b) {
    builder.Append(b);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return builder.Finish();
}

}  // namespace

Result<SpanTable> LoadSpanTable(Store& store, const AnalysisScope& scope,
                                const SpanTableOptions& options) {
  auto where = ResolveWhere(store, scope);
  if (!where.ok()) return where.status();
  return LoadSpanTableOf(store, scope, where->has_value() ? &**where : nullptr, options);
}

Result<SpanTable> LoadSpanTableOfTraces(Store& store, const AnalysisScope& scope,
                                        const std::vector<TraceId>& trace_ids,
                                        const SpanTableOptions& options) {
  return LoadSpanTableOf(store, scope, &trace_ids, options);
}

SpanTable SpanTableFromBatches(const std::vector<const SpanBatch*>& batches,
                               const SpanTableOptions& options) {
  SpanTableBuilder builder(options, nullptr, nullptr);
  for (const SpanBatch* b : batches) builder.Append(*b);
  return builder.Finish();
}

}  // namespace ddbg

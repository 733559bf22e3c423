// LoadTraceSet: Store scans -> TraceSet. Spans are gathered per trace (hash map on the trace
// id, then one counting sort), parents resolved inside each trace, self time computed as
// trace_tree.h defines it, and log records linked to their trace and span.
#include <algorithm>
#include <string>
#include <unordered_map>

#include "analysis/rca/log_template.h"
#include "analysis/rca/trace_set.h"
#include "analysis/rca/where_filter.h"

namespace ddbg::rca {
namespace {

constexpr int64_t kLateSpanSlackNs = 120LL * 1000000000LL;

// Resource keys that name where a span ran or which build it was; the first three (in
// order) name the instance.
constexpr std::string_view kResourceKeys[] = {
    "service.instance.id", "k8s.pod.name", "host.name",  "k8s.node.name",
    "service.version",     "cloud.region", "cloud.availability_zone"};
constexpr int kInstanceKeys = 3;

struct TraceIdHash {
  size_t operator()(const TraceId& t) const {
    return static_cast<size_t>((t.hi * 0x9e3779b97f4a7c15ULL) ^ (t.lo + 0x632be59bd9b4e019ULL));
  }
};

struct RawSpan {
  uint32_t slot;
  SpanId span_id;
  SpanId parent_id;
  uint32_t resource;
  StrId service;
  StrId operation;
  int64_t start_ns;
  int64_t end_ns;
  bool error;
  uint32_t attr_begin;
  uint32_t attr_end;
};

class Loader {
 public:
  Loader(const TimeRange& window, const TimeRange& baseline, const WhereFilter* where,
         TraceSet* out)
      : window_(window), baseline_(baseline), where_(where), set_(*out) {}

  Status ScanSpans(Store& store) {
    ScanFilter filter;
    filter.time.min_ns = std::min(window_.min_ns, baseline_.min_ns);
    int64_t hi = std::max(window_.max_ns, baseline_.max_ns);
    filter.time.max_ns = hi > INT64_MAX - kLateSpanSlackNs ? INT64_MAX : hi + kLateSpanSlackNs;
    return store.ScanSpans(filter, [this](const SpanBatch& b) {
      AddBatch(b);
      return Status::Ok();
    });
  }

  void BuildTraces(uint64_t max_per_side);
  Status ScanLogs(Store& store);
  void FinishErrors();

 private:
  StrId Intern(const StringDict& dict, StrId id, std::vector<int64_t>* cache) {
    if ((*cache)[id] < 0) (*cache)[id] = set_.names.Intern(dict.Get(id));
    return static_cast<StrId>((*cache)[id]);
  }
  uint32_t AddResource(const SpanBatch& b, uint32_t r);
  void AddSpanAttrs(const SpanBatch& b, size_t i, std::vector<int64_t>* cache);
  void AddBatch(const SpanBatch& b);
  void LinkLog(const LogBatch& b, size_t i, RcaLog* log);

  bool KeepTrace(uint32_t begin) const;

  TimeRange window_, baseline_;
  const WhereFilter* where_;
  TraceSet& set_;
  std::unordered_map<TraceId, uint32_t, TraceIdHash> slot_of_;
  std::vector<TraceId> slot_ids_;
  std::vector<RawSpan> raw_;
  std::vector<StrId> raw_attrs_;
  std::unordered_map<std::string, uint32_t> resource_index_;
  std::unordered_map<uint64_t, StrId> pair_ids_;
  std::unordered_map<TraceId, uint32_t, TraceIdHash> trace_of_;  // final trace index
  std::vector<SpanId> span_ids_;                                 // parallel to set_.spans
};

uint32_t Loader::AddResource(const SpanBatch& b, uint32_t r) {
  const ResourceTable& rt = b.resources;
  RcaResource res;
  std::string key(rt.size() > r ? b.dict.Get(rt.service[r]) : "");
  res.service = set_.names.Intern(key);
  int instance_rank = kInstanceKeys;
  for (uint32_t a = rt.attr_off.begin(r); a < rt.attr_off.end(r); ++a) {
    std::string_view k = b.dict.Get(rt.attrs.key[a]);
    for (int j = 0; j < static_cast<int>(std::size(kResourceKeys)); ++j) {
      if (k != kResourceKeys[j]) continue;
      std::string value = rt.attrs.ValueText(b.dict, a);
      std::string pair = std::string(k) + "=" + value;
      StrId id = set_.names.Intern(pair);
      res.pairs.push_back(id);
      key += '\x1f';
      key += pair;
      if (j < instance_rank) {
        instance_rank = j;
        res.instance = id;
      }
      if (k == "service.version") res.version = set_.names.Intern(value);
    }
  }
  auto [it, inserted] = resource_index_.try_emplace(key, set_.resources.size());
  if (inserted) set_.resources.push_back(std::move(res));
  return it->second;
}

// Entry spans (server, consumer, or unspecified kind) keep their short string and bool
// attributes as "key=value" for the attribute signal.
void Loader::AddSpanAttrs(const SpanBatch& b, size_t i, std::vector<int64_t>* cache) {
  SpanKind kind = b.kind[i];
  if (kind == SpanKind::kClient || kind == SpanKind::kProducer || kind == SpanKind::kInternal) {
    return;
  }
  for (uint32_t a = b.attr_off.begin(i); a < b.attr_off.end(i); ++a) {
    AttrType t = b.attrs.type[a];
    if (t != AttrType::kString && t != AttrType::kBool) continue;
    uint64_t v = b.attrs.value[a];
    if (t == AttrType::kString && b.dict.Get(static_cast<StrId>(v)).size() > 64) continue;
    StrId k = Intern(b.dict, b.attrs.key[a], cache);
    uint64_t code = (static_cast<uint64_t>(k) << 32) |
                    (t == AttrType::kBool ? (0x80000000u | v) : Intern(b.dict, v, cache));
    auto [it, inserted] = pair_ids_.try_emplace(code, 0);
    if (inserted) {
      std::string pair = std::string(set_.names.Get(k)) + "=" + b.attrs.ValueText(b.dict, a);
      it->second = set_.names.Intern(pair);
    }
    raw_attrs_.push_back(it->second);
  }
}

void Loader::AddBatch(const SpanBatch& b) {
  std::vector<int64_t> cache(b.dict.size(), -1);
  std::vector<int64_t> resource_cache(b.resources.size(), -1);
  for (size_t i = 0; i < b.size(); ++i) {
    auto [it, inserted] = slot_of_.try_emplace(b.trace_id[i], slot_ids_.size());
    if (inserted) slot_ids_.push_back(b.trace_id[i]);
    uint32_t r = b.resource[i];
    if (resource_cache[r] < 0) resource_cache[r] = AddResource(b, r);
    RawSpan s;
    s.slot = it->second;
    s.span_id = b.span_id[i];
    s.parent_id = b.parent_span_id[i];
    s.resource = static_cast<uint32_t>(resource_cache[r]);
    s.service = set_.resources[s.resource].service;
    s.operation = Intern(b.dict, b.name[i], &cache);
    s.start_ns = b.start_ns[i];
    s.end_ns = std::max(b.end_ns[i], b.start_ns[i]);
    s.error = b.status[i] == SpanStatus::kError;
    s.attr_begin = static_cast<uint32_t>(raw_attrs_.size());
    AddSpanAttrs(b, i, &cache);
    s.attr_end = static_cast<uint32_t>(raw_attrs_.size());
    raw_.push_back(s);
  }
}

// Self time: duration minus the union of the children clipped to the span.
void ComputeSelfTimes(const std::vector<std::vector<uint32_t>>& children, RcaSpan* spans,
                      size_t n) {
  std::vector<std::pair<int64_t, int64_t>> iv;
  for (size_t p = 0; p < n; ++p) {
    RcaSpan& s = spans[p];
    int64_t lo = s.start_ns, hi = s.start_ns + s.duration_ns;
    iv.clear();
    for (uint32_t c : children[p]) {
      int64_t a = std::max(spans[c].start_ns, lo);
      int64_t e = std::min(spans[c].start_ns + spans[c].duration_ns, hi);
      if (e > a) iv.emplace_back(a, e);
    }
    std::sort(iv.begin(), iv.end());
    int64_t covered = 0, run_s = 0, run_e = 0;
    bool open = false;
    for (auto [a, e] : iv) {
      if (open && a <= run_e) {
        run_e = std::max(run_e, e);
      } else {
        if (open) covered += run_e - run_s;
        run_s = a, run_e = e, open = true;
      }
    }
    if (open) covered += run_e - run_s;
    s.self_ns = s.duration_ns - covered;
  }
}

uint64_t IdHash(TraceId id) { return (id.lo ^ (id.hi * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL; }

void Loader::BuildTraces(uint64_t max_per_side) {
  size_t slots = slot_ids_.size();
  std::vector<uint32_t> first(slots + 1, 0);
  for (const RawSpan& s : raw_) ++first[s.slot + 1];
  for (size_t i = 0; i < slots; ++i) first[i + 1] += first[i];
  std::vector<uint32_t> order(raw_.size());
  std::vector<uint32_t> fill(first.begin(), first.end() - 1);
  for (uint32_t i = 0; i < raw_.size(); ++i) order[fill[raw_[i].slot]++] = i;

  // Sides are sampled by trace-id hash when a side holds more than max_per_side traces.
  uint64_t counts[2] = {0, 0};
  std::vector<int8_t> side(slots, -1);
  for (size_t t = 0; t < slots; ++t) {
    int64_t start = INT64_MAX;
    for (uint32_t k = first[t]; k < first[t + 1]; ++k) start = std::min(start, raw_[order[k]].start_ns);
    if (window_.Contains(start)) side[t] = 1;
    else if (baseline_.Contains(start)) side[t] = 0;
    if (side[t] >= 0) ++counts[side[t]];
  }
  uint64_t keep_below[2];
  for (int k = 0; k < 2; ++k) {
    keep_below[k] = UINT64_MAX;
    if (max_per_side > 0 && counts[k] > max_per_side) {
      keep_below[k] = static_cast<uint64_t>(static_cast<double>(UINT64_MAX) *
                                            (static_cast<double>(max_per_side) / counts[k]));
      set_.sampled = true;
    }
  }

  std::unordered_map<SpanId, uint32_t> local;
  std::vector<std::vector<uint32_t>> children;
  for (size_t t = 0; t < slots; ++t) {
    if (side[t] < 0 || IdHash(slot_ids_[t]) > keep_below[side[t]]) continue;
    RcaTrace tr;
    tr.id = slot_ids_[t];
    tr.in_window = side[t] == 1;
    tr.span_begin = static_cast<uint32_t>(set_.spans.size());
    uint32_t n = first[t + 1] - first[t];
    local.clear();
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint32_t k = first[t]; k < first[t + 1]; ++k) {
      const RawSpan& r = raw_[order[k]];
      RcaSpan s;
      s.resource = r.resource;
      s.service = r.service;
      s.operation = r.operation;
      s.start_ns = r.start_ns;
      s.duration_ns = r.end_ns - r.start_ns;
      s.error = r.error;
      s.attr_begin = static_cast<uint32_t>(set_.span_attrs.size());
      set_.span_attrs.insert(set_.span_attrs.end(), raw_attrs_.begin() + r.attr_begin,
                             raw_attrs_.begin() + r.attr_end);
      s.attr_end = static_cast<uint32_t>(set_.span_attrs.size());
      local.emplace(r.span_id, k - first[t]);
      span_ids_.push_back(r.span_id);
      set_.spans.push_back(s);
      lo = std::min(lo, r.start_ns);
      hi = std::max(hi, r.end_ns);
    }
    children.assign(n, {});
    RcaSpan* spans = set_.spans.data() + tr.span_begin;
    int64_t root_start = INT64_MAX;
    for (uint32_t k = 0; k < n; ++k) {
      const RawSpan& r = raw_[order[first[t] + k]];
      auto it = r.parent_id == 0 ? local.end() : local.find(r.parent_id);
      if (it != local.end() && it->second != k) {
        spans[k].parent = static_cast<int32_t>(it->second);
        children[it->second].push_back(k);
      } else if (spans[k].start_ns < root_start) {
        root_start = spans[k].start_ns;
        std::string root = std::string(set_.names.Get(spans[k].service)) + " " +
                           std::string(set_.names.Get(spans[k].operation));
        tr.root_op = set_.names.Intern(root);
      }
    }
    if (!KeepTrace(tr.span_begin)) {
      set_.span_attrs.resize(set_.spans[tr.span_begin].attr_begin);
      set_.spans.resize(tr.span_begin);
      span_ids_.resize(tr.span_begin);
      continue;
    }
    ComputeSelfTimes(children, spans, n);
    tr.span_end = static_cast<uint32_t>(set_.spans.size());
    tr.start_ns = lo;
    tr.duration_ns = hi - lo;
    trace_of_.emplace(tr.id, static_cast<uint32_t>(set_.traces.size()));
    set_.traces.push_back(tr);
  }
  raw_.clear();
  raw_.shrink_to_fit();
  raw_attrs_.clear();
  raw_attrs_.shrink_to_fit();
}

bool Loader::KeepTrace(uint32_t begin) const {
  if (where_ == nullptr || where_->empty()) return true;
  for (size_t s = begin; s < set_.spans.size(); ++s) {
    if (where_->MatchesSpan(set_, set_.spans[s])) return true;
  }
  return false;
}

void Loader::LinkLog(const LogBatch& b, size_t i, RcaLog* log) {
  if (b.trace_id[i].empty()) return;
  auto it = trace_of_.find(b.trace_id[i]);
  if (it == trace_of_.end()) return;
  log->trace = static_cast<int32_t>(it->second);
  const RcaTrace& tr = set_.traces[it->second];
  if (b.span_id[i] == 0) return;
  for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
    if (span_ids_[s] == b.span_id[i]) {
      log->span = static_cast<int32_t>(s);
      return;
    }
  }
}

Status Loader::ScanLogs(Store& store) {
  ScanFilter filter;
  filter.time.min_ns = std::min(window_.min_ns, baseline_.min_ns);
  filter.time.max_ns = std::max(window_.max_ns, baseline_.max_ns);
  std::unordered_map<std::string, StrId> template_ids;
  return store.ScanLogs(filter, [&](const LogBatch& b) {
    std::vector<int64_t> tmpl_cache(b.dict.size(), -1);
    std::vector<int8_t> sev_cache(b.dict.size(), -1);
    std::vector<int64_t> svc_cache(b.dict.size(), -1);
    for (size_t i = 0; i < b.size(); ++i) {
      int64_t t = b.time_ns[i];
      bool in_window = window_.Contains(t);
      if (!in_window && !baseline_.Contains(t)) continue;
      RcaLog log;
      log.time_ns = t;
      log.in_window = in_window;
      log.service = Intern(b.dict, b.service[i], &svc_cache);
      StrId body = b.body[i];
      if (tmpl_cache[body] < 0) {
        std::string_view text = b.dict.Get(body);
        tmpl_cache[body] = set_.names.Intern(MaskLogBody(text));
        sev_cache[body] = static_cast<int8_t>(SeverityFromBody(text));
      }
      log.tmpl = static_cast<StrId>(tmpl_cache[body]);
      uint8_t sev = b.severity_number[i] != 0 ? b.severity_number[i] : sev_cache[body];
      log.error = sev >= 17;
      LinkLog(b, i, &log);
      set_.logs.push_back(log);
    }
    return Status::Ok();
  });
}

// An ERROR log on a span makes it an error span (sources without span status); then error
// flags propagate: a trace with an error span is an error trace, and every ancestor of an
// error span has an error below it.
void Loader::FinishErrors() {
  for (const RcaLog& log : set_.logs) {
    if (log.error && log.span >= 0) set_.spans[log.span].error = true;
  }
  for (RcaTrace& tr : set_.traces) {
    RcaSpan* spans = set_.spans.data() + tr.span_begin;
    uint32_t n = tr.span_count();
    for (uint32_t k = 0; k < n; ++k) {
      if (!spans[k].error) continue;
      tr.error = true;
      // Walk up; stop early where a previous walk already marked the path.
      for (int32_t p = spans[k].parent, guard = 0; p >= 0 && guard < static_cast<int32_t>(n);
           p = spans[p].parent, ++guard) {
        if (spans[p].error_below) break;
        spans[p].error_below = true;
      }
    }
  }
}

}  // namespace

Result<TraceSet> LoadTraceSet(Store& store, const TimeRange& window, const TimeRange& baseline,
                              uint64_t max_traces_per_side, const WhereFilter* where) {
  TraceSet set;
  set.window = window;
  set.baseline = baseline;
  Loader loader(window, baseline, where, &set);
  DDBG_RETURN_IF_ERROR(loader.ScanSpans(store));
  loader.BuildTraces(max_traces_per_side);
  DDBG_RETURN_IF_ERROR(loader.ScanLogs(store));
  loader.FinishErrors();
  return set;
}

}  // namespace ddbg::rca

// LoadTraceSet: Store scans -> TraceSet. Rows are sampled by trace-id hash as they are
// scanned (before anything is copied or interned), so the work after the scan depends on the
// sample size, not on the data's; spans are then gathered per trace (one counting sort),
// parents resolved inside each trace, self time computed as trace_tree.h defines it, and log
// records linked to their trace and span with the template id the store gave them.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "analysis/rca/trace_set.h"
#include "decode/log_line_header.h"
#include "ddbg/log_templates.h"

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

// The sampling hash: uniform over 64 bits whatever the id generator.
uint64_t IdHash(TraceId id) {
  uint64_t h = (id.lo ^ (id.hi * 0x9e3779b97f4a7c15ULL)) * 0xff51afd7ed558ccdULL;
  return h ^ (h >> 29);
}

struct RawSpan {
  uint32_t slot;
  SpanId span_id;
  SpanId parent_id;
  uint32_t resource;
  StrId operation;
  int64_t start_ns;
  int64_t end_ns;
  bool error;
  uint32_t attr_begin;
  uint32_t attr_end;
};

// Bottom-k sampling per side by trace-id hash: a row is kept while its hash is at most the
// side's threshold; when a side holds more than `cap` traces its threshold halves and the
// traces above it are dropped. The side of a row is the side its start falls in.
class Sampler {
 public:
  explicit Sampler(uint64_t cap) : cap_(cap) {}
  bool Keep(int side, uint64_t hash) const { return hash <= threshold_[side]; }
  // Counts a new trace; true when the side went over its cap (call Halve()).
  bool Add(int side) { return cap_ > 0 && ++count_[side] > cap_; }
  void Halve(int side) { threshold_[side] >>= 1, sampled_ = true; }
  void Recount(int side, uint64_t n) { count_[side] = n; }
  double Rate(int side) const {
    return static_cast<double>(threshold_[side]) / static_cast<double>(UINT64_MAX);
  }
  bool sampled() const { return sampled_; }

 private:
  uint64_t cap_;
  uint64_t threshold_[2] = {UINT64_MAX, UINT64_MAX};
  uint64_t count_[2] = {0, 0};
  bool sampled_ = false;
};

class Loader {
 public:
  Loader(const TimeRange& window, const TimeRange& baseline, uint64_t cap,
         const std::vector<TraceId>* where, TraceSet* out)
      : window_(window), baseline_(baseline), sampler_(cap), set_(*out) {
    if (where != nullptr) where_.emplace(where->begin(), where->end());
  }

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

  void BuildTraces();
  Status ScanLogs(Store& store);
  void FinishErrors();

 private:
  int SideOf(int64_t t) const { return window_.Contains(t) ? 1 : 0; }
  StrId Intern(const StringDict& dict, StrId id, std::vector<int64_t>* cache) {
    if ((*cache)[id] < 0) (*cache)[id] = set_.names.Intern(dict.Get(id));
    return static_cast<StrId>((*cache)[id]);
  }
  uint32_t AddResource(const SpanBatch& b, uint32_t r);
  void AddSpanAttrs(const SpanBatch& b, size_t i, std::vector<int64_t>* cache);
  void AddBatch(const SpanBatch& b);
  void DropAboveThreshold(int side);
  void LinkLog(const LogBatch& b, size_t i, RcaLog* log);
  StrId TemplateOf(const LogBatch& b, size_t i);

  TimeRange window_, baseline_;
  Sampler sampler_;
  std::optional<std::unordered_set<TraceId, TraceIdHash>> where_;
  TraceSet& set_;
  std::unordered_map<TraceId, uint32_t, TraceIdHash> slot_of_;
  std::vector<TraceId> slot_ids_;
  std::vector<int8_t> slot_side_;
  std::vector<RawSpan> raw_;
  std::vector<StrId> raw_attrs_;
  std::unordered_map<std::string, uint32_t> resource_index_;
  std::unordered_map<uint64_t, StrId> pair_ids_;
  std::unordered_map<TraceId, uint32_t, TraceIdHash> trace_of_;  // final trace index
  std::vector<SpanId> span_ids_;                                 // parallel to set_.spans
  std::optional<logs::TemplateMiner> miner_;
  std::unordered_map<uint32_t, StrId> template_names_;
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
    const TraceId& id = b.trace_id[i];
    int side = SideOf(b.start_ns[i]);
    if (!sampler_.Keep(side, IdHash(id))) continue;
    if (where_ && !where_->count(id)) continue;
    auto [it, inserted] = slot_of_.try_emplace(id, slot_ids_.size());
    if (inserted) {
      slot_ids_.push_back(id);
      slot_side_.push_back(static_cast<int8_t>(side));
    }
    uint32_t r = b.resource[i];
    if (resource_cache[r] < 0) resource_cache[r] = AddResource(b, r);
    RawSpan s;
    s.slot = it->second;
    s.span_id = b.span_id[i];
    s.parent_id = b.parent_span_id[i];
    s.resource = static_cast<uint32_t>(resource_cache[r]);
    s.operation = Intern(b.dict, b.name[i], &cache);
    s.start_ns = b.start_ns[i];
    s.end_ns = std::max(b.end_ns[i], b.start_ns[i]);
    s.error = b.status[i] == SpanStatus::kError;
    s.attr_begin = static_cast<uint32_t>(raw_attrs_.size());
    AddSpanAttrs(b, i, &cache);
    s.attr_end = static_cast<uint32_t>(raw_attrs_.size());
    raw_.push_back(s);
    if (inserted && sampler_.Add(side)) DropAboveThreshold(side);
  }
}

// Halves a side's sampling threshold and compacts away the traces of that side above it.
void Loader::DropAboveThreshold(int side) {
  sampler_.Halve(side);
  std::vector<uint32_t> new_slot(slot_ids_.size(), UINT32_MAX);
  std::vector<TraceId> ids;
  std::vector<int8_t> sides;
  uint64_t kept = 0;
  for (uint32_t s = 0; s < slot_ids_.size(); ++s) {
    if (slot_side_[s] == side && !sampler_.Keep(side, IdHash(slot_ids_[s]))) continue;
    new_slot[s] = static_cast<uint32_t>(ids.size());
    ids.push_back(slot_ids_[s]);
    sides.push_back(slot_side_[s]);
    kept += slot_side_[s] == side;
  }
  size_t out = 0, attrs_out = 0;
  for (RawSpan r : raw_) {
    if (new_slot[r.slot] == UINT32_MAX) continue;
    r.slot = new_slot[r.slot];
    uint32_t n = r.attr_end - r.attr_begin;
    std::copy(raw_attrs_.begin() + r.attr_begin, raw_attrs_.begin() + r.attr_end,
              raw_attrs_.begin() + attrs_out);
    r.attr_begin = static_cast<uint32_t>(attrs_out);
    r.attr_end = static_cast<uint32_t>(attrs_out + n);
    attrs_out += n;
    raw_[out++] = r;
  }
  raw_.resize(out);
  raw_attrs_.resize(attrs_out);
  slot_ids_ = std::move(ids);
  slot_side_ = std::move(sides);
  slot_of_.clear();
  for (uint32_t s = 0; s < slot_ids_.size(); ++s) slot_of_.emplace(slot_ids_[s], s);
  sampler_.Recount(side, kept);
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

void Loader::BuildTraces() {
  size_t slots = slot_ids_.size();
  std::vector<uint32_t> first(slots + 1, 0);
  for (const RawSpan& s : raw_) ++first[s.slot + 1];
  for (size_t i = 0; i < slots; ++i) first[i + 1] += first[i];
  std::vector<uint32_t> order(raw_.size());
  std::vector<uint32_t> fill(first.begin(), first.end() - 1);
  for (uint32_t i = 0; i < raw_.size(); ++i) order[fill[raw_[i].slot]++] = i;
  set_.sampled = sampler_.sampled();
  set_.sample_rate[0] = sampler_.Rate(0);
  set_.sample_rate[1] = sampler_.Rate(1);

  std::unordered_map<SpanId, uint32_t> local;
  std::vector<std::vector<uint32_t>> children;
  for (size_t t = 0; t < slots; ++t) {
    int64_t start = INT64_MAX;
    for (uint32_t k = first[t]; k < first[t + 1]; ++k) start = std::min(start, raw_[order[k]].start_ns);
    bool in_window = window_.Contains(start);
    if (!in_window && !baseline_.Contains(start)) continue;
    RcaTrace tr;
    tr.id = slot_ids_[t];
    tr.in_window = in_window;
    tr.span_begin = static_cast<uint32_t>(set_.spans.size());
    uint32_t n = first[t + 1] - first[t];
    local.clear();
    int64_t hi = INT64_MIN;
    for (uint32_t k = first[t]; k < first[t + 1]; ++k) {
      const RawSpan& r = raw_[order[k]];
      RcaSpan s;
      s.resource = r.resource;
      s.service = set_.resources[r.resource].service;
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
    ComputeSelfTimes(children, spans, n);
    tr.span_end = static_cast<uint32_t>(set_.spans.size());
    tr.start_ns = start;
    tr.duration_ns = hi - start;
    trace_of_.emplace(tr.id, static_cast<uint32_t>(set_.traces.size()));
    set_.traces.push_back(tr);
  }
  raw_.clear();
  raw_.shrink_to_fit();
  raw_attrs_.clear();
  raw_attrs_.shrink_to_fit();
}

void Loader::LinkLog(const LogBatch& b, size_t i, RcaLog* log) {
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

// The record's template from the store's miner (template_id), mining records stored without
// one against the stored table.
StrId Loader::TemplateOf(const LogBatch& b, size_t i) {
  uint32_t id = b.template_id[i] != 0 ? b.template_id[i] : miner_->Add(logs::MinedText(b, i));
  auto [it, inserted] = template_names_.try_emplace(id, kEmptyStr);
  if (inserted) it->second = set_.names.Intern(miner_->Template(id).text);
  return it->second;
}

// The severity of a record: its own field, else the level word in the body's header.
uint8_t Severity(const LogBatch& b, size_t i, std::vector<int8_t>* body_cache) {
  if (b.severity_number[i] != 0) return b.severity_number[i];
  int8_t& cached = (*body_cache)[b.body[i]];
  if (cached < 0) {
    LogLineHeader header;
    cached = ParseLogLineHeader(b.dict.Get(b.body[i]), 1970, &header)
                 ? static_cast<int8_t>(header.severity_number)
                 : 0;
  }
  return static_cast<uint8_t>(cached);
}

Status Loader::ScanLogs(Store& store) {
  Result<logs::TemplateMiner> miner = logs::RestoredMiner(store);
  if (!miner.ok()) return miner.status();
  miner_.emplace(std::move(*miner));
  ScanFilter filter;
  filter.time.min_ns = std::min(window_.min_ns, baseline_.min_ns);
  filter.time.max_ns = std::max(window_.max_ns, baseline_.max_ns);
  uint64_t unlinked = 0;
  return store.ScanLogs(filter, [&](const LogBatch& b) {
    std::vector<int8_t> sev_cache(b.dict.size(), -1);
    std::vector<int64_t> svc_cache(b.dict.size(), -1);
    for (size_t i = 0; i < b.size(); ++i) {
      int64_t t = b.time_ns[i];
      bool in_window = window_.Contains(t);
      if (!in_window && !baseline_.Contains(t)) continue;
      RcaLog log;
      bool traced = !b.trace_id[i].empty();
      if (traced) {
        LinkLog(b, i, &log);
        if (log.trace < 0) continue;  // its trace was sampled out or filtered by --where
      } else {
        // Records without a trace follow the spans' sampling rate of their side.
        uint64_t h = IdHash({static_cast<uint64_t>(t), ++unlinked});
        if (static_cast<double>(h) > sampler_.Rate(in_window) * static_cast<double>(UINT64_MAX)) continue;
        if (where_) continue;
      }
      log.time_ns = t;
      log.in_window = in_window;
      log.service = Intern(b.dict, b.service[i], &svc_cache);
      log.tmpl = TemplateOf(b, i);
      log.error = Severity(b, i, &sev_cache) >= 17;
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
                              uint64_t max_traces_per_side, const std::vector<TraceId>* where) {
  TraceSet set;
  set.window = window;
  set.baseline = baseline;
  Loader loader(window, baseline, max_traces_per_side, where, &set);
  DDBG_RETURN_IF_ERROR(loader.ScanSpans(store));
  loader.BuildTraces();
  DDBG_RETURN_IF_ERROR(loader.ScanLogs(store));
  loader.FinishErrors();
  return set;
}

}  // namespace ddbg::rca

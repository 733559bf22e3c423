// LoadTraceSet: Store scans -> TraceSet. Rows are sampled by trace-id hash as they are
// scanned (before anything is copied or interned), so the work after the scan depends on the
// sample size, not on the data's; spans are then gathered per trace (one counting sort),
// parents resolved inside each trace, self time computed as trace_tree.h defines it, and log
// records (read meanwhile on a second thread by LogCollector) linked to their trace and span.
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "analysis/rca/edge_failures.h"
#include "analysis/rca/log_collector.h"
#include "analysis/rca/trace_set.h"

namespace ddbg::rca {
namespace {

constexpr int kScanWorkers = 2;
constexpr uint32_t kMaxValuesPerKey = 1000;
// Presampling starts this many times the cap above the expected final sample: traffic in
// the window may be well below the store's average rate.
constexpr double kPresampleMargin = 8;
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
  // The highest threshold of the two sides, for readers on other threads.
  const std::atomic<uint64_t>* max_threshold() const { return &max_threshold_; }
  // Counts a new trace; true when the side went over its cap (call Halve()).
  bool Add(int side) { return cap_ > 0 && ++count_[side] > cap_; }
  void Halve(int side) {
    threshold_[side] >>= 1, sampled_ = true;
    max_threshold_.store(std::max(threshold_[0], threshold_[1]), std::memory_order_relaxed);
  }
  void Recount(int side, uint64_t n) { count_[side] = n; }
  // Starts a side expected to hold `expected` traces at the threshold that keeps about
  // kPresampleMargin × cap of them (the halvings on the way there would keep and then drop
  // rows), so the scan only halves the last few times.
  void Presample(int side, double expected) {
    if (cap_ == 0) return;
    while (expected > kPresampleMargin * static_cast<double>(cap_)) threshold_[side] >>= 1, expected /= 2, sampled_ = true;
    max_threshold_.store(std::max(threshold_[0], threshold_[1]), std::memory_order_relaxed);
  }
  double Rate(int side) const {
    return static_cast<double>(threshold_[side]) / static_cast<double>(UINT64_MAX);
  }
  bool sampled() const { return sampled_; }

 private:
  uint64_t cap_;
  uint64_t threshold_[2] = {UINT64_MAX, UINT64_MAX};
  std::atomic<uint64_t> max_threshold_{UINT64_MAX};
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

  // Presamples each side from the store's average trace rate over its time range.
  void Presample(Store& store) {
    Result<StoreStats> stats = store.Stats();
    if (!stats.ok() || stats->traces == 0 || stats->max_time_ns <= stats->min_time_ns) return;
    double per_ns = static_cast<double>(stats->traces) /
                    static_cast<double>(stats->max_time_ns - stats->min_time_ns);
    auto covered = [&](const TimeRange& r) {  // the part of `r` the data covers
      return static_cast<double>(std::max<int64_t>(
          0, std::min(r.max_ns, stats->max_time_ns) - std::max(r.min_ns, stats->min_time_ns)));
    };
    sampler_.Presample(0, per_ns * covered(baseline_));
    sampler_.Presample(1, per_ns * covered(window_));
  }

  ScanFilter SpanFilter() const {
    ScanFilter filter;
    filter.time.min_ns = std::min(window_.min_ns, baseline_.min_ns);
    int64_t hi = std::max(window_.max_ns, baseline_.max_ns);
    filter.time.max_ns = hi > INT64_MAX - kLateSpanSlackNs ? INT64_MAX : hi + kLateSpanSlackNs;
    filter.span_columns = SpanColumns::kAttributes;  // no events, links or status details
    // Rows above the highest sampling threshold are never kept, so the store need not
    // decode them; AddScanned checks again, at a threshold that can only have fallen since.
    const std::atomic<uint64_t>* threshold = sampler_.max_threshold();
    filter.span_rows = [threshold](const TraceId* ids, size_t n, uint8_t* keep) {
      uint64_t t = threshold->load(std::memory_order_relaxed);
      for (size_t i = 0; i < n; ++i) keep[i] |= TraceSampleHash(ids[i]) <= t ? 1 : 0;
    };
    return filter;
  }

  // Workers decode batches and pick the rows under the highest sampling threshold (a
  // superset of what is kept); the rows are added one batch at a time in scan order
  // (`ordinal`), as a sequential scan adds them, so the set never depends on which worker
  // finished first: a batch whose turn has not come is copied (its picked rows) and added
  // when it has. `range`: only rows starting in it (a caller's scan wider than
  // SpanFilter()); null: every row of the batch.
  void AddScanned(const SpanBatch& b, size_t ordinal, const TimeRange* range = nullptr) {
    uint64_t threshold = sampler_.max_threshold()->load(std::memory_order_relaxed);
    std::vector<uint32_t> rows;
    for (size_t i = 0; i < b.size(); ++i) {
      if (TraceSampleHash(b.trace_id[i]) <= threshold && (!range || range->Contains(b.start_ns[i]))) {
        rows.push_back(static_cast<uint32_t>(i));
      }
    }
    {
      std::lock_guard<std::mutex> lock(add_mu_);
      if (ordinal == next_ordinal_) {
        AddBatch(b, rows);
        ++next_ordinal_;
        AddWaiting();
        return;
      }
    }
    auto copy = std::make_unique<SpanBatch>();
    SpanRowCopier copier(b, copy.get());
    for (uint32_t i : rows) copier.Copy(i);
    std::lock_guard<std::mutex> lock(add_mu_);
    waiting_.emplace(ordinal, std::move(copy));
    AddWaiting();
  }

  Status ScanSpans(Store& store) {
    return store.ScanSpansParallel(SpanFilter(), kScanWorkers, [&](const SpanBatch& b, size_t ordinal) {
      AddScanned(b, ordinal);
      return Status::Ok();
    });
  }

  void BuildTraces();
  std::vector<uint32_t> StableOrder(const std::vector<uint32_t>& first,
                                    std::vector<uint32_t>* order) const;
  const std::atomic<uint64_t>* max_threshold() const { return sampler_.max_threshold(); }
  void AddLogs(LogCollector& logs);
  void FinishErrors();

 private:
  int SideOf(int64_t t) const { return window_.Contains(t) ? 1 : 0; }
  // The set's id of a batch string; `cache` maps the batch's ids (only sampled rows ask,
  // so a map beats an array the size of the batch's dictionary).
  StrId Intern(const StringDict& dict, StrId id, std::unordered_map<StrId, StrId>* cache) {
    auto [it, inserted] = cache->try_emplace(id, kEmptyStr);
    if (inserted) it->second = set_.names.Intern(dict.Get(id));
    return it->second;
  }
  uint32_t AddResource(const SpanBatch& b, uint32_t r);
  // A batch's attribute key: its id in the set and its count of distinct values (the
  // elements of an unordered_map stay where they are).
  struct KeyRef {
    StrId key = kEmptyStr;
    uint32_t* distinct = nullptr;
  };
  void AddSpanAttrs(const SpanBatch& b, size_t i, std::unordered_map<StrId, StrId>* cache,
                    std::unordered_map<StrId, KeyRef>* keys);
  void AddBatch(const SpanBatch& b, const std::vector<uint32_t>& rows);
  // Adds the copied batches whose turn has come (add_mu_ held).
  void AddWaiting() {
    while (!waiting_.empty() && waiting_.begin()->first == next_ordinal_) {
      const SpanBatch& copy = *waiting_.begin()->second;
      std::vector<uint32_t> all(copy.size());
      for (uint32_t i = 0; i < all.size(); ++i) all[i] = i;
      AddBatch(copy, all);
      waiting_.erase(waiting_.begin());
      ++next_ordinal_;
    }
  }
  void DropAboveThreshold(int side);
  void LinkLog(const RawLog& raw, RcaLog* log);

  TimeRange window_, baseline_;
  std::mutex add_mu_;
  size_t next_ordinal_ = 0;  // the batch whose rows are added next
  std::map<size_t, std::unique_ptr<SpanBatch>> waiting_;  // picked rows of later batches
  Sampler sampler_;
  std::optional<std::unordered_set<TraceId, TraceIdHash>> where_;
  TraceSet& set_;
  std::unordered_map<TraceId, uint32_t, TraceIdHash> slot_of_;
  std::vector<TraceId> slot_ids_;
  std::vector<int8_t> slot_side_;
  std::vector<RawSpan> raw_;
  std::vector<StrId> raw_attrs_;
  std::unordered_map<std::string, uint32_t> resource_index_;
  std::unordered_map<uint64_t, uint32_t> resource_by_print_;  // ResourceFingerprint -> index
  std::unordered_map<uint64_t, StrId> pair_ids_;
  std::unordered_map<StrId, uint32_t> values_per_key_;
  std::unordered_map<TraceId, uint32_t, TraceIdHash> trace_of_;  // final trace index
  std::vector<SpanId> span_ids_;                                 // parallel to set_.spans
};

// A fingerprint of resource row `r`: its service and the texts of its kResourceKeys
// attributes, hashed without copying (the same resource recurs in every batch).
uint64_t ResourceFingerprint(const SpanBatch& b, uint32_t r) {
  const ResourceTable& rt = b.resources;
  auto mix = [](uint64_t h, std::string_view s) {
    return (h ^ std::hash<std::string_view>()(s)) * 0x9e3779b97f4a7c15ULL + s.size();
  };
  uint64_t h = mix(0, rt.size() > r ? b.dict.Get(rt.service[r]) : "");
  for (uint32_t a = rt.attr_off.begin(r); a < rt.attr_off.end(r); ++a) {
    std::string_view k = b.dict.Get(rt.attrs.key[a]);
    if (std::find(std::begin(kResourceKeys), std::end(kResourceKeys), k) == std::end(kResourceKeys)) continue;
    h = mix(h, k);
    h = rt.attrs.type[a] == AttrType::kString
            ? mix(h, b.dict.Get(static_cast<StrId>(rt.attrs.value[a])))
            : mix(h, rt.attrs.ValueText(b.dict, a));
  }
  return h;
}

uint32_t Loader::AddResource(const SpanBatch& b, uint32_t r) {
  uint64_t print = ResourceFingerprint(b, r);
  auto known = resource_by_print_.find(print);
  if (known != resource_by_print_.end()) return known->second;
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
  resource_by_print_.emplace(print, it->second);
  return it->second;
}

// Entry spans (server, consumer, or unspecified kind) keep their short string and bool
// attributes as "key=value" for the attribute signal, except keys that took more than
// kMaxValuesPerKey distinct values among the sampled spans (request, order, correlation
// ids, client addresses): past that point a new value is recorded no more, as no single
// value of such a key covers enough spans to be over-represented, and interning every id
// was most of the loader's own time.
void Loader::AddSpanAttrs(const SpanBatch& b, size_t i, std::unordered_map<StrId, StrId>* cache,
                          std::unordered_map<StrId, KeyRef>* keys) {
  SpanKind kind = b.kind[i];
  if (kind == SpanKind::kClient || kind == SpanKind::kProducer || kind == SpanKind::kInternal) {
    return;
  }
  for (uint32_t a = b.attr_off.begin(i); a < b.attr_off.end(i); ++a) {
    AttrType t = b.attrs.type[a];
    if (t != AttrType::kString && t != AttrType::kBool) continue;
    uint64_t v = b.attrs.value[a];
    if (t == AttrType::kString && b.dict.Get(static_cast<StrId>(v)).size() > 64) continue;
    auto [key, fresh] = keys->try_emplace(b.attrs.key[a]);
    if (fresh) {
      StrId interned = Intern(b.dict, b.attrs.key[a], cache);
      key->second = KeyRef{interned, &values_per_key_[interned]};
    }
    StrId k = key->second.key;
    uint32_t& distinct = *key->second.distinct;
    if (distinct > kMaxValuesPerKey) continue;  // an id-like key: no value can stand out
    uint64_t code = (static_cast<uint64_t>(k) << 32) |
                    (t == AttrType::kBool ? (0x80000000u | v) : Intern(b.dict, v, cache));
    auto [it, inserted] = pair_ids_.try_emplace(code, 0);
    if (inserted) {
      ++distinct;
      std::string pair = std::string(set_.names.Get(k)) + "=" + b.attrs.ValueText(b.dict, a);
      it->second = set_.names.Intern(pair);
    }
    raw_attrs_.push_back(it->second);
  }
}

void Loader::AddBatch(const SpanBatch& b, const std::vector<uint32_t>& rows) {
  std::unordered_map<StrId, StrId> cache;
  std::unordered_map<StrId, KeyRef> keys;
  std::vector<int64_t> resource_cache(b.resources.size(), -1);
  // The slot of the trace of the previous row kept (rows of a trace mostly come together);
  // forgotten when a drop renumbers the slots.
  TraceId last_id;
  uint32_t last_slot = 0;
  bool have_last = false;
  for (uint32_t i : rows) {
    const TraceId& id = b.trace_id[i];
    int side = SideOf(b.start_ns[i]);
    if (!sampler_.Keep(side, TraceSampleHash(id))) continue;
    if (where_ && !where_->count(id)) continue;
    bool inserted = false;
    if (!have_last || !(id == last_id)) {
      auto [it, added] = slot_of_.try_emplace(id, slot_ids_.size());
      if (added) {
        slot_ids_.push_back(id);
        slot_side_.push_back(static_cast<int8_t>(side));
      }
      inserted = added;
      last_id = id;
      last_slot = it->second;
      have_last = true;
    }
    uint32_t r = b.resource[i];
    if (resource_cache[r] < 0) resource_cache[r] = AddResource(b, r);
    RawSpan s;
    s.slot = last_slot;
    s.span_id = b.span_id[i];
    s.parent_id = b.parent_span_id[i];
    s.resource = static_cast<uint32_t>(resource_cache[r]);
    s.operation = Intern(b.dict, b.name[i], &cache);
    s.start_ns = b.start_ns[i];
    s.end_ns = std::max(b.end_ns[i], b.start_ns[i]);
    s.error = b.status[i] == SpanStatus::kError;
    s.attr_begin = static_cast<uint32_t>(raw_attrs_.size());
    AddSpanAttrs(b, i, &cache, &keys);
    s.attr_end = static_cast<uint32_t>(raw_attrs_.size());
    raw_.push_back(s);
    if (inserted && sampler_.Add(side)) {
      DropAboveThreshold(side);
      have_last = false;
    }
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
    if (slot_side_[s] == side && !sampler_.Keep(side, TraceSampleHash(slot_ids_[s]))) continue;
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

// Batches arrive in any order from the parallel scan: spans of each slot (order[first[t],
// first[t+1])) are sorted by start then id, and the slots returned by trace id, so the set,
// and every tie later broken by position, is the same on every run.
std::vector<uint32_t> Loader::StableOrder(const std::vector<uint32_t>& first,
                                          std::vector<uint32_t>* order) const {
  size_t slots = slot_ids_.size();
  for (size_t t = 0; t < slots; ++t) {
    std::sort(order->begin() + first[t], order->begin() + first[t + 1], [&](uint32_t a, uint32_t b) {
      return std::tie(raw_[a].start_ns, raw_[a].span_id) < std::tie(raw_[b].start_ns, raw_[b].span_id);
    });
  }
  std::vector<uint32_t> slot_order(slots);
  for (uint32_t t = 0; t < slots; ++t) slot_order[t] = t;
  std::sort(slot_order.begin(), slot_order.end(),
            [&](uint32_t a, uint32_t b) { return slot_ids_[a] < slot_ids_[b]; });
  return slot_order;
}

void Loader::BuildTraces() {
  size_t slots = slot_ids_.size();
  std::vector<uint32_t> first(slots + 1, 0);
  for (const RawSpan& s : raw_) ++first[s.slot + 1];
  for (size_t i = 0; i < slots; ++i) first[i + 1] += first[i];
  std::vector<uint32_t> order(raw_.size());
  std::vector<uint32_t> fill(first.begin(), first.end() - 1);
  for (uint32_t i = 0; i < raw_.size(); ++i) order[fill[raw_[i].slot]++] = i;
  std::vector<uint32_t> slot_order = StableOrder(first, &order);
  set_.sampled = sampler_.sampled();
  set_.sample_rate[0] = sampler_.Rate(0);
  set_.sample_rate[1] = sampler_.Rate(1);

  std::unordered_map<SpanId, uint32_t> local;
  std::vector<std::vector<uint32_t>> children;
  for (uint32_t t : slot_order) {
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

void Loader::LinkLog(const RawLog& raw, RcaLog* log) {
  auto it = trace_of_.find(raw.trace);
  if (it == trace_of_.end()) return;
  log->trace = static_cast<int32_t>(it->second);
  const RcaTrace& tr = set_.traces[it->second];
  if (raw.span == 0) return;
  for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
    if (span_ids_[s] == raw.span) {
      log->span = static_cast<int32_t>(s);
      return;
    }
  }
}

// Links the collected records to the sampled traces; records of traces not kept are
// dropped, records without a trace follow their side's sampling rate.
void Loader::AddLogs(LogCollector& logs) {
  std::vector<int64_t> names(logs.names().size(), -1);
  auto name = [&](StrId id) {
    if (names[id] < 0) names[id] = set_.names.Intern(logs.names().Get(id));
    return static_cast<StrId>(names[id]);
  };
  for (const RawLog& raw : logs.logs()) {
    RcaLog log;
    if (!raw.trace.empty()) {
      LinkLog(raw, &log);
      if (log.trace < 0) continue;  // its trace was sampled out or filtered by --where
    } else if (where_ || !sampler_.Keep(raw.in_window, raw.hash)) {
      continue;
    }
    log.time_ns = raw.time_ns;
    log.in_window = raw.in_window;
    log.service = name(raw.service);
    log.tmpl = name(raw.tmpl);
    log.statement = name(raw.statement);
    if (raw.peer != kEmptyStr) log.peer = name(raw.peer);
    log.error = raw.error;
    set_.logs.push_back(log);
  }
  logs.logs().clear();
  logs.logs().shrink_to_fit();
}

// An ERROR log on a span makes it an error span (sources without span status); then error
// flags propagate: a trace with an error span is an error trace, and every ancestor of an
// error span has an error below it.
void Loader::FinishErrors() {
  JudgePeers(&set_);
  for (const RcaLog& log : set_.logs) {
    if (!log.error || log.span < 0) continue;
    set_.spans[log.span].error = true;
    if (log.peer == kEmptyStr) continue;
    set_.spans[log.span].peer_failure = log.peer;
    set_.spans[log.span].peer_blamed = log.peer_blamed;
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

struct TraceSetFeed::Impl {
  Impl(Store& store, const TimeRange& window, const TimeRange& baseline, uint64_t cap, bool logs_fed)
      : loader(window, baseline, cap, nullptr, &set), logs(window, baseline, loader.max_threshold()) {
    set.window = window;
    set.baseline = baseline;
    loader.Presample(store);
    range = loader.SpanFilter().time;
    if (logs_fed) {
      log_status = logs.Begin(store);
      return;
    }
    Store* s = &store;
    log_thread = std::thread([this, s] { log_status = logs.Collect(*s); });
  }
  ~Impl() {
    if (log_thread.joinable()) log_thread.join();
  }
  TraceSet set;
  Loader loader;
  LogCollector logs;
  TimeRange range;
  Status log_status;
  std::thread log_thread;
};

TraceSetFeed::TraceSetFeed(Store& store, const TimeRange& window, const TimeRange& baseline,
                           uint64_t max_traces_per_side, bool logs_fed)
    : impl_(std::make_unique<Impl>(store, window, baseline, max_traces_per_side, logs_fed)) {}
TraceSetFeed::~TraceSetFeed() = default;

ScanFilter TraceSetFeed::SpanFilter() const { return impl_->loader.SpanFilter(); }

void TraceSetFeed::Add(const SpanBatch& b, size_t ordinal) {
  impl_->loader.AddScanned(b, ordinal, &impl_->range);
}

ScanFilter TraceSetFeed::LogFilter() const { return impl_->logs.Filter(); }

void TraceSetFeed::AddLogs(const LogBatch& b) {
  if (impl_->log_status.ok()) impl_->logs.Add(b);
}

Result<TraceSet> TraceSetFeed::Finish() {
  impl_->loader.BuildTraces();
  if (impl_->log_thread.joinable()) impl_->log_thread.join();
  DDBG_RETURN_IF_ERROR(impl_->log_status);
  impl_->loader.AddLogs(impl_->logs);
  impl_->loader.FinishErrors();
  return std::move(impl_->set);
}

Result<TraceSet> LoadTraceSet(Store& store, const TimeRange& window, const TimeRange& baseline,
                              uint64_t max_traces_per_side, const std::vector<TraceId>* where) {
  TraceSet set;
  set.window = window;
  set.baseline = baseline;
  Loader loader(window, baseline, max_traces_per_side, where, &set);
  if (where == nullptr) loader.Presample(store);
  LogCollector logs(window, baseline, loader.max_threshold());
  Status log_status;
  std::thread log_thread([&] { log_status = logs.Collect(store); });
  Status span_status = loader.ScanSpans(store);
  if (span_status.ok()) loader.BuildTraces();
  log_thread.join();
  DDBG_RETURN_IF_ERROR(span_status);
  DDBG_RETURN_IF_ERROR(log_status);
  loader.AddLogs(logs);
  loader.FinishErrors();
  return set;
}

}  // namespace ddbg::rca

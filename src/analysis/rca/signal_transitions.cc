// Transition signal (after Nezha's event graphs): inside every span, its events in time
// order — the templates of the log records it wrote and the calls it made (child spans, by
// operation) — between a begin and an end mark. Each consecutive pair is a transition of the
// span's operation. Per operation, the share of its spans showing each transition in the
// window is compared with the baseline's: transitions that appear, vanish or change their
// share blame the service whose code path changed, even when durations and error logs stay
// the same (an exception caught and logged at INFO, an early return). Events are log
// statements (StatementOf), so templates carrying unmasked request data stay one event; the
// spans of a service that could not reach another one (NamedPeer) are left out of that trace.
#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <unordered_map>

#include "analysis/rca/signal.h"
#include "analysis/rca/stats.h"

namespace ddbg::rca {
namespace {

constexpr uint32_t kBegin = 0xfffffff0u;
constexpr uint32_t kEnd = 0xfffffff1u;
constexpr double kMinSpans = 3;      // per side, for an operation to be compared
constexpr double kMinShift = 0.05;   // change of the share of spans with the transition
constexpr double kFullShift = 0.5;

// An event: a log template (even code) or a call to an operation (odd code).
uint32_t LogEvent(StrId tmpl) { return tmpl << 1; }
uint32_t CallEvent(StrId op) { return (op << 1) | 1u; }

struct Key {
  uint64_t op;     // service << 32 | operation
  uint64_t step;   // from << 32 | to
  friend bool operator==(const Key&, const Key&) = default;
};
struct KeyHash {
  size_t operator()(const Key& k) const {
    return static_cast<size_t>((k.op * 0x9e3779b97f4a7c15ULL) ^ (k.step * 0xc2b2ae3d27d4eb4fULL));
  }
};

// Baseline spans are also counted per chunk of the baseline (chunks as long as the window,
// at most kMaxChunks): the baseline share of a transition is the median of the chunks'
// shares, weighted by the operation's spans in each, so an earlier episode of the same
// anomaly inside the baseline (less than half of it) does not hide the window's.
constexpr size_t kMaxChunks = 32;

struct PerChunk {
  std::vector<uint32_t> n;
  void Add(size_t chunk) {
    if (n.size() <= chunk) n.resize(chunk + 1, 0);
    ++n[chunk];
  }
  uint32_t at(size_t chunk) const { return chunk < n.size() ? n[chunk] : 0; }
};

struct Counts {
  double window = 0, baseline = 0;  // spans showing the transition
  uint32_t example = UINT32_MAX;    // a window trace with it
  PerChunk chunks;
};

struct OpSpans {
  double window = 0, baseline = 0;
  PerChunk chunks;
};

class Chunking {
 public:
  explicit Chunking(const TraceSet& set) : begin_(set.baseline.min_ns) {
    int64_t len = std::max<int64_t>(1, set.window.max_ns - set.window.min_ns);
    int64_t span = std::max<int64_t>(1, set.baseline.max_ns - set.baseline.min_ns);
    len_ = std::max(len, span / static_cast<int64_t>(kMaxChunks) + 1);
  }
  size_t Of(int64_t t) const {
    return std::min<size_t>(kMaxChunks - 1, static_cast<size_t>(std::max<int64_t>(0, t - begin_) / len_));
  }

 private:
  int64_t begin_, len_;
};

// The baseline share of a transition as the chunks show it: the weighted median of the
// chunks' shares (weights: the operation's spans in the chunk) and their spread (1.4826 ×
// the weighted median absolute deviation). A share that wanders from chunk to chunk (a
// template carrying request data, a bursty caller) gets a wide spread, so only a window far
// outside that range counts; an earlier episode of the window's anomaly in a minority of
// the chunks moves neither figure.
struct RobustShare {
  double share = 0, spread = 0;
};

double WeightedMedian(std::vector<std::pair<double, double>>& v, double total) {
  std::sort(v.begin(), v.end());
  double seen = 0;
  for (const auto& [x, w] : v) {
    seen += w;
    if (seen >= total / 2) return x;
  }
  return v.empty() ? 0 : v.back().first;
}

RobustShare RobustBaselineShare(const Counts& c, const OpSpans& op) {
  std::vector<std::pair<double, double>> shares;  // (share, weight)
  double total = 0;
  for (size_t k = 0; k < op.chunks.n.size(); ++k) {
    double n = op.chunks.n[k];
    if (n > 0) shares.push_back({c.chunks.at(k) / n, n}), total += n;
  }
  RobustShare out;
  if (shares.empty()) return out;
  out.share = WeightedMedian(shares, total);
  for (auto& [x, w] : shares) x = std::abs(x - out.share);
  out.spread = 1.4826 * WeightedMedian(shares, total);
  return out;
}

// z of the window's share against the robust baseline: binomial error of both sides plus
// the baseline's chunk-to-chunk spread.
double ShiftZ(double k, double n, const RobustShare& b, double nb) {
  double p = (k + b.share * nb) / (n + nb);
  double var = std::max(p * (1 - p), 1e-6) * (1 / n + 1 / nb) + b.spread * b.spread;
  return (k / n - b.share) / std::sqrt(var);
}

// Per span, its events in time order.
class SpanEvents {
 public:
  explicit SpanEvents(const TraceSet& set) : first_(set.spans.size() + 1, 0) {
    std::vector<std::pair<uint32_t, std::pair<int64_t, uint32_t>>> items;
    for (const RcaLog& log : set.logs) {
      if (log.span >= 0) items.push_back({static_cast<uint32_t>(log.span), {log.time_ns, LogEvent(log.statement)}});
    }
    for (const RcaTrace& tr : set.traces) {
      for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
        const RcaSpan& sp = set.spans[s];
        if (sp.parent < 0) continue;
        items.push_back({tr.span_begin + static_cast<uint32_t>(sp.parent), {sp.start_ns, CallEvent(sp.operation)}});
      }
    }
    std::sort(items.begin(), items.end());
    events_.reserve(items.size());
    for (const auto& [span, ev] : items) {
      ++first_[span + 1];
      events_.push_back(ev.second);
    }
    for (size_t i = 1; i < first_.size(); ++i) first_[i] += first_[i - 1];
  }
  const uint32_t* begin(uint32_t span) const { return events_.data() + first_[span]; }
  const uint32_t* end(uint32_t span) const { return events_.data() + first_[span + 1]; }

 private:
  std::vector<uint32_t> first_;
  std::vector<uint32_t> events_;
};

std::string EventName(const TraceSet& set, uint32_t ev) {
  if (ev == kBegin) return "(begin)";
  if (ev == kEnd) return "(end)";
  std::string_view name = set.Name(static_cast<StrId>(ev >> 1));
  return (ev & 1u) ? fmt::format("call {}", name) : std::string(name);
}

struct Scored {
  Key key;
  double shift = 0, z = 0, strength = 0;
  double share_w = 0, share_b = 0;
  uint32_t example = UINT32_MAX;
};

// The services of `tr` that logged an error naming another service they could not reach:
// their paths in this trace changed because of that service, not their own code.
void UnreachedFrom(const TraceSet& set, const RcaTrace& tr, std::vector<StrId>* out) {
  out->clear();
  for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
    const RcaSpan& sp = set.spans[s];
    if (sp.peer_failure != kEmptyStr &&
        std::find(out->begin(), out->end(), sp.service) == out->end()) {
      out->push_back(sp.service);
    }
  }
}

}  // namespace

namespace {

struct Tally {
  std::unordered_map<Key, Counts, KeyHash> counts;
  std::unordered_map<uint64_t, OpSpans> ops;
};

// Counts, per operation, its spans and the spans showing each transition, per side (and per
// baseline chunk).
Tally CountTransitions(const TraceSet& set) {
  SpanEvents events(set);
  Tally tally;
  std::vector<uint64_t> steps;
  Chunking chunking(set);
  std::vector<StrId> explained;
  for (uint32_t t = 0; t < set.traces.size(); ++t) {
    const RcaTrace& tr = set.traces[t];
    size_t chunk = chunking.Of(tr.start_ns);
    UnreachedFrom(set, tr, &explained);
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      const RcaSpan& sp = set.spans[s];
      if (std::find(explained.begin(), explained.end(), sp.service) != explained.end()) continue;
      uint64_t op = (static_cast<uint64_t>(sp.service) << 32) | sp.operation;
      OpSpans& o = tally.ops[op];
      (tr.in_window ? o.window : o.baseline) += 1;
      if (!tr.in_window) o.chunks.Add(chunk);
      steps.clear();
      uint32_t prev = kBegin;
      for (const uint32_t* e = events.begin(s); e != events.end(s); ++e) {
        steps.push_back((static_cast<uint64_t>(prev) << 32) | *e);
        prev = *e;
      }
      steps.push_back((static_cast<uint64_t>(prev) << 32) | kEnd);
      std::sort(steps.begin(), steps.end());
      steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
      for (uint64_t step : steps) {
        Counts& c = tally.counts[{op, step}];
        (tr.in_window ? c.window : c.baseline) += 1;
        if (!tr.in_window) c.chunks.Add(chunk);
        if (tr.in_window && c.example == UINT32_MAX) c.example = t;
      }
    }
  }
  return tally;
}

// The transitions whose share moved, per service.
std::unordered_map<StrId, std::vector<Scored>> ScoreTransitions(const Tally& tally) {
  std::unordered_map<StrId, std::vector<Scored>> by_service;
  for (const auto& [key, c] : tally.counts) {
    const OpSpans& n = tally.ops.at(key.op);
    if (n.window < kMinSpans || n.baseline < kMinSpans) continue;
    Scored sc;
    sc.key = key;
    sc.share_w = c.window / n.window;
    RobustShare rb = RobustBaselineShare(c, n);
    sc.share_b = rb.share;
    sc.shift = std::abs(sc.share_w - sc.share_b);
    sc.z = std::abs(ShiftZ(c.window, n.window, rb, n.baseline));
    sc.strength = Ramp(sc.z, 3, 8) * Ramp(sc.shift, kMinShift, kFullShift);
    sc.example = c.example;
    if (sc.strength > 0) by_service[static_cast<StrId>(key.op >> 32)].push_back(sc);
  }
  return by_service;
}

// A service's finding: its strongest transition, with the log statements of the first few.
Finding ServiceFinding(const TraceSet& set, StrId service, std::vector<Scored>& list) {
  std::sort(list.begin(), list.end(), [](const Scored& a, const Scored& b) {
    return a.strength != b.strength ? a.strength > b.strength : a.z > b.z;
  });
  const Scored& top = list.front();
  Finding f;
  f.service = service;
  f.operation = static_cast<StrId>(top.key.op & 0xffffffffu);
  f.strength = top.strength;
  f.z = top.z;
  std::string from = EventName(set, static_cast<uint32_t>(top.key.step >> 32));
  std::string to = EventName(set, static_cast<uint32_t>(top.key.step & 0xffffffffu));
  f.summary = fmt::format("in {}, {} -> {} on {:.0f}% of spans (baseline {:.0f}%)",
                          set.Name(f.operation), from, to, top.share_w * 100, top.share_b * 100);
  f.figures = {{"window_share", top.share_w}, {"baseline_share", top.share_b},
               {"z", top.z}, {"transitions_changed", static_cast<double>(list.size())}};
  if (top.example != UINT32_MAX) f.traces.push_back(top.example);
  for (const Scored& sc : list) {
    if (f.templates.size() >= 3) break;
    for (uint32_t ev : {static_cast<uint32_t>(sc.key.step >> 32), static_cast<uint32_t>(sc.key.step)}) {
      if (ev >= kBegin || (ev & 1u)) continue;
      StrId tmpl = static_cast<StrId>(ev >> 1);
      if (std::find(f.templates.begin(), f.templates.end(), tmpl) == f.templates.end()) {
        f.templates.push_back(tmpl);
      }
    }
  }
  return f;
}

}  // namespace

std::vector<Finding> TransitionSignal(const TraceSet& set) {
  std::unordered_map<StrId, std::vector<Scored>> by_service = ScoreTransitions(CountTransitions(set));
  std::vector<Finding> out;
  for (auto& [service, list] : by_service) out.push_back(ServiceFinding(set, service, list));
  return out;
}

}  // namespace ddbg::rca

// Transition signal (after Nezha's event graphs): inside every span, its events in time
// order — the templates of the log records it wrote and the calls it made (child spans, by
// operation) — between a begin and an end mark. Each consecutive pair is a transition of the
// span's operation. Per operation, the share of its spans showing each transition in the
// window is compared with the baseline's: transitions that appear, vanish or change their
// share blame the service whose code path changed, even when durations and error logs stay
// the same (an exception caught and logged at INFO, an early return).
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

struct Counts {
  double window = 0, baseline = 0;  // spans showing the transition
  uint32_t example = UINT32_MAX;    // a window trace with it
};

struct OpSpans {
  double window = 0, baseline = 0;
};

// Per span, its events in time order.
class SpanEvents {
 public:
  explicit SpanEvents(const TraceSet& set) : first_(set.spans.size() + 1, 0) {
    std::vector<std::pair<uint32_t, std::pair<int64_t, uint32_t>>> items;
    for (const RcaLog& log : set.logs) {
      if (log.span >= 0) items.push_back({static_cast<uint32_t>(log.span), {log.time_ns, LogEvent(log.tmpl)}});
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

}  // namespace

std::vector<Finding> TransitionSignal(const TraceSet& set) {
  SpanEvents events(set);
  std::unordered_map<Key, Counts, KeyHash> counts;
  std::unordered_map<uint64_t, OpSpans> ops;
  std::vector<uint64_t> steps;
  for (uint32_t t = 0; t < set.traces.size(); ++t) {
    const RcaTrace& tr = set.traces[t];
    for (uint32_t s = tr.span_begin; s < tr.span_end; ++s) {
      const RcaSpan& sp = set.spans[s];
      uint64_t op = (static_cast<uint64_t>(sp.service) << 32) | sp.operation;
      (tr.in_window ? ops[op].window : ops[op].baseline) += 1;
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
        Counts& c = counts[{op, step}];
        (tr.in_window ? c.window : c.baseline) += 1;
        if (tr.in_window && c.example == UINT32_MAX) c.example = t;
      }
    }
  }
  std::unordered_map<StrId, std::vector<Scored>> by_service;
  for (const auto& [key, c] : counts) {
    const OpSpans& n = ops[key.op];
    if (n.window < kMinSpans || n.baseline < kMinSpans) continue;
    Scored sc;
    sc.key = key;
    sc.share_w = c.window / n.window;
    sc.share_b = c.baseline / n.baseline;
    sc.shift = std::abs(sc.share_w - sc.share_b);
    sc.z = std::abs(TwoProportionZ(c.window, n.window, c.baseline, n.baseline));
    sc.strength = Ramp(sc.z, 3, 8) * Ramp(sc.shift, kMinShift, kFullShift);
    sc.example = c.example;
    if (sc.strength > 0) by_service[static_cast<StrId>(key.op >> 32)].push_back(sc);
  }
  std::vector<Finding> out;
  for (auto& [service, list] : by_service) {
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
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace ddbg::rca

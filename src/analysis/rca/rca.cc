// RunRca: choose the window and baseline, load the TraceSet, label anomalous traces, run
// every signal and combine their findings.
#include "ddbg/rca.h"

#include <fmt/format.h>

#include <thread>

#include "analysis/rca/anomaly_labels.h"
#include "analysis/rca/combiner.h"
#include "analysis/rca/trace_set.h"
#include "analysis/rca/window_detect.h"
#include "ddbg/analysis_scope.h"

namespace ddbg {
namespace {


Result<rca::DetectedWindow> ChooseWindow(Store& store, const RcaOptions& options) {
  rca::DetectedWindow w;
  if (options.has_window) {
    if (options.window.max_ns <= options.window.min_ns) {
      return Status::InvalidArgument("rca: the window must end after it starts");
    }
    w.window = options.window;
    w.found = true;
    w.reason = "given";
    return w;
  }
  TimeRange range;
  if (options.last_ns > 0) {
    Result<StoreStats> stats = store.Stats();
    if (!stats.ok()) return stats.status();
    range = {stats->max_time_ns - options.last_ns, stats->max_time_ns};
  }
  int64_t fallback = options.last_ns > 0 ? options.last_ns : rca::kDefaultWindowNs;
  return rca::DetectWindow(store, range, fallback);
}

// The default baseline: `len` right before the window. When the data starts later than
// that, the part missing before the window is taken right after it instead (clipped to the
// data's end; only when that gives at least one window's length), so a window near the
// start of the data still has a full-length normal period to compare with. The range then covers the window too; window traces are never baseline
// ones (the window is tested first) and TraceSet::BaselineNs() leaves it out.
TimeRange ChooseBaseline(Store& store, const RcaOptions& options, const TimeRange& window,
                         std::string* note) {
  if (options.has_baseline) return options.baseline;
  int64_t len = window.max_ns - window.min_ns;
  auto back = options.baseline_ns > 0
                  ? options.baseline_ns
                  : static_cast<int64_t>(static_cast<double>(len) * options.baseline_factor);
  TimeRange before{window.min_ns - back, window.min_ns - 1};
  Result<StoreStats> stats = store.Stats();
  if (!stats.ok() || stats->max_time_ns <= stats->min_time_ns || stats->min_time_ns <= before.min_ns) {
    return before;
  }
  int64_t missing = stats->min_time_ns - before.min_ns;
  int64_t after_end = std::min(stats->max_time_ns, window.max_ns + missing);
  if (after_end - window.max_ns < len) return before;  // less than a window's worth after it
  *note = fmt::format("; the data starts {:.0f}s into the baseline, so {:.0f}s after the window "
                      "complete it",
                      static_cast<double>(missing) / 1e9,
                      static_cast<double>(after_end - window.max_ns) / 1e9);
  return {std::max(before.min_ns, stats->min_time_ns), after_end};
}

// Every signal on the labelled set, spread over two threads (signals are pure functions).
std::vector<rca::SignalResult> RunSignals(const rca::TraceSet& set) {
  const std::vector<rca::Signal>& signals = rca::AllSignals();
  std::vector<rca::SignalResult> results(signals.size());
  auto run = [&](size_t parity) {
    for (size_t i = parity; i < signals.size(); i += 2) results[i] = {&signals[i], signals[i].run(set)};
  };
  std::thread helper(run, 1);
  run(0);
  helper.join();
  return results;
}

}  // namespace

Result<RcaReport> RunRca(Store& store, const RcaOptions& options) {
  Result<rca::DetectedWindow> chosen = ChooseWindow(store, options);
  if (!chosen.ok()) return chosen.status();
  return rca::RunRcaInWindow(store, options, *chosen);
}

namespace rca {

Result<RcaPlan> PlanRca(Store& store, const RcaOptions& options, const DetectedWindow& chosen) {
  if (options.trigger == RcaTrigger::kSlo && options.slo_ns <= 0) {
    return Status::InvalidArgument("rca: --slo needs a positive duration");
  }
  RcaPlan plan;
  RcaWindowInfo& info = plan.report.window;
  plan.window = chosen.window;
  std::string baseline_note;
  plan.baseline = ChooseBaseline(store, options, plan.window, &baseline_note);
  info.start_ns = plan.window.min_ns;
  info.end_ns = plan.window.max_ns;
  info.baseline_start_ns = plan.baseline.min_ns;
  info.baseline_end_ns = plan.baseline.max_ns;
  info.detected = !options.has_window && chosen.found;
  info.reason = chosen.reason + baseline_note;
  return plan;
}

RcaReport FinishRca(const RcaOptions& options, RcaPlan plan, TraceSet* set) {
  RcaReport& report = plan.report;
  RcaWindowInfo& info = report.window;
  AnomalySummary anomalies = LabelAnomalies(options, set);
  info.window_traces = anomalies.window_traces;
  info.anomalous_traces = anomalies.window_anomalous;
  info.baseline_traces = anomalies.baseline_traces;
  info.baseline_anomalous_traces = anomalies.baseline_anomalous;
  info.sampled = set->sampled;
  for (const RcaLog& log : set->logs) (log.in_window ? info.window_logs : info.baseline_logs)++;
  if (info.window_traces == 0 && info.window_logs == 0) {
    info.reason += "; no traces or logs in the window";
    return std::move(report);
  }
  std::vector<SignalResult> results = RunSignals(*set);
  report.suspects = CombineFindings(*set, results, options.top);
  return std::move(report);
}

Result<RcaReport> RunRcaInWindow(Store& store, const RcaOptions& options,
                                 const DetectedWindow& detected) {
  Result<RcaPlan> plan = PlanRca(store, options, detected);
  if (!plan.ok()) return plan.status();
  AnalysisScope scope;
  scope.time = {std::min(plan->window.min_ns, plan->baseline.min_ns),
                std::max(plan->window.max_ns, plan->baseline.max_ns)};
  scope.where = options.where;
  Result<std::optional<std::vector<TraceId>>> where = ResolveWhere(store, scope);
  if (!where.ok()) return where.status();
  Result<TraceSet> set = LoadTraceSet(store, plan->window, plan->baseline, options.max_traces_per_side,
                                      where->has_value() ? &**where : nullptr);
  if (!set.ok()) return set.status();
  return FinishRca(options, std::move(*plan), &*set);
}

}  // namespace rca

}  // namespace ddbg

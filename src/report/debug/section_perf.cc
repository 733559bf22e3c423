// Section 4 from perf.h: the instances much slower or more error-prone than their peers on
// the same operation (significance-tested), over the table the critical-path builder loads.
#include <fmt/format.h>

#include "ddbg/perf.h"
#include "report/debug/sections.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

constexpr size_t kOutliersShown = 5;

std::string Describe(const PerfOutlier& o) {
  std::string where = fmt::format("{} / {} on instance {}", o.service, o.operation, o.instance);
  if (o.metric == "latency") {
    return fmt::format("perf outlier: {}: p95 {} vs peers' {} ({:.1f}x)", where,
                       FormatDuration(static_cast<int64_t>(o.value)),
                       FormatDuration(static_cast<int64_t>(o.peers)), o.peers > 0 ? o.value / o.peers : 0);
  }
  return fmt::format("perf outlier: {}: error rate {:.1f}% vs peers' {:.1f}%", where, o.value * 100,
                     o.peers * 100);
}

std::vector<Metric> Numbers(const PerfOutlier& o) {
  if (o.metric == "latency") {
    return {Metric::Duration("p95_ns", static_cast<int64_t>(o.value)),
            Metric::Duration("peers_p95_ns", static_cast<int64_t>(o.peers)),
            Metric::Number("p_value", o.p_value)};
  }
  return {Metric::Ratio("error_rate", o.value), Metric::Ratio("peers_error_rate", o.peers),
          Metric::Number("p_value", o.p_value)};
}

}  // namespace

void AddPerfOutliers(const SpanTable& table, Section* s) {
  PerfReport perf = ComputePerf(table);
  if (perf.outliers.empty()) {
    s->findings.push_back(MakeFinding("no instance much slower or more error-prone than its peers"));
    return;
  }
  for (size_t i = 0; i < perf.outliers.size() && i < kOutliersShown; ++i) {
    const PerfOutlier& o = perf.outliers[i];
    s->findings.push_back(MakeFinding(Describe(o), Severity::kWarning, Numbers(o)));
  }
}

}  // namespace ddbg::report

// Perf: spans are grouped by (service, operation, instance-or-attribute) with one pass
// collecting latency samples; outliers compare each instance with the others of the same
// service and operation (Mann-Whitney U on latency, two-proportion z test on errors).
#include "ddbg/perf.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "analysis/stats.h"
#include "ddbg/trace_tree.h"

namespace ddbg {
namespace {

struct Acc {
  uint64_t errors = 0;
  std::vector<int64_t> latency;
};

using Key = std::tuple<StrId, StrId, StrId>;  // service, operation, instance/attribute

Key KeyOf(const SpanTable& t, size_t r, PerfGroupBy by) {
  switch (by) {
    case PerfGroupBy::kService:
      return {t.service[r], kEmptyStr, kEmptyStr};
    case PerfGroupBy::kInstance:
      return {t.service[r], kEmptyStr, t.instance[r]};
    case PerfGroupBy::kAttribute:
      return {t.service[r], t.name[r], t.group[r]};
    case PerfGroupBy::kOperation:
      break;
  }
  return {t.service[r], t.name[r], t.instance[r]};
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void FindOutliers(const std::map<Key, Acc>& accs, const std::vector<PerfRow>& rows,
                  const PerfOptions& opt, PerfReport* out) {
  // Peers: rows with the same service and operation.
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> peers;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].executions >= opt.min_executions) {
      peers[{rows[i].service, rows[i].operation}].push_back(i);
    }
  }
  std::vector<const Acc*> acc_of;
  for (const auto& [key, acc] : accs) acc_of.push_back(&acc);
  for (const auto& [key, members] : peers) {
    if (members.size() < 2) continue;
    for (size_t i : members) {
      std::vector<double> others_p95;
      std::vector<int64_t> others_lat;
      uint64_t other_err = 0, other_n = 0;
      for (size_t j : members) {
        if (j == i) continue;
        others_p95.push_back(static_cast<double>(rows[j].p95_ns));
        others_lat.insert(others_lat.end(), acc_of[j]->latency.begin(), acc_of[j]->latency.end());
        other_err += rows[j].errors;
        other_n += rows[j].executions;
      }
      const PerfRow& r = rows[i];
      double peer_p95 = Median(others_p95);
      if (r.p95_ns >= opt.slow_factor * peer_p95 && peer_p95 > 0) {
        double p = stats::MannWhitneyGreaterP(others_lat, acc_of[i]->latency);
        if (p < opt.alpha) {
          out->outliers.push_back({r.service, r.operation, r.instance, "latency",
                                   static_cast<double>(r.p95_ns), peer_p95, p});
        }
      }
      double peer_rate = other_n ? static_cast<double>(other_err) / other_n : 0;
      if (r.error_rate() * 100 >= peer_rate * 100 + opt.error_points) {
        double p = stats::TwoProportionGreaterP(other_err, other_n, r.errors, r.executions);
        if (p < opt.alpha) {
          out->outliers.push_back({r.service, r.operation, r.instance, "error rate", r.error_rate(),
                                   peer_rate, p});
        }
      }
    }
  }
}

void Recommend(PerfReport* out) {
  for (const PerfOutlier& o : out->outliers) {
    if (o.metric == "latency") {
      out->recommendations.push_back(fmt::format(
          "{} on {} has a p95 of {} against {} on its peers ({:.1f}x): check that "
          "instance's host, noisy neighbours or configuration, or take it out of rotation.",
          o.operation.empty() ? o.service : o.service + " " + o.operation, o.instance,
          FormatDurationNs(static_cast<int64_t>(o.value)),
          FormatDurationNs(static_cast<int64_t>(o.peers)), o.value / o.peers));
    } else {
      out->recommendations.push_back(fmt::format(
          "{} on {} fails {:.1f}% of calls against {:.1f}% on its peers: look at that "
          "instance's logs and recent changes.",
          o.operation.empty() ? o.service : o.service + " " + o.operation, o.instance,
          o.value * 100, o.peers * 100));
    }
  }
  for (const PerfRow& r : out->rows) {
    std::string what = r.operation.empty() ? r.service : r.service + " " + r.operation;
    if (!r.instance.empty()) what += " on " + r.instance;
    if (r.executions >= 20 && r.error_rate() >= 0.05) {
      out->recommendations.push_back(fmt::format(
          "{} fails {:.1f}% of {} calls: run `ddbg errors --services {}` for the origins.", what,
          r.error_rate() * 100, r.executions, r.service));
    }
    if (r.executions >= 100 && r.p50_ns > 0 && r.p99_ns >= 10 * r.p50_ns) {
      out->recommendations.push_back(fmt::format(
          "{} has a long tail (p99 {} is {:.0f}x its p50 {}): look for timeouts, retries or "
          "contention with `ddbg bottlenecks`.",
          what, FormatDurationNs(r.p99_ns), static_cast<double>(r.p99_ns) / r.p50_ns,
          FormatDurationNs(r.p50_ns)));
    }
  }
}

}  // namespace

PerfReport ComputePerf(const SpanTable& t, const PerfOptions& opt) {
  PerfReport out;
  std::map<Key, Acc> accs;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  for (size_t r = 0; r < t.spans(); ++r) {
    Acc& a = accs[KeyOf(t, r, opt.by)];
    a.latency.push_back(t.duration_ns(r));
    a.errors += t.is_error(r);
    lo = std::min(lo, t.start_ns[r]);
    hi = std::max(hi, t.start_ns[r]);
  }
  out.window_ns = hi > lo ? hi - lo : 0;
  double seconds = out.window_ns > 0 ? out.window_ns / 1e9 : 0;
  for (auto& [key, acc] : accs) {
    PerfRow row;
    row.service = std::string(t.str(std::get<0>(key)));
    row.operation = std::string(t.str(std::get<1>(key)));
    row.instance = std::string(t.str(std::get<2>(key)));
    row.errors = acc.errors;
    std::vector<int64_t> copy = acc.latency;
    stats::LatencySummary s = stats::Summarize(&copy);
    row.executions = s.count;
    row.mean_ns = s.mean_ns;
    row.p50_ns = s.p50_ns;
    row.p95_ns = s.p95_ns;
    row.p99_ns = s.p99_ns;
    row.throughput_per_s = seconds > 0 ? s.count / seconds : 0;
    out.rows.push_back(std::move(row));
  }
  FindOutliers(accs, out.rows, opt, &out);
  Recommend(&out);
  return out;
}

}  // namespace ddbg

// Perf: spans are grouped by (service, operation, instance-or-attribute) with one pass
// collecting latency samples — over a loaded SpanTable, or batch by batch while the store is
// scanned (per-thread accumulators merged at the end; no grouping by trace is needed); outliers compare each instance with the others of the same
// service and operation (Mann-Whitney U on latency, two-proportion z test on errors).
#include "ddbg/perf.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "analysis/dense_index.h"
#include "analysis/span_stream.h"
#include "analysis/stats.h"
#include "ddbg/trace_tree.h"

namespace ddbg {
namespace {

struct Acc {
  uint64_t errors = 0;
  std::vector<int64_t> latency;
};

// service, operation, instance/attribute: ids of one string space (a table's dictionary,
// or the SharedStrings of a streaming scan).
using Key = std::tuple<StrId, StrId, StrId>;

struct KeyHash {
  size_t operator()(const Key& k) const {
    uint64_t h = std::get<0>(k) * 0x9E3779B97F4A7C15ull ^ std::get<1>(k) * 0xC2B2AE3D27D4EB4Full ^
                 std::get<2>(k) * 0x165667B19E3779F9ull;
    return static_cast<size_t>(h ^ (h >> 29));
  }
};

Key KeyOf(PerfGroupBy by, StrId service, StrId name, StrId instance, StrId group) {
  switch (by) {
    case PerfGroupBy::kService:
      return {service, kEmptyStr, kEmptyStr};
    case PerfGroupBy::kInstance:
      return {service, kEmptyStr, instance};
    case PerfGroupBy::kAttribute:
      return {service, name, group};
    case PerfGroupBy::kOperation:
      break;
  }
  return {service, name, instance};
}

// Samples per key, mergeable: each scanning thread fills its own.
struct PerfAccs {
  DenseIndex<Key, KeyHash> index;
  std::vector<Key> keys;  // by index
  std::vector<Acc> accs;  // by index
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  uint32_t last = 0;
  Key last_key{0xffffffffu, 0xffffffffu, 0xffffffffu};

  uint32_t IndexOf(const Key& key) {
    bool added = false;
    uint32_t i = index.Insert(key, &added);
    if (added) {
      keys.push_back(key);
      accs.emplace_back();
    }
    return i;
  }
  void AddAt(uint32_t index, int64_t latency, bool error, int64_t start) {
    Acc& a = accs[index];
    a.latency.push_back(latency);
    a.errors += error;
    lo = std::min(lo, start);
    hi = std::max(hi, start);
  }
  void Add(const Key& key, int64_t latency, bool error, int64_t start) {
    if (key != last_key) {
      last = IndexOf(key);
      last_key = key;
    }
    AddAt(last, latency, error, start);
  }
};

// Every thread's accumulators in one (samples concatenated key by key, in parallel).
PerfAccs MergeAll(std::vector<std::unique_ptr<PerfAccs>>* parts) {
  PerfAccs all;
  std::vector<std::vector<std::pair<PerfAccs*, uint32_t>>> sources;  // by index in `all`
  for (auto& part : *parts) {
    for (uint32_t k = 0; k < part->keys.size(); ++k) {
      uint32_t i = all.IndexOf(part->keys[k]);
      if (i >= sources.size()) sources.resize(i + 1);
      sources[i].emplace_back(part.get(), k);
    }
    all.lo = std::min(all.lo, part->lo);
    all.hi = std::max(all.hi, part->hi);
  }
  ParallelFor(sources.size(), [&](size_t i, int) {
    Acc& to = all.accs[i];
    size_t n = 0;
    for (auto [part, k] : sources[i]) n += part->accs[k].latency.size();
    to.latency.reserve(n);
    for (auto [part, k] : sources[i]) {
      Acc& from = part->accs[k];
      to.errors += from.errors;
      to.latency.insert(to.latency.end(), from.latency.begin(), from.latency.end());
      from.latency = {};
    }
  });
  return all;
}


double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void FindOutliers(const std::vector<Acc*>& acc_of, const std::vector<PerfRow>& rows,
                  const PerfOptions& opt, PerfReport* out) {
  // Peers: rows with the same service and operation.
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> peers;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].executions >= opt.min_executions) {
      peers[{rows[i].service, rows[i].operation}].push_back(i);
    }
  }
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

// The row of one key (reorders acc->latency).
PerfRow MakeRow(std::string_view service, std::string_view operation, std::string_view instance,
                Acc* acc, double seconds) {
  PerfRow row;
  row.service = std::string(service);
  row.operation = std::string(operation);
  row.instance = std::string(instance);
  row.errors = acc->errors;
  stats::LatencySummary s = stats::Summarize(&acc->latency);
  row.executions = s.count;
  row.mean_ns = s.mean_ns;
  row.p50_ns = s.p50_ns;
  row.p95_ns = s.p95_ns;
  row.p99_ns = s.p99_ns;
  row.throughput_per_s = seconds > 0 ? s.count / seconds : 0;
  return row;
}

// The report from merged accumulators; `str` names their ids. Rows are sorted by service,
// operation and instance, so the report does not depend on the order spans were read in.
template <typename StrFn>
PerfReport FinishPerf(PerfAccs* accs, StrFn str, const PerfOptions& opt) {
  PerfReport out;
  out.window_ns = accs->hi > accs->lo ? accs->hi - accs->lo : 0;
  double seconds = out.window_ns > 0 ? out.window_ns / 1e9 : 0;
  using Named = std::tuple<std::string_view, std::string_view, std::string_view, Acc*>;
  std::vector<Named> named;
  for (size_t k = 0; k < accs->keys.size(); ++k) {
    const Key& key = accs->keys[k];
    named.emplace_back(str(std::get<0>(key)), str(std::get<1>(key)), str(std::get<2>(key)), &accs->accs[k]);
  }
  std::sort(named.begin(), named.end());
  out.rows.resize(named.size());
  std::vector<Acc*> acc_of(named.size());
  ParallelFor(named.size(), [&](size_t i, int) {
    auto& [service, operation, instance, acc] = named[i];
    acc_of[i] = acc;
    out.rows[i] = MakeRow(service, operation, instance, acc, seconds);
  });
  FindOutliers(acc_of, out.rows, opt, &out);
  Recommend(&out);
  return out;
}

}  // namespace

PerfReport ComputePerf(const SpanTable& t, const PerfOptions& opt) {
  PerfAccs accs;
  for (size_t r = 0; r < t.spans(); ++r) {
    accs.Add(KeyOf(opt.by, t.service[r], t.name[r], t.instance[r], t.group[r]), t.duration_ns(r),
             t.is_error(r), t.start_ns[r]);
  }
  return FinishPerf(&accs, [&t](StrId id) { return t.str(id); }, opt);
}

Result<std::optional<PerfReport>> ComputePerfStreaming(Store& store, const AnalysisScope& scope,
                                                       const PerfOptions& opt) {
  if (NeedsWholeTraces(scope) || opt.by == PerfGroupBy::kAttribute) return std::optional<PerfReport>();
  SharedStrings strings;
  auto add = [&](const SpanBatch& b, PerfAccs* acc) {
    BatchStrings str(b, &strings);
    std::vector<StrId> instance = ResourceInstances(b);  // batch ids
    BatchKeyCache cache;
    for (size_t i = 0; i < b.size(); ++i) {
      int64_t start = b.start_ns[i];
      if (!scope.time.Contains(start)) continue;
      StrId service = b.service[i], name = b.name[i], inst = instance[b.resource[i]];
      uint32_t index = cache.Get(service, name, inst, [&] {
        return acc->IndexOf(KeyOf(opt.by, str(service), str(name), str(inst), kEmptyStr));
      });
      acc->AddAt(index, std::max(b.end_ns[i], start) - start, b.status[i] == SpanStatus::kError, start);
    }
  };
  auto parts = ScanIntoAccumulators<PerfAccs>(store, scope, SpanColumns::kStructure, add);
  if (!parts.ok()) return parts.status();
  PerfAccs all = MergeAll(&*parts);
  return std::optional<PerfReport>(FinishPerf(&all, [&](StrId id) { return strings.Get(id); }, opt));
}

Result<PerfReport> ComputePerf(Store& store, const AnalysisScope& scope, const PerfOptions& opt) {
  Result<std::optional<PerfReport>> fast = ComputePerfStreaming(store, scope, opt);
  if (!fast.ok()) return fast.status();
  if (fast->has_value()) return std::move(**fast);
  SpanTableOptions table_options;
  table_options.error_details = false;
  if (opt.by == PerfGroupBy::kAttribute) table_options.group_attribute = opt.attribute;
  Result<SpanTable> table = LoadSpanTable(store, scope, table_options);
  if (!table.ok()) return table.status();
  return ComputePerf(*table, opt);
}

}  // namespace ddbg

// Regress: one pass splits every span into baseline, target or neither and collects its
// operation's latency samples per side — over a loaded SpanTable, or batch by batch while
// the store is scanned (per-thread accumulators merged at the end) when both sides are time
// windows; then each operation is tested.
#include "ddbg/regress.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <tuple>

#include "analysis/dense_index.h"
#include "analysis/span_stream.h"
#include "analysis/stats.h"
#include "util/time_parse.h"

namespace ddbg {
namespace {

struct SideAcc {
  std::vector<int64_t> latency;
  uint64_t errors = 0;
};

// Samples of both sides per (service, operation) in one string space; mergeable.
struct RegressAccs {
  DenseIndex<uint64_t, U64Hash> index;  // service << 32 | operation -> index
  std::vector<uint64_t> keys;           // by index
  std::vector<std::array<SideAcc, 2>> ops;
  int64_t lo[2] = {INT64_MAX, INT64_MAX}, hi[2] = {INT64_MIN, INT64_MIN};

  uint32_t IndexOf(StrId service, StrId operation) {
    uint64_t key = (static_cast<uint64_t>(service) << 32) | operation;
    bool added = false;
    uint32_t i = index.Insert(key, &added);
    if (added) {
      keys.push_back(key);
      ops.emplace_back();
    }
    return i;
  }
  void AddAt(uint32_t i, int side, int64_t latency, bool error, int64_t start) {
    SideAcc& acc = ops[i][side];
    acc.latency.push_back(latency);
    acc.errors += error;
    lo[side] = std::min(lo[side], start);
    hi[side] = std::max(hi[side], start);
  }
  void Merge(RegressAccs&& o) {
    for (size_t k = 0; k < o.keys.size(); ++k) {
      const std::array<SideAcc, 2>& sides = o.ops[k];
      std::array<SideAcc, 2>& to = ops[IndexOf(static_cast<StrId>(o.keys[k] >> 32), static_cast<StrId>(o.keys[k]))];
      for (int s = 0; s < 2; ++s) {
        to[s].errors += sides[s].errors;
        to[s].latency.insert(to[s].latency.end(), sides[s].latency.begin(), sides[s].latency.end());
      }
    }
    for (int s = 0; s < 2; ++s) {
      lo[s] = std::min(lo[s], o.lo[s]);
      hi[s] = std::max(hi[s], o.hi[s]);
    }
  }
};

int Side(const SpanTable& t, size_t r, const RegressSide& b, const RegressSide& g, StrId bv,
         StrId gv) {
  auto in = [&](const RegressSide& s, StrId v) {
    return s.is_version ? t.group[r] == v && v != kEmptyStr : s.window.Contains(t.start_ns[r]);
  };
  if (in(b, bv)) return 0;
  if (in(g, gv)) return 1;
  return -1;
}

// The side of a span starting at `start` between two windows, or -1.
int WindowSide(int64_t start, const RegressSide& b, const RegressSide& g) {
  if (b.window.Contains(start)) return 0;
  if (g.window.Contains(start)) return 1;
  return -1;
}

StrId VersionId(const SpanTable& t, const RegressSide& s) {
  if (!s.is_version) return kEmptyStr;
  int64_t id = t.dict.Find(s.version);
  return id < 0 ? 0xffffffffu : static_cast<StrId>(id);
}

// A side's summary (reorders acc->latency).
RegressSideStats Stats(SideAcc* acc, double seconds) {
  RegressSideStats s;
  s.count = acc->latency.size();
  s.errors = acc->errors;
  s.p95_ns = stats::Quantile(&acc->latency, 0.95);
  s.p50_ns = stats::Quantile(&acc->latency, 0.50);
  s.throughput_per_s = seconds > 0 ? s.count / seconds : 0;
  return s;
}

double Relative(double before, double after) { return before > 0 ? after / before - 1 : 0; }

// The comparison of one operation with samples on both sides.
RegressRow CompareOperation(std::array<SideAcc, 2>* acc, const double seconds[2],
                            const RegressOptions& opt) {
  RegressRow row;
  row.baseline = Stats(&(*acc)[0], seconds[0]);
  row.target = Stats(&(*acc)[1], seconds[1]);
  row.p50_change = Relative(row.baseline.p50_ns, row.target.p50_ns);
  row.p95_change = Relative(row.baseline.p95_ns, row.target.p95_ns);
  row.error_points = (row.target.error_rate() - row.baseline.error_rate()) * 100;
  row.throughput_change = Relative(row.baseline.throughput_per_s, row.target.throughput_per_s);
  bool enough = row.baseline.count >= opt.min_samples && row.target.count >= opt.min_samples;
  if (enough) {
    if (row.p50_change >= opt.latency_increase || row.p95_change >= opt.latency_increase) {
      row.latency_p = stats::MannWhitneyGreaterP((*acc)[0].latency, (*acc)[1].latency);
      row.latency_regressed = row.latency_p < opt.alpha;
    }
    if (row.error_points >= opt.error_points) {
      row.error_p = stats::TwoProportionGreaterP(row.baseline.errors, row.baseline.count,
                                                 row.target.errors, row.target.count);
      row.errors_regressed = row.error_p < opt.alpha;
    }
  }
  if (row.throughput_change <= -opt.throughput_drop && seconds[0] > 0 && seconds[1] > 0) {
    row.throughput_p = stats::RateLowerP(row.baseline.count, seconds[0], row.target.count, seconds[1]);
    row.throughput_regressed = row.throughput_p < opt.alpha;
  }
  row.severity = (row.latency_regressed ? std::max(row.p50_change, row.p95_change) : 0) +
                 (row.errors_regressed ? row.error_points / 10 : 0) +
                 (row.throughput_regressed ? -row.throughput_change : 0);
  return row;
}

// The report from merged accumulators; `str` names their ids. Operations are listed by
// service and name, so the report does not depend on the order spans were read in.
template <typename StrFn>
RegressReport FinishRegress(RegressAccs* accs, StrFn str, const RegressSide& base,
                            const RegressSide& tgt, const RegressOptions& opt) {
  RegressReport out;
  out.baseline_label = base.label;
  out.target_label = tgt.label;
  double seconds[2];
  for (int s = 0; s < 2; ++s) {
    const RegressSide& side = s == 0 ? base : tgt;
    bool bounded = !side.is_version && side.window.min_ns != INT64_MIN &&
                   side.window.max_ns != INT64_MAX;
    int64_t span = bounded ? side.window.max_ns - side.window.min_ns : accs->hi[s] - accs->lo[s];
    seconds[s] = span > 0 ? span / 1e9 : 0;
  }
  using Named = std::tuple<std::string_view, std::string_view, std::array<SideAcc, 2>*>;
  std::vector<Named> named;
  for (size_t k = 0; k < accs->keys.size(); ++k) {
    const uint64_t key = accs->keys[k];
    std::array<SideAcc, 2>& acc = accs->ops[k];
    if (acc[0].latency.empty() || acc[1].latency.empty()) continue;
    named.emplace_back(str(static_cast<StrId>(key >> 32)), str(static_cast<StrId>(key)), &acc);
  }
  std::sort(named.begin(), named.end());
  out.all.resize(named.size());
  ParallelFor(named.size(), [&](size_t i, int) {
    auto& [service, operation, acc] = named[i];
    out.all[i] = CompareOperation(acc, seconds, opt);
    out.all[i].service = std::string(service);
    out.all[i].operation = std::string(operation);
  });
  out.operations_compared = out.all.size();
  for (const RegressRow& row : out.all) {
    if (row.regressed()) out.regressions.push_back(row);
  }
  std::stable_sort(out.regressions.begin(), out.regressions.end(),
                   [](const auto& a, const auto& b) { return a.severity > b.severity; });
  return out;
}

}  // namespace

RegressReport CompareSides(const SpanTable& t, const RegressSide& base, const RegressSide& tgt,
                           const RegressOptions& opt) {
  StrId bv = VersionId(t, base), gv = VersionId(t, tgt);
  RegressAccs accs;
  for (size_t r = 0; r < t.spans(); ++r) {
    int side = Side(t, r, base, tgt, bv, gv);
    if (side >= 0) {
      accs.AddAt(accs.IndexOf(t.service[r], t.name[r]), side, t.duration_ns(r), t.is_error(r), t.start_ns[r]);
    }
  }
  return FinishRegress(&accs, [&t](StrId id) { return t.str(id); }, base, tgt, opt);
}

Result<std::optional<RegressReport>> CompareSidesStreaming(Store& store, const AnalysisScope& scope,
                                                          const RegressSide& base,
                                                          const RegressSide& tgt,
                                                          const RegressOptions& opt) {
  if (NeedsWholeTraces(scope) || base.is_version || tgt.is_version) {
    return std::optional<RegressReport>();
  }
  SharedStrings strings;
  auto add = [&](const SpanBatch& b, RegressAccs* acc) {
    BatchStrings str(b, &strings);
    BatchKeyCache cache;
    for (size_t i = 0; i < b.size(); ++i) {
      int64_t start = b.start_ns[i];
      int side = scope.time.Contains(start) ? WindowSide(start, base, tgt) : -1;
      if (side < 0) continue;
      StrId service = b.service[i], name = b.name[i];
      uint32_t index = cache.Get(service, name, 0, [&] { return acc->IndexOf(str(service), str(name)); });
      acc->AddAt(index, side, std::max(b.end_ns[i], start) - start, b.status[i] == SpanStatus::kError, start);
    }
  };
  auto parts = ScanIntoAccumulators<RegressAccs>(store, scope, SpanColumns::kStructure, add);
  if (!parts.ok()) return parts.status();
  RegressAccs all;
  for (auto& p : *parts) all.Merge(std::move(*p));
  return std::optional<RegressReport>(
      FinishRegress(&all, [&](StrId id) { return strings.Get(id); }, base, tgt, opt));
}

Result<RegressReport> CompareSides(Store& store, const AnalysisScope& scope,
                                   const RegressSide& base, const RegressSide& tgt,
                                   const RegressOptions& opt) {
  Result<std::optional<RegressReport>> fast = CompareSidesStreaming(store, scope, base, tgt, opt);
  if (!fast.ok()) return fast.status();
  if (fast->has_value()) return std::move(**fast);
  SpanTableOptions table_options;
  table_options.error_details = false;
  if (base.is_version || tgt.is_version) table_options.group_attribute = "service.version";
  Result<SpanTable> table = LoadSpanTable(store, scope, table_options);
  if (!table.ok()) return table.status();
  return CompareSides(*table, base, tgt, opt);
}

Result<RegressSide> ParseRegressSide(std::string_view text, int64_t data_end_ns) {
  RegressSide side;
  side.label = std::string(text);
  size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    if (text.empty()) return Status::InvalidArgument("empty --baseline/--target");
    side.is_version = true;
    side.version = std::string(text);
    return side;
  }
  auto point = [&](std::string_view p, int64_t* out) -> Status {
    if (p.empty()) return Status::Ok();
    if (ParseTimestampText(p, out)) return Status::Ok();
    Result<int64_t> d = ParseScopeDuration(p);
    if (!d.ok()) {
      return Status::InvalidArgument(
          fmt::format("'{}' is neither a time (RFC 3339, epoch) nor a duration", p));
    }
    *out = data_end_ns - *d;
    return Status::Ok();
  };
  DDBG_RETURN_IF_ERROR(point(text.substr(0, dots), &side.window.min_ns));
  DDBG_RETURN_IF_ERROR(point(text.substr(dots + 2), &side.window.max_ns));
  if (side.window.min_ns > side.window.max_ns) {
    return Status::InvalidArgument("window '" + side.label + "' ends before it starts");
  }
  if (side.window.max_ns != INT64_MAX) --side.window.max_ns;  // half-open: END excluded
  return side;
}

}  // namespace ddbg

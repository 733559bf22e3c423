// Regress: one pass splits every span into baseline, target or neither and collects its
// operation's latency samples per side; then each operation is tested.
#include "ddbg/regress.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/stats.h"
#include "util/time_parse.h"

namespace ddbg {
namespace {

struct SideAcc {
  std::vector<int64_t> latency;
  uint64_t errors = 0;
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

StrId VersionId(const SpanTable& t, const RegressSide& s) {
  if (!s.is_version) return kEmptyStr;
  int64_t id = t.dict.Find(s.version);
  return id < 0 ? 0xffffffffu : static_cast<StrId>(id);
}

RegressSideStats Stats(SideAcc& acc, double seconds) {
  RegressSideStats s;
  s.count = acc.latency.size();
  s.errors = acc.errors;
  std::vector<int64_t> copy = acc.latency;
  s.p95_ns = stats::Quantile(&copy, 0.95);
  s.p50_ns = stats::Quantile(&copy, 0.50);
  s.throughput_per_s = seconds > 0 ? s.count / seconds : 0;
  return s;
}

double Relative(double before, double after) { return before > 0 ? after / before - 1 : 0; }

}  // namespace

RegressReport CompareSides(const SpanTable& t, const RegressSide& base, const RegressSide& tgt,
                           const RegressOptions& opt) {
  RegressReport out;
  out.baseline_label = base.label;
  out.target_label = tgt.label;
  StrId bv = VersionId(t, base), gv = VersionId(t, tgt);
  std::map<std::pair<StrId, StrId>, SideAcc[2]> ops;
  int64_t lo[2] = {INT64_MAX, INT64_MAX}, hi[2] = {INT64_MIN, INT64_MIN};
  for (size_t r = 0; r < t.spans(); ++r) {
    int side = Side(t, r, base, tgt, bv, gv);
    if (side < 0) continue;
    SideAcc& acc = ops[{t.service[r], t.name[r]}][side];
    acc.latency.push_back(t.duration_ns(r));
    acc.errors += t.is_error(r);
    lo[side] = std::min(lo[side], t.start_ns[r]);
    hi[side] = std::max(hi[side], t.start_ns[r]);
  }
  double seconds[2];
  for (int s = 0; s < 2; ++s) {
    const RegressSide& side = s == 0 ? base : tgt;
    bool bounded = !side.is_version && side.window.min_ns != INT64_MIN &&
                   side.window.max_ns != INT64_MAX;
    int64_t span = bounded ? side.window.max_ns - side.window.min_ns : hi[s] - lo[s];
    seconds[s] = span > 0 ? span / 1e9 : 0;
  }
  for (auto& [key, acc] : ops) {
    if (acc[0].latency.empty() || acc[1].latency.empty()) continue;
    RegressRow row;
    row.service = std::string(t.str(key.first));
    row.operation = std::string(t.str(key.second));
    row.baseline = Stats(acc[0], seconds[0]);
    row.target = Stats(acc[1], seconds[1]);
    row.p50_change = Relative(row.baseline.p50_ns, row.target.p50_ns);
    row.p95_change = Relative(row.baseline.p95_ns, row.target.p95_ns);
    row.error_points = (row.target.error_rate() - row.baseline.error_rate()) * 100;
    row.throughput_change = Relative(row.baseline.throughput_per_s, row.target.throughput_per_s);
    bool enough = row.baseline.count >= opt.min_samples && row.target.count >= opt.min_samples;
    if (enough) {
      if (row.p50_change >= opt.latency_increase || row.p95_change >= opt.latency_increase) {
        row.latency_p = stats::MannWhitneyGreaterP(acc[0].latency, acc[1].latency);
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
    ++out.operations_compared;
    if (row.regressed()) out.regressions.push_back(row);
    out.all.push_back(std::move(row));
  }
  std::stable_sort(out.regressions.begin(), out.regressions.end(),
                   [](const auto& a, const auto& b) { return a.severity > b.severity; });
  return out;
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

#include "analysis/rca/window_detect.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <unordered_map>
#include <vector>

#include "analysis/rca/stats.h"
#include "ddbg/trace_tree.h"

namespace ddbg::rca {
namespace {

constexpr int64_t kMinute = 60LL * 1000000000LL;
constexpr double kStartZ = 6;     // a bucket this far out starts a window
constexpr double kContinueZ = 3;  // and the window lasts while buckets stay this far out
constexpr double kMinSpans = 10;
constexpr double kBaseErrorRate = 0.01;

struct Bucket {
  double spans = 0, errors = 0, log_ms = 0;
};

// Robust z of each bucket's value against the series' median and MAD. `noise[i]` is the
// smallest spread bucket i can be judged by (its sampling noise).
std::vector<double> RobustZ(const std::vector<double>& v, const std::vector<double>& noise) {
  std::vector<double> tmp = v;
  double med = Quantile(tmp, 0.5);
  for (size_t i = 0; i < v.size(); ++i) tmp[i] = std::abs(v[i] - med);
  double mad = Quantile(tmp, 0.5) * 1.4826;
  std::vector<double> z(v.size());
  for (size_t i = 0; i < v.size(); ++i) z[i] = (v[i] - med) / std::max(mad, noise[i]);
  return z;
}

}  // namespace

Result<DetectedWindow> DetectWindow(Store& store, TimeRange range, int64_t fallback_ns) {
  Result<StoreStats> stats = store.Stats();
  if (!stats.ok()) return stats.status();
  int64_t lo = std::max(range.min_ns, stats->min_time_ns);
  int64_t hi = std::min(range.max_ns, stats->max_time_ns);
  DetectedWindow out;
  if (hi <= lo) {
    out.window = {lo, hi};
    out.reason = "no data in the range";
    return out;
  }
  int64_t width = std::max(kMinute, (hi - lo) / 240);
  size_t n = static_cast<size_t>((hi - lo) / width) + 1;
  std::unordered_map<std::string, std::vector<Bucket>> series;
  ScanFilter filter;
  filter.time = {lo, hi};
  filter.span_columns = SpanColumns::kStructure;
  Status st = store.ScanSpans(filter, [&](const SpanBatch& b) {
    std::vector<std::vector<Bucket>*> by_service(b.dict.size(), nullptr);
    for (size_t i = 0; i < b.size(); ++i) {
      if (b.start_ns[i] < lo || b.start_ns[i] > hi) continue;
      auto*& s = by_service[b.service[i]];
      if (s == nullptr) {
        s = &series[std::string(b.dict.Get(b.service[i]))];
        if (s->empty()) s->resize(n);
      }
      Bucket& k = (*s)[static_cast<size_t>((b.start_ns[i] - lo) / width)];
      k.spans += 1;
      k.errors += b.status[i] == SpanStatus::kError;
      k.log_ms += std::log1p(static_cast<double>(b.end_ns[i] - b.start_ns[i]) / 1e6);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::vector<double> score(n, 0);
  std::vector<std::string> who(n);
  for (const auto& [service, buckets] : series) {
    std::vector<double> err(n), lat(n), err_noise(n), lat_noise(n);
    for (size_t i = 0; i < n; ++i) {
      double c = std::max(buckets[i].spans, 1.0);
      err[i] = buckets[i].errors / c;
      lat[i] = buckets[i].log_ms / c;
      err_noise[i] = std::sqrt(kBaseErrorRate / c);  // binomial noise at a 1% error rate
      lat_noise[i] = 0.05 + 0.05 * lat[i];
    }
    std::vector<double> ze = RobustZ(err, err_noise), zl = RobustZ(lat, lat_noise);
    for (size_t i = 0; i < n; ++i) {
      if (buckets[i].spans < kMinSpans) continue;
      double z = std::max(ze[i], zl[i]);
      if (z > score[i]) {
        score[i] = z;
        who[i] = fmt::format("{} {} z={:.1f}", service, ze[i] >= zl[i] ? "error rate" : "latency", z);
      }
    }
  }
  size_t first = n;
  for (size_t i = 0; i < n; ++i) {
    if (score[i] >= kStartZ) {
      first = i;
      break;
    }
  }
  if (first == n) {
    out.window = {std::max(lo, hi - fallback_ns), hi};
    out.reason = fmt::format("no service departs from its own history (robust z < {:.0f} in "
                             "every {} bucket); using the last {}",
                             kStartZ, FormatDurationNs(width), FormatDurationNs(hi - out.window.min_ns));
    return out;
  }
  size_t last = first;
  for (size_t i = first + 1; i < n && i <= last + 2; ++i) {
    if (score[i] >= kContinueZ) last = i;
  }
  out.found = true;
  out.window = {lo + static_cast<int64_t>(first) * width,
                lo + static_cast<int64_t>(last + 1) * width - 1};
  out.reason = fmt::format("change point at bucket {} of {} ({} each): {}; departure lasts {} "
                           "bucket(s)",
                           first + 1, n, FormatDurationNs(width), who[first], last - first + 1);
  return out;
}

}  // namespace ddbg::rca

#include "analysis/rca/window_detect.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <memory>
#include <mutex>
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

constexpr size_t kMinHistory = 5;  // buckets before one that its history z needs

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

// The bucket-to-bucket spread of a series from its first differences (MAD / sqrt 2), over the
// buckets `valid` marks: one level shift moves one difference, so a shift that lasts half the
// range does not inflate it the way it inflates the MAD around the median.
double DiffSigma(const std::vector<double>& v, const std::vector<char>& valid) {
  std::vector<double> diffs;
  size_t prev = v.size();
  for (size_t i = 0; i < v.size(); ++i) {
    if (!valid[i]) continue;
    if (prev < v.size()) diffs.push_back(std::abs(v[i] - v[prev]));
    prev = i;
  }
  if (diffs.empty()) return 0;
  return Quantile(diffs, 0.5) * 1.4826 / std::sqrt(2.0);
}

// Z of each bucket against its own history: the median of the valid buckets before it
// (0 until kMinHistory of them exist). The spread is DiffSigma scaled to the bucket's count
// (a bucket with a quarter of the usual spans is twice as noisy), at least `floor[i]`. The
// history stops growing at the first bucket that starts a window, so the departure is
// measured against the time before it for as long as it lasts. A departure that starts
// mid-range and lasts to its end is plain here, while the robust z against the whole series'
// median misses it once it covers half the buckets.
std::vector<double> HistoryZ(const std::vector<double>& v, const std::vector<double>& floor,
                             const std::vector<double>& counts, const std::vector<char>& valid) {
  const double sigma = DiffSigma(v, valid);
  std::vector<double> valid_counts;
  for (size_t i = 0; i < v.size(); ++i) {
    if (valid[i]) valid_counts.push_back(counts[i]);
  }
  const double usual = valid_counts.empty() ? 1 : Quantile(valid_counts, 0.5);
  std::vector<double> z(v.size(), 0), history;
  bool frozen = false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (history.size() >= kMinHistory) {
      std::vector<double> tmp = history;
      const double noise = std::max(floor[i], sigma * std::sqrt(usual / std::max(counts[i], 1.0)));
      z[i] = (v[i] - Quantile(tmp, 0.5)) / noise;
      if (valid[i] && z[i] >= kStartZ) frozen = true;
    }
    if (valid[i] && !frozen) history.push_back(v[i]);
  }
  return z;
}

}  // namespace

WindowSeries::WindowSeries(TimeRange range) : lo_(range.min_ns), hi_(range.max_ns) {
  if (hi_ > lo_) {
    width_ = std::max(kMinute, (hi_ - lo_) / 240);
    n_ = static_cast<size_t>((hi_ - lo_) / width_) + 1;
  }
}

void WindowSeries::Add(const SpanBatch& b) {
  if (n_ == 0) return;
  std::vector<std::vector<Bucket>*> by_service(b.dict.size(), nullptr);
  for (size_t i = 0; i < b.size(); ++i) {
    if (b.start_ns[i] < lo_ || b.start_ns[i] > hi_) continue;
    auto*& s = by_service[b.service[i]];
    if (s == nullptr) {
      s = &series_[std::string(b.dict.Get(b.service[i]))];
      if (s->empty()) s->resize(n_);
    }
    Bucket& k = (*s)[static_cast<size_t>((b.start_ns[i] - lo_) / width_)];
    k.spans += 1;
    k.errors += b.status[i] == SpanStatus::kError;
    k.log_ms += std::log1p(static_cast<double>(b.end_ns[i] - b.start_ns[i]) / 1e6);
  }
}

void WindowSeries::Merge(const WindowSeries& other) {
  for (const auto& [service, buckets] : other.series_) {
    std::vector<Bucket>& mine = series_[service];
    if (mine.empty()) mine.resize(n_);
    for (size_t i = 0; i < n_; ++i) {
      mine[i].spans += buckets[i].spans;
      mine[i].errors += buckets[i].errors;
      mine[i].log_ms += buckets[i].log_ms;
    }
  }
}

Result<DetectedWindow> DetectWindow(Store& store, TimeRange range, int64_t fallback_ns) {
  Result<TimeRange> bounds = DetectionRange(store, range);
  if (!bounds.ok()) return bounds.status();
  WindowSeries series(*bounds);
  if (bounds->max_ns > bounds->min_ns) {
    ScanFilter filter;
    filter.time = *bounds;
    filter.span_columns = SpanColumns::kStructure;
    // One series per batch, merged in scan order: the sums, and so the report, do not
    // depend on which thread finished first.
    std::mutex mu;
    std::vector<std::unique_ptr<WindowSeries>> by_batch;
    Status st = store.ScanSpansParallel(filter, 2, [&](const SpanBatch& b, size_t ordinal) {
      auto batch_series = std::make_unique<WindowSeries>(*bounds);
      batch_series->Add(b);
      std::lock_guard<std::mutex> lock(mu);
      if (by_batch.size() <= ordinal) by_batch.resize(ordinal + 1);
      by_batch[ordinal] = std::move(batch_series);
      return Status::Ok();
    });
    if (!st.ok()) return st;
    for (const auto& s : by_batch) {
      if (s != nullptr) series.Merge(*s);
    }
  }
  return series.Detect(fallback_ns);
}

Result<TimeRange> DetectionRange(Store& store, TimeRange range) {
  Result<TimeRange> data = store.DataTimeRange();
  if (!data.ok()) return data.status();
  return TimeRange{std::max(range.min_ns, data->min_ns), std::min(range.max_ns, data->max_ns)};
}

DetectedWindow WindowSeries::Detect(int64_t fallback_ns) const {
  const int64_t lo = lo_, hi = hi_, width = width_;
  const size_t n = n_;
  DetectedWindow out;
  if (hi <= lo) {
    out.window = {lo, hi};
    out.reason = "no data in the range";
    return out;
  }
  std::vector<double> score(n, 0);
  std::vector<std::string> who(n);
  for (const auto& [service, buckets] : series_) {
    std::vector<double> err(n), lat(n), err_noise(n), lat_noise(n), lat_floor(n), counts(n);
    for (size_t i = 0; i < n; ++i) {
      double c = std::max(buckets[i].spans, 1.0);
      err[i] = buckets[i].errors / c;
      lat[i] = buckets[i].log_ms / c;
      err_noise[i] = std::sqrt(kBaseErrorRate / c);  // binomial noise at a 1% error rate
      lat_noise[i] = 0.05 + 0.05 * lat[i];
      lat_floor[i] = 0.02 * lat[i];  // against its history: slow drift stays quiet
      counts[i] = buckets[i].spans;
    }
    std::vector<char> valid(n);
    for (size_t i = 0; i < n; ++i) valid[i] = buckets[i].spans >= kMinSpans;
    std::vector<double> ze = RobustZ(err, err_noise), zl = RobustZ(lat, lat_noise);
    std::vector<double> he = HistoryZ(err, err_noise, counts, valid),
                        hl = HistoryZ(lat, lat_floor, counts, valid);
    for (size_t i = 0; i < n; ++i) {
      if (!valid[i]) continue;
      ze[i] = std::max(ze[i], he[i]);
      zl[i] = std::max(zl[i], hl[i]);
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

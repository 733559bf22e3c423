// LatencyHistogram: a fixed log-scale histogram of durations (8 buckets per power of two,
// about 9% relative error) so percentiles over millions of spans need no per-span storage.
// Thread-safety: a plain value; one writer.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace ddbg::report {

class LatencyHistogram {
 public:
  static constexpr int kSubBuckets = 8;
  static constexpr int kBuckets = 64 * kSubBuckets;

  void Add(int64_t ns) {
    ++counts_[Bucket(ns)];
    ++total_;
  }
  uint64_t total() const { return total_; }
  void Merge(const LatencyHistogram& other) {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
  }
  // The q-quantile (0..1) as the midpoint of its bucket; 0 when empty.
  int64_t Quantile(double q) const {
    if (total_ == 0) return 0;
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(total_ - 1));
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen > rank) return Midpoint(i);
    }
    return Midpoint(kBuckets - 1);
  }

 private:
  static int Bucket(int64_t ns) {
    if (ns < kSubBuckets) return ns <= 0 ? 0 : static_cast<int>(ns);
    uint64_t v = static_cast<uint64_t>(ns);
    int e = 63 - std::countl_zero(v);  // >= 3
    int sub = static_cast<int>((v >> (e - 3)) & (kSubBuckets - 1));
    return (e - 2) * kSubBuckets + sub;
  }
  static int64_t Lower(int b) {
    if (b < 2 * kSubBuckets) return b < kSubBuckets ? b : (kSubBuckets + (b - kSubBuckets));
    int e = b / kSubBuckets + 2;
    int sub = b % kSubBuckets;
    return static_cast<int64_t>((static_cast<uint64_t>(kSubBuckets + sub)) << (e - 3));
  }
  static int64_t Midpoint(int b) {
    if (b < kSubBuckets) return b;
    int64_t lo = Lower(b);
    int64_t hi = b + 1 < kBuckets ? Lower(b + 1) : lo;
    return lo + (hi - lo) / 2;
  }

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
};

}  // namespace ddbg::report

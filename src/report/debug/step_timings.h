// Where a report's time goes: StepClock prints, when enabled (`ddbg debug --timings` or
// DDBG_TIMINGS=1), one stderr line per step as it ends — its wall time and the rows it read
// of each signal — counted by CountingStore, a Store that forwards every call and counts
// the rows of the batches it hands out.
// Thread-safety: CountingStore counts atomically (parallel scans); StepClock: one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "ddbg/store.h"

namespace ddbg::report {

struct RowCounts {
  uint64_t spans = 0, logs = 0, events = 0;
};

class CountingStore : public Store {
 public:
  explicit CountingStore(Store& inner) : inner_(inner) {}
  RowCounts counts() const { return {spans_.load(), logs_.load(), events_.load()}; }

  Status AppendSpans(const SpanBatch& b) override { return inner_.AppendSpans(b); }
  Status AppendLogs(const LogBatch& b) override { return inner_.AppendLogs(b); }
  Status AppendEvents(const EventBatch& b) override { return inner_.AppendEvents(b); }
  Status ScanSpans(const ScanFilter& filter, const BatchFn<SpanBatch>& fn) override;
  Status ScanLogs(const ScanFilter& filter, const BatchFn<LogBatch>& fn) override;
  Status ScanEvents(const ScanFilter& filter, const BatchFn<EventBatch>& fn) override;
  Status ScanSpansParallel(const ScanFilter& filter, int workers, const ParallelSpanFn& fn) override;
  Status ScanEventColumns(const ScanFilter& filter, const EventColumnScan& scan,
                          const EventColumnsFn& fn) override;
  Status FindCorrelated(const std::vector<std::string>& keys, const std::vector<std::string>& values,
                        std::vector<TraceId>* traces, const BatchFn<SpanBatch>& span_fn,
                        const BatchFn<LogBatch>& log_fn) override;
  Status FindLinkedEvents(const std::vector<std::string>& correlation_ids,
                          const std::vector<std::string>& causation_ids,
                          const std::vector<TraceId>& traces, const BatchFn<EventBatch>& fn) override;
  Result<SpanBatch> GetTrace(TraceId id) override;
  Result<LogBatch> GetTraceLogs(TraceId id) override;
  Status ForEachSpanSegment(const ScanFilter& filter, const SegmentFn& fn) override {
    return inner_.ForEachSpanSegment(filter, fn);
  }
  Status ForEachLogSegment(const ScanFilter& filter, const SegmentFn& fn) override {
    return inner_.ForEachLogSegment(filter, fn);
  }
  Result<StoreStats> Stats() override { return inner_.Stats(); }
  Result<TimeRange> DataTimeRange() override { return inner_.DataTimeRange(); }
  Status Refresh() override { return inner_.Refresh(); }
  Result<std::string> ReadBlob(const std::string& name) override { return inner_.ReadBlob(name); }
  Status UpdateBlob(const std::string& name, const std::function<Status(std::string*)>& fn) override {
    return inner_.UpdateBlob(name, fn);
  }

 private:
  BatchFn<SpanBatch> CountSpans(const BatchFn<SpanBatch>& fn);
  BatchFn<LogBatch> CountLogs(const BatchFn<LogBatch>& fn);
  BatchFn<EventBatch> CountEvents(const BatchFn<EventBatch>& fn);

  Store& inner_;
  std::atomic<uint64_t> spans_{0}, logs_{0}, events_{0};
};

// Whether timings were asked for by the environment (DDBG_TIMINGS set and not "0").
bool TimingsFromEnv();

class StepClock {
 public:
  // Disabled when `counts` is null: Lap does nothing.
  explicit StepClock(const CountingStore* counts);
  // Prints "timings: <step> <ms> ms, rows read: N spans, N logs, N events" for the time
  // and rows since the previous lap (or the clock's start).
  void Lap(std::string_view step);
  // The total since the clock started, as a last line.
  void Total();
  // A part of the current step run beside others on a thread: prints "  <part>" with its
  // time since `begin` (its rows are counted in the step's). Safe from any thread.
  using TimePoint = std::chrono::steady_clock::time_point;
  static TimePoint Now() { return std::chrono::steady_clock::now(); }
  void Part(std::string_view part, TimePoint begin) const;

 private:
  using Clock = std::chrono::steady_clock;
  const CountingStore* counts_;
  Clock::time_point start_, last_;
  RowCounts last_counts_;
};

}  // namespace ddbg::report

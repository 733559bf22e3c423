#include "report/debug/step_timings.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace ddbg::report {

BatchFn<SpanBatch> CountingStore::CountSpans(const BatchFn<SpanBatch>& fn) {
  return [this, &fn](const SpanBatch& b) {
    spans_ += b.size();
    return fn(b);
  };
}

BatchFn<LogBatch> CountingStore::CountLogs(const BatchFn<LogBatch>& fn) {
  return [this, &fn](const LogBatch& b) {
    logs_ += b.size();
    return fn(b);
  };
}

BatchFn<EventBatch> CountingStore::CountEvents(const BatchFn<EventBatch>& fn) {
  return [this, &fn](const EventBatch& b) {
    events_ += b.size();
    return fn(b);
  };
}

Status CountingStore::ScanSpans(const ScanFilter& filter, const BatchFn<SpanBatch>& fn) {
  return inner_.ScanSpans(filter, CountSpans(fn));
}

Status CountingStore::ScanLogs(const ScanFilter& filter, const BatchFn<LogBatch>& fn) {
  return inner_.ScanLogs(filter, CountLogs(fn));
}

Status CountingStore::ScanEvents(const ScanFilter& filter, const BatchFn<EventBatch>& fn) {
  return inner_.ScanEvents(filter, CountEvents(fn));
}

Status CountingStore::ScanSpansParallel(const ScanFilter& filter, int workers,
                                        const ParallelSpanFn& fn) {
  return inner_.ScanSpansParallel(filter, workers, [this, &fn](const SpanBatch& b, size_t n) {
    spans_ += b.size();
    return fn(b, n);
  });
}

Status CountingStore::ScanEventColumns(const ScanFilter& filter, const EventColumnScan& scan,
                                       const EventColumnsFn& fn) {
  return inner_.ScanEventColumns(filter, scan, [this, &fn](EventColumns& c) {
    events_ += c.rows;
    return fn(c);
  });
}

Status CountingStore::FindCorrelated(const std::vector<std::string>& keys,
                                     const std::vector<std::string>& values,
                                     std::vector<TraceId>* traces, const BatchFn<SpanBatch>& span_fn,
                                     const BatchFn<LogBatch>& log_fn) {
  return inner_.FindCorrelated(keys, values, traces, CountSpans(span_fn), CountLogs(log_fn));
}

Status CountingStore::FindLinkedEvents(const std::vector<std::string>& correlation_ids,
                                       const std::vector<std::string>& causation_ids,
                                       const std::vector<TraceId>& traces,
                                       const BatchFn<EventBatch>& fn) {
  return inner_.FindLinkedEvents(correlation_ids, causation_ids, traces, CountEvents(fn));
}

Result<SpanBatch> CountingStore::GetTrace(TraceId id) {
  Result<SpanBatch> r = inner_.GetTrace(id);
  if (r.ok()) spans_ += r->size();
  return r;
}

Result<LogBatch> CountingStore::GetTraceLogs(TraceId id) {
  Result<LogBatch> r = inner_.GetTraceLogs(id);
  if (r.ok()) logs_ += r->size();
  return r;
}

bool TimingsFromEnv() {
  const char* v = std::getenv("DDBG_TIMINGS");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

namespace {

void PrintLine(std::string_view step, double ms, const RowCounts& rows) {
  std::string line = fmt::format("timings: {:<44} {:8.1f} ms  rows read: {} spans, {} logs, {} events\n",
                                 step, ms, rows.spans, rows.logs, rows.events);
  std::fputs(line.c_str(), stderr);
}

double MsBetween(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

}  // namespace

StepClock::StepClock(const CountingStore* counts)
    : counts_(counts), start_(Clock::now()), last_(start_) {}

void StepClock::Lap(std::string_view step) {
  if (counts_ == nullptr) return;
  Clock::time_point now = Clock::now();
  RowCounts c = counts_->counts();
  PrintLine(step, MsBetween(last_, now),
            {c.spans - last_counts_.spans, c.logs - last_counts_.logs, c.events - last_counts_.events});
  last_ = now;
  last_counts_ = c;
}

void StepClock::Part(std::string_view part, TimePoint begin) const {
  if (counts_ == nullptr) return;
  std::string line = fmt::format("timings:   {:<42} {:8.1f} ms\n", part, MsBetween(begin, Clock::now()));
  std::fputs(line.c_str(), stderr);
}

void StepClock::Total() {
  if (counts_ != nullptr) PrintLine("total", MsBetween(start_, Clock::now()), counts_->counts());
}

}  // namespace ddbg::report

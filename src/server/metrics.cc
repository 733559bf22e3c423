#include "server/metrics.h"

#include <fmt/format.h>

#include <unordered_map>

namespace ddbg::server {
namespace {

std::string Escape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

template <size_t N>
void RenderHistogram(const std::string& name, const std::string& labels,
                     const std::array<double, N>& bounds, const Histogram<N>& h,
                     std::string* out) {
  std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < N; ++i) {
    cumulative += h.counts[i];
    *out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, bounds[i], cumulative);
  }
  *out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, h.count);
  *out += fmt::format("{}_sum{{{}}} {}\n", name, labels, h.sum);
  *out += fmt::format("{}_count{{{}}} {}\n", name, labels, h.count);
}

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

}  // namespace

template <size_t N>
void Histogram<N>::Observe(const std::array<double, N>& bounds, double v) {
  size_t i = 0;
  while (i < N && v > bounds[i]) ++i;
  ++counts[i];
  ++count;
  sum += v;
}

void Metrics::RecordSpans(const SpanBatch& spans) {
  // Aggregate by dictionary ids first, so the shared map is touched once per pair.
  struct Local {
    uint64_t errors = 0;
    Histogram<kSpanBuckets.size()> duration;
  };
  std::unordered_map<uint64_t, Local> local;
  for (size_t i = 0; i < spans.size(); ++i) {
    uint64_t key = (static_cast<uint64_t>(spans.service[i]) << 32) | spans.name[i];
    Local& l = local[key];
    if (spans.status[i] == SpanStatus::kError) ++l.errors;
    double seconds = static_cast<double>(spans.end_ns[i] - spans.start_ns[i]) / 1e9;
    l.duration.Observe(kSpanBuckets, seconds < 0 ? 0 : seconds);
  }
  std::lock_guard<std::mutex> g(mu_);
  ingested_spans_ += spans.size();
  for (const auto& [key, l] : local) {
    std::string service(spans.dict.Get(static_cast<StrId>(key >> 32)));
    std::string op(spans.dict.Get(static_cast<StrId>(key & 0xffffffffu)));
    RedSeries& s = red_[{std::move(service), std::move(op)}];
    s.errors += l.errors;
    for (size_t b = 0; b < l.duration.counts.size(); ++b) s.duration.counts[b] += l.duration.counts[b];
    s.duration.count += l.duration.count;
    s.duration.sum += l.duration.sum;
  }
}

void Metrics::RecordLogs(uint64_t n) {
  std::lock_guard<std::mutex> g(mu_);
  ingested_logs_ += n;
}

void Metrics::RecordRejectedRecords(const std::string& signal, const std::string& reason,
                                    uint64_t n) {
  if (n == 0) return;
  std::lock_guard<std::mutex> g(mu_);
  rejected_records_[{signal, reason}] += n;
}

void Metrics::RecordRejectedRequest(const std::string& reason) {
  std::lock_guard<std::mutex> g(mu_);
  ++rejected_requests_[reason];
}

void Metrics::RecordQuery(const std::string& endpoint, double seconds) {
  std::lock_guard<std::mutex> g(mu_);
  queries_[endpoint].Observe(kQueryBuckets, seconds);
}

std::string Metrics::Render(const MetricGauges& gauges) const {
  std::string out;
  std::lock_guard<std::mutex> g(mu_);
  Header(&out, "ddbg_spans_total", "counter", "Spans ingested, by service and operation.");
  for (const auto& [k, s] : red_) {
    out += fmt::format("ddbg_spans_total{{service=\"{}\",operation=\"{}\"}} {}\n", Escape(k.first),
                       Escape(k.second), s.duration.count);
  }
  Header(&out, "ddbg_span_errors_total", "counter",
         "Spans with status error, by service and operation.");
  for (const auto& [k, s] : red_) {
    out += fmt::format("ddbg_span_errors_total{{service=\"{}\",operation=\"{}\"}} {}\n",
                       Escape(k.first), Escape(k.second), s.errors);
  }
  Header(&out, "ddbg_span_duration_seconds", "histogram",
         "Span durations, by service and operation.");
  for (const auto& [k, s] : red_) {
    RenderHistogram("ddbg_span_duration_seconds",
                    fmt::format("service=\"{}\",operation=\"{}\"", Escape(k.first),
                                Escape(k.second)),
                    kSpanBuckets, s.duration, &out);
  }
  Header(&out, "ddbg_ingested_records_total", "counter", "Records acknowledged, by signal.");
  out += fmt::format("ddbg_ingested_records_total{{signal=\"spans\"}} {}\n", ingested_spans_);
  out += fmt::format("ddbg_ingested_records_total{{signal=\"logs\"}} {}\n", ingested_logs_);
  Header(&out, "ddbg_rejected_records_total", "counter",
         "Records rejected, by signal and reason.");
  for (const auto& [k, n] : rejected_records_) {
    out += fmt::format("ddbg_rejected_records_total{{signal=\"{}\",reason=\"{}\"}} {}\n",
                       k.first, k.second, n);
  }
  Header(&out, "ddbg_rejected_requests_total", "counter", "Requests refused, by reason.");
  for (const auto& [reason, n] : rejected_requests_) {
    out += fmt::format("ddbg_rejected_requests_total{{reason=\"{}\"}} {}\n", reason, n);
  }
  Header(&out, "ddbg_query_duration_seconds", "histogram", "Query API latency, by endpoint.");
  for (const auto& [endpoint, h] : queries_) {
    RenderHistogram("ddbg_query_duration_seconds", fmt::format("endpoint=\"{}\"", endpoint),
                    kQueryBuckets, h, &out);
  }
  auto gauge = [&out](const char* name, const char* help, uint64_t v) {
    Header(&out, name, "gauge", help);
    out += fmt::format("{} {}\n", name, v);
  };
  gauge("ddbg_wal_bytes", "Bytes in write-ahead log files.", gauges.wal_bytes);
  gauge("ddbg_wal_files", "Write-ahead log files.", gauges.wal_files);
  gauge("ddbg_wal_syncs", "Group commits (fdatasync calls) since start.", gauges.wal_syncs);
  gauge("ddbg_ingest_queue_requests", "Requests admitted and not yet acknowledged.",
        gauges.queue_requests);
  gauge("ddbg_ingest_queue_bytes", "Bytes of requests admitted and not yet acknowledged.",
        gauges.queue_bytes);
  gauge("ddbg_head_spans", "Spans acknowledged and not yet sealed into segments.",
        gauges.head_spans);
  gauge("ddbg_head_logs", "Log records acknowledged and not yet sealed into segments.",
        gauges.head_logs);
  gauge("ddbg_wal_sealed_lsn", "WAL position up to which everything is in segments.",
        gauges.sealed_lsn);
  return out;
}

}  // namespace ddbg::server

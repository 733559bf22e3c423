// Query latency on a ddbg store (driven by bench/query_bench.sh):
//   query_bench run STORE      trace by id (p50/p99 over 300 random traces, first round and
//                              again with the store's segment cache filled), a two-attribute
//                              TraceQL filter, the LogQL line filter and count_over_time by
//                              service (each repeated, warm): one line per question.
//   query_bench export STORE DIR   spans.tsv and logs.tsv of every stored span and log record,
//                              in ClickHouse's TabSeparated format, to load the same data.
//   query_bench logs STORE SIMDIR N   tops the store up to N log lines with generated service
//                              log lines (the simulator writes about one line per five spans),
//                              appending each line also to SIMDIR/logs/<service>.log in the
//                              simulator's text format, so rg reads the same lines.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "ddbg/logql.h"
#include "ddbg/store.h"
#include "ddbg/traceql.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

using Clock = std::chrono::steady_clock;

const char kTraceQL[] = "{ span.http.request.method = \"POST\" && span.http.response.status_code = 500 }";
const char kLineFilter[] = "{service=\"checkout\"} |= \"timeout\"";
const char kCountByService[] = "sum by (service) (count_over_time({service=~\".+\"} [1m]))";

template <typename Fn>
std::vector<double> TimeRuns(int n, Fn&& fn) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    fn(i);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms;
}

void Report(const char* name, const std::vector<double>& ms, uint64_t results) {
  auto at = [&ms](double q) { return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))]; };
  std::printf("%-16s runs=%zu p50_ms=%.3f p99_ms=%.3f min_ms=%.3f results=%llu\n", name, ms.size(),
              at(0.5), at(0.99), ms.front(), static_cast<unsigned long long>(results));
}

int Run(Store& store) {
  std::vector<TraceId> ids;
  Status st = store.ScanSpans({}, [&](const SpanBatch& b) {
    for (size_t i = 0; i < b.size(); i += 97) ids.push_back(b.trace_id[i]);
    return Status::Ok();
  });
  if (!st.ok() || ids.empty()) return std::fprintf(stderr, "no spans: %s\n", st.message().c_str()), 1;
  std::mt19937 rng(7);
  std::shuffle(ids.begin(), ids.end(), rng);
  ids.resize(std::min<size_t>(ids.size(), 300));
  // First round: a segment is decoded (and kept in the store's cache) the first time one
  // of its traces is asked for. Second round: every segment is in the cache, as in a
  // long-running server; that is the "warm" figure.
  uint64_t spans = 0;
  auto lookup = [&](int i) { spans += store.GetTrace(ids[static_cast<size_t>(i)])->size(); };
  std::vector<double> ms = TimeRuns(static_cast<int>(ids.size()), lookup);
  Report("trace_by_id_cold", ms, spans / ids.size());
  spans = 0;
  ms = TimeRuns(static_cast<int>(ids.size()), lookup);
  Report("trace_by_id", ms, spans / ids.size());

  // The same filter three ways: the matching trace ids only (what the ClickHouse query
  // returns: SELECT DISTINCT trace_id), Tempo's default search (20 traces with their root
  // and matched spans), and every matching trace gathered whole.
  // Each question is asked once with the query cache empty (posting tables and columns
  // decoded from the files, which the OS page cache holds), then repeatedly (warm).
  uint64_t traces = 0;
  TraceSearchOptions all;
  all.limit = 0;
  ms = TimeRuns(1, [&](int) { traces = SearchTraceQL(store, kTraceQL, all)->traces.size(); });
  Report("traceql_2attr_first", ms, traces);
  ms = TimeRuns(10, [&](int) { traces = FindTraceIds(store, kTraceQL, {}, 0)->size(); });
  Report("traceql_2attr_ids", ms, traces);
  TraceSearchOptions to;
  ms = TimeRuns(10, [&](int) { traces = SearchTraceQL(store, kTraceQL, to)->traces.size(); });
  Report("traceql_2attr_20", ms, traces);
  to.limit = 0;
  ms = TimeRuns(10, [&](int) { traces = SearchTraceQL(store, kTraceQL, to)->traces.size(); });
  Report("traceql_2attr", ms, traces);
  LogQueryOptions lo;
  lo.limit = 0;
  uint64_t lines = 0;
  ms = TimeRuns(1, [&](int) { lines = EvalLogQL(store, kLineFilter, lo)->lines.size(); });
  Report("logql_filter_first", ms, lines);
  ms = TimeRuns(10, [&](int) { lines = EvalLogQL(store, kLineFilter, lo)->lines.size(); });
  Report("logql_filter", ms, lines);
  lo.step_ns = 60'000'000'000;
  uint64_t series = 0;
  ms = TimeRuns(1, [&](int) { series = EvalLogQL(store, kCountByService, lo)->series.size(); });
  Report("count_by_service_first", ms, series);
  ms = TimeRuns(10, [&](int) { series = EvalLogQL(store, kCountByService, lo)->series.size(); });
  Report("count_by_service", ms, series);
  // Both caches hold what the questions decoded: the memory a server answering them keeps.
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("peak_rss_mb=%.0f\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}

// TabSeparated escaping (backslash, tab, newline) and array literals ['a','b'].
void Escaped(std::string_view s, bool quoted, std::string* out) {
  for (char c : s) {
    if (c == '\\') out->append("\\\\");
    else if (c == '\t') out->append("\\t");
    else if (c == '\n') out->append("\\n");
    else if (c == '\r') out->append("\\r");
    else if (quoted && c == '\'') out->append("\\'");
    else out->push_back(c);
  }
}

void AttrArrays(const StringDict& d, const AttrColumns& a, uint32_t begin, uint32_t end, std::string* row) {
  for (int part = 0; part < 2; ++part) {
    row->append("\t[");
    for (uint32_t i = begin; i < end; ++i) {
      row->append(i == begin ? "'" : ",'");
      Escaped(part == 0 ? std::string(d.Get(a.key[i])) : a.ValueText(d, i), true, row);
      row->push_back('\'');
    }
    row->push_back(']');
  }
}

int Export(Store& store, const std::string& dir) {
  std::ofstream spans(dir + "/spans.tsv"), logs(dir + "/logs.tsv");
  std::string row;
  Status st = store.ScanSpans({}, [&](const SpanBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      row = TraceIdToHex(b.trace_id[i]) + "\t" + SpanIdToHex(b.span_id[i]) + "\t";
      Escaped(b.dict.Get(b.service[i]), false, &row);
      row.push_back('\t');
      Escaped(b.dict.Get(b.name[i]), false, &row);
      row += "\t" + std::to_string(b.start_ns[i]) + "\t" + std::to_string(b.end_ns[i] - b.start_ns[i]) +
             "\t" + std::to_string(static_cast<int>(b.status[i]));
      AttrArrays(b.dict, b.attrs, b.attr_off.begin(i), b.attr_off.end(i), &row);
      row.push_back('\n');
      spans << row;
    }
    return Status::Ok();
  });
  if (st.ok()) {
    st = store.ScanLogs({}, [&](const LogBatch& b) {
      for (size_t i = 0; i < b.size(); ++i) {
        row = std::to_string(b.time_ns[i]) + "\t";
        Escaped(b.dict.Get(b.service[i]), false, &row);
        row += "\t" + std::string(SeverityShortName(b.severity_number[i])) + "\t" +
               (b.trace_id[i].empty() ? std::string() : TraceIdToHex(b.trace_id[i])) + "\t";
        Escaped(b.dict.Get(b.body[i]), false, &row);
        row.push_back('\n');
        logs << row;
      }
      return Status::Ok();
    });
  }
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
  return 0;
}


// Service log lines in the shape of the simulator's: timestamp, level, [service], optional
// trace context, a message from a few templates (about 2% of them a timeout).
class LogGenerator {
 public:
  LogGenerator(std::vector<std::string> services, TimeRange range)
      : services_(std::move(services)), range_(range) {}

  // One batch of `n` lines, time-ordered; each line's text is appended to texts[service].
  LogBatch Batch(size_t n, std::map<std::string, std::string>* texts) {
    LogBatch b;
    std::vector<uint32_t> res;
    for (const std::string& s : services_) res.push_back(b.CommitResource(b.dict.Intern(s)));
    b.CommitScope(b.dict.Intern("bench"), kEmptyStr);
    std::vector<int64_t> times(n);
    std::uniform_int_distribution<int64_t> when(range_.min_ns, range_.max_ns);
    for (int64_t& t : times) t = when(rng_);
    std::sort(times.begin(), times.end());
    for (int64_t t : times) Line(t, res, &b, texts);
    return b;
  }

 private:
  void Line(int64_t t, const std::vector<uint32_t>& res, LogBatch* b,
            std::map<std::string, std::string>* texts) {
    static const char* kLevels[] = {"INFO", "INFO", "INFO", "INFO", "INFO", "INFO", "WARN", "ERROR"};
    static const uint8_t kNumbers[] = {9, 9, 9, 9, 9, 9, 13, 17};
    size_t s = rng_() % services_.size(), lv = rng_() % 8;
    TraceId trace{rng_(), rng_()};
    SpanId span = rng_();
    char body[256];
    unsigned k = static_cast<unsigned>(rng_() % 50);
    unsigned a = static_cast<unsigned>(rng_() % 10000), c = static_cast<unsigned>(rng_() % 997);
    if (k == 0) {
      std::snprintf(body, sizeof body, "trace_id=%s span_id=%s upstream request timeout after %u ms calling %s (attempt %u of 3)",
                    TraceIdToHex(trace).c_str(), SpanIdToHex(span).c_str(), 1000 + a, services_[(s + 1) % services_.size()].c_str(), c % 3 + 1);
    } else if (k < 20) {
      std::snprintf(body, sizeof body, "trace_id=%s span_id=%s handled GET /api/v1/items/%u -> 200 in %u.%ums, user=u%05u region=eu-west-%u",
                    TraceIdToHex(trace).c_str(), SpanIdToHex(span).c_str(), a, c, a % 10, a, c % 3 + 1);
    } else if (k < 35) {
      std::snprintf(body, sizeof body, "cache refresh of partition %u finished: %u entries loaded, %u evicted, took %u ms on worker-%u",
                    c, a, a / 7, c + 3, a % 16);
    } else {
      std::snprintf(body, sizeof body, "connection pool stats: active=%u idle=%u waiting=%u max=64 db=orders-%u latency_p99=%u.%ums",
                    c % 64, a % 32, c % 5, a % 4, c, a % 10);
    }
    LogRow row;
    row.time_ns = t;
    row.observed_ns = t;
    row.severity_number = kNumbers[lv];
    row.severity_text = b->dict.Intern(kLevels[lv]);
    row.resource = res[s];
    row.body = b->dict.Intern(body);
    if (k < 20) {
      row.trace_id = trace;
      row.span_id = span;
    }
    b->CommitLog(row);
    std::string& text = (*texts)[services_[s]];
    text += FormatRfc3339(t);
    text += ' ';
    text += kLevels[lv];
    text += " [" + services_[s] + "] ";
    text += body;
    text += '\n';
  }

  std::vector<std::string> services_;
  TimeRange range_;
  std::mt19937_64 rng_{11};
};

int TopUpLogs(Store& store, const std::string& sim_dir, uint64_t want) {
  Result<StoreStats> stats = store.Stats();
  Result<TimeRange> range = store.DataTimeRange();
  if (!stats.ok() || !range.ok()) return std::fprintf(stderr, "stats failed\n"), 1;
  LogGenerator gen(stats->services, *range);
  for (uint64_t have = stats->logs; have < want;) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(want - have, 1 << 18));
    std::map<std::string, std::string> texts;
    Status st = store.AppendLogs(gen.Batch(n, &texts));
    if (!st.ok()) return std::fprintf(stderr, "%s\n", st.message().c_str()), 1;
    for (const auto& [service, text] : texts) {
      std::ofstream(sim_dir + "/logs/" + service + ".log", std::ios::app) << text;
    }
    have += n;
  }
  return 0;
}

}  // namespace
}  // namespace ddbg

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: query_bench run STORE | export STORE DIR | logs STORE SIMDIR N\n");
    return 2;
  }
  std::string mode = argv[1];
  // The decoded-segment cache of a long-running reader (DDBG_CACHE_MB, default 4096).
  const char* cache_mb = std::getenv("DDBG_CACHE_MB");
  ddbg::EmbeddedStoreOptions options;
  options.read_only = mode != "logs";
  options.cache_bytes = (cache_mb != nullptr ? std::strtoull(cache_mb, nullptr, 10) : 4096) << 20;
  // The query cache (decoded posting tables and column projections, DDBG_QUERY_CACHE_MB,
  // default 4096).
  const char* query_mb = std::getenv("DDBG_QUERY_CACHE_MB");
  options.query_cache_bytes = (query_mb != nullptr ? std::strtoull(query_mb, nullptr, 10) : 4096) << 20;
  auto store = ddbg::OpenEmbeddedStore(argv[2], options);
  if (!store.ok()) return std::fprintf(stderr, "%s\n", store.status().message().c_str()), 1;
  if (mode == "run") return ddbg::Run(**store);
  if (mode == "export" && argc > 3) return ddbg::Export(**store, argv[3]);
  if (mode == "logs" && argc > 4) return ddbg::TopUpLogs(**store, argv[3], std::strtoull(argv[4], nullptr, 10));
  return 2;
}

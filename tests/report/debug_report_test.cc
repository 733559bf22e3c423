// BuildDebugReport on a hand-built store with known answers: counts, the caller → callee
// edges, which traces are representative (by focus), their correlated logs and events,
// scoping by service, windows, --trace-id, bad requests, the correlation flow and projection lag.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "ddbg/debug_report.h"
#include "ddbg/store.h"
#include "report/debug/debug_context.h"

namespace ddbg {
namespace {

constexpr int64_t kT0 = 1736935200000000000;  // 2025-01-15T10:00:00Z
constexpr int64_t kMs = 1000000;
constexpr int64_t kMin = 60000 * kMs;

const TraceId kOk{0, 0xa};
const TraceId kFail{0, 0xb};
const TraceId kSlow{0, 0xc};

class ScratchStore {
 public:
  ScratchStore() {
    char tmpl[] = "/tmp/ddbg-debug-test-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto opened = OpenEmbeddedStore(dir_);
    store_ = std::move(opened.value());
  }
  ~ScratchStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  Store& store() { return *store_; }

 private:
  std::string dir_;
  std::unique_ptr<Store> store_;
};

void AddSpan(SpanBatch& b, TraceId t, SpanId id, SpanId parent, const char* service,
             const char* name, SpanKind kind, int64_t start, int64_t end, bool error = false) {
  SpanRow row;
  row.trace_id = t;
  row.span_id = id;
  row.parent_span_id = parent;
  row.resource = b.CommitResource(b.dict.Intern(service));
  row.name = b.dict.Intern(name);
  row.kind = kind;
  row.start_ns = start;
  row.end_ns = end;
  row.status = error ? SpanStatus::kError : SpanStatus::kUnset;
  row.status_message = b.dict.Intern(error ? "card declined" : "");
  b.CommitSpan(row);
}

// frontend GET /pay → frontend client → checkout server → checkout client → payment server.
void AddTrace(SpanBatch& b, TraceId t, int64_t start, int64_t scale, bool fail) {
  SpanId base = t.lo << 4;
  if (fail) b.attrs.AddString(b.dict.Intern("correlation_id"), b.dict.Intern("corr-fail"));
  AddSpan(b, t, base + 1, 0, "frontend", "GET /pay", SpanKind::kServer, start, start + 100 * scale, fail);
  AddSpan(b, t, base + 2, base + 1, "frontend", "call checkout", SpanKind::kClient,
          start + 5 * scale, start + 95 * scale, fail);
  AddSpan(b, t, base + 3, base + 2, "checkout", "POST /checkout", SpanKind::kServer,
          start + 10 * scale, start + 90 * scale, fail);
  AddSpan(b, t, base + 4, base + 3, "checkout", "call payment", SpanKind::kClient,
          start + 20 * scale, start + 80 * scale, fail);
  AddSpan(b, t, base + 5, base + 4, "payment", "charge", SpanKind::kServer, start + 25 * scale,
          start + 75 * scale, fail);
}

void AddLog(LogBatch& b, int64_t t, const char* service, uint8_t severity, const char* body,
            TraceId trace) {
  LogRow row;
  row.time_ns = t;
  row.severity_number = severity;
  row.resource = b.CommitResource(b.dict.Intern(service));
  row.body = b.dict.Intern(body);
  row.trace_id = trace;
  b.CommitLog(row);
}

DebugRequest Req(const char* description) {
  DebugRequest r;
  r.description = description;
  return r;
}

class DebugReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SpanBatch spans;
    AddTrace(spans, kOk, kT0, kMs, false);
    AddTrace(spans, kFail, kT0 + 10 * kMin, kMs, true);
    AddTrace(spans, kSlow, kT0 + 20 * kMin, 10 * kMs, false);
    ASSERT_TRUE(s_.store().AppendSpans(spans).ok());
    LogBatch logs;
    AddLog(logs, kT0 + 10 * kMin + 50 * kMs, "payment", 17, "charge failed: card declined", kFail);
    AddLog(logs, kT0 + 5 * kMin, "checkout", 13, "pool is busy", TraceId{});
    ASSERT_TRUE(s_.store().AppendLogs(logs).ok());
    EventBatch events;
    EventRow e;
    e.stream = events.dict.Intern("payment-ord-1");
    e.version = 1;
    e.event_type = events.dict.Intern("PaymentDeclined");
    e.time_ns = kT0 + 10 * kMin + 60 * kMs;
    e.correlation_id = events.dict.Intern("corr-fail");
    e.service = events.dict.Intern("payment");
    events.CommitEvent(e);
    ASSERT_TRUE(s_.store().AppendEvents(events).ok());
  }

  DebugReport Build(DebugRequest req) {
    Result<DebugReport> r = BuildDebugReport(s_.store(), req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(*r) : DebugReport{};
  }

  static std::vector<std::string> RepresentativeIds(const DebugReport& r) {
    std::vector<std::string> ids;
    for (const Finding& f : r.section(SectionId::kCorrelation).findings) {
      if (f.title.rfind("flow ", 0) != 0) ids.push_back(f.trace_ids.at(0));
    }
    return ids;
  }

  ScratchStore s_;
};

TEST_F(DebugReportTest, CountsWhatItLookedAt) {
  DebugReport r = Build(Req("payments failing"));
  EXPECT_EQ(r.counts.traces, 3);
  EXPECT_EQ(r.counts.spans, 15);
  EXPECT_EQ(r.counts.error_spans, 5);
  EXPECT_EQ(r.counts.error_traces, 1);
  EXPECT_EQ(r.counts.logs, 2);
  EXPECT_EQ(r.counts.error_logs, 1);
  EXPECT_EQ(r.counts.events, 1);
  EXPECT_EQ(r.counts.services, 3);
  EXPECT_EQ(r.window.min_ns, kT0);
  EXPECT_EQ(r.window.max_ns, kT0 + 20 * kMin + 250 * kMs);  // the newest span start
}

TEST_F(DebugReportTest, EdgesCarryCallsErrorsAndHealth) {
  DebugReport r = Build(Req("x"));
  const ServiceGraph& g = r.section(SectionId::kTopology).graph;
  ASSERT_EQ(g.edges.size(), 2u);
  EXPECT_EQ(g.edges[0].from, "checkout");
  EXPECT_EQ(g.edges[0].to, "payment");
  EXPECT_EQ(g.edges[0].calls, 3);
  EXPECT_EQ(g.edges[0].errors, 1);
  EXPECT_NEAR(g.edges[0].error_rate, 1.0 / 3, 1e-9);
  // One error is below the 3-error floor, but the slow trace's call (500 ms, 10x the others)
  // is the p99 by nearest rank, as topology.h computes it: the tail rule flags the edge.
  EXPECT_EQ(g.edges[0].p50_ns, 50 * kMs);
  EXPECT_EQ(g.edges[0].p99_ns, 500 * kMs);
  EXPECT_TRUE(g.edges[0].unhealthy);
  EXPECT_FALSE(g.edges[0].messaging);
  EXPECT_EQ(g.edges[1].from, "frontend");
  EXPECT_EQ(g.edges[1].to, "checkout");
  ASSERT_EQ(g.nodes.size(), 3u);
  EXPECT_EQ(g.nodes[0].name, "checkout");
  EXPECT_EQ(g.nodes[0].requests, 3);
  EXPECT_EQ(g.nodes[0].errors, 1);
}

TEST_F(DebugReportTest, CausationFocusShowsTheFailingTraceFirstWithItsLogsAndEvents) {
  DebugReport r = Build(Req("payments failing"));
  EXPECT_TRUE(r.focus.has(Focus::kCausation));
  EXPECT_TRUE(r.section(SectionId::kErrors).focused);
  std::vector<std::string> ids = RepresentativeIds(r);
  ASSERT_GE(ids.size(), 2u);
  EXPECT_EQ(ids[0], TraceIdToHex(kFail));
  EXPECT_EQ(ids[1], TraceIdToHex(kSlow));
  const Finding& f = r.section(SectionId::kCorrelation).findings[0];
  ASSERT_EQ(f.logs.size(), 1u);
  EXPECT_EQ(f.logs[0].body, "charge failed: card declined");
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_EQ(f.events[0].type, "PaymentDeclined");
  const CriticalPathBars& bars = r.section(SectionId::kCorrelation).bars.at(0);
  ASSERT_EQ(bars.segments.size(), 5u);
  for (const BarSegment& s : bars.segments) EXPECT_TRUE(s.critical) << s.operation;
}

TEST_F(DebugReportTest, CorrelationFlagOverridesTheWords) {
  DebugRequest req = Req("payments failing");
  req.has_focus = true;
  req.focus = Focus::kTiming;
  DebugReport r = Build(req);
  EXPECT_TRUE(r.focus_from_flag);
  EXPECT_FALSE(r.focus.has(Focus::kCausation));
  EXPECT_EQ(RepresentativeIds(r).at(0), TraceIdToHex(kSlow));
}

TEST_F(DebugReportTest, ScopeCountsOnlyTheServicesAskedFor) {
  DebugRequest req = Req("x");
  req.services = {"payment"};
  DebugReport r = Build(req);
  EXPECT_EQ(r.counts.spans, 3);
  EXPECT_EQ(r.counts.traces, 3);
  EXPECT_EQ(r.counts.logs, 1);
  const ServiceGraph& g = r.section(SectionId::kTopology).graph;
  ASSERT_EQ(g.edges.size(), 1u);  // payment and its caller
  EXPECT_EQ(g.nodes.size(), 2u);
}

TEST_F(DebugReportTest, TimeWindowEndsAtTheNewestData) {
  DebugRequest req = Req("x");
  req.window_ns = 5 * kMin;
  DebugReport r = Build(req);
  EXPECT_EQ(r.counts.traces, 1);
  EXPECT_EQ(RepresentativeIds(r).at(0), TraceIdToHex(kSlow));
  req.window_ns = 15 * kMin;
  req.has_since = true;
  req.since_ns = kT0 + kMin;
  DebugReport since = Build(req);
  EXPECT_EQ(since.counts.traces, 1);
  EXPECT_EQ(since.window.max_ns, kT0 + 16 * kMin);
}

TEST_F(DebugReportTest, TraceIdFocusesOnThatTrace) {
  DebugRequest req = Req("x");
  req.trace_id = kOk;
  DebugReport r = Build(req);
  EXPECT_EQ(RepresentativeIds(r), std::vector<std::string>{TraceIdToHex(kOk)});
  EXPECT_EQ(r.trace_id, TraceIdToHex(kOk));
  EXPECT_EQ(r.counts.traces, 2);  // 15 minutes around it: the failing trace, not the slow one
  EXPECT_EQ(r.window.min_ns, kT0 - 15 * kMin);
}

TEST_F(DebugReportTest, BadRequestsAreErrors) {
  DebugRequest req = Req("x");
  req.trace_id = TraceId{0, 0xdead};
  Result<DebugReport> missing = BuildDebugReport(s_.store(), req);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  DebugRequest backwards_req = Req("x");
  backwards_req.has_since = backwards_req.has_until = true;
  backwards_req.since_ns = kT0 + kMin;
  backwards_req.until_ns = kT0;
  Result<DebugReport> backwards = BuildDebugReport(s_.store(), backwards_req);
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.status().code(), StatusCode::kInvalidArgument);
}

const Finding* Starting(const Section& s, const std::string& prefix) {
  for (const Finding& f : s.findings) {
    if (f.title.rfind(prefix, 0) == 0) return &f;
  }
  return nullptr;
}

const Metric* MetricNamed(const Finding& f, const std::string& key) {
  for (const Metric& m : f.metrics) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

TEST_F(DebugReportTest, EveryAnalysisIsWiredIn) {
  DebugReport r = Build(Req("x"));
  for (const Section& s : r.sections) {
    EXPECT_EQ(&s - r.sections.data(), static_cast<int>(s.id));
    for (const Unavailable& u : s.unavailable) {
      EXPECT_NE(u.reason, "analysis not available in this build") << u.analysis;
    }
  }
  // The window is the whole store: nothing before it to compare with.
  EXPECT_NE(Starting(r.section(SectionId::kTiming), "regressions: no baseline"), nullptr);
  EXPECT_NE(Starting(r.section(SectionId::kState), "projection lag: no checkpoints configured"), nullptr);
}

// The failing trace's flow: its 5 spans, its log (by trace id) and the event that shares its
// correlation id (the span attribute correlation_id=corr-fail), in one chronological flow.
TEST_F(DebugReportTest, FlowOfTheFailingTraceMergesItsSpansLogsAndEvents) {
  DebugReport r = Build(Req("payments failing"));
  const Section& s = r.section(SectionId::kCorrelation);
  const Finding* flow = Starting(s, "flow of " + TraceIdToHex(kFail));
  ASSERT_NE(flow, nullptr);
  EXPECT_EQ(MetricNamed(*flow, "spans")->int_value, 5);
  EXPECT_EQ(MetricNamed(*flow, "logs")->int_value, 1);
  EXPECT_EQ(MetricNamed(*flow, "events")->int_value, 1);
  EXPECT_GE(MetricNamed(*flow, "errors")->int_value, 1);
  EXPECT_EQ(MetricNamed(*flow, "duration_ns")->int_value, 100 * kMs);
  EXPECT_EQ(flow->severity, Severity::kWarning);
  ASSERT_EQ(flow->events.size(), 1u);
  EXPECT_EQ(flow->events[0].type, "PaymentDeclined");
  EXPECT_EQ(flow->events[0].stream, "payment-ord-1");
  EXPECT_EQ(flow->events[0].version, 1u);
  EXPECT_NE(flow->title.find("frontend → checkout → payment"), std::string::npos) << flow->title;
  bool timeline = false;
  for (const Timeline& t : s.timelines) timeline |= t.title.rfind("flow of " + TraceIdToHex(kFail), 0) == 0;
  EXPECT_TRUE(timeline);
}

// Checkpoints: the newest event is at 10m 60ms. One projection is current, one 10 minutes
// behind (warning), one 40 minutes behind (critical), one never ran.
TEST_F(DebugReportTest, ProjectionLagShowsEachCheckpointWithItsHealth) {
  std::string text =
      "{\"projection\":\"current\",\"last_processed_at\":\"2025-01-15T10:10:00.060Z\"}\n"
      "{\"projection\":\"behind\",\"last_processed_at\":\"2025-01-15T10:00:00.060Z\"}\n"
      "{\"projection\":\"stuck\",\"last_processed_at\":\"2025-01-15T09:30:00.060Z\"}\n"
      "{\"projection\":\"never\"}\n";
  Result<std::vector<ProjectionCheckpoint>> cps = ParseCheckpoints(text, "checkpoints.jsonl");
  ASSERT_TRUE(cps.ok()) << cps.status().ToString();
  DebugRequest req = Req("state");
  req.has_checkpoints = true;
  req.checkpoints = *cps;
  DebugReport r = Build(req);
  const Section& s = r.section(SectionId::kState);
  const Finding* head = Starting(s, "projection lag: 3 of 4 projections behind");
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->severity, Severity::kWarning);
  const Finding* current = Starting(s, "projection current: healthy");
  ASSERT_NE(current, nullptr);
  EXPECT_EQ(MetricNamed(*current, "lag_ns")->int_value, 0);
  const Finding* behind = Starting(s, "projection behind: warning, 10m");
  ASSERT_NE(behind, nullptr);
  EXPECT_EQ(behind->severity, Severity::kWarning);
  EXPECT_EQ(MetricNamed(*behind, "lag_ns")->int_value, 10 * kMin);
  EXPECT_EQ(MetricNamed(*behind, "events_behind")->int_value, 1);
  const Finding* stuck = Starting(s, "projection stuck: critical, 40m");
  ASSERT_NE(stuck, nullptr);
  EXPECT_EQ(stuck->severity, Severity::kCritical);
  const Finding* never = Starting(s, "projection never: critical, never processed");
  ASSERT_NE(never, nullptr);
  EXPECT_EQ(MetricNamed(*never, "lag_ns"), nullptr);
}


// The representatives are gathered by one span scan and one log scan; each must hold what
// GetTrace and GetTraceLogs return, in the same order, also when a trace's rows lie in
// several segments that other representatives share.
TEST(DebugRepresentatives, GatheredRowsAreThoseOfTheTraceLookups) {
  ScratchStore s;
  for (int part = 0; part < 3; ++part) {
    SpanBatch spans;
    AddTrace(spans, TraceId{0, 0x20u + part}, kT0 + part * kMin, kMs, part == 1);
    AddTrace(spans, kFail, kT0 + part * kMin, kMs, true);  // in every segment
    ASSERT_TRUE(s.store().AppendSpans(spans).ok());
    LogBatch logs;
    AddLog(logs, kT0 + part * kMin + 1, "payment", 17, "declined", kFail);
    AddLog(logs, kT0 + part * kMin + 2, "checkout", 9, "retrying", TraceId{0, 0x20u + part});
    AddLog(logs, kT0 + part * kMin + 3, "checkout", 9, "unrelated", TraceId{0, 0x99});
    ASSERT_TRUE(s.store().AppendLogs(logs).ok());
  }
  report::DebugContext ctx;
  for (TraceId id : {kFail, TraceId{0, 0x22}, TraceId{0, 0x20}}) {
    ctx.representatives.push_back(report::RepresentativeTrace{.id = id});
  }
  ASSERT_TRUE(report::FetchRepresentativeTraces(s.store(), &ctx).ok());
  for (const report::RepresentativeTrace& rep : ctx.representatives) {
    Result<SpanBatch> spans = s.store().GetTrace(rep.id);
    ASSERT_TRUE(spans.ok());
    std::string why;
    EXPECT_TRUE(SameContent(rep.spans, *spans, &why)) << TraceIdToHex(rep.id) << ": " << why;
    Result<LogBatch> logs = s.store().GetTraceLogs(rep.id);
    ASSERT_TRUE(logs.ok());
    ASSERT_EQ(rep.logs.size(), logs->size());
    for (size_t i = 0; i < logs->size(); ++i) {
      EXPECT_EQ(rep.logs.time_ns[i], logs->time_ns[i]);
      EXPECT_EQ(rep.logs.dict.Get(rep.logs.body[i]), logs->dict.Get(logs->body[i]));
      EXPECT_EQ(rep.logs.dict.Get(rep.logs.service[i]), logs->dict.Get(logs->service[i]));
    }
  }
  EXPECT_EQ(ctx.representatives[0].spans.size(), 15u);  // 5 spans in each of 3 segments
  EXPECT_EQ(ctx.representatives[0].logs.size(), 3u);
  EXPECT_EQ(ctx.representatives[0].correlation_ids, std::vector<std::string>{"corr-fail"});
  report::DebugContext unknown;
  unknown.representatives.push_back(report::RepresentativeTrace{.id = TraceId{0, 0x77}});
  Status missing = report::FetchRepresentativeTraces(s.store(), &unknown);
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
}

// With the default window (the whole data) the log pass gathers the representatives' logs;
// with a narrower one their own scan does. Either way they are GetTraceLogs' rows.
TEST(DebugRepresentatives, LogsFromTheLogPassAreThoseOfTheTraceLookups) {
  ScratchStore s;
  for (int part = 0; part < 3; ++part) {
    SpanBatch spans;
    AddTrace(spans, TraceId{0, 0x20u + part}, kT0 + part * kMin, kMs, part == 1);
    AddTrace(spans, TraceId{0, 0x30u + part}, kT0 + part * kMin, 40 * kMs, false);
    ASSERT_TRUE(s.store().AppendSpans(spans).ok());
    LogBatch logs;
    AddLog(logs, kT0 + part * kMin + 1, "payment", 17, "declined", TraceId{0, 0x20u + part});
    AddLog(logs, kT0 + part * kMin + 2, "checkout", 9, "retrying", TraceId{0, 0x30u + part});
    AddLog(logs, kT0 + part * kMin + 3, "checkout", 9, "unrelated", TraceId{0, 0x99});
    ASSERT_TRUE(s.store().AppendLogs(logs).ok());
  }
  for (bool whole_data : {true, false}) {
    DebugRequest req = Req("payments failing");
    if (!whole_data) {
      req.has_since = true;
      req.since_ns = kT0 + kMin;
    }
    report::DebugContext ctx;
    ASSERT_TRUE(report::PrepareDebugContext(s.store(), req, &ctx).ok());
    EXPECT_EQ(ctx.representative_logs_in_log_pass, whole_data);
    ASSERT_FALSE(ctx.representatives.empty());
    size_t logs_seen = 0;
    for (const report::RepresentativeTrace& rep : ctx.representatives) {
      Result<LogBatch> logs = s.store().GetTraceLogs(rep.id);
      ASSERT_TRUE(logs.ok());
      ASSERT_EQ(rep.logs.size(), logs->size()) << TraceIdToHex(rep.id);
      for (size_t i = 0; i < logs->size(); ++i) {
        EXPECT_EQ(rep.logs.time_ns[i], logs->time_ns[i]);
        EXPECT_EQ(rep.logs.dict.Get(rep.logs.body[i]), logs->dict.Get(logs->body[i]));
        EXPECT_EQ(rep.logs.dict.Get(rep.logs.service[i]), logs->dict.Get(logs->service[i]));
      }
      logs_seen += logs->size();
    }
    EXPECT_GT(logs_seen, 0u);
  }
}

}  // namespace
}  // namespace ddbg

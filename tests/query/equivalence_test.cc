// Semantic equivalence of the indexed plans: for hundreds of generated TraceQL, tag-search
// and LogQL queries over a small simulated system, the embedded store's plan (segment
// pruning, posting lists, token index, limits) returns exactly what the brute-force plan
// (every row of every segment evaluated, through ScanOnlyStore) returns. Values in the
// queries are drawn from the stored data, so most queries match something.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "ddbg/index_terms.h"
#include "ddbg/logql.h"
#include "ddbg/traceql.h"
#include "query/query_test_util.h"

namespace ddbg {
namespace {

using query_test::ScanOnlyStore;

// Values seen in the store, to draw query literals from.
struct Vocabulary {
  std::vector<std::string> services, names;
  std::vector<std::pair<std::string, std::string>> span_str, res_str, log_res;  // key, value
  std::vector<std::pair<std::string, int64_t>> span_int;
  std::vector<std::string> bodies;
};

bool Quotable(std::string_view s) {
  return s.size() < 80 && s.find_first_of("\"\\\n") == std::string_view::npos;
}

void CollectAttrs(const StringDict& d, const AttrColumns& a, uint32_t begin, uint32_t end,
                  std::set<std::pair<std::string, std::string>>* str,
                  std::set<std::pair<std::string, int64_t>>* ints) {
  for (uint32_t i = begin; i < end; ++i) {
    std::string key(d.Get(a.key[i]));
    if (a.type[i] == AttrType::kString && Quotable(d.Get(a.value[i]))) {
      str->insert({key, std::string(d.Get(a.value[i]))});
    } else if (a.type[i] == AttrType::kInt && ints != nullptr) {
      ints->insert({key, a.IntAt(i)});
    }
  }
}

Vocabulary Collect(Store& store) {
  std::set<std::string> services, names;
  std::set<std::pair<std::string, std::string>> span_str, res_str, log_res;
  std::set<std::pair<std::string, int64_t>> span_int;
  Vocabulary v;
  EXPECT_TRUE(store.ScanSpans({}, [&](const SpanBatch& b) {
    for (size_t r = 0; r < b.size(); ++r) {
      services.insert(std::string(b.dict.Get(b.service[r])));
      names.insert(std::string(b.dict.Get(b.name[r])));
      CollectAttrs(b.dict, b.attrs, b.attr_off.begin(r), b.attr_off.end(r), &span_str, &span_int);
    }
    for (size_t k = 0; k < b.resources.size(); ++k) {
      CollectAttrs(b.dict, b.resources.attrs, b.resources.attr_off.begin(k),
                   b.resources.attr_off.end(k), &res_str, nullptr);
    }
    return Status::Ok();
  }).ok());
  EXPECT_TRUE(store.ScanLogs({}, [&](const LogBatch& b) {
    for (size_t r = 0; r < b.size(); r += 7) v.bodies.emplace_back(b.dict.Get(b.body[r]));
    for (size_t k = 0; k < b.resources.size(); ++k) {
      CollectAttrs(b.dict, b.resources.attrs, b.resources.attr_off.begin(k),
                   b.resources.attr_off.end(k), &log_res, nullptr);
    }
    return Status::Ok();
  }).ok());
  v.services.assign(services.begin(), services.end());
  v.names.assign(names.begin(), names.end());
  v.span_str.assign(span_str.begin(), span_str.end());
  v.res_str.assign(res_str.begin(), res_str.end());
  v.log_res.assign(log_res.begin(), log_res.end());
  v.span_int.assign(span_int.begin(), span_int.end());
  return v;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// A regex matching text starting like `s` (letters and digits only, so nothing to escape).
std::string PrefixPattern(std::string_view s) {
  std::string p;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) || p.size() >= 3) break;
    p.push_back(c);
  }
  return p + ".*";
}
std::string PrefixRegex(std::string_view s) { return Quote(PrefixPattern(s)); }

class QueryGenerator {
 public:
  QueryGenerator(const Vocabulary& v, uint32_t seed) : v_(v), rng_(seed) {}

  template <typename T>
  const T& Pick(const std::vector<T>& xs) {
    return xs[std::uniform_int_distribution<size_t>(0, xs.size() - 1)(rng_)];
  }
  int Roll(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::string TraceCond() {
    static const char* kOps[] = {"=", "!=", ">", "<", ">=", "<="};
    switch (Roll(11)) {
      case 0: return "resource.service.name = " + Quote(Roll(8) ? Pick(v_.services) : "nope");
      case 1: return "name = " + Quote(Pick(v_.names));
      case 2: return std::string("status = ") + (Roll(2) ? "error" : "unset");
      case 3: return std::string("kind ") + (Roll(3) ? "=" : "!=") + (Roll(2) ? " server" : " client");
      case 4: return std::string("duration ") + kOps[2 + Roll(4)] + " " + std::to_string(1 + Roll(300)) + "ms";
      case 5: {
        const auto& [k, val] = Pick(v_.span_str);
        return "span." + k + (Roll(4) ? " = " : " != ") + Quote(val);
      }
      case 6: {
        const auto& [k, val] = Pick(v_.span_int);
        return "span." + k + " " + kOps[Roll(6)] + " " + std::to_string(val);
      }
      case 7: {
        const auto& [k, val] = Pick(v_.res_str);
        return "resource." + k + " = " + Quote(val);
      }
      case 8: {
        const auto& [k, val] = Pick(Roll(2) ? v_.span_str : v_.res_str);
        return "." + k + " = " + Quote(val);
      }
      case 9: {
        const auto& [k, val] = Pick(v_.span_str);
        return "span." + k + (Roll(2) ? " =~ " : " !~ ") + PrefixRegex(val);
      }
      default: return std::string("rootServiceName = ") + Quote(Pick(v_.services));
    }
  }

  std::string SpanFilter() {
    std::string c = TraceCond();
    int more = Roll(3);
    for (int i = 0; i < more; ++i) c += (Roll(3) ? " && " : " || ") + TraceCond();
    if (Roll(6) == 0) c = "(" + c + ") && !(" + TraceCond() + ")";
    return "{ " + c + " }";
  }

  std::string TraceQL() {
    static const char* kJoin[] = {" && ", " || ", " >> ", " > ", " ~ "};
    std::string q = SpanFilter();
    if (Roll(3) == 0) q += kJoin[Roll(5)] + SpanFilter();
    switch (Roll(6)) {
      case 0: return q + " | count() > " + std::to_string(Roll(4));
      case 1: return q + " | avg(duration) > " + std::to_string(1 + Roll(100)) + "ms";
      case 2: return q + " | by(resource.service.name) | count() >= 1";
      case 3: return q + " | select(span.http.method)";
      default: return q;
    }
  }

  // A conjunction of equalities the posting lists answer exactly (IndexedSearch).
  std::string EqualityFilter() {
    std::string c;
    int n = 1 + Roll(3);
    for (int i = 0; i < n; ++i) {
      if (i) c += " && ";
      switch (Roll(5)) {
        case 0: c += "resource.service.name = " + Quote(Pick(v_.services)); break;
        case 1: c += "name = " + Quote(Pick(v_.names)); break;
        case 2: {
          const auto& [k, val] = Pick(v_.span_int);
          c += "span." + k + " = " + std::to_string(val);
          break;
        }
        case 3: {
          const auto& [k, val] = Pick(v_.res_str);
          c += "resource." + k + " = " + Quote(val);
          break;
        }
        default: {
          const auto& [k, val] = Pick(v_.span_str);
          c += "span." + k + " = " + Quote(val);
        }
      }
    }
    return "{ " + c + " }";
  }

  std::string Tags() {
    std::string q;
    int n = 1 + Roll(3);
    for (int i = 0; i < n; ++i) {
      if (i) q += " AND ";
      switch (Roll(5)) {
        case 0: q += "service=" + Quote(Pick(v_.services)); break;
        case 1: q += "operation=" + Quote(Pick(v_.names)); break;
        case 2: q += "minDuration=" + std::to_string(1 + Roll(200)) + "ms"; break;
        case 3: {
          const auto& [k, val] = Pick(v_.res_str);
          q += k + "=" + Quote(val);
          break;
        }
        default: {
          const auto& [k, val] = Pick(v_.span_str);
          q += k + "=" + Quote(val);
        }
      }
    }
    return q;
  }

  // A piece of a stored body: whole tokens, parts of tokens, spaces and punctuation.
  std::string Needle() {
    const std::string& b = Pick(v_.bodies);
    size_t len = 1 + static_cast<size_t>(Roll(12));
    size_t at = static_cast<size_t>(Roll(static_cast<int>(std::max<size_t>(1, b.size()))));
    std::string n = b.substr(at, len);
    std::string clean;
    for (char c : n) {
      if (c != '"' && c != '\\' && c != '\n') clean.push_back(c);
    }
    return clean.empty() ? "error" : clean;
  }

  std::string Selector() {
    std::vector<std::string> ms;
    switch (Roll(6)) {
      case 0: ms.push_back("service=~" + PrefixRegex(Pick(v_.services))); break;
      case 1: ms.push_back("service!=" + Quote(Pick(v_.services))); break;
      case 2: {
        const auto& [k, val] = Pick(v_.log_res);
        std::string label = k;
        std::replace(label.begin(), label.end(), '.', '_');
        ms.push_back(label + "=" + Quote(val));
        break;
      }
      default: ms.push_back("service=" + Quote(Pick(v_.services)));
    }
    if (Roll(3) == 0) ms.push_back(std::string("level=") + (Roll(2) ? "\"error\"" : "\"info\""));
    std::string s = "{";
    for (size_t i = 0; i < ms.size(); ++i) s += (i ? ", " : "") + ms[i];
    return s + "}";
  }

  std::string LogQL() {
    static const char* kFilters[] = {" |= ", " |= ", " != ", " |~ ", " !~ "};
    std::string q = Selector();
    int n = Roll(3);
    for (int i = 0; i < n; ++i) {
      const char* f = kFilters[Roll(5)];
      std::string needle = Needle();
      bool regex = f[2] == '~';
      q += f + Quote(regex ? PrefixPattern(needle) : needle);
    }
    if (Roll(4) == 0) q += " | logfmt | level != \"debug\"";
    if (Roll(5) == 0) q += " | line_format \"{{.service}}\"";
    return q;
  }

  // A metric query without a line pipeline: counted from the postings and the time column.
  std::string CountLogQL() {
    static const char* kRanges[] = {"[1m]", "[5m]", "[90s]"};
    std::string sel = Roll(4) == 0 ? std::string("{service=~\".+\"}") : Selector();
    std::string inner = std::string(Roll(2) ? "count_over_time(" : "rate(") + sel + " " + kRanges[Roll(3)] + ")";
    switch (Roll(4)) {
      case 0: return "sum by (service) (" + inner + ")";
      case 1: return "sum by (level) (" + inner + ")";
      case 2: return "sum(" + inner + ")";
      default: return inner;
    }
  }

  std::string MetricLogQL() {
    std::string inner = "count_over_time(" + LogQL() + " [5m])";
    switch (Roll(3)) {
      case 0: return "sum by (service) (" + inner + ")";
      case 1: return "sum(rate(" + LogQL() + " [1m]))";
      default: return inner;
    }
  }

 private:
  const Vocabulary& v_;
  std::mt19937 rng_;
};

class Equivalence : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    sim_ = query_test::MakeSimStore(400, {"error:payment", "latency:inventory"}, 1500).release();
    vocab_ = new Vocabulary(Collect(*sim_->store));
  }
  static void TearDownTestSuite() {
    delete vocab_;
    delete sim_;
  }

  // Traces sorted by (start, id), with their spansets, as Tempo JSON (without the plan's
  // counters, which differ by design).
  static std::string Canonical(TraceSearchResult r) {
    r.explain = QueryExplain();
    std::sort(r.traces.begin(), r.traces.end(), [](const TraceHit& a, const TraceHit& b) {
      return std::tie(a.start_ns, a.trace_id) < std::tie(b.start_ns, b.trace_id);
    });
    return TempoSearchJson(r);
  }

  static inline query_test::SimStore* sim_ = nullptr;
  static inline Vocabulary* vocab_ = nullptr;
};

TEST_F(Equivalence, TraceQLIndexedEqualsBruteForce) {
  ScanOnlyStore brute(*sim_->store);
  QueryGenerator gen(*vocab_, 11);
  int nonempty = 0, narrowed = 0;
  for (int i = 0; i < 150; ++i) {
    std::string q = gen.TraceQL();
    TraceSearchOptions o;
    o.limit = 0;
    o.spans_per_spanset = 0;
    auto a = SearchTraceQL(*sim_->store, q, o);
    auto b = SearchTraceQL(brute, q, o);
    ASSERT_TRUE(a.ok()) << q << ": " << a.status().message();
    ASSERT_TRUE(b.ok()) << q;
    ASSERT_EQ(Canonical(*a), Canonical(*b)) << q;
    nonempty += !a->traces.empty();
    const QueryStep& scan = a->explain.steps.front();
    narrowed += scan.rows_checked < b->explain.steps.front().rows_checked;
    // The ids-only path (analyses' --where) agrees too.
    auto ids = FindTraceIds(*sim_->store, q, {}, 0);
    auto ids_brute = FindTraceIds(brute, q, {}, 0);
    ASSERT_TRUE(ids.ok() && ids_brute.ok()) << q;
    ASSERT_EQ(std::set<TraceId>(ids->begin(), ids->end()),
              std::set<TraceId>(ids_brute->begin(), ids_brute->end()))
        << q;
  }
  // The generated queries are not vacuous, and the index does narrow most of them.
  EXPECT_GT(nonempty, 50);
  EXPECT_GT(narrowed, 50);
}

// Every match (no limit) of equality filters: the posting-list plan (IndexedSearch) gives
// the brute-force answer in the same order, spansets and attributes included.
TEST_F(Equivalence, EqualityFiltersWithoutLimitFromPostingLists) {
  ScanOnlyStore brute(*sim_->store);
  QueryGenerator gen(*vocab_, 17);
  int nonempty = 0;
  for (int i = 0; i < 150; ++i) {
    std::string q = gen.EqualityFilter();
    TraceSearchOptions o;
    o.limit = 0;
    o.spans_per_spanset = i % 2 == 0 ? 0 : 3;
    if (i % 3 == 0) {
      o.scope.time.min_ns = sim_->summary.start_ns + (sim_->summary.end_ns - sim_->summary.start_ns) / 3;
      o.scope.time.max_ns = o.scope.time.min_ns + (sim_->summary.end_ns - sim_->summary.start_ns) / 4;
    }
    auto a = SearchTraceQL(*sim_->store, q, o);
    auto b = SearchTraceQL(brute, q, o);
    ASSERT_TRUE(a.ok()) << q << ": " << a.status().message();
    ASSERT_TRUE(b.ok()) << q;
    EXPECT_NE(a->explain.plan.find("answered by the posting lists"), std::string::npos) << q;
    EXPECT_EQ(a->explain.steps.front().rows_checked, 0u) << q;
    a->explain = b->explain = QueryExplain();
    ASSERT_EQ(TempoSearchJson(*a), TempoSearchJson(*b)) << q;
    nonempty += !a->traces.empty();
    o.limit = 2;  // the same traces as the general plan's first two
    a = SearchTraceQL(*sim_->store, q, o);
    b = SearchTraceQL(brute, q, o);
    ASSERT_TRUE(a.ok() && b.ok()) << q;
    a->explain = b->explain = QueryExplain();
    ASSERT_EQ(TempoSearchJson(*a), TempoSearchJson(*b)) << q;
    for (size_t limit : {size_t{0}, size_t{2}}) {
      auto ids = FindTraceIds(*sim_->store, q, o.scope, limit);
      auto ids_brute = FindTraceIds(brute, q, o.scope, limit);
      ASSERT_TRUE(ids.ok() && ids_brute.ok()) << q;
      ASSERT_EQ(*ids, *ids_brute) << q;
    }
  }
  EXPECT_GT(nonempty, 40);
}

TEST_F(Equivalence, TraceQLWithTimeRangeAndLimit) {
  ScanOnlyStore brute(*sim_->store);
  QueryGenerator gen(*vocab_, 12);
  for (int i = 0; i < 60; ++i) {
    std::string q = gen.TraceQL();
    TraceSearchOptions o;
    o.limit = 0;
    o.scope.time.min_ns = sim_->summary.start_ns + (sim_->summary.end_ns - sim_->summary.start_ns) / 3;
    o.scope.time.max_ns = o.scope.time.min_ns + (sim_->summary.end_ns - sim_->summary.start_ns) / 4;
    auto a = SearchTraceQL(*sim_->store, q, o);
    auto b = SearchTraceQL(brute, q, o);
    ASSERT_TRUE(a.ok() && b.ok()) << q;
    ASSERT_EQ(Canonical(*a), Canonical(*b)) << q;
    // With a limit, every returned trace is one of the full answer's.
    o.limit = 3;
    auto c = SearchTraceQL(*sim_->store, q, o);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->traces.size(), std::min<size_t>(3, a->traces.size())) << q;
    std::set<TraceId> all;
    for (const TraceHit& h : a->traces) all.insert(h.trace_id);
    for (const TraceHit& h : c->traces) EXPECT_TRUE(all.count(h.trace_id)) << q;
  }
}

TEST_F(Equivalence, TagSearchIndexedEqualsBruteForce) {
  ScanOnlyStore brute(*sim_->store);
  QueryGenerator gen(*vocab_, 13);
  int nonempty = 0;
  for (int i = 0; i < 120; ++i) {
    std::string q = gen.Tags();
    TraceSearchOptions o;
    o.limit = 0;
    auto a = SearchTags(*sim_->store, q, o);
    auto b = SearchTags(brute, q, o);
    ASSERT_TRUE(a.ok()) << q << ": " << a.status().message();
    ASSERT_TRUE(b.ok()) << q;
    ASSERT_EQ(Canonical(*a), Canonical(*b)) << q;
    nonempty += !a->traces.empty();
  }
  EXPECT_GT(nonempty, 40);
}

std::string LinesText(const LogQueryResult& r) { return LokiQueryJson(r); }

TEST_F(Equivalence, LogQLIndexedEqualsBruteForce) {
  ScanOnlyStore brute(*sim_->store);
  QueryGenerator gen(*vocab_, 14);
  int nonempty = 0, skipped = 0;
  for (int i = 0; i < 400; ++i) {
    std::string q = gen.LogQL();
    LogQueryOptions o;
    o.limit = i % 4 == 0 ? 5 : 0;
    auto a = EvalLogQL(*sim_->store, q, o);
    auto b = EvalLogQL(brute, q, o);
    ASSERT_TRUE(a.ok()) << q << ": " << a.status().message();
    ASSERT_TRUE(b.ok()) << q;
    ASSERT_EQ(LinesText(*a), LinesText(*b)) << q;
    nonempty += !a->lines.empty();
    skipped += a->explain.steps.front().segments_skipped > 0;
  }
  EXPECT_GT(nonempty, 100);
  EXPECT_GT(skipped, 50);
}

TEST_F(Equivalence, LogQLMetricsIndexedEqualBruteForce) {
  ScanOnlyStore brute(*sim_->store);
  QueryGenerator gen(*vocab_, 15);
  for (int i = 0; i < 100; ++i) {
    std::string q = gen.MetricLogQL();
    LogQueryOptions o;
    o.step_ns = 60'000'000'000;
    auto a = EvalLogQL(*sim_->store, q, o);
    auto b = EvalLogQL(brute, q, o);
    ASSERT_TRUE(a.ok()) << q << ": " << a.status().message();
    ASSERT_TRUE(b.ok()) << q;
    ASSERT_EQ(LinesText(*a), LinesText(*b)) << q;
  }
}

TEST_F(Equivalence, LogCountsWithoutPipelineEqualBruteForce) {
  ScanOnlyStore brute(*sim_->store);
  QueryGenerator gen(*vocab_, 16);
  int from_index = 0, nonempty = 0;
  for (int i = 0; i < 120; ++i) {
    std::string q = gen.CountLogQL();
    LogQueryOptions o;
    o.step_ns = i % 3 == 0 ? 30'000'000'000 : 60'000'000'000;
    if (i % 5 == 0) o.range = TimeRange{sim_->summary.start_ns + 600'000'000'000, sim_->summary.start_ns + 1'800'000'000'000};
    auto a = EvalLogQL(*sim_->store, q, o);
    LogQueryOptions ob = o;
    ob.count_from_index = false;
    auto b = EvalLogQL(brute, q, ob);
    ASSERT_TRUE(a.ok()) << q << ": " << a.status().message();
    ASSERT_TRUE(b.ok()) << q;
    ASSERT_EQ(LinesText(*a), LinesText(*b)) << q;
    const QueryStep& step = a->explain.steps.front();
    if (step.name == "log count" && step.segments_read > 0) {
      ++from_index;
      EXPECT_EQ(step.rows_checked, 0u) << q;  // no row went through the line evaluator
    }
    nonempty += !a->series.empty();
  }
  EXPECT_GT(from_index, 40);
  EXPECT_GT(nonempty, 60);
}

}  // namespace
}  // namespace ddbg

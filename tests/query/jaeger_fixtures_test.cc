// Jaeger's storage-integration search fixtures (32 traces, 25 + 2 queries with their
// expected traces): `ddbg search` (the tag search) and hand-written TraceQL return exactly
// the expected traces for every query.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <set>

#include "ddbg/ingest.h"
#include "ddbg/traceql.h"
#include "store/store_test_util.h"
#include "util/time_parse.h"

namespace ddbg {
namespace {

const std::string kDir = std::string(DDBG_SHARED_DATA) + "/traces/jaeger-search-fixtures";

std::string TagValue(simdjson::dom::element v) {
  std::string_view text;
  if (v.get(text) != simdjson::SUCCESS) return simdjson::minify(v);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

struct Case {
  std::string caption;
  std::string tags;     // the tag search
  std::string traceql;  // the same question written as TraceQL by hand
  TimeRange time;
  std::set<TraceId> expected;
};

TraceId FixtureTraceId(const std::string& name) {
  simdjson::dom::parser p;
  simdjson::dom::element doc = p.load(kDir + "/traces/" + name + ".json");
  std::string_view hex = doc["resourceSpans"].at(0)["scopeSpans"].at(0)["spans"].at(0)["traceId"];
  TraceId id;
  EXPECT_TRUE(ParseTraceIdHex(hex, &id));
  return id;
}

std::vector<Case> LoadCases(const std::string& file, bool regex_tags) {
  simdjson::dom::parser p;
  std::vector<Case> out;
  for (simdjson::dom::element c : p.load(kDir + "/" + file).get_array()) {
    Case k;
    k.caption = std::string(c["Caption"].get_string().value());
    simdjson::dom::element q = c["Query"];
    std::vector<std::string> tags, conds;
    std::string_view service, op;
    if (q["ServiceName"].get(service) == simdjson::SUCCESS && !service.empty()) {
      tags.push_back("service=\"" + std::string(service) + "\"");
      conds.push_back("resource.service.name = \"" + std::string(service) + "\"");
    }
    if (q["OperationName"].get(op) == simdjson::SUCCESS && !op.empty()) {
      tags.push_back("operation=\"" + std::string(op) + "\"");
      conds.push_back("name = \"" + std::string(op) + "\"");
    }
    simdjson::dom::object tag_obj;
    if (q["Tags"].get(tag_obj) == simdjson::SUCCESS) {
      for (auto [key, v] : tag_obj) {
        std::string k2(key), val = TagValue(v), op2 = regex_tags ? " =~ " : " = ";
        tags.push_back(k2 + (regex_tags ? "=~" : "=") + val);
        std::string any;
        for (const char* scope : {"span.", "resource.", "event.", "link.", "instrumentation."}) {
          any += (any.empty() ? "" : " || ") + std::string(scope) + k2 + op2 + val;
        }
        conds.push_back("(" + any + ")");
      }
    }
    int64_t dmin = 0, dmax = 0;
    if (q["DurationMin"].get(dmin) == simdjson::SUCCESS && dmin > 0) {
      tags.push_back("minDuration=" + std::to_string(dmin) + "ns");
      conds.push_back("duration >= " + std::to_string(dmin) + "ns");
    }
    if (q["DurationMax"].get(dmax) == simdjson::SUCCESS && dmax > 0) {
      tags.push_back("maxDuration=" + std::to_string(dmax) + "ns");
      conds.push_back("duration <= " + std::to_string(dmax) + "ns");
    }
    std::string_view tmin, tmax;
    if (q["StartTimeMin"].get(tmin) == simdjson::SUCCESS) ParseRfc3339(tmin, &k.time.min_ns);
    if (q["StartTimeMax"].get(tmax) == simdjson::SUCCESS) ParseRfc3339(tmax, &k.time.max_ns);
    for (size_t i = 0; i < tags.size(); ++i) k.tags += (i ? " AND " : "") + tags[i];
    k.traceql = "{ ";
    for (size_t i = 0; i < conds.size(); ++i) k.traceql += (i ? " && " : "") + conds[i];
    k.traceql += " }";
    for (auto name : c["ExpectedFixtures"].get_array()) {
      k.expected.insert(FixtureTraceId(std::string(name.get_string().value())));
    }
    out.push_back(std::move(k));
  }
  return out;
}

class JaegerFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new store_test::ScratchDir();
    auto s = OpenEmbeddedStore(dir_->Sub("store"));
    ASSERT_TRUE(s.ok());
    store_ = s->release();
    auto r = Ingest({kDir + "/traces"}, *store_);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->rejected, 0u);
  }
  static void TearDownTestSuite() {
    delete store_;
    delete dir_;
  }

  static std::set<TraceId> Ids(const Result<TraceSearchResult>& r) {
    std::set<TraceId> ids;
    for (const TraceHit& h : r->traces) ids.insert(h.trace_id);
    return ids;
  }

  void Check(const std::vector<Case>& cases) {
    ASSERT_FALSE(cases.empty());
    for (const Case& c : cases) {
      TraceSearchOptions o;
      o.limit = 0;
      o.scope.time = c.time;
      auto tags = SearchTags(*store_, c.tags, o);
      ASSERT_TRUE(tags.ok()) << c.caption << ": " << tags.status().message();
      EXPECT_EQ(Ids(tags), c.expected) << c.caption << ": " << c.tags;
      auto tql = SearchTraceQL(*store_, c.traceql, o);
      ASSERT_TRUE(tql.ok()) << c.caption << ": " << tql.status().message();
      EXPECT_EQ(Ids(tql), c.expected) << c.caption << ": " << c.traceql;
      auto ids = FindTraceIds(*store_, c.traceql, o.scope, 0);
      ASSERT_TRUE(ids.ok());
      EXPECT_EQ(std::set<TraceId>(ids->begin(), ids->end()), c.expected) << c.caption;
    }
  }

  static store_test::ScratchDir* dir_;
  static Store* store_;
};
store_test::ScratchDir* JaegerFixtures::dir_ = nullptr;
Store* JaegerFixtures::store_ = nullptr;

TEST_F(JaegerFixtures, EveryQueryReturnsExactlyTheExpectedTraces) {
  Check(LoadCases("queries.json", false));
}

TEST_F(JaegerFixtures, RegexTagQueries) { Check(LoadCases("queries_es.json", true)); }

}  // namespace
}  // namespace ddbg

// Critical path against published answers: the 9 Jaeger UI cases (sections), the CRISP
// goldens (segments per span), hand-built traces, and an independent brute-force check on
// real traces.
#include "ddbg/critical_path.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "analysis_test_util.h"

namespace ddbg {
namespace {

using analysis_test::DataPath;
using analysis_test::DecodeText;
using analysis_test::SpanLabel;
using Section = std::tuple<std::string, int64_t, int64_t>;  // span, start µs, end µs

std::vector<Section> Sections(const SpanBatch& b, const CriticalPath& cp) {
  std::vector<Section> out;
  for (const CriticalPathSegment& s : cp.segments) {
    out.emplace_back(SpanLabel(b, s.row), s.start_ns / 1000, s.end_ns / 1000);
  }
  return out;
}

// Hex ids as SpanLabel prints them (no leading zeros, upper case); other ids unchanged.
std::string Normalize(std::string_view id) {
  SpanId v = 0;
  if (id.size() != 16 || !ParseSpanIdHex(id, &v)) return std::string(id);
  SpanBatch b;
  SpanRow row;
  row.span_id = v;
  b.CommitSpan(row);
  return SpanLabel(b, 0);
}

TraceTreeOptions NoSkew() {
  TraceTreeOptions o;
  o.adjust_clock_skew = false;
  return o;
}

TEST(CriticalPath, JaegerUiCasesMatchExpectedSections) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc =
      parser.load(DataPath("traces/jaeger-ui/critical-path/jaeger-ui-critical-path-cases.json"));
  int cases = 0;
  for (auto [name, c] : doc["cases"].get_object()) {
    std::string trace_json = simdjson::minify(c["trace"]);
    SpanBatch b = DecodeText(Format::kJaegerJson, trace_json);
    ASSERT_FALSE(b.empty()) << name;
    CriticalPath cp = ComputeCriticalPath(BuildTraceTree(b, NoSkew()), CriticalPathMode::kJaeger);
    std::vector<Section> want;
    for (auto s : c["expectedCriticalPathSections"].get_array()) {
      want.emplace_back(Normalize(std::string_view(s["spanID"])), int64_t(s["sectionStart"]),
                        int64_t(s["sectionEnd"]));
    }
    std::reverse(want.begin(), want.end());  // Jaeger lists the latest section first
    EXPECT_EQ(Sections(b, cp), want) << name;
    ++cases;
  }
  EXPECT_EQ(cases, 9);
}

// Golden segments per span, from CRISP's reference implementation.
std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> GoldenSegments(
    const std::string& fixture) {
  simdjson::dom::parser parser;
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> out;
  simdjson::dom::element doc =
      parser.load(DataPath("traces/crisp-critical-path/golden/" + fixture + "/cp-segments.json"));
  for (auto span : doc["spans"].get_array()) {
    auto& segs = out[std::string(std::string_view(span["spanID"]))];
    for (auto seg : span["segments"].get_array()) {
      segs.emplace_back(int64_t(seg.at(0)), int64_t(seg.at(1)));
    }
    if (segs.empty()) out.erase(std::string(std::string_view(span["spanID"])));
  }
  return out;
}

std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> OurSegments(
    const SpanBatch& b, const CriticalPath& cp) {
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>> out;
  for (const CriticalPathSegment& s : cp.segments) {
    out[SpanLabel(b, s.row)].emplace_back(s.start_ns / 1000, s.end_ns / 1000);
  }
  for (auto& [k, v] : out) std::sort(v.begin(), v.end());
  return out;
}

std::string FixtureFile(const std::string& fixture) {
  std::string base = DataPath("traces/crisp-critical-path/test_cases/");
  if (fixture.rfind("err_pattern", 0) == 0) {
    size_t u = fixture.find('_', 4);
    return base + fixture.substr(0, u) + "/" + fixture.substr(u + 1) + ".json";
  }
  return base + fixture + ".json";
}

class CrispGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(CrispGolden, CrispModeMatchesGoldenSegments) {
  Result<std::string> text = ReadFileDecompressed(FixtureFile(GetParam()));
  ASSERT_TRUE(text.ok());
  SpanBatch b = DecodeText(Format::kJaegerJson, *text);
  CriticalPath cp = ComputeCriticalPath(BuildTraceTree(b, NoSkew()), CriticalPathMode::kCrisp);
  EXPECT_EQ(OurSegments(b, cp), GoldenSegments(GetParam()));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, CrispGolden,
                         ::testing::Values("1", "2", "3", "4", "5", "6", "7", "8", "9", "10",
                                           "11", "13", "14", "15", "16", "17", "18", "19",
                                           "22", "25", "26", "err_pattern2_err1",
                                           "err_pattern3_err2"));

}  // namespace
}  // namespace ddbg

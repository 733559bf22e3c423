#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "ddbg/decode.h"

namespace ddbg {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool StartsWith(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }
bool Contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The first 64 KiB after decompression, as the ingester passes them (gzread also reads plain
// files unchanged).
std::string Head(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  std::string head(64 << 10, '\0');
  int n = f ? gzread(f, head.data(), static_cast<unsigned>(head.size())) : -1;
  if (f) gzclose(f);
  head.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return head;
}

// What each file of the shared data holds, from the folders' READMEs. Returns false for a
// file this table does not know (so a new file makes the test fail, not pass silently).
bool Expected(const std::string& rel, Format* f) {
  std::string name = std::filesystem::path(rel).filename().string();
  *f = Format::kAuto;
  // Documentation, licences, tables, request metadata, manifests and expected answers.
  if (EndsWith(name, ".md") || name == "LICENSE" || EndsWith(name, ".csv") ||
      EndsWith(name, ".meta.json") || name == "manifest.json" || EndsWith(name, ".manifest.json") ||
      name == "cp-segments.json" || StartsWith(name, "queries") ||
      Contains(rel, "jaeger-ui/critical-path/") || Contains(rel, "jaeger-ui/dependencies/") ||
      name == "labels.json" || name == "inner_service_root_causes.json") {
    return true;
  }
  if (name == "0001-jaeger.bin") return true;  // Jaeger Thrift: no decoder, cannot tell
  if (StartsWith(rel, "loghub2k/") && EndsWith(name, "_2k.log")) {
    *f = Format::kTextLogs;
  } else if (EndsWith(name, ".pb") || EndsWith(name, ".pb.gz")) {
    *f = Format::kOtlpProto;
  } else if (EndsWith(name, "-zipkin.json") || StartsWith(rel, "traces/zipkin-lens/")) {
    *f = Format::kZipkinJson;
  } else if (EndsWith(name, "-traces.json") || EndsWith(name, "-logs.json") ||
             EndsWith(name, ".otlp.jsonl.gz") || StartsWith(rel, "traces/jaeger-hotrod/") ||
             StartsWith(rel, "traces/jaeger-search-fixtures/traces/") ||
             (StartsWith(name, "otlp2jaeger-") && !Contains(name, "-out"))) {
    *f = Format::kOtlpJson;
  } else if (StartsWith(rel, "traces/crisp-critical-path/test_cases/") ||
             StartsWith(rel, "traces/jaeger-ui/self-time-shapes/") ||
             StartsWith(rel, "traces/jaeger-ui/real/") || Contains(name, "jaeger-out") ||
             Contains(name, "jaeger-multi-out") || name == "trace_success.json") {
    *f = Format::kJaegerJson;
  } else {
    return false;
  }
  return true;
}

TEST(Detect, RecognisesEveryFileOfTheSharedData) {
  const std::string root = DDBG_SHARED_DATA;
  std::map<Format, int> counts;
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string rel = std::filesystem::relative(entry.path(), root).string();
    SCOPED_TRACE(rel);
    Format want;
    ASSERT_TRUE(Expected(rel, &want)) << "no expectation for " << rel;
    Format got = DetectFormat(entry.path().string(), Head(entry.path().string()));
    EXPECT_EQ(FormatName(got), std::string(FormatName(want)));
    ++counts[got];
    ++files;
  }
  // Counted with find(1) over the same tree.
  EXPECT_EQ(files, 263);
  EXPECT_EQ(counts[Format::kOtlpProto], 14);
  EXPECT_EQ(counts[Format::kOtlpJson], 56);
  EXPECT_EQ(counts[Format::kZipkinJson], 18);
  EXPECT_EQ(counts[Format::kJaegerJson], 52);
  EXPECT_EQ(counts[Format::kTextLogs], 8);
}

TEST(Detect, BinaryNamedJsonIsNotJson) {
  std::mt19937 rng(7);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  EXPECT_EQ(DetectFormat("x.json", bytes), Format::kAuto);
  EXPECT_EQ(DetectFormat("x.json", "{\"resourceSpans\":" + bytes), Format::kAuto);
  EXPECT_EQ(DetectFormat("x.log", bytes), Format::kAuto);
  EXPECT_EQ(DetectFormat("x.pb", bytes), Format::kAuto);
  EXPECT_EQ(DetectFormat("x.json", ""), Format::kAuto);
}

TEST(Detect, AFewInvalidUtf8BytesInAShortFileStayText) {
  EXPECT_EQ(DetectFormat("u.log", "2024-01-01T00:00:00Z INFO hello \xff\xfe world\n"),
            Format::kTextLogs);
  EXPECT_EQ(DetectFormat("u.jsonl", "{\"time\":\"2024-01-01T00:00:00Z\",\"msg\":\"x\xff\"}\n"),
            Format::kJsonLogs);
  EXPECT_EQ(DetectFormat("u.log", std::string("2024-01-01T00:00:00Z INFO a\0b\n", 32)),
            Format::kAuto);
}

TEST(Detect, RecognisesProtobufByContentWhateverTheName) {
  std::string pb = Head(std::string(DDBG_SHARED_DATA) + "/otlp-captured/proto/0006-traces.pb");
  ASSERT_FALSE(pb.empty());
  EXPECT_EQ(DetectFormat("upload", pb), Format::kOtlpProto);
  EXPECT_EQ(DetectFormat("traces.json", pb), Format::kOtlpProto);
  // Cut in the middle of a message, as a 64 KiB head of a large file is.
  std::string big;
  while (big.size() < (80 << 10)) big += pb;
  EXPECT_EQ(DetectFormat("body", big.substr(0, 64 << 10)), Format::kOtlpProto);
  EXPECT_EQ(DetectFormat("body", pb.substr(0, pb.size() / 2)), Format::kAuto);
}

TEST(Detect, RecognisesGroundTruthByNameOrFaultsArray) {
  EXPECT_EQ(DetectFormat("out/ground_truth.json", "{}"), Format::kGroundTruth);
  EXPECT_EQ(DetectFormat("ground_truth.json.gz", "whatever"), Format::kGroundTruth);
  EXPECT_EQ(DetectFormat("truth.json", "{\"seed\":1,\"faults\":[{\"kind\":\"latency\"}]}"),
            Format::kGroundTruth);
}

TEST(Detect, RecognisesOtlpJsonWhereverTheKeyIs) {
  EXPECT_EQ(DetectFormat("a", "\xef\xbb\xbf  \n{\"resourceLogs\":[]}"), Format::kOtlpJson);
  EXPECT_EQ(DetectFormat("a", "{\"x\":{\"resourceSpans\":1},\"resourceSpans\":[]}"),
            Format::kOtlpJson);
  EXPECT_EQ(DetectFormat("a", "{\"x\":{\"resourceSpans\":1}}"), Format::kAuto);
  EXPECT_EQ(DetectFormat("a", "{\"note\":\"resourceSpans\"}"), Format::kAuto);
  // A document cut by the 64 KiB head.
  std::string big = "{\"resourceSpans\":[{\"resource\":{\"attributes\":[";
  while (big.size() < (70 << 10)) big += "{\"key\":\"k\",\"value\":{\"intValue\":1}},";
  EXPECT_EQ(DetectFormat("a", big.substr(0, 64 << 10)), Format::kOtlpJson);
}

TEST(Detect, TellsJsonLogsFromEvents) {
  EXPECT_EQ(DetectFormat("app.json",
                         "{\"time\":\"2024-05-01T12:00:00Z\",\"level\":\"info\",\"msg\":\"a\"}\n"
                         "{\"time\":\"2024-05-01T12:00:01Z\",\"level\":\"info\",\"msg\":\"b\"}\n"),
            Format::kJsonLogs);
  // Docker json-file logs have a stream but no event type or version.
  EXPECT_EQ(DetectFormat("c-json.log",
                         "{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:"
                         "00.1Z\"}\n"),
            Format::kJsonLogs);
  EXPECT_EQ(DetectFormat("events.jsonl",
                         "{\"stream\":\"order-1\",\"version\":1,\"type\":\"Placed\",\"ts\":1}\n"
                         "{\"stream\":\"order-1\",\"version\":2,\"type\":\"Paid\",\"ts\":2}\n"
                         "{\"stream\":\"order-1\",\"version\":3,\"type\":\"Shipp"),
            Format::kEventsJsonl);
  EXPECT_EQ(DetectFormat("e", "{\"aggregateId\":\"a\",\"eventType\":\"X\",\"createdAt\":1}\n"),
            Format::kEventsJsonl);
  // Neither: records of no known shape.
  EXPECT_EQ(DetectFormat("x.jsonl", "{\"a\":1}\n{\"a\":2}\n"), Format::kAuto);
  EXPECT_EQ(DetectFormat("x.json", "[{\"parent\":\"a\",\"child\":\"b\"}]"), Format::kAuto);
  // One bad line among log lines does not change the verdict.
  EXPECT_EQ(DetectFormat("app.json",
                         "{\"ts\":1,\"message\":\"a\"}\nnot json\n{\"ts\":2,\"message\":\"b\"}\n"),
            Format::kJsonLogs);
}

TEST(Detect, RecognisesTraceJsonShapes) {
  EXPECT_EQ(DetectFormat("t", "[{\"traceId\":\"a\",\"id\":\"b\",\"timestamp\":1}]"),
            Format::kZipkinJson);
  EXPECT_EQ(DetectFormat("t", "[{\"traceID\":\"a\",\"spanID\":\"b\",\"operationName\":\"x\"}]"),
            Format::kJaegerJson);
  EXPECT_EQ(DetectFormat("t", "{\"data\":[{\"traceID\":\"a\",\"spans\":[]}]}"),
            Format::kJaegerJson);
  // Key names inside string values do not count.
  EXPECT_EQ(DetectFormat("t", "{\"spans\":[{\"parentSpanID\":null,\"operation\":\"x\"}]}"),
            Format::kAuto);
}

TEST(Detect, TextLogsNeedATimestampOrALogName) {
  EXPECT_EQ(DetectFormat("app", "[Sun Dec 04 04:47:44 2005] [notice] ok\n"), Format::kTextLogs);
  EXPECT_EQ(DetectFormat("app", "starting\n2024-05-01 12:00:00,123 INFO up\n"), Format::kTextLogs);
  EXPECT_EQ(DetectFormat("app.log", "no timestamps here\nat all\n"), Format::kTextLogs);
  EXPECT_EQ(DetectFormat("app.log.3", "no timestamps here\n"), Format::kTextLogs);
  EXPECT_EQ(DetectFormat("notes", "no timestamps here\nat all\n"), Format::kAuto);
  EXPECT_EQ(DetectFormat("table.csv", "2024-05-01T12:00:00Z,a,b\n"), Format::kAuto);
  EXPECT_EQ(DetectFormat("app.log.gz", "plain words\n"), Format::kTextLogs);
}

}  // namespace
}  // namespace ddbg

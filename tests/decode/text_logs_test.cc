#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ddbg/decode.h"
#include "decode/log_line_header.h"
#include "util/time_parse.h"

namespace ddbg {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Rows of an RFC 4180 CSV file (quoted fields may hold commas, quotes and newlines).
std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::string text = ReadAll(path);
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !rows.back().empty()) {
    rows.back().push_back(std::move(field));
  } else {
    rows.pop_back();
  }
  return rows;
}

std::string Text(const LogBatch& b, StrId id) { return std::string(b.dict.Get(id)); }

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

struct LoghubCase {
  const char* system;
  int64_t first_ns;
  int64_t last_ns;
  int64_t sum_seconds;
  int64_t sum_fraction_ns;
  bool level_column;  // the structured CSV has a real Level column
};

// Expected answers computed independently with Python from each *_structured.csv (its
// Date/Time/Timestamp columns, read as UTC).
const LoghubCase kLoghub[] = {
    {"Apache", 1133671664000000000, 1133810157000000000, 2267474159449, 0, true},
    {"BGL", 1117838570675872000, 1136301189127918000, 2248228162085, 999378015000, true},
    {"HDFS", 1226262975000000000, 1226398817000000000, 2452692668339, 0, true},
    {"Hadoop", 1445191307978000000, 1445191855202000000, 2890383134457, 950477000000, true},
    {"Spark", 1497039040000000000, 1497039071000000000, 2994078121944, 0, true},
    {"Zookeeper", 1438191704747000000, 1439230354004000000, 2876855040474, 966046000000, true},
};

LogBatch DecodeLoghub(const std::string& system, DecodeStats* stats) {
  std::string path =
      std::string(DDBG_SHARED_DATA) + "/loghub2k/" + system + "/" + system + "_2k.log";
  std::string data = ReadAll(path);
  EXPECT_FALSE(data.empty()) << path;
  DecodeContext ctx(path);
  EXPECT_TRUE(DecodeTextLogs(data, ctx).ok());
  EXPECT_TRUE(ctx.Finish().ok());
  *stats = ctx.stats;
  return std::move(ctx.logs);
}

TEST(TextLogs, DecodesEveryLoghubLineWithTimeAndLevel) {
  for (const LoghubCase& c : kLoghub) {
    SCOPED_TRACE(c.system);
    DecodeStats stats;
    LogBatch logs = DecodeLoghub(c.system, &stats);
    ASSERT_EQ(logs.size(), 2000u);
    EXPECT_EQ(stats.logs, 2000u);
    EXPECT_EQ(stats.rejected, 0u);
    EXPECT_EQ(stats.warnings, 0u);
    EXPECT_EQ(logs.time_ns.front(), c.first_ns);
    EXPECT_EQ(logs.time_ns.back(), c.last_ns);
    int64_t sum_s = 0, sum_frac = 0;
    for (int64_t t : logs.time_ns) {
      sum_s += t / 1000000000;
      sum_frac += t % 1000000000;
    }
    EXPECT_EQ(sum_s, c.sum_seconds);
    EXPECT_EQ(sum_frac, c.sum_fraction_ns);

    // The level of every line equals the CSV's Level column.
    auto csv = ReadCsv(std::string(DDBG_SHARED_DATA) + "/loghub2k/" + c.system + "/" + c.system +
                       "_2k.log_structured.csv");
    ASSERT_EQ(csv.size(), 2001u);
    size_t level_col = 0;
    while (level_col < csv[0].size() && csv[0][level_col] != "Level") ++level_col;
    ASSERT_LT(level_col, csv[0].size());
    int mismatches = 0;
    for (size_t i = 0; i < 2000; ++i) {
      if (Text(logs, logs.severity_text[i]) != csv[i + 1][level_col]) ++mismatches;
      if (logs.severity_number[i] == 0) ++mismatches;
    }
    EXPECT_EQ(mismatches, 0);
    // The body is the original line; the service is the file's stem.
    EXPECT_EQ(Text(logs, logs.service[0]), std::string(c.system) + "_2k");
  }
}

TEST(TextLogs, DecodesSyslogLayoutsWithTheCurrentYear) {
  // Python: seconds from 1 January to each line, summed, for a common and a leap year.
  struct Case {
    const char* system;
    int64_t first, last, sum_common, sum_leap;
  } cases[] = {
      {"Linux", 14224561, 17937720, 32561651927, 32734451927},
      {"OpenSSH", 29660146, 29675085, 59341926925, 59514726925},
  };
  const int year = CurrentUtcYear();
  const int64_t jan1 = DaysFromCivil(year, 1, 1) * 86400;
  const bool leap = IsLeap(year);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.system);
    DecodeStats stats;
    LogBatch logs = DecodeLoghub(c.system, &stats);
    ASSERT_EQ(logs.size(), 2000u);
    EXPECT_EQ(stats.rejected, 0u);
    EXPECT_EQ(stats.warnings, 0u);
    int64_t sum = 0;
    int with_level = 0;
    for (size_t i = 0; i < logs.size(); ++i) {
      sum += logs.time_ns[i] / 1000000000 - jan1;
      with_level += logs.severity_number[i] != 0;
    }
    if (!leap) {
      EXPECT_EQ(logs.time_ns.front() / 1000000000 - jan1, c.first);
      EXPECT_EQ(logs.time_ns.back() / 1000000000 - jan1, c.last);
    }
    EXPECT_EQ(sum, leap ? c.sum_leap : c.sum_common);
    EXPECT_EQ(with_level, 0);  // these layouts carry no level; message words are not taken
  }
}

TEST(TextLogs, KeepsTheOriginalLineAsBody) {
  std::string data = "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok\r\n";
  DecodeContext ctx("logs/apache.log.gz");
  ASSERT_TRUE(DecodeTextLogs(data, ctx).ok());
  ASSERT_EQ(ctx.logs.size(), 1u);
  EXPECT_EQ(Text(ctx.logs, ctx.logs.body[0]),
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok");
  EXPECT_EQ(Text(ctx.logs, ctx.logs.service[0]), "apache");
  EXPECT_EQ(Text(ctx.logs, ctx.logs.severity_text[0]), "notice");
  EXPECT_EQ(ctx.logs.severity_number[0], 9);
  EXPECT_EQ(ctx.logs.observed_ns[0], ctx.logs.time_ns[0]);
}

TEST(TextLogs, JoinsContinuationLinesAndExtractsIds) {
  std::string data = ReadAll(std::string(DDBG_FIXTURES) + "/logs/checkout.log");
  DecodeContext ctx("checkout.log");
  ASSERT_TRUE(DecodeTextLogs(data, ctx).ok());
  const LogBatch& logs = ctx.logs;
  ASSERT_EQ(logs.size(), 5u);
  EXPECT_EQ(ctx.stats.rejected, 0u);
  EXPECT_EQ(ctx.stats.warnings, 1u);  // the first line: no time to borrow

  EXPECT_EQ(logs.time_ns[0], 0);
  EXPECT_EQ(Text(logs, logs.body[0]), "starting up without a timestamp");

  EXPECT_EQ(logs.time_ns[1], 1714564800123000000);
  EXPECT_EQ(TraceIdToHex(logs.trace_id[1]), "3a9a4f8456454e6641a5562067649405");
  EXPECT_EQ(SpanIdToHex(logs.span_id[1]), "d9fe973684707c5c");
  EXPECT_EQ(Text(logs, logs.severity_text[1]), "INFO");

  EXPECT_EQ(logs.time_ns[2], 1714564801500000000);
  EXPECT_EQ(logs.severity_number[2], 17);
  EXPECT_EQ(Text(logs, logs.body[2]),
            "2024-05-01 12:00:01,500 ERROR [main] c.e.Checkout: payment failed\n"
            "java.lang.IllegalStateException: card declined\n"
            "\tat com.example.Payment.charge(Payment.java:42)\n"
            "\tat com.example.Checkout.run(Checkout.java:17)\n"
            "Caused by: java.io.IOException: timeout\n"
            "\t... 2 more");
  EXPECT_TRUE(logs.trace_id[2].empty());

  // Not a continuation: its own record, with the previous record's time.
  EXPECT_EQ(Text(logs, logs.body[3]), "-- MARK --");
  EXPECT_EQ(logs.time_ns[3], 1714564801500000000);
  EXPECT_EQ(logs.severity_number[3], 0);

  EXPECT_EQ(logs.time_ns[4], 1714564802000000000);
  EXPECT_EQ(Text(logs, logs.severity_text[4]), "WARN");
  EXPECT_EQ(Text(logs, logs.service[4]), "checkout");
  ASSERT_EQ(logs.resources.size(), 1u);
}

struct LayoutCase {
  const char* line;
  int64_t time_ns;  // -1: relative to 1 January of the current year (see below)
  int64_t since_jan1_ns;
  uint8_t severity;
  const char* level;
};

TEST(TextLogs, RecognisesCommonLayouts) {
  const LayoutCase cases[] = {
      {"2024-05-01T12:00:00.123Z ERROR boom", 1714564800123000000, 0, 17, "ERROR"},
      {"2024-05-01 12:00:00,123 WARN [main] x", 1714564800123000000, 0, 13, "WARN"},
      {"[2024-05-01 12:00:00] [warning] disk", 1714564800000000000, 0, 13, "warning"},
      {"2024/05/01 12:00:00 plain go log", 1714564800000000000, 0, 0, ""},
      {"<165>1 2024-05-01T12:00:00.003Z host app - - started", 1714564800003000000, 0, 10,
       "notice"},
      {"time=2024-05-01T12:00:00Z level=warn msg=slow", 1714564800000000000, 0, 13, "warn"},
      {"ts=\"2024-05-01T12:00:00Z\" lvl=error", 1714564800000000000, 0, 17, "error"},
      {"127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326", 971211336000000000,
       0, 0, ""},
      {"1714564800.250 INFO tick", 1714564800250000000, 0, 9, "INFO"},
      {"16:42:54.493 INFO  a.s.AssuranceServiceImpl#65 done", 60174493000000, 0, 9, "INFO"},
      {"2024-05-01T12:00:00Z I think so", 1714564800000000000, 0, 0, ""},
      {"2024-05-01T12:00:00Z combo sshd[1]: ERROR in message", 1714564800000000000, 0, 0, ""},
      {"2024-05-01T12:00:00Z 1234 5678 E ActivityManager: died", 1714564800000000000, 0, 17, "E"},
      // Layouts without a year: 1 May of the current year, 12:00:00.
      {"<11>May  1 12:00:00 host app[1]: failed", -1, 0, 17, "err"},
      {"I0501 12:00:00.123456 1 main.go:10] ready", -1, 123456000, 9, "I"},
      {"May 1 12:00:00.5 host kernel: x", -1, 500000000, 0, ""},
      {"05-01 12:00:00.250  1234  1234 W Choreographer: skipped", -1, 250000000, 13, "W"},
  };
  const int year = CurrentUtcYear();
  const int64_t may1_noon = (DaysFromCivil(year, 5, 1) * 86400 + 12 * 3600) * 1000000000;
  for (const LayoutCase& c : cases) {
    SCOPED_TRACE(c.line);
    LogLineHeader h;
    ASSERT_TRUE(ParseLogLineHeader(c.line, year, &h));
    EXPECT_EQ(h.time_ns, c.time_ns == -1 ? may1_noon + c.since_jan1_ns : c.time_ns);
    EXPECT_EQ(h.severity_number, c.severity);
    EXPECT_EQ(h.level, c.level);
  }
  LogLineHeader h;
  EXPECT_FALSE(ParseLogLineHeader("    at com.example.Main(Main.java:1)", year, &h));
  EXPECT_FALSE(ParseLogLineHeader("hello world", year, &h));
  EXPECT_FALSE(ParseLogLineHeader("2024-13-01 12:00:00 bad month", year, &h));
  ASSERT_TRUE(ParseLogLineHeader("16:42:54.493 INFO x", year, &h));
  EXPECT_FALSE(h.has_date);
}

TEST(TextLogs, ExtractsTraceIdsInCommonSpellings) {
  std::string data =
      "2024-05-01T12:00:00Z INFO a TraceID: 9bd72d837371fe1b33bd1ab5c2e51e85 SpanID: "
      "a8357d3d4ab16f51\n"
      "2024-05-01T12:00:01Z INFO b [traceId=00000000000000000000000000abcdef]\n"
      "2024-05-01T12:00:02Z INFO c parent_span_id=a8357d3d4ab16f51 trace_id=xyz\n"
      "2024-05-01T12:00:03Z INFO d \"trace_id\":\"a03ee8fff1dcd9b9\"\n";
  DecodeContext ctx("svc.log");
  ASSERT_TRUE(DecodeTextLogs(data, ctx).ok());
  const LogBatch& logs = ctx.logs;
  ASSERT_EQ(logs.size(), 4u);
  EXPECT_EQ(TraceIdToHex(logs.trace_id[0]), "9bd72d837371fe1b33bd1ab5c2e51e85");
  EXPECT_EQ(SpanIdToHex(logs.span_id[0]), "a8357d3d4ab16f51");
  EXPECT_EQ(TraceIdToHex(logs.trace_id[1]), "00000000000000000000000000abcdef");
  EXPECT_TRUE(logs.trace_id[2].empty());  // not hex
  EXPECT_EQ(logs.span_id[2], 0u);         // a parent span id is not the record's span
  EXPECT_EQ(TraceIdToHex(logs.trace_id[3]), "0000000000000000a03ee8fff1dcd9b9");
}

TEST(TextLogs, ServiceNameComesFromTheFileStem) {
  EXPECT_EQ(ServiceFromSource("payment.log"), "payment");
  EXPECT_EQ(ServiceFromSource("/var/log/app/payment.log.1.gz"), "payment");
  EXPECT_EQ(ServiceFromSource("orders.jsonl.zst"), "orders");
  EXPECT_EQ(ServiceFromSource("dir/Apache_2k.log"), "Apache_2k");
  EXPECT_EQ(ServiceFromSource("-"), "unknown_service");
  EXPECT_EQ(ServiceFromSource(""), "unknown_service");
  EXPECT_EQ(ServiceFromSource("README"), "README");
}

TEST(TextLogs, RefusesBinaryInput) {
  std::string data("\x00\x01\x02\x03 binary", 11);
  DecodeContext ctx("x.log");
  EXPECT_FALSE(DecodeTextLogs(data, ctx).ok());
  EXPECT_EQ(ctx.logs.size(), 0u);
}

TEST(TextLogs, FlushesInBoundedMemoryAndRecommitsTheResource) {
  std::string data;
  for (int i = 0; i < 1000; ++i)
    data += "2024-05-01T12:00:00Z INFO line " + std::to_string(i) + "\n";
  size_t flushed_rows = 0, flushes = 0;
  DecodeContext ctx(
      "svc.log",
      [&](SpanBatch&, LogBatch& logs, EventBatch&) {
        ++flushes;
        flushed_rows += logs.size();
        EXPECT_EQ(logs.resources.size(), 1u);
        EXPECT_EQ(logs.dict.Get(logs.service[0]), "svc");
        return Status::Ok();
      },
      4096);
  ASSERT_TRUE(DecodeTextLogs(data, ctx).ok());
  ASSERT_TRUE(ctx.Finish().ok());
  EXPECT_GT(flushes, 1u);
  EXPECT_EQ(flushed_rows, 1000u);
  EXPECT_EQ(ctx.stats.logs, 1000u);
}

}  // namespace
}  // namespace ddbg

// End-to-end ingest of the real data in ../shared/data: everything must get in, with the
// counts established independently with jq (see each test's comment).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "cli_util.h"

namespace {

using namespace ddbg_e2e;

namespace fs = std::filesystem;

std::string Data(const std::string& rel) { return std::string(DDBG_SHARED_DATA) + "/" + rel; }

// jq over the decompressed files:
//   [.resourceSpans[].scopeSpans[].spans[]] | length          summed: 328,848 spans
//   (7,568 of them are exact re-sends of another line's span; all are stored)
//   [.resourceLogs[].scopeLogs[].logRecords[]] | length       summed: 172,722 records
//   distinct traceId over spans: 4,483; distinct service.name over both: 28.
// (The folder's README quotes 179,170 spans and 94,703 logs; the files hold the above.)
TEST(RealData, RcaTrainTicketDayIngestsCompletely) {
  std::string dir = fs::temp_directory_path() / ("ddbg-e2e-rca-" + std::to_string(getpid()));
  fs::remove_all(dir);
  std::string base = Data("rca/trainticket-2023-01-29/");
  CmdResult ingest = Ddbg("ingest -q --data " + dir + " " + base + "traces.otlp.jsonl.gz " + base +
                    "logs.otlp.jsonl.gz");
  ASSERT_EQ(ingest.exit_code, 0) << ingest.out;
  CmdResult stats = Ddbg("stats --format json --data " + dir);
  EXPECT_EQ(JsonInt(stats.out, "spans"), 328848) << stats.out;
  EXPECT_EQ(JsonInt(stats.out, "logs"), 172722) << stats.out;
  EXPECT_EQ(JsonInt(stats.out, "traces"), 4483) << stats.out;
  EXPECT_EQ(JsonInt(stats.out, "services"), 28) << stats.out;
  EXPECT_EQ(JsonInt(stats.out, "events"), 0) << stats.out;
  EXPECT_NE(stats.out.find("\"min_time\":\"2023-01-29T08:42:09"), std::string::npos) << stats.out;
  fs::remove_all(dir);
}

// The OpenTelemetry JS captures: jq over json/*-traces.json gives 104 spans in 6 traces
// from 5 services; json/*-logs.json hold 30 log records.
TEST(RealData, OtlpCapturedJsonAndProtoIngest) {
  for (const char* set : {"json", "proto"}) {
    std::string dir =
        fs::temp_directory_path() / ("ddbg-e2e-cap-" + std::string(set) + std::to_string(getpid()));
    fs::remove_all(dir);
    std::string inputs;
    for (const auto& e : fs::directory_iterator(Data(std::string("otlp-captured/") + set))) {
      std::string name = e.path().filename().string();
      if (name.find("-traces.") != std::string::npos || name.find("-logs.") != std::string::npos) {
        if (name.find(".meta.json") == std::string::npos && name.find(".gz") == std::string::npos) {
          inputs += " " + e.path().string();
        }
      }
    }
    CmdResult ingest = Ddbg("ingest -q --data " + dir + inputs);
    ASSERT_EQ(ingest.exit_code, 0) << set << ": " << ingest.out;
    CmdResult stats = Ddbg("stats --format json --data " + dir);
    EXPECT_EQ(JsonInt(stats.out, "spans"), 104) << set << stats.out;
    EXPECT_EQ(JsonInt(stats.out, "traces"), 6) << set << stats.out;
    EXPECT_EQ(JsonInt(stats.out, "services"), 5) << set << stats.out;
    EXPECT_EQ(JsonInt(stats.out, "logs"), 30) << set << stats.out;
    fs::remove_all(dir);
  }
}

}  // namespace

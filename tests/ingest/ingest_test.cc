// Ingest: large line-oriented files are decoded in pieces on several threads; the counts and
// the place of every rejection must be what a single pass gives.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ingest/pieces.h"
#include "ddbg/ingest.h"
#include "ddbg/store.h"

namespace ddbg {
namespace {

namespace fs = std::filesystem;

std::string JsonLogLine(int i) {
  return "{\"time\":\"2024-05-01T10:00:00Z\",\"level\":\"info\",\"service\":\"api\",\"msg\":\"request " +
         std::to_string(i) + " done\",\"n\":" + std::to_string(i) + "}\n";
}

TEST(SplitInput, CutsJsonLinesAtLineBoundariesAndCountsLines) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data += JsonLogLine(i);
  std::vector<InputPiece> pieces = SplitInput(Format::kJsonLogs, data, 4, 1000);
  ASSERT_EQ(pieces.size(), 4u);
  uint64_t lines = 0;
  size_t offset = 0;
  for (const InputPiece& p : pieces) {
    EXPECT_EQ(p.first_line, lines);
    EXPECT_EQ(p.first_offset, offset);
    EXPECT_EQ(p.bytes.front(), '{');
    EXPECT_EQ(p.bytes.back(), '\n');
    lines += static_cast<uint64_t>(std::count(p.bytes.begin(), p.bytes.end(), '\n'));
    offset += p.bytes.size();
  }
  EXPECT_EQ(lines, 1000u);
  EXPECT_EQ(offset, data.size());
}

TEST(SplitInput, KeepsDocumentsAndTextWhole) {
  std::string pretty = "{\n  \"resourceSpans\": []\n}\n";
  for (int i = 0; i < 200; ++i) pretty += " \n";
  EXPECT_EQ(SplitInput(Format::kOtlpJson, pretty, 4, 10).size(), 1u);
  std::string text;
  for (int i = 0; i < 200; ++i) text += "2024-05-01T10:00:00Z INFO line\n";
  EXPECT_EQ(SplitInput(Format::kTextLogs, text, 4, 10).size(), 1u);
  EXPECT_EQ(SplitInput(Format::kJaegerJson, "{\"data\":[]}\n{}\n", 4, 1).size(), 1u);
}

TEST(Ingest, ALargeFileDecodedInPiecesKeepsEveryRecordAndRejectionLine) {
  fs::path dir = fs::temp_directory_path() / ("ddbg-ingest-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const int kLines = 160000;  // about 17 MB: more than two 8 MB pieces
  const int kBad = 150001;    // 1-based line that is not JSON
  {
    std::ofstream out(dir / "big.jsonl", std::ios::binary);
    for (int i = 1; i <= kLines; ++i) out << (i == kBad ? std::string("{not json\n") : JsonLogLine(i));
  }
  auto store = OpenEmbeddedStore((dir / "data").string());
  ASSERT_TRUE(store.ok());
  Result<IngestReport> report = Ingest({(dir / "big.jsonl").string()}, **store);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->logs, static_cast<uint64_t>(kLines - 1));
  ASSERT_EQ(report->rejected, 1u);
  ASSERT_EQ(report->files.size(), 1u);
  ASSERT_EQ(report->files[0].stats.rejections.size(), 1u);
  EXPECT_EQ(report->files[0].stats.rejections[0].line, static_cast<uint64_t>(kBad));
  EXPECT_EQ(report->ExitCode(), 2);
  auto stats = (*store)->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->logs, static_cast<uint64_t>(kLines - 1));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ddbg

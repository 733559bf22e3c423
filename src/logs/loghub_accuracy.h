// Loghub accuracy measures for template mining, as the Loghub benchmark defines them:
// Grouping Accuracy (a line counts when its predicted group holds exactly the lines of its
// true group) and Parsing Accuracy (a line counts when its predicted template text equals the
// true one, whitespace collapsed). Also reads the structured CSV files of Loghub and raw log
// files (LF or CRLF). Used by bench/logmine_accuracy_bench.cc and its test. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/status.h"

namespace ddbg::logs {

struct LabelledLines {
  std::vector<std::string> content;
  std::vector<std::string> event_id;
  std::vector<std::string> event_template;
};

// Reads a `*_structured*.csv` file (RFC 4180 quoting) and keeps its Content, EventId and
// EventTemplate columns.
Result<LabelledLines> ReadLoghubStructured(const std::string& path);

// The lines of a text file, without their "\n" or "\r\n".
Result<std::vector<std::string>> ReadTextLines(const std::string& path);

// Splits one CSV record (no line breaks inside) into fields; false on an unclosed quote.
bool SplitCsvRecord(std::string_view line, std::vector<std::string>* fields);

struct Accuracy {
  double grouping = 0;
  double parsing = 0;
};

// predicted_id[i] and predicted_template[i] are the miner's answer for line i.
Accuracy ScoreLoghub(const LabelledLines& truth, const std::vector<uint32_t>& predicted_id,
                     const std::vector<std::string>& predicted_template);

struct SystemAccuracy {
  std::string system;
  Accuracy content;            // mined from the Content column, original labels
  Accuracy content_corrected;  // same, corrected labels
  Accuracy raw;                // mined from the raw .log lines (header set aside), original
  Accuracy raw_corrected;
};

// Mines every system folder of a loghub2k directory (Content column and raw lines) with the
// default miner configuration and scores it. Systems come in directory-name order.
Result<std::vector<SystemAccuracy>> EvaluateLoghub(const std::string& loghub_dir);

}  // namespace ddbg::logs

// Printing for `ddbg logs …`: tables for the terminal and JSON, and the parse output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ddbg/log_patterns.h"
#include "ddbg/log_rules.h"
#include "ddbg/logmine.h"

namespace ddbg::cli {

// Appends the lines of `data` (LF or CRLF) to *lines.
void SplitLines(std::string_view data, std::vector<std::string>* lines);
void PrintParsed(const std::vector<std::string_view>& messages, const std::vector<uint32_t>& ids,
                 const logs::TemplateMiner& miner, bool json);
void PrintPatterns(const std::vector<logs::PatternStats>& patterns, bool json);
void PrintIssues(const std::vector<logs::LogIssue>& issues, bool json);
void PrintChanges(const std::vector<logs::PatternChange>& changes, bool json);
void PrintLogLine(const LogBatch& batch, size_t row, bool json);

}  // namespace ddbg::cli

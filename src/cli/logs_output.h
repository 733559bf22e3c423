// Printing for `ddbg logs …`: tables for the terminal and JSON, and the parse output.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ddbg/log_patterns.h"
#include "ddbg/log_rules.h"
#include "ddbg/logmine.h"

namespace ddbg::cli {

// Calls fn(line) for each line of `data` (LF or CRLF), without its line end.
template <typename Fn>
void ForEachLine(std::string_view data, Fn&& fn) {
  size_t pos = 0;
  while (pos < data.size()) {
    size_t nl = data.find('\n', pos);
    size_t end = nl == std::string_view::npos ? data.size() : nl;
    std::string_view line = data.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(line);
    pos = end + 1;
  }
}

// Writes the rows of `logs parse` (LineId, Content, EventId, EventTemplate) to stdout as CSV
// or JSON lines, buffered; flushed on destruction. Template texts and ids (merged templates
// print as the template that absorbed them) are taken from `miner` when the writer is made.
class ParsedWriter {
 public:
  ParsedWriter(const logs::TemplateMiner& miner, bool json);
  ~ParsedWriter();
  void Row(uint64_t line_id, std::string_view content, uint32_t template_id);

 private:
  std::vector<std::string> text_;      // by id
  std::vector<uint32_t> canonical_;    // by id: the id printed (merged templates: the absorber)
  bool json_;
  std::string out_;
};
void PrintPatterns(const std::vector<logs::PatternStats>& patterns, bool json);
void PrintIssues(const std::vector<logs::LogIssue>& issues, bool json);
void PrintChanges(const std::vector<logs::PatternChange>& changes, bool json);
void PrintLogLine(const LogBatch& batch, size_t row, bool json);

}  // namespace ddbg::cli

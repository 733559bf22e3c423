// Evaluates a LogQL log expression on the rows of a LogBatch: the stream selector on the
// record's labels (service, level, resource and record attributes), line filters on the
// body, parsers (json, logfmt, pattern) extracting labels, label filters and line_format.
// Thread-safety: one evaluator per thread and batch.
#pragma once

#include <map>
#include <string>
#include <vector>
#include <string_view>

#include "ddbg/logql.h"
#include "ddbg/model.h"
#include "query/logql/ast.h"

namespace ddbg::logql {

class LineEvaluator {
 public:
  LineEvaluator(const LogExpr& e, const LogBatch& b) : e_(e), b_(b) {}
  // The stream selector alone.
  bool Selects(size_t row);
  // Selector and pipeline; on success fills *out (line, labels, time, ids).
  bool Run(size_t row, LogLine* out);
  // The leading `|=` stages the caller has already decided for every row it will Run (a
  // token index that answers exactly for a needle made of one token): their body search is
  // skipped.
  void SetDecidedStages(std::vector<bool> decided) { decided_ = std::move(decided); }

 private:
  std::string_view StreamLabel(size_t row, std::string_view label, std::string* scratch);
  bool Stage(const PipelineStage& s, size_t row, LogLine* out);
  void BaseLabels(size_t row, LogLine* out);
  void AttrLabels(size_t row, LogLine* out);
  const LogExpr& e_;
  const LogBatch& b_;
  std::vector<bool> decided_;
  // The base labels of each (service id, severity) seen, copied into every line.
  std::map<std::pair<StrId, uint8_t>, LabelSet> base_;
};

// Helpers shared with tests: label set upsert and lookup.
void SetLabel(LabelSet* labels, std::string name, std::string value);
const std::string* GetLabel(const LabelSet& labels, std::string_view name);
// The labels every record has: its service (also as service_name, job) and its level.
bool IsServiceLabel(std::string_view label);
bool IsLevelLabel(std::string_view label);
std::string Lower(std::string_view s);
// A stream matcher on one label value.
bool MatchesValue(const Matcher& m, std::string_view value);
// Loki label names: characters other than letters, digits and '_' become '_'.
std::string SanitizeLabel(std::string_view name);

}  // namespace ddbg::logql

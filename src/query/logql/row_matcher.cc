// LogRowMatcher: a parsed LogQL log query applied to one record at a time through the same
// LineEvaluator that EvalLogQL runs on scanned segments, so both agree on every construct.
#include "ddbg/logql.h"
#include "query/logql/line_eval.h"
#include "query/logql/parser.h"

namespace ddbg {

struct LogRowMatcher::Compiled {
  logql::Query query;
};

Result<LogRowMatcher> LogRowMatcher::Compile(std::string_view text) {
  Result<logql::Query> q = logql::ParseLogQL(text);
  if (!q.ok()) return q.status();
  if (q->is_metric) {
    return Status::InvalidArgument(
        "a metric query (count_over_time, rate, sum…) selects no records; give a log query "
        "such as {service=\"api\"} |= \"error\"");
  }
  auto compiled = std::make_shared<Compiled>();
  compiled->query = std::move(q).value();
  return LogRowMatcher(std::move(compiled));
}

bool LogRowMatcher::Matches(const LogBatch& batch, size_t row, LogLine* out) const {
  LogLine scratch;
  logql::LineEvaluator ev(compiled_->query.log, batch);
  return ev.Run(row, out != nullptr ? out : &scratch);
}

}  // namespace ddbg

// The `--where` filter of rca: a TraceQL spanset subset, `{ cond && cond ... }`, where a
// cond is `resource.service.name`, `name`, `span.<key>` or `resource.<key>` compared with
// `=` or `!=` to a quoted string. A trace is kept when one of its spans meets every cond.
// The full TraceQL engine (issue "queries") will replace this. Thread-safety: immutable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analysis/rca/trace_set.h"
#include "ddbg/status.h"

namespace ddbg::rca {

struct WhereCond {
  enum class Field : uint8_t { kService, kName, kPair } field = Field::kService;
  std::string key;    // kPair: the attribute key
  std::string value;
  bool negate = false;
};

struct WhereFilter {
  std::vector<WhereCond> conds;  // empty: every trace
  bool empty() const { return conds.empty(); }
  bool MatchesSpan(const TraceSet& set, const RcaSpan& span) const;
};

// InvalidArgument naming the column of the first thing not understood.
Result<WhereFilter> ParseWhere(std::string_view text);

}  // namespace ddbg::rca

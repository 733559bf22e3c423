// The TraceQL planner: which span filters decide candidate traces, whether the query can be
// answered span by span ("simple": filters joined by || with no trace-level intrinsics and
// no filtering pipeline stage) or needs whole traces, and the index expression that narrows
// the rows of each segment. Thread-safety: plain values.
#pragma once

#include <string>
#include <vector>

#include "query/index_expr.h"
#include "query/traceql/ast.h"

namespace ddbg::traceql {

struct TracePlan {
  std::vector<const Cond*> leaves;  // the filters of the spanset expression
  bool simple = false;
  query::IndexExpr index;           // rows that may match some leaf
  std::string Describe() const;
};

TracePlan PlanTraceQuery(const Query& q);
// The (type, text) pairs an equality literal matches in stored attributes (an int literal
// matches int and double attributes of its value).
std::vector<std::pair<AttrType, std::string>> LiteralForms(const Literal& l);
// The index expression of one span condition (kAll where no index can help).
query::IndexExpr CondIndex(const Cond& c);

}  // namespace ddbg::traceql

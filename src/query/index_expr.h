// An index expression: which rows of a segment may match, as unions and intersections of
// posting lists (terms of index_terms.h) and token lookups. kAll means "the index cannot
// narrow this": every row stays a candidate. Evaluating never drops a row that matches,
// so the rows are always checked afterwards. Shared by the TraceQL and LogQL planners.
// Thread-safety: immutable values; evaluation uses the caller's cursor.
#pragma once

#include <roaring/roaring.hh>

#include <optional>
#include <string>
#include <vector>

#include "ddbg/store.h"

namespace ddbg::query {

struct IndexExpr {
  enum class Kind : uint8_t { kAll, kTerms, kTokens, kAnd, kOr };
  Kind kind = Kind::kAll;
  std::vector<std::string> terms;  // kTerms: union of these terms; kTokens: pieces, all needed
  std::vector<IndexExpr> children;

  static IndexExpr All() { return {}; }
  static IndexExpr Terms(std::vector<std::string> t) {
    IndexExpr e;
    e.kind = Kind::kTerms;
    e.terms = std::move(t);
    return e;
  }
  // And/Or that simplify kAll children (And drops them, Or becomes kAll).
  static IndexExpr And(std::vector<IndexExpr> c);
  static IndexExpr Or(std::vector<IndexExpr> c);
  bool all() const { return kind == Kind::kAll; }
  // "term1 | term2 & …" for --explain (NUL bytes shown as ':').
  std::string ToString() const;
};

// The rows of the segment that may match; nullopt when the expression is kAll or the
// segment has no index.
Result<std::optional<Roaring>> EvalIndex(const IndexExpr& e, SegmentCursor& c);

}  // namespace ddbg::query

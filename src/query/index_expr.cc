#include "query/index_expr.h"

namespace ddbg::query {

IndexExpr IndexExpr::And(std::vector<IndexExpr> c) {
  IndexExpr e;
  e.kind = Kind::kAnd;
  for (IndexExpr& k : c) {
    if (!k.all()) e.children.push_back(std::move(k));
  }
  if (e.children.empty()) return All();
  if (e.children.size() == 1) return std::move(e.children[0]);
  return e;
}

IndexExpr IndexExpr::Or(std::vector<IndexExpr> c) {
  IndexExpr e;
  e.kind = Kind::kOr;
  for (IndexExpr& k : c) {
    if (k.all()) return All();
    e.children.push_back(std::move(k));
  }
  if (e.children.empty()) return All();
  if (e.children.size() == 1) return std::move(e.children[0]);
  return e;
}

std::string IndexExpr::ToString() const {
  auto show = [](const std::string& t) {
    std::string s = t;
    for (char& ch : s) {
      if (ch == '\0') ch = ':';
    }
    return s;
  };
  std::string out;
  const char* sep = kind == Kind::kAnd ? " & " : " | ";
  switch (kind) {
    case Kind::kAll: return "*";
    case Kind::kTerms:
    case Kind::kTokens:
      for (size_t i = 0; i < terms.size(); ++i) {
        out += (i ? (kind == Kind::kTokens ? " & " : " | ") : "") +
               (kind == Kind::kTokens ? "token~" + show(terms[i]) : show(terms[i]));
      }
      return terms.size() > 1 ? "(" + out + ")" : out;
    case Kind::kAnd:
    case Kind::kOr:
      for (size_t i = 0; i < children.size(); ++i) out += (i ? sep : "") + children[i].ToString();
      return "(" + out + ")";
  }
  return out;
}

Result<std::optional<Roaring>> EvalIndex(const IndexExpr& e, SegmentCursor& c) {
  using Out = std::optional<Roaring>;
  if (e.all() || !c.has_index()) return Out();
  Roaring acc;
  switch (e.kind) {
    case IndexExpr::Kind::kTerms:
      for (const std::string& t : e.terms) {
        Roaring rows;
        DDBG_RETURN_IF_ERROR(c.Postings(t, &rows));
        acc |= rows;
      }
      return Out(std::move(acc));
    case IndexExpr::Kind::kTokens:
      for (size_t i = 0; i < e.terms.size(); ++i) {
        Roaring rows;
        DDBG_RETURN_IF_ERROR(c.TokenRows(e.terms[i], &rows));
        if (i == 0) acc = std::move(rows);
        else acc &= rows;
      }
      return Out(std::move(acc));
    default:
      break;
  }
  bool first = true;
  for (const IndexExpr& k : e.children) {
    Result<Out> r = EvalIndex(k, c);
    if (!r.ok()) return r.status();
    if (!r->has_value()) {
      if (e.kind == IndexExpr::Kind::kOr) return Out();
      continue;
    }
    if (first) acc = std::move(**r);
    else if (e.kind == IndexExpr::Kind::kAnd) acc &= **r;
    else acc |= **r;
    first = false;
  }
  if (first) return Out();
  return Out(std::move(acc));
}

}  // namespace ddbg::query

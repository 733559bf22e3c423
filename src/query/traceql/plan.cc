#include "query/traceql/plan.h"

#include <cmath>

#include "ddbg/index_terms.h"

namespace ddbg::traceql {
namespace {

using query::IndexExpr;

void CollectLeaves(const SpansetExpr& e, std::vector<const Cond*>* out, bool* only_or) {
  if (e.kind == SpansetExpr::Kind::kFilter) {
    out->push_back(&e.filter);
    return;
  }
  if (e.kind != SpansetExpr::Kind::kOr) *only_or = false;
  CollectLeaves(*e.lhs, out, only_or);
  CollectLeaves(*e.rhs, out, only_or);
}

std::vector<TermField> ScopeFields(Scope s) {
  switch (s) {
    case Scope::kSpan: return {TermField::kAttr};
    case Scope::kResource: return {TermField::kResourceAttr};
    case Scope::kEvent: return {TermField::kEventAttr};
    case Scope::kLink: return {TermField::kLinkAttr};
    case Scope::kScope: return {TermField::kScopeAttr};
    case Scope::kUnscoped: return {TermField::kAttr, TermField::kResourceAttr};
    case Scope::kAnyTag:
      return {TermField::kAttr, TermField::kResourceAttr, TermField::kEventAttr,
              TermField::kLinkAttr, TermField::kScopeAttr};
    default: return {};
  }
}

IndexExpr CmpIndex(const Cond& c) {
  if (c.op != CmpOp::kEq || c.value.type == Literal::Type::kNil) return IndexExpr::All();
  const Field& f = c.field;
  const Literal& v = c.value;
  switch (f.intrinsic) {
    case Intrinsic::kService: return IndexExpr::Terms({IndexTerm(TermField::kService, v.str)});
    case Intrinsic::kName: return IndexExpr::Terms({IndexTerm(TermField::kSpanName, v.str)});
    case Intrinsic::kScopeName: return IndexExpr::Terms({IndexTerm(TermField::kScopeName, v.str)});
    case Intrinsic::kStatus:
      return IndexExpr::Terms(
          {IndexTerm(TermField::kStatus, SpanStatusName(static_cast<SpanStatus>(v.i)))});
    case Intrinsic::kKind:
      return IndexExpr::Terms({IndexTerm(TermField::kKind, SpanKindName(static_cast<SpanKind>(v.i)))});
    case Intrinsic::kNone: break;
    default: return IndexExpr::All();
  }
  std::vector<std::string> terms;
  for (TermField tf : ScopeFields(f.scope)) {
    for (const auto& [type, text] : LiteralForms(v)) terms.push_back(IndexTerm(tf, f.key, type, text));
  }
  return terms.empty() ? IndexExpr::All() : IndexExpr::Terms(std::move(terms));
}

}  // namespace

static std::string DoubleText(double d) {
  AttrColumns a;
  StringDict dict;
  a.AddDouble(0, d);
  return a.ValueText(dict, 0);
}

std::vector<std::pair<AttrType, std::string>> LiteralForms(const Literal& l) {
  using T = Literal::Type;
  switch (l.type) {
    case T::kString: return {{AttrType::kString, l.str}};
    case T::kBool: return {{AttrType::kBool, l.i ? "true" : "false"}};
    case T::kInt: return {{AttrType::kInt, std::to_string(l.i)}, {AttrType::kDouble, DoubleText(l.f)}};
    case T::kFloat: {
      std::vector<std::pair<AttrType, std::string>> f{{AttrType::kDouble, DoubleText(l.f)}};
      if (std::trunc(l.f) == l.f && std::fabs(l.f) < 9e18) {
        f.push_back({AttrType::kInt, std::to_string(static_cast<int64_t>(l.f))});
      }
      return f;
    }
    default: return {};
  }
}

IndexExpr CondIndex(const Cond& c) {
  std::vector<IndexExpr> kids;
  switch (c.kind) {
    case Cond::Kind::kCmp: return CmpIndex(c);
    case Cond::Kind::kAnd:
    case Cond::Kind::kOr:
      for (const Cond& k : c.children) kids.push_back(CondIndex(k));
      return c.kind == Cond::Kind::kAnd ? IndexExpr::And(std::move(kids))
                                        : IndexExpr::Or(std::move(kids));
    default: return IndexExpr::All();
  }
}

TracePlan PlanTraceQuery(const Query& q) {
  TracePlan p;
  bool only_or = true;
  CollectLeaves(*q.root, &p.leaves, &only_or);
  p.simple = only_or;
  std::vector<IndexExpr> per_leaf;
  for (const Cond* c : p.leaves) {
    if (UsesTraceLevel(*c)) p.simple = false;
    per_leaf.push_back(CondIndex(*c));
  }
  for (const Stage& s : q.stages) {
    if (s.kind != Stage::Kind::kSelect && s.kind != Stage::Kind::kBy) p.simple = false;
  }
  p.index = IndexExpr::Or(std::move(per_leaf));
  return p;
}

std::string TracePlan::Describe() const {
  std::string s = simple ? "span-level (matching spans decide the traces)"
                         : "trace-level (candidate traces are gathered whole, then evaluated)";
  return s + "; index: " + index.ToString();
}

}  // namespace ddbg::traceql

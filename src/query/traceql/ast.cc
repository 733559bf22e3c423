#include "query/traceql/ast.h"

namespace ddbg::traceql {
namespace {

void AddField(const Field& f, std::vector<Field>* out) {
  if (f.scope == Scope::kIntrinsic) return;
  for (const Field& g : *out) {
    if (g.scope == f.scope && g.key == f.key) return;
  }
  out->push_back(f);
}

void CollectCond(const Cond& c, std::vector<Field>* out) {
  if (c.kind == Cond::Kind::kCmp) AddField(c.field, out);
  for (const Cond& k : c.children) CollectCond(k, out);
}

void CollectSpanset(const SpansetExpr& e, std::vector<Field>* out) {
  if (e.kind == SpansetExpr::Kind::kFilter) return CollectCond(e.filter, out);
  CollectSpanset(*e.lhs, out);
  CollectSpanset(*e.rhs, out);
}

}  // namespace

bool IsTraceLevel(Intrinsic i) {
  return i == Intrinsic::kRootServiceName || i == Intrinsic::kRootName ||
         i == Intrinsic::kTraceDuration;
}

const char* CmpOpText(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return "=";
    case CmpOp::kNe: return "!=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
    case CmpOp::kRe: return "=~";
    case CmpOp::kNre: return "!~";
  }
  return "?";
}

std::vector<Field> ReferencedAttributes(const Query& q) {
  std::vector<Field> out;
  CollectSpanset(*q.root, &out);
  for (const Stage& s : q.stages) {
    for (const Field& f : s.fields) AddField(f, &out);
    CollectCond(s.filter, &out);
  }
  return out;
}

bool UsesTraceLevel(const Cond& c) {
  if (c.kind == Cond::Kind::kCmp && IsTraceLevel(c.field.intrinsic)) return true;
  for (const Cond& k : c.children) {
    if (UsesTraceLevel(k)) return true;
  }
  return false;
}

}  // namespace ddbg::traceql

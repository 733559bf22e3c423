#include "query/traceql/span_match.h"

namespace ddbg::traceql {
namespace {

template <typename T>
bool Ordered(CmpOp op, const T& a, const T& b) {
  switch (op) {
    case CmpOp::kEq: return a == b;
    case CmpOp::kNe: return a != b;
    case CmpOp::kGt: return a > b;
    case CmpOp::kGe: return a >= b;
    case CmpOp::kLt: return a < b;
    case CmpOp::kLe: return a <= b;
    default: return false;
  }
}

bool IsNumber(Value::Type t) { return t == Value::Type::kInt || t == Value::Type::kFloat; }

}  // namespace

bool CompareValue(const Value& v, const Cond& c) {
  using LT = Literal::Type;
  using VT = Value::Type;
  const Literal& lit = c.value;
  if (lit.type == LT::kNil) return (v.type == VT::kNil) == (c.op == CmpOp::kEq);
  if (v.type == VT::kNil) return false;
  if (c.op == CmpOp::kRe || c.op == CmpOp::kNre) {
    if (v.type != VT::kString) return false;
    bool m = RE2::FullMatch(re2::StringPiece(v.s.data(), v.s.size()), *c.regex);
    return m == (c.op == CmpOp::kRe);
  }
  switch (lit.type) {
    case LT::kString:
      return v.type == VT::kString && Ordered(c.op, v.s, std::string_view(lit.str));
    case LT::kInt:
    case LT::kFloat:
      if (!IsNumber(v.type)) return false;
      if (v.type == VT::kInt && lit.type == LT::kInt) return Ordered(c.op, v.i, lit.i);
      return Ordered(c.op, v.type == VT::kInt ? static_cast<double>(v.i) : v.f, lit.f);
    case LT::kDuration:
      return v.type == VT::kDuration && Ordered(c.op, v.i, lit.i);
    case LT::kBool:
      return v.type == VT::kBool && Ordered(c.op, v.i, lit.i);
    case LT::kStatus:
      return v.type == VT::kStatus && Ordered(c.op, v.i, lit.i);
    case LT::kKind:
      return v.type == VT::kKind && Ordered(c.op, v.i, lit.i);
    case LT::kNil:
      break;
  }
  return false;
}

int64_t SpanMatcher::KeyId(const std::string& key) {
  auto it = key_ids_.find(key);
  if (it != key_ids_.end()) return it->second;
  int64_t id = b_.dict.Find(key);
  key_ids_.emplace(key, id);
  return id;
}

Value SpanMatcher::AttrValue(const AttrColumns& a, size_t i) {
  Value v;
  switch (a.type[i]) {
    case AttrType::kString:
      v.type = Value::Type::kString;
      v.s = b_.dict.Get(static_cast<StrId>(a.value[i]));
      break;
    case AttrType::kInt:
      v.type = Value::Type::kInt;
      v.i = a.IntAt(i);
      break;
    case AttrType::kDouble:
      v.type = Value::Type::kFloat;
      v.f = a.DoubleAt(i);
      break;
    case AttrType::kBool:
      v.type = Value::Type::kBool;
      v.i = a.value[i] != 0;
      break;
    default:
      v.type = Value::Type::kString;
      v.owned = a.ValueText(b_.dict, i);
      v.s = v.owned;
      break;
  }
  return v;
}

template <typename Fn>
bool SpanMatcher::AnyIn(const AttrColumns& a, uint32_t begin, uint32_t end, int64_t key, Fn&& fn) {
  for (uint32_t i = begin; i < end; ++i) {
    if (a.key[i] == key && fn(AttrValue(a, i))) return true;
  }
  return false;
}

bool SpanMatcher::Intrinsic(const Field& f, size_t row, const TraceInfo* trace, Value* v) {
  using VT = Value::Type;
  auto str = [&](std::string_view s) {
    v->type = VT::kString;
    v->s = s;
  };
  switch (f.intrinsic) {
    case Intrinsic::kName: str(b_.dict.Get(b_.name[row])); break;
    case Intrinsic::kService: str(b_.dict.Get(b_.service[row])); break;
    case Intrinsic::kStatusMessage: str(b_.dict.Get(b_.status_message[row])); break;
    case Intrinsic::kScopeName: str(b_.dict.Get(b_.scopes.name[b_.scope[row]])); break;
    case Intrinsic::kScopeVersion: str(b_.dict.Get(b_.scopes.version[b_.scope[row]])); break;
    case Intrinsic::kStatus:
      v->type = VT::kStatus;
      v->i = static_cast<int64_t>(b_.status[row]);
      break;
    case Intrinsic::kKind:
      v->type = VT::kKind;
      v->i = static_cast<int64_t>(b_.kind[row]);
      break;
    case Intrinsic::kDuration:
      v->type = VT::kDuration;
      v->i = b_.end_ns[row] - b_.start_ns[row];
      break;
    case Intrinsic::kRootServiceName:
      if (trace == nullptr) return false;
      str(trace->root_service);
      break;
    case Intrinsic::kRootName:
      if (trace == nullptr) return false;
      str(trace->root_name);
      break;
    case Intrinsic::kTraceDuration:
      if (trace == nullptr) return false;
      v->type = VT::kDuration;
      v->i = trace->duration_ns;
      break;
    case Intrinsic::kEventName:
    case Intrinsic::kNone:
      break;
  }
  return true;
}

template <typename Fn>
bool SpanMatcher::AnyValue(const Field& f, size_t row, const TraceInfo* trace, Fn&& fn) {
  if (f.scope == Scope::kIntrinsic) {
    if (f.intrinsic == Intrinsic::kEventName) {
      for (uint32_t e = b_.event_off.begin(row); e < b_.event_off.end(row); ++e) {
        Value v;
        v.type = Value::Type::kString;
        v.s = b_.dict.Get(b_.event_name[e]);
        if (fn(v)) return true;
      }
      return fn(Value());
    }
    Value v;
    Intrinsic(f, row, trace, &v);
    return fn(v);
  }
  int64_t key = KeyId(f.key);
  bool found = false;
  auto seen = [&](const Value& v) {
    found = true;
    return fn(v);
  };
  if (key >= 0) {
    Scope s = f.scope;
    bool any = s == Scope::kAnyTag;
    if ((s == Scope::kSpan || s == Scope::kUnscoped || any) &&
        AnyIn(b_.attrs, b_.attr_off.begin(row), b_.attr_off.end(row), key, seen)) {
      return true;
    }
    uint32_t r = b_.resource[row];
    if ((s == Scope::kResource || (s == Scope::kUnscoped && !found) || any) &&
        AnyIn(b_.resources.attrs, b_.resources.attr_off.begin(r), b_.resources.attr_off.end(r),
              key, seen)) {
      return true;
    }
    if (s == Scope::kEvent || any) {
      for (uint32_t e = b_.event_off.begin(row); e < b_.event_off.end(row); ++e) {
        if (AnyIn(b_.event_attrs, b_.event_attr_off.begin(e), b_.event_attr_off.end(e), key, seen)) {
          return true;
        }
      }
    }
    if (s == Scope::kLink || any) {
      for (uint32_t l = b_.link_off.begin(row); l < b_.link_off.end(row); ++l) {
        if (AnyIn(b_.link_attrs, b_.link_attr_off.begin(l), b_.link_attr_off.end(l), key, seen)) {
          return true;
        }
      }
    }
    uint32_t sc = b_.scope[row];
    if ((s == Scope::kScope || any) &&
        AnyIn(b_.scopes.attrs, b_.scopes.attr_off.begin(sc), b_.scopes.attr_off.end(sc), key, seen)) {
      return true;
    }
  }
  return found ? false : fn(Value());
}

Value SpanMatcher::First(const Field& f, size_t row, const TraceInfo* trace) {
  Value out;
  AnyValue(f, row, trace, [&out](const Value& v) {
    out = v;
    if (!v.owned.empty()) out.s = out.owned;
    return true;
  });
  return out;
}

bool SpanMatcher::Eval(const Cond& c, size_t row, const TraceInfo& trace) {
  switch (c.kind) {
    case Cond::Kind::kTrue: return true;
    case Cond::Kind::kCmp:
      return AnyValue(c.field, row, &trace, [&c](const Value& v) { return CompareValue(v, c); });
    case Cond::Kind::kAnd:
      for (const Cond& k : c.children) {
        if (!Eval(k, row, trace)) return false;
      }
      return true;
    case Cond::Kind::kOr:
      for (const Cond& k : c.children) {
        if (Eval(k, row, trace)) return true;
      }
      return false;
    case Cond::Kind::kNot: return !Eval(c.children[0], row, trace);
  }
  return false;
}

Tri SpanMatcher::EvalTri(const Cond& c, size_t row) {
  switch (c.kind) {
    case Cond::Kind::kTrue: return Tri::kTrue;
    case Cond::Kind::kCmp:
      if (IsTraceLevel(c.field.intrinsic)) return Tri::kUnknown;
      return AnyValue(c.field, row, nullptr, [&c](const Value& v) { return CompareValue(v, c); })
                 ? Tri::kTrue
                 : Tri::kFalse;
    case Cond::Kind::kAnd: {
      Tri r = Tri::kTrue;
      for (const Cond& k : c.children) {
        Tri t = EvalTri(k, row);
        if (t == Tri::kFalse) return Tri::kFalse;
        if (t == Tri::kUnknown) r = Tri::kUnknown;
      }
      return r;
    }
    case Cond::Kind::kOr: {
      Tri r = Tri::kFalse;
      for (const Cond& k : c.children) {
        Tri t = EvalTri(k, row);
        if (t == Tri::kTrue) return Tri::kTrue;
        if (t == Tri::kUnknown) r = Tri::kUnknown;
      }
      return r;
    }
    case Cond::Kind::kNot: {
      Tri t = EvalTri(c.children[0], row);
      return t == Tri::kUnknown ? t : t == Tri::kTrue ? Tri::kFalse : Tri::kTrue;
    }
  }
  return Tri::kUnknown;
}

}  // namespace ddbg::traceql

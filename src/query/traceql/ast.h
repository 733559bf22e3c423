// The TraceQL syntax tree: field conditions inside `{ }`, spanset expressions joining
// spansets (&&, ||, >, >>, ~) and the pipeline stages after `|`. The tag search compiles
// to the same tree. Immutable once parsed; regexes are compiled at parse time.
// Thread-safety: read-only sharing is safe (RE2 is thread-safe for matching).
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ddbg::traceql {

// Where a field's value comes from.
enum class Scope : uint8_t {
  kIntrinsic,  // name, status, kind, duration, … (see Intrinsic)
  kSpan,       // span.<key>
  kResource,   // resource.<key>
  kEvent,      // event.<key>: any event of the span
  kLink,       // link.<key>: any link of the span
  kScope,      // instrumentation.<key>: the instrumentation scope's attributes
  kUnscoped,   // .<key>: the span's attribute, else the resource's
  kAnyTag,     // tag search: span, resource, event, link or scope attribute
};

enum class Intrinsic : uint8_t {
  kNone,
  kName,
  kStatus,
  kStatusMessage,
  kKind,
  kDuration,
  kService,  // resource.service.name, from the service column
  kRootServiceName,
  kRootName,
  kTraceDuration,
  kScopeName,
  kScopeVersion,
  kEventName,
};

// True for intrinsics whose value depends on the whole trace.
bool IsTraceLevel(Intrinsic i);

struct Field {
  Scope scope = Scope::kIntrinsic;
  Intrinsic intrinsic = Intrinsic::kNone;
  std::string key;   // attribute key (not for intrinsics)
  std::string text;  // as written, for output ("span.http.status_code", "duration")
};

enum class CmpOp : uint8_t { kEq, kNe, kGt, kGe, kLt, kLe, kRe, kNre };
const char* CmpOpText(CmpOp op);

struct Literal {
  enum class Type : uint8_t { kString, kInt, kFloat, kDuration, kBool, kStatus, kKind, kNil };
  Type type = Type::kString;
  std::string str;  // kString
  int64_t i = 0;    // kInt, kDuration (ns), kBool, kStatus/kKind (enum value)
  double f = 0;     // kFloat (also set for kInt and kDuration)
};

// A condition on one span (inside `{ }`).
struct Cond {
  enum class Kind : uint8_t { kTrue, kCmp, kAnd, kOr, kNot };
  Kind kind = Kind::kTrue;
  Field field;  // kCmp
  CmpOp op = CmpOp::kEq;
  Literal value;
  std::shared_ptr<const RE2> regex;  // kRe, kNre
  std::vector<Cond> children;        // kAnd, kOr (2+), kNot (1)
};

// An expression over spansets.
struct SpansetExpr {
  enum class Kind : uint8_t { kFilter, kAnd, kOr, kChild, kDescendant, kSibling };
  Kind kind = Kind::kFilter;
  Cond filter;  // kFilter
  std::unique_ptr<SpansetExpr> lhs, rhs;
};

struct Stage {
  enum class Kind : uint8_t { kCount, kAggregate, kBy, kSelect, kFilter };
  enum class Agg : uint8_t { kAvg, kMin, kMax, kSum };
  Kind kind = Kind::kCount;
  Agg agg = Agg::kAvg;
  std::vector<Field> fields;  // aggregate argument (1), by(...), select(...)
  CmpOp op = CmpOp::kGt;      // kCount, kAggregate
  Literal value;
  Cond filter;  // kFilter: `| { ... }`
  std::string text;  // "count()", "avg(duration)": the label of the computed value
};

struct Query {
  std::unique_ptr<SpansetExpr> root;
  std::vector<Stage> stages;
};

// Every non-intrinsic field a query reads (for output attributes), in order of appearance.
std::vector<Field> ReferencedAttributes(const Query& q);
// True when some condition reads a trace-level intrinsic.
bool UsesTraceLevel(const Cond& c);

}  // namespace ddbg::traceql

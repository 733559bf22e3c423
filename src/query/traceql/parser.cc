#include "query/traceql/parser.h"

#include <map>

namespace ddbg::traceql {
namespace {

using query::Tok;
using query::Token;
using query::TokenCursor;

const std::map<std::string_view, Intrinsic>& Intrinsics() {
  static const auto* m = new std::map<std::string_view, Intrinsic>{
      {"name", Intrinsic::kName},
      {"span:name", Intrinsic::kName},
      {"status", Intrinsic::kStatus},
      {"span:status", Intrinsic::kStatus},
      {"statusMessage", Intrinsic::kStatusMessage},
      {"span:statusMessage", Intrinsic::kStatusMessage},
      {"kind", Intrinsic::kKind},
      {"span:kind", Intrinsic::kKind},
      {"duration", Intrinsic::kDuration},
      {"span:duration", Intrinsic::kDuration},
      {"rootServiceName", Intrinsic::kRootServiceName},
      {"trace:rootService", Intrinsic::kRootServiceName},
      {"rootName", Intrinsic::kRootName},
      {"trace:rootName", Intrinsic::kRootName},
      {"traceDuration", Intrinsic::kTraceDuration},
      {"trace:duration", Intrinsic::kTraceDuration},
      {"instrumentation:name", Intrinsic::kScopeName},
      {"instrumentation:version", Intrinsic::kScopeVersion},
      {"event:name", Intrinsic::kEventName},
  };
  return *m;
}

constexpr std::pair<std::string_view, Scope> kScopes[] = {
    {"span.", Scope::kSpan},   {"resource.", Scope::kResource},
    {"event.", Scope::kEvent}, {"link.", Scope::kLink},
    {"instrumentation.", Scope::kScope}, {".", Scope::kUnscoped},
};

Status ParseField(TokenCursor& cur, Field* f) {
  const Token& t = cur.Peek();
  if (t.type != Tok::kIdent) {
    return cur.Expected("an attribute (span.x, resource.x, .x) or intrinsic");
  }
  f->text = t.text;
  auto it = Intrinsics().find(t.text);
  if (it != Intrinsics().end()) {
    f->scope = Scope::kIntrinsic;
    f->intrinsic = it->second;
    cur.Next();
    return Status::Ok();
  }
  for (const auto& [prefix, scope] : kScopes) {
    if (!std::string_view(t.text).starts_with(prefix)) continue;
    f->key = t.text.substr(prefix.size());
    if (f->key.empty()) return cur.ErrorAt(t, "expected an attribute name after '" + t.text + "'");
    f->scope = scope;
    if (f->key == "service.name" && (scope == Scope::kResource || scope == Scope::kUnscoped)) {
      f->scope = Scope::kIntrinsic;
      f->intrinsic = Intrinsic::kService;
    }
    cur.Next();
    return Status::Ok();
  }
  return cur.Expected("an attribute (span.x, resource.x, .x) or intrinsic");
}

bool ParseStatus(std::string_view w, int64_t* v) {
  if (w == "unset") *v = 0;
  else if (w == "ok") *v = 1;
  else if (w == "error") *v = 2;
  else return false;
  return true;
}

bool ParseKind(std::string_view w, int64_t* v) {
  constexpr std::string_view kNames[] = {"unspecified", "internal", "server",
                                         "client",      "producer", "consumer"};
  for (int64_t i = 0; i < 6; ++i) {
    if (w == kNames[i]) {
      *v = i;
      return true;
    }
  }
  return false;
}

// The literal types a field accepts, for type checks and messages.
enum class Want : uint8_t { kString, kDuration, kStatus, kKind, kAny };

Want WantFor(const Field& f) {
  switch (f.intrinsic) {
    case Intrinsic::kNone: return Want::kAny;
    case Intrinsic::kStatus: return Want::kStatus;
    case Intrinsic::kKind: return Want::kKind;
    case Intrinsic::kDuration:
    case Intrinsic::kTraceDuration: return Want::kDuration;
    default: return Want::kString;
  }
}

Status ParseWord(TokenCursor& cur, Want want, Literal* lit) {
  const Token& t = cur.Peek();
  using T = Literal::Type;
  if (t.text == "nil") {
    lit->type = T::kNil;
  } else if (want == Want::kStatus && ParseStatus(t.text, &lit->i)) {
    lit->type = T::kStatus;
  } else if (want == Want::kKind && ParseKind(t.text, &lit->i)) {
    lit->type = T::kKind;
  } else if (want == Want::kAny && (t.text == "true" || t.text == "false")) {
    lit->type = T::kBool;
    lit->i = t.text == "true";
  } else if (want == Want::kStatus) {
    return cur.Expected("a status (error, ok, unset)");
  } else if (want == Want::kKind) {
    return cur.Expected("a kind (server, client, producer, consumer, internal, unspecified)");
  } else {
    return cur.Expected("a value (string, number, duration, true, false, nil)");
  }
  cur.Next();
  return Status::Ok();
}

Status ParseLiteral(TokenCursor& cur, Want want, Literal* lit) {
  const Token& t = cur.Peek();
  using T = Literal::Type;
  switch (t.type) {
    case Tok::kIdent:
      return ParseWord(cur, want, lit);
    case Tok::kString:
      if (want != Want::kString && want != Want::kAny) break;
      lit->type = T::kString;
      lit->str = t.text;
      cur.Next();
      return Status::Ok();
    case Tok::kDuration:
    case Tok::kInt:
    case Tok::kFloat:
      if (want == Want::kDuration && t.type != Tok::kDuration) {
        return cur.Expected("a duration such as 250ms or 1.5s");
      }
      if (want != Want::kDuration && want != Want::kAny) break;
      lit->type = t.type == Tok::kDuration ? T::kDuration : t.type == Tok::kInt ? T::kInt : T::kFloat;
      lit->i = t.int_value;
      lit->f = t.float_value;
      cur.Next();
      return Status::Ok();
    default:
      break;
  }
  switch (want) {
    case Want::kString: return cur.Expected("a string");
    case Want::kDuration: return cur.Expected("a duration such as 250ms or 1.5s");
    case Want::kStatus: return cur.Expected("a status (error, ok, unset)");
    case Want::kKind: return cur.Expected("a kind (server, client, …)");
    case Want::kAny: break;
  }
  return cur.Expected("a value (string, number, duration, true, false, nil)");
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : cur_(std::move(tokens)) {}

  Result<Query> Run() {
    Query q;
    DDBG_RETURN_IF_ERROR(SpansetOr(&q.root));
    while (cur_.Accept("|")) {
      q.stages.emplace_back();
      DDBG_RETURN_IF_ERROR(ParseStage(&q.stages.back()));
    }
    if (!cur_.AtEnd()) return cur_.Expected("'|', '&&', '||', '>>', '>', '~' or end of query");
    return q;
  }

 private:
  using ExprPtr = std::unique_ptr<SpansetExpr>;

  static ExprPtr Join(SpansetExpr::Kind kind, ExprPtr lhs, ExprPtr rhs) {
    auto e = std::make_unique<SpansetExpr>();
    e->kind = kind;
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    return e;
  }

  Status SpansetOr(ExprPtr* out) {
    DDBG_RETURN_IF_ERROR(SpansetAnd(out));
    while (cur_.Accept("||")) {
      ExprPtr rhs;
      DDBG_RETURN_IF_ERROR(SpansetAnd(&rhs));
      *out = Join(SpansetExpr::Kind::kOr, std::move(*out), std::move(rhs));
    }
    return Status::Ok();
  }

  Status SpansetAnd(ExprPtr* out) {
    DDBG_RETURN_IF_ERROR(Structural(out));
    while (cur_.Accept("&&")) {
      ExprPtr rhs;
      DDBG_RETURN_IF_ERROR(Structural(&rhs));
      *out = Join(SpansetExpr::Kind::kAnd, std::move(*out), std::move(rhs));
    }
    return Status::Ok();
  }

  Status Structural(ExprPtr* out) {
    DDBG_RETURN_IF_ERROR(SpansetPrimary(out));
    while (true) {
      SpansetExpr::Kind kind;
      if (cur_.Accept(">>")) kind = SpansetExpr::Kind::kDescendant;
      else if (cur_.Accept(">")) kind = SpansetExpr::Kind::kChild;
      else if (cur_.Accept("~")) kind = SpansetExpr::Kind::kSibling;
      else return Status::Ok();
      ExprPtr rhs;
      DDBG_RETURN_IF_ERROR(SpansetPrimary(&rhs));
      *out = Join(kind, std::move(*out), std::move(rhs));
    }
  }

  Status SpansetPrimary(ExprPtr* out) {
    if (cur_.Accept("(")) {
      DDBG_RETURN_IF_ERROR(SpansetOr(out));
      if (!cur_.Accept(")")) return cur_.Expected("')' after spanset expression");
      return Status::Ok();
    }
    *out = std::make_unique<SpansetExpr>();
    return SpansetFilter(&(*out)->filter);
  }

  Status SpansetFilter(Cond* out) {
    if (!cur_.Accept("{")) return cur_.Expected("'{' to start a spanset filter");
    if (cur_.Accept("}")) return Status::Ok();  // {} matches every span
    DDBG_RETURN_IF_ERROR(CondOr(out));
    if (!cur_.Accept("}")) return cur_.Expected("'}' after spanset filter");
    return Status::Ok();
  }

  Status CondList(Cond::Kind kind, std::string_view op, Status (Parser::*sub)(Cond*), Cond* out) {
    DDBG_RETURN_IF_ERROR((this->*sub)(out));
    if (!cur_.Peek().Is(op)) return Status::Ok();
    Cond joined;
    joined.kind = kind;
    joined.children.push_back(std::move(*out));
    while (cur_.Accept(op)) {
      joined.children.emplace_back();
      DDBG_RETURN_IF_ERROR((this->*sub)(&joined.children.back()));
    }
    *out = std::move(joined);
    return Status::Ok();
  }
  Status CondOr(Cond* out) { return CondList(Cond::Kind::kOr, "||", &Parser::CondAnd, out); }
  Status CondAnd(Cond* out) { return CondList(Cond::Kind::kAnd, "&&", &Parser::CondUnary, out); }

  Status CondUnary(Cond* out) {
    if (cur_.Accept("!")) {
      out->kind = Cond::Kind::kNot;
      out->children.emplace_back();
      return CondUnary(&out->children.back());
    }
    if (cur_.Accept("(")) {
      DDBG_RETURN_IF_ERROR(CondOr(out));
      if (!cur_.Accept(")")) return cur_.Expected("')' to close the parenthesis");
      return Status::Ok();
    }
    return Comparison(out);
  }

  Status Comparison(Cond* out) {
    out->kind = Cond::Kind::kCmp;
    DDBG_RETURN_IF_ERROR(ParseField(cur_, &out->field));
    if (!TokenToCmpOp(cur_.Peek(), &out->op)) {
      return cur_.Expected("a comparison operator (=, !=, >, >=, <, <=, =~, !~)");
    }
    cur_.Next();
    return ParseLiteralFor(cur_, out->field, out->op, out);
  }

  Status ParseStage(Stage* s) {
    const Token& t = cur_.Peek();
    if (t.Is("{")) {
      s->kind = Stage::Kind::kFilter;
      return SpansetFilter(&s->filter);
    }
    if (cur_.AcceptWord("count")) {
      s->kind = Stage::Kind::kCount;
      s->text = "count()";
      if (!cur_.Accept("(") || !cur_.Accept(")")) return cur_.Expected("'()' after count");
      return StageComparison(s, Want::kAny);
    }
    constexpr std::pair<std::string_view, Stage::Agg> kAggs[] = {
        {"avg", Stage::Agg::kAvg}, {"min", Stage::Agg::kMin},
        {"max", Stage::Agg::kMax}, {"sum", Stage::Agg::kSum}};
    for (const auto& [word, agg] : kAggs) {
      if (!cur_.AcceptWord(word)) continue;
      s->kind = Stage::Kind::kAggregate;
      s->agg = agg;
      DDBG_RETURN_IF_ERROR(FieldList(s, 1));
      s->text = std::string(word) + "(" + s->fields[0].text + ")";
      Want want = WantFor(s->fields[0]) == Want::kDuration ? Want::kDuration : Want::kAny;
      return StageComparison(s, want);
    }
    if (cur_.AcceptWord("by")) {
      s->kind = Stage::Kind::kBy;
      return FieldList(s, 0);
    }
    if (cur_.AcceptWord("select")) {
      s->kind = Stage::Kind::kSelect;
      return FieldList(s, 0);
    }
    return cur_.Expected(
        "a pipeline stage (count(), avg(), min(), max(), sum(), by(), select() or { … })");
  }

  // "(" field ("," field)* ")"; exactly `count` fields when count > 0.
  Status FieldList(Stage* s, size_t count) {
    if (!cur_.Accept("(")) return cur_.Expected("'('");
    do {
      s->fields.emplace_back();
      DDBG_RETURN_IF_ERROR(ParseField(cur_, &s->fields.back()));
    } while ((count == 0 || s->fields.size() < count) && cur_.Accept(","));
    if (!cur_.Accept(")")) return cur_.Expected("')' after the field list");
    return Status::Ok();
  }

  Status StageComparison(Stage* s, Want want) {
    if (!TokenToCmpOp(cur_.Peek(), &s->op) || s->op == CmpOp::kRe || s->op == CmpOp::kNre) {
      return cur_.Expected("a comparison (=, !=, >, >=, <, <=) after " + s->text);
    }
    cur_.Next();
    const Token& t = cur_.Peek();
    if (t.type != Tok::kInt && t.type != Tok::kFloat && t.type != Tok::kDuration) {
      return cur_.Expected("a number or duration after " + s->text + " " + CmpOpText(s->op));
    }
    return ParseLiteral(cur_, want, &s->value);
  }

  TokenCursor cur_;
};

}  // namespace

bool TokenToCmpOp(const Token& t, CmpOp* op) {
  if (t.type != Tok::kOp) return false;
  constexpr std::pair<std::string_view, CmpOp> kOps[] = {
      {"=", CmpOp::kEq},  {"==", CmpOp::kEq}, {"!=", CmpOp::kNe}, {">", CmpOp::kGt},
      {">=", CmpOp::kGe}, {"<", CmpOp::kLt},  {"<=", CmpOp::kLe}, {"=~", CmpOp::kRe},
      {"!~", CmpOp::kNre}};
  for (const auto& [text, o] : kOps) {
    if (t.text == text) {
      *op = o;
      return true;
    }
  }
  return false;
}

Status CompileRegex(TokenCursor& cur, const Token& at, Cond* cond) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<RE2>(cond->value.str, options);
  if (!re->ok()) return cur.ErrorAt(at, "invalid regular expression: " + re->error());
  cond->regex = std::move(re);
  return Status::Ok();
}

Status ParseLiteralFor(TokenCursor& cur, const Field& field, CmpOp op, Cond* out) {
  const Token at = cur.Peek();
  if (op == CmpOp::kRe || op == CmpOp::kNre) {
    if (at.type != Tok::kString) return cur.Expected("a regular expression string after " + std::string(CmpOpText(op)));
    out->value.type = Literal::Type::kString;
    out->value.str = at.text;
    cur.Next();
    return CompileRegex(cur, at, out);
  }
  DDBG_RETURN_IF_ERROR(ParseLiteral(cur, WantFor(field), &out->value));
  using T = Literal::Type;
  if (out->value.type == T::kNil && op != CmpOp::kEq && op != CmpOp::kNe) {
    return cur.ErrorAt(at, "nil can only be compared with = or !=");
  }
  bool ordered = op != CmpOp::kEq && op != CmpOp::kNe;
  T t = out->value.type;
  if (ordered && (t == T::kBool || t == T::kStatus || t == T::kKind)) {
    return cur.ErrorAt(at, std::string("operator ") + CmpOpText(op) + " does not apply to " + at.text);
  }
  return Status::Ok();
}

Result<Query> ParseTraceQL(std::string_view text) {
  auto tokens = query::Lex(text);
  if (!tokens.ok()) return tokens.status();
  return Parser(std::move(tokens).value()).Run();
}

}  // namespace ddbg::traceql

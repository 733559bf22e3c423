// The Jaeger UI tag search: `key=value` terms joined by AND (or spaces), translated to the
// TraceQL spanset filter that runs it. Keys with a meaning of their own: service,
// operation (service.operation, name), minDuration, maxDuration, duration,
// operation.duration_ms (milliseconds), error=true, status. Any other key is a tag, matched
// on the span, its resource, its events, its links or its instrumentation scope.
#include <string>

#include "ddbg/traceql.h"
#include "query/lexer.h"
#include "query/traceql/parser.h"

namespace ddbg {
namespace {

using query::Tok;
using query::Token;
using query::TokenCursor;

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// The value as TraceQL literal text; bare words are strings.
Status ValueText(TokenCursor& cur, bool duration, std::string* out) {
  const Token& t = cur.Peek();
  switch (t.type) {
    case Tok::kString: *out = Quote(t.text); break;
    case Tok::kInt:
    case Tok::kFloat: *out = duration ? t.text + "ms" : t.text; break;
    case Tok::kDuration: *out = t.text; break;
    case Tok::kIdent:
      *out = (!duration && (t.text == "true" || t.text == "false")) ? t.text : Quote(t.text);
      break;
    default: return cur.Expected("a value");
  }
  cur.Next();
  return Status::Ok();
}

Status Term(TokenCursor& cur, std::string* out) {
  const Token key = cur.Peek();
  if (key.type != Tok::kIdent) return cur.Expected("a tag name");
  cur.Next();
  traceql::CmpOp op;
  if (!traceql::TokenToCmpOp(cur.Peek(), &op)) {
    return cur.Expected("'=', '!=', '>', '>=', '<', '<=' or '=~' after the tag name");
  }
  std::string op_text = cur.Next().text;
  if (op_text == "==") op_text = "=";
  const std::string& k = key.text;
  std::string v;
  if (k == "minDuration" || k == "maxDuration") {
    DDBG_RETURN_IF_ERROR(ValueText(cur, true, &v));
    *out = std::string("duration ") + (k == "minDuration" ? ">=" : "<=") + " " + v;
  } else if (k == "duration" || k == "operation.duration_ms") {
    DDBG_RETURN_IF_ERROR(ValueText(cur, true, &v));
    *out = "duration " + op_text + " " + v;
  } else if (k == "error" && cur.Peek().IsWord("true")) {
    cur.Next();
    *out = std::string("status ") + (op_text == "=" ? "=" : "!=") + " error";
  } else if (k == "status") {
    if (cur.Peek().type != Tok::kIdent) return cur.Expected("a status (error, ok, unset)");
    *out = "status " + op_text + " " + cur.Next().text;
  } else {
    DDBG_RETURN_IF_ERROR(ValueText(cur, false, &v));
    if (k == "service" || k == "service.name") {
      *out = "resource.service.name " + op_text + " " + v;
    } else if (k == "operation" || k == "service.operation" || k == "name" || k == "span.name") {
      *out = "name " + op_text + " " + v;
    } else {
      std::string c = " " + op_text + " " + v;
      *out = "(span." + k + c + " || resource." + k + c + " || event." + k + c + " || link." + k +
             c + " || instrumentation." + k + c + ")";
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> TagSearchToTraceQL(std::string_view tags) {
  auto tokens = query::Lex(tags, {.dash_in_ident = true});
  if (!tokens.ok()) return tokens.status();
  TokenCursor cur(std::move(tokens).value());
  std::string out;
  while (!cur.AtEnd()) {
    if (!out.empty() && !cur.AcceptWord("AND") && !cur.AcceptWord("and") && !cur.Accept("&&") &&
        cur.Peek().type != Tok::kIdent) {
      return cur.Expected("AND or the next tag");
    }
    std::string term;
    DDBG_RETURN_IF_ERROR(Term(cur, &term));
    out += (out.empty() ? "" : " && ") + term;
  }
  std::string q = out.empty() ? "{ }" : "{ " + out + " }";
  // The translation must itself parse; a failure here is a bug in the translation.
  Status st = CheckTraceQL(q);
  if (!st.ok()) return Status::InvalidArgument("tag search: " + st.message() + " in " + q);
  return q;
}

}  // namespace ddbg

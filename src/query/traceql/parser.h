// The TraceQL parser: text to a checked Query, or an error "L:C: expected …, found …".
// Thread-safety: pure function.
#pragma once

#include <string_view>

#include "ddbg/status.h"
#include "query/lexer.h"
#include "query/traceql/ast.h"

namespace ddbg::traceql {

Result<Query> ParseTraceQL(std::string_view text);

// Building blocks reused by the tag search, which shares the literal and regex rules.
// Parses a literal at the cursor for a comparison `field op`, checking its type.
Status ParseLiteralFor(query::TokenCursor& cur, const Field& field, CmpOp op, Cond* out);
// Compiles a condition's regex (for =~ and !~); an error names the token's place.
Status CompileRegex(query::TokenCursor& cur, const query::Token& at, Cond* cond);
// Maps a comparison operator token; false when the token is not one.
bool TokenToCmpOp(const query::Token& t, CmpOp* op);

}  // namespace ddbg::traceql

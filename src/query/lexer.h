// The tokenizer shared by the query languages (TraceQL, LogQL, tag search): identifiers
// (attribute paths with dots and colons), quoted strings ("..." with escapes, `raw`),
// numbers, durations (250ms, 1h30m), and operators. Every token records its line and
// column so parse errors can name the place. Thread-safety: plain values and functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/status.h"

namespace ddbg::query {

enum class Tok : uint8_t { kEnd, kIdent, kString, kInt, kFloat, kDuration, kOp };

struct Token {
  Tok type = Tok::kEnd;
  std::string text;  // identifier, operator or the unescaped string; the number as written
  int64_t int_value = 0;     // kInt; kDuration in nanoseconds
  double float_value = 0;    // kFloat (and kInt, kDuration as doubles)
  int line = 1;
  int col = 1;
  bool Is(std::string_view op) const { return type == Tok::kOp && text == op; }
  bool IsWord(std::string_view w) const { return type == Tok::kIdent && text == w; }
  // How the token appears in an error message: 'AND', "str", end of query.
  std::string Describe() const;
};

struct LexOptions {
  // Tag search: '/' may appear inside identifiers (http/path); '-' always may after the first.
  bool dash_in_ident = false;
};

// Splits `text` into tokens ending with a kEnd token, or an error "L:C: message".
Result<std::vector<Token>> Lex(std::string_view text, const LexOptions& options = {});

// Parses a duration such as "250ms", "1.5s", "1h30m", "2us", "10ns"; false when not one.
bool ParseQueryDuration(std::string_view text, int64_t* ns);

// A cursor over tokens with the helpers every recursive-descent parser here needs.
class TokenCursor {
 public:
  explicit TokenCursor(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}
  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  bool AtEnd() const { return Peek().type == Tok::kEnd; }
  // Consumes the operator when it is next.
  bool Accept(std::string_view op);
  bool AcceptWord(std::string_view word);
  // "L:C: expected <what>, found <token>" at the next token.
  Status Expected(std::string_view what) const;
  Status ErrorAt(const Token& t, std::string_view message) const;

 private:
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace ddbg::query

#include "query/lexer.h"

#include "util/time_parse.h"

#include <cctype>
#include <charconv>
#include <cmath>

namespace ddbg::query {
namespace {

// Longest operators first so that ">=" wins over ">".
constexpr std::string_view kOps[] = {"|=", "|~", "!=", "!~", "=~", "==", ">=", "<=", "&&", "||",
                                     ">>", "<<", "{",  "}",  "(",  ")",  "[",  "]",  ",",  "|",
                                     "=",  ">",  "<",  "~",  "!",  "+",  "*",  "/",  "%"};

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
bool IdentPart(char c, const LexOptions& o) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':' ||
         c == '-' || (o.dash_in_ident && c == '/');
}
bool Digit(char c) { return c >= '0' && c <= '9'; }

std::string Loc(int line, int col) { return std::to_string(line) + ":" + std::to_string(col); }

class Lexer {
 public:
  Lexer(std::string_view text, const LexOptions& o) : s_(text), o_(o) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      SkipSpace();
      Token t;
      t.line = line_;
      t.col = col_;
      if (i_ >= s_.size()) {
        out.push_back(t);
        return out;
      }
      Status st = One(&t);
      if (!st.ok()) return st;
      out.push_back(std::move(t));
    }
  }

 private:
  void SkipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) Advance(1);
  }
  void Advance(size_t n) {
    for (size_t k = 0; k < n && i_ < s_.size(); ++k, ++i_) {
      if (s_[i_] == '\n') {
        ++line_;
        col_ = 1;
      } else if ((static_cast<unsigned char>(s_[i_]) & 0xC0) != 0x80) {
        ++col_;
      }
    }
  }
  Status Error(const Token& t, const std::string& msg) {
    return Status::InvalidArgument(Loc(t.line, t.col) + ": " + msg);
  }

  Status One(Token* t) {
    char c = s_[i_];
    if (c == '"' || c == '`') return String(t);
    bool negative = c == '-' && i_ + 1 < s_.size() && Digit(s_[i_ + 1]);
    if (Digit(c) || negative) return Number(t);
    if (IdentStart(c) && !(c == '.' && i_ + 1 < s_.size() && Digit(s_[i_ + 1]))) {
      size_t j = i_ + 1;
      while (j < s_.size() && IdentPart(s_[j], o_)) ++j;
      t->type = Tok::kIdent;
      t->text = std::string(s_.substr(i_, j - i_));
      Advance(j - i_);
      return Status::Ok();
    }
    for (std::string_view op : kOps) {
      if (s_.substr(i_).starts_with(op)) {
        t->type = Tok::kOp;
        t->text = std::string(op);
        Advance(op.size());
        return Status::Ok();
      }
    }
    return Error(*t, std::string("unexpected character '") + c + "'");
  }

  Status String(Token* t) {
    char quote = s_[i_];
    size_t j = i_ + 1;
    std::string v;
    while (j < s_.size() && s_[j] != quote) {
      if (quote == '"' && s_[j] == '\\' && j + 1 < s_.size()) {
        char e = s_[j + 1];
        v.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e);
        j += 2;
        continue;
      }
      v.push_back(s_[j++]);
    }
    if (j >= s_.size()) return Error(*t, "unterminated string");
    t->type = Tok::kString;
    t->text = std::move(v);
    Advance(j + 1 - i_);
    return Status::Ok();
  }

  Status Number(Token* t) {
    size_t j = i_ + (s_[i_] == '-' ? 1 : 0);
    bool is_float = false;
    while (j < s_.size() && (Digit(s_[j]) || s_[j] == '.')) is_float |= s_[j++] == '.';
    size_t num_end = j;
    while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '.' ||
                             static_cast<unsigned char>(s_[j]) >= 0x80)) {
      ++j;
    }
    std::string_view all = s_.substr(i_, j - i_);
    t->text = std::string(all);
    if (j > num_end) {
      if (!ParseQueryDuration(all, &t->int_value)) {
        return Error(*t, "invalid number or duration '" + t->text + "'");
      }
      t->type = Tok::kDuration;
      t->float_value = static_cast<double>(t->int_value);
    } else if (is_float) {
      auto r = std::from_chars(all.data(), all.data() + all.size(), t->float_value);
      if (r.ec != std::errc() || r.ptr != all.data() + all.size()) {
        return Error(*t, "invalid number '" + t->text + "'");
      }
      t->type = Tok::kFloat;
    } else {
      auto r = std::from_chars(all.data(), all.data() + all.size(), t->int_value);
      if (r.ec != std::errc()) return Error(*t, "integer out of range '" + t->text + "'");
      t->type = Tok::kInt;
      t->float_value = static_cast<double>(t->int_value);
    }
    Advance(j - i_);
    return Status::Ok();
  }

  std::string_view s_;
  LexOptions o_;
  size_t i_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

std::string Token::Describe() const {
  switch (type) {
    case Tok::kEnd:
      return "end of query";
    case Tok::kString:
      return "\"" + text + "\"";
    default:
      return "'" + text + "'";
  }
}

Result<std::vector<Token>> Lex(std::string_view text, const LexOptions& options) {
  return Lexer(text, options).Run();
}

bool ParseQueryDuration(std::string_view text, int64_t* ns) {
  return ParseDurationText(text, ns);
}

const Token& TokenCursor::Peek(size_t ahead) const {
  size_t p = pos_ + ahead;
  return p < tokens_.size() ? tokens_[p] : tokens_.back();
}

const Token& TokenCursor::Next() {
  const Token& t = Peek();
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool TokenCursor::Accept(std::string_view op) {
  if (!Peek().Is(op)) return false;
  Next();
  return true;
}

bool TokenCursor::AcceptWord(std::string_view word) {
  if (!Peek().IsWord(word)) return false;
  Next();
  return true;
}

Status TokenCursor::Expected(std::string_view what) const {
  return ErrorAt(Peek(), "expected " + std::string(what) + ", found " + Peek().Describe());
}

Status TokenCursor::ErrorAt(const Token& t, std::string_view message) const {
  return Status::InvalidArgument(Loc(t.line, t.col) + ": " + std::string(message));
}

}  // namespace ddbg::query

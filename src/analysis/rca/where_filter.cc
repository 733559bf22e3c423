#include "analysis/rca/where_filter.h"

#include <cctype>
#include <fmt/format.h>

namespace ddbg::rca {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view t) : t_(t) {}

  Result<WhereFilter> Parse() {
    WhereFilter f;
    Skip();
    if (!Eat('{')) return Error("expected '{'");
    Skip();
    if (Eat('}')) return End(f);
    while (true) {
      Result<WhereCond> c = Cond();
      if (!c.ok()) return c.status();
      f.conds.push_back(*c);
      Skip();
      if (Eat('}')) return End(f);
      if (!(Eat('&') && Eat('&'))) return Error("expected '&&' or '}'");
    }
  }

 private:
  Result<WhereFilter> End(WhereFilter f) {
    Skip();
    if (i_ != t_.size()) return Error("unexpected text after '}'");
    return f;
  }
  Status Error(std::string_view what) const {
    return Status::InvalidArgument(
        fmt::format("--where: column {}: {} (supported: {{ resource.service.name = \"x\" && "
                    "name = \"op\" && span.key != \"v\" }})",
                    i_ + 1, what));
  }
  void Skip() {
    while (i_ < t_.size() && std::isspace(static_cast<unsigned char>(t_[i_]))) ++i_;
  }
  bool Eat(char c) {
    if (i_ < t_.size() && t_[i_] == c) return ++i_, true;
    return false;
  }
  Result<WhereCond> Cond() {
    Skip();
    size_t b = i_;
    while (i_ < t_.size() && (std::isalnum(static_cast<unsigned char>(t_[i_])) ||
                              t_[i_] == '.' || t_[i_] == '_' || t_[i_] == '-')) {
      ++i_;
    }
    std::string_view field = t_.substr(b, i_ - b);
    WhereCond c;
    if (field == "resource.service.name") {
      c.field = WhereCond::Field::kService;
    } else if (field == "name") {
      c.field = WhereCond::Field::kName;
    } else if (field.starts_with("span.") && field.size() > 5) {
      c.field = WhereCond::Field::kPair, c.key = field.substr(5);
    } else if (field.starts_with("resource.") && field.size() > 9) {
      c.field = WhereCond::Field::kPair, c.key = field.substr(9);
    } else {
      i_ = b;
      return Error(fmt::format("unknown field '{}'", field));
    }
    Skip();
    if (Eat('!')) c.negate = true;
    if (!Eat('=')) return Error("expected '=' or '!='");
    Skip();
    if (!Eat('"')) return Error("expected a quoted string");
    size_t v = i_;
    while (i_ < t_.size() && t_[i_] != '"') ++i_;
    if (i_ == t_.size()) return Error("unterminated string");
    c.value = t_.substr(v, i_ - v);
    ++i_;
    return c;
  }

  std::string_view t_;
  size_t i_ = 0;
};

bool HasPair(const TraceSet& set, const RcaSpan& span, std::string_view pair) {
  for (StrId p : set.resources[span.resource].pairs) {
    if (set.Name(p) == pair) return true;
  }
  for (uint32_t a = span.attr_begin; a < span.attr_end; ++a) {
    if (set.Name(set.span_attrs[a]) == pair) return true;
  }
  return false;
}

}  // namespace

bool WhereFilter::MatchesSpan(const TraceSet& set, const RcaSpan& span) const {
  for (const WhereCond& c : conds) {
    bool hit;
    switch (c.field) {
      case WhereCond::Field::kService: hit = set.Name(span.service) == c.value; break;
      case WhereCond::Field::kName: hit = set.Name(span.operation) == c.value; break;
      default: hit = HasPair(set, span, c.key + "=" + c.value); break;
    }
    if (hit == c.negate) return false;
  }
  return true;
}

Result<WhereFilter> ParseWhere(std::string_view text) {
  if (text.empty()) return WhereFilter{};
  return Parser(text).Parse();
}

}  // namespace ddbg::rca

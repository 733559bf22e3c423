#include "query/logql/parser.h"

#include "query/lexer.h"

namespace ddbg::logql {
namespace {

using query::Tok;
using query::Token;
using query::TokenCursor;

constexpr std::string_view kRangeFns[] = {"count_over_time", "rate", "bytes_over_time",
                                          "bytes_rate"};
constexpr std::string_view kVectorFns[] = {"sum", "avg", "max", "min", "count"};
// Loki's functions and stages this subset does not have (docs/query.md): named in the error.
constexpr std::string_view kUnsupportedFns[] = {
    "topk", "bottomk", "stddev", "stdvar", "sort", "sort_desc", "label_replace", "vector",
    "avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "stddev_over_time",
    "stdvar_over_time", "quantile_over_time", "first_over_time", "last_over_time",
    "absent_over_time", "rate_counter"};
constexpr std::string_view kUnsupportedStages[] = {"regexp", "unpack", "label_format", "drop",
                                                   "keep", "unwrap", "decolorize"};
constexpr std::string_view kComparisons[] = {"=", "!=", "=~", "!~", ">", ">=", "<", "<="};

template <size_t N>
bool OneOf(std::string_view w, const std::string_view (&list)[N]) {
  for (std::string_view x : list) {
    if (w == x) return true;
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::vector<Token> t) : cur_(std::move(t)) {}

  Result<Query> Run() {
    Query q;
    const Token& t = cur_.Peek();
    if (t.type == Tok::kIdent && OneOf(t.text, kUnsupportedFns)) return NotSupported(t, t.text);
    if (t.type == Tok::kIdent && (OneOf(t.text, kRangeFns) || OneOf(t.text, kVectorFns))) {
      q.is_metric = true;
      DDBG_RETURN_IF_ERROR(Metric(&q.metric));
    } else {
      DDBG_RETURN_IF_ERROR(Log(&q.log));
    }
    if (!cur_.AtEnd()) {
      return cur_.Expected(q.is_metric ? "end of query" : "a pipeline stage ('|=', '!=', '|~', '!~', '| json', …) or end of query");
    }
    return q;
  }

 private:
  Status Regex(const Token& at, const std::string& pattern, bool anchored,
               std::shared_ptr<const RE2>* out) {
    RE2::Options o;
    o.set_log_errors(false);
    RE2 plain(pattern, o);  // checked alone first so that errors show the user's pattern
    if (!plain.ok()) return cur_.ErrorAt(at, "invalid regular expression: " + plain.error());
    auto re = std::make_shared<RE2>(anchored ? "^(?:" + pattern + ")$" : pattern, o);
    *out = std::move(re);
    return Status::Ok();
  }

  Status NotSupported(const Token& at, std::string_view what) const {
    return cur_.ErrorAt(at, std::string(what) + " is not supported yet (docs/query.md lists the supported subset)");
  }

  Status String(std::string* out, std::string_view what) {
    if (cur_.Peek().type != Tok::kString) return cur_.Expected(what);
    *out = cur_.Next().text;
    return Status::Ok();
  }

  Status Selector(std::vector<Matcher>* out) {
    if (!cur_.Accept("{")) return cur_.Expected("'{' to start a stream selector");
    do {
      Matcher m;
      if (cur_.Peek().type != Tok::kIdent) return cur_.Expected("a label name");
      m.label = cur_.Next().text;
      const Token op = cur_.Peek();
      if (op.Is("=")) m.op = MatchOp::kEq;
      else if (op.Is("!=")) m.op = MatchOp::kNe;
      else if (op.Is("=~")) m.op = MatchOp::kRe;
      else if (op.Is("!~")) m.op = MatchOp::kNre;
      else return cur_.Expected("'=', '!=', '=~' or '!~' after the label name");
      cur_.Next();
      const Token at = cur_.Peek();
      DDBG_RETURN_IF_ERROR(String(&m.value, "a quoted label value"));
      if (m.op == MatchOp::kRe || m.op == MatchOp::kNre) {
        DDBG_RETURN_IF_ERROR(Regex(at, m.value, true, &m.regex));
      }
      out->push_back(std::move(m));
    } while (cur_.Accept(","));
    if (!cur_.Accept("}")) return cur_.Expected("'}' or ',' in the stream selector");
    return Status::Ok();
  }

  Status Log(LogExpr* out) {
    DDBG_RETURN_IF_ERROR(Selector(&out->selector));
    while (true) {
      PipelineStage s;
      const Token at = cur_.Peek();
      using K = PipelineStage::Kind;
      if (at.Is("|=") || at.Is("!=") || at.Is("|~") || at.Is("!~")) {
        cur_.Next();
        s.kind = at.Is("|=") ? K::kLineContains : at.Is("!=") ? K::kLineNotContains
               : at.Is("|~") ? K::kLineRegex : K::kLineNotRegex;
        const Token arg = cur_.Peek();
        DDBG_RETURN_IF_ERROR(String(&s.text, "a quoted string after the line filter"));
        if (s.kind == K::kLineRegex || s.kind == K::kLineNotRegex) {
          DDBG_RETURN_IF_ERROR(Regex(arg, s.text, false, &s.regex));
        }
      } else if (cur_.Accept("|")) {
        DDBG_RETURN_IF_ERROR(Stage(&s));
      } else {
        return Status::Ok();
      }
      out->stages.push_back(std::move(s));
    }
  }

  Status Stage(PipelineStage* s) {
    using K = PipelineStage::Kind;
    if (cur_.AcceptWord("json")) {
      s->kind = K::kJson;
    } else if (cur_.AcceptWord("logfmt")) {
      s->kind = K::kLogfmt;
    } else if (cur_.AcceptWord("pattern")) {
      s->kind = K::kPattern;
      const Token at = cur_.Peek();
      DDBG_RETURN_IF_ERROR(String(&s->text, "a quoted pattern such as \"<ip> - <_>\""));
      return Pattern(at, s);
    } else if (cur_.AcceptWord("line_format")) {
      s->kind = K::kLineFormat;
      return String(&s->text, "a quoted template such as \"{{.status}} {{.path}}\"");
    } else if (cur_.Peek().type == Tok::kIdent && OneOf(cur_.Peek().text, kUnsupportedStages) &&
               !(cur_.Peek(1).type == Tok::kOp && OneOf(cur_.Peek(1).text, kComparisons))) {
      return NotSupported(cur_.Peek(), "'| " + cur_.Peek().text + "'");
    } else if (cur_.Peek().type == Tok::kIdent && !cur_.Peek(1).Is("(")) {
      s->kind = K::kLabelFilter;
      return LabelFilters(s);
    } else {
      return cur_.Expected("json, logfmt, pattern, line_format or a label filter after '|'");
    }
    return Status::Ok();
  }

  Status Pattern(const Token& at, PipelineStage* s) {
    std::string_view p = s->text;
    std::string lit;
    size_t i = 0;
    while (i < p.size()) {
      size_t lt = p.find('<', i);
      size_t gt = lt == std::string_view::npos ? lt : p.find('>', lt);
      if (gt == std::string_view::npos) {
        lit += p.substr(i);
        break;
      }
      lit += p.substr(i, lt - i);
      if (!s->captures.empty() && lit.empty()) {
        return cur_.ErrorAt(at, "pattern: two captures must be separated by literal text");
      }
      s->literals.push_back(lit);
      lit.clear();
      s->captures.emplace_back(p.substr(lt + 1, gt - lt - 1));
      if (s->captures.back().empty()) return cur_.ErrorAt(at, "pattern: empty capture '<>'");
      i = gt + 1;
    }
    s->literals.push_back(lit);
    if (s->captures.empty()) return cur_.ErrorAt(at, "pattern: needs at least one capture <name>");
    return Status::Ok();
  }

  Status LabelFilters(PipelineStage* s) {
    s->any_of.emplace_back();
    while (true) {
      LabelFilter f;
      DDBG_RETURN_IF_ERROR(OneLabelFilter(&f));
      s->any_of.back().push_back(std::move(f));
      if (cur_.Accept(",") || cur_.AcceptWord("and")) continue;
      if (cur_.AcceptWord("or")) {
        s->any_of.emplace_back();
        continue;
      }
      return Status::Ok();
    }
  }

  Status OneLabelFilter(LabelFilter* f) {
    using Op = LabelFilter::Op;
    if (cur_.Peek().type != Tok::kIdent) return cur_.Expected("a label name");
    f->label = cur_.Next().text;
    constexpr std::pair<std::string_view, Op> kOps[] = {
        {"=", Op::kEq}, {"==", Op::kEq}, {"!=", Op::kNe}, {"=~", Op::kRe}, {"!~", Op::kNre},
        {">", Op::kGt}, {">=", Op::kGe}, {"<", Op::kLt},  {"<=", Op::kLe}};
    bool found = false;
    for (const auto& [text, op] : kOps) {
      if (cur_.Peek().Is(text)) {
        f->op = op;
        found = true;
      }
    }
    if (!found) return cur_.Expected("a comparison (=, !=, =~, !~, >, >=, <, <=) after the label");
    cur_.Next();
    const Token v = cur_.Peek();
    if (v.type == Tok::kString) {
      if (f->op != Op::kEq && f->op != Op::kNe && f->op != Op::kRe && f->op != Op::kNre) {
        return cur_.Expected("a number or duration after " + f->label);
      }
      f->text = v.text;
      cur_.Next();
      if (f->op == Op::kRe || f->op == Op::kNre) return Regex(v, f->text, true, &f->regex);
      return Status::Ok();
    }
    if (v.type == Tok::kInt || v.type == Tok::kFloat || v.type == Tok::kDuration) {
      if (f->op == Op::kRe || f->op == Op::kNre) return cur_.Expected("a quoted regular expression");
      f->numeric = true;
      f->number = v.type == Tok::kDuration ? static_cast<double>(v.int_value) / 1e9 : v.float_value;
      cur_.Next();
      return Status::Ok();
    }
    return cur_.Expected("a quoted string, a number or a duration");
  }

  Status Metric(std::unique_ptr<MetricExpr>* out) {
    *out = std::make_unique<MetricExpr>();
    MetricExpr& m = **out;
    const Token fn = cur_.Next();
    if (OneOf(fn.text, kRangeFns)) {
      m.kind = MetricExpr::Kind::kRange;
      m.function = fn.text;
      if (!cur_.Accept("(")) return cur_.Expected("'(' after " + fn.text);
      DDBG_RETURN_IF_ERROR(Log(&m.log));
      if (!cur_.Accept("[")) return cur_.Expected("'[' and a range such as [5m]");
      if (cur_.Peek().type != Tok::kDuration) return cur_.Expected("a range duration such as 5m");
      m.range_ns = cur_.Next().int_value;
      if (m.range_ns <= 0) return cur_.ErrorAt(fn, "the range must be positive");
      if (!cur_.Accept("]")) return cur_.Expected("']' after the range");
      if (!cur_.Accept(")")) return cur_.Expected("')' to close " + fn.text);
      return Status::Ok();
    }
    if (OneOf(fn.text, kUnsupportedFns)) return NotSupported(fn, fn.text);
    if (!OneOf(fn.text, kVectorFns)) {
      return cur_.ErrorAt(fn, "expected a metric function (count_over_time, rate, "
                              "bytes_over_time, sum, avg, max, min, count), found '" + fn.text + "'");
    }
    m.kind = MetricExpr::Kind::kVector;
    m.function = fn.text;
    DDBG_RETURN_IF_ERROR(Grouping(&m));
    if (!cur_.Accept("(")) return cur_.Expected("'(' after " + fn.text);
    const Token inner = cur_.Peek();
    if (inner.type == Tok::kIdent && OneOf(inner.text, kUnsupportedFns)) return NotSupported(inner, inner.text);
    if (inner.type != Tok::kIdent || !(OneOf(inner.text, kRangeFns) || OneOf(inner.text, kVectorFns))) {
      return cur_.Expected("a range aggregation such as count_over_time(...) inside " + fn.text);
    }
    DDBG_RETURN_IF_ERROR(Metric(&m.inner));
    if (!cur_.Accept(")")) return cur_.Expected("')' to close " + fn.text);
    if (!m.grouped) DDBG_RETURN_IF_ERROR(Grouping(&m));
    return Status::Ok();
  }

  Status Grouping(MetricExpr* m) {
    bool by = cur_.AcceptWord("by");
    bool without = !by && cur_.AcceptWord("without");
    if (!by && !without) return Status::Ok();
    m->grouped = true;
    m->without = without;
    if (!cur_.Accept("(")) return cur_.Expected("'(' and label names");
    if (!cur_.Accept(")")) {
      do {
        if (cur_.Peek().type != Tok::kIdent) return cur_.Expected("a label name");
        m->grouping.push_back(cur_.Next().text);
      } while (cur_.Accept(","));
      if (!cur_.Accept(")")) return cur_.Expected("')' after the label names");
    }
    return Status::Ok();
  }

  TokenCursor cur_;
};

}  // namespace

const LogExpr& Query::Source() const {
  if (!is_metric) return log;
  const MetricExpr* m = metric.get();
  while (m->kind == MetricExpr::Kind::kVector) m = m->inner.get();
  return m->log;
}

Result<Query> ParseLogQL(std::string_view text) {
  auto tokens = query::Lex(text);
  if (!tokens.ok()) return tokens.status();
  return Parser(std::move(tokens).value()).Run();
}

}  // namespace ddbg::logql

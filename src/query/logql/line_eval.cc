#include "query/logql/line_eval.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "query/lexer.h"

namespace ddbg::logql {
namespace {

// A label value as a number: plain numbers, or durations ("152.1ms") in seconds.
bool LabelNumber(std::string_view v, double* out) {
  auto r = std::from_chars(v.data(), v.data() + v.size(), *out);
  if (r.ec == std::errc() && r.ptr == v.data() + v.size()) return true;
  int64_t ns = 0;
  if (!query::ParseQueryDuration(v, &ns)) return false;
  *out = static_cast<double>(ns) / 1e9;
  return true;
}

bool LabelFilterHolds(const LabelFilter& f, const LabelSet& labels) {
  const std::string* v = GetLabel(labels, f.label);
  std::string_view s = v ? std::string_view(*v) : std::string_view();
  using Op = LabelFilter::Op;
  if (!f.numeric) {
    switch (f.op) {
      case Op::kEq: return s == f.text;
      case Op::kNe: return s != f.text;
      case Op::kRe: return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *f.regex);
      case Op::kNre: return !RE2::FullMatch(re2::StringPiece(s.data(), s.size()), *f.regex);
      default: return false;
    }
  }
  double x = 0;
  if (!LabelNumber(s, &x)) return false;
  switch (f.op) {
    case Op::kEq: return x == f.number;
    case Op::kNe: return x != f.number;
    case Op::kGt: return x > f.number;
    case Op::kGe: return x >= f.number;
    case Op::kLt: return x < f.number;
    case Op::kLe: return x <= f.number;
    default: return false;
  }
}

void FlattenJson(simdjson::dom::element e, const std::string& prefix, LabelSet* out) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::OBJECT:
      for (auto field : e.get_object()) {
        std::string key = SanitizeLabel(field.key);
        FlattenJson(field.value, prefix.empty() ? key : prefix + "_" + key, out);
      }
      return;
    case T::STRING: SetLabel(out, prefix, std::string(e.get_string().value())); return;
    case T::ARRAY: SetLabel(out, prefix, simdjson::minify(e)); return;
    case T::NULL_VALUE: return;
    default: SetLabel(out, prefix, simdjson::minify(e)); return;
  }
}

void ParseJsonBody(std::string_view body, LabelSet* out) {
  if (body.empty() || body.front() != '{') return;
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS) return;
  FlattenJson(doc, "", out);
}

void ParseLogfmt(std::string_view s, LabelSet* out) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t k = i;
    while (k < s.size() && s[k] != '=' && s[k] != ' ') ++k;
    if (k >= s.size() || s[k] != '=' || k == i) {
      i = k + 1;
      continue;
    }
    std::string key = SanitizeLabel(s.substr(i, k - i));
    size_t v = k + 1;
    std::string value;
    if (v < s.size() && s[v] == '"') {
      size_t e = v + 1;
      while (e < s.size() && s[e] != '"') {
        if (s[e] == '\\' && e + 1 < s.size()) ++e;
        value.push_back(s[e++]);
      }
      i = e + 1;
    } else {
      size_t e = v;
      while (e < s.size() && s[e] != ' ') ++e;
      value = std::string(s.substr(v, e - v));
      i = e;
    }
    SetLabel(out, std::move(key), std::move(value));
  }
}

bool MatchPattern(const PipelineStage& p, std::string_view s, LabelSet* out) {
  if (!s.starts_with(p.literals[0])) return false;
  size_t pos = p.literals[0].size();
  for (size_t c = 0; c < p.captures.size(); ++c) {
    const std::string& next = p.literals[c + 1];
    size_t end = next.empty() ? s.size() : s.find(next, pos);
    if (end == std::string_view::npos) return false;
    if (p.captures[c] != "_") SetLabel(out, p.captures[c], std::string(s.substr(pos, end - pos)));
    pos = end + next.size();
  }
  return true;
}

std::string LineFormat(const std::string& tmpl, const LabelSet& labels) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find("{{", i);
    size_t close = open == std::string::npos ? open : tmpl.find("}}", open);
    if (close == std::string::npos) {
      out += tmpl.substr(i);
      break;
    }
    out += tmpl.substr(i, open - i);
    std::string_view name(tmpl.data() + open + 2, close - open - 2);
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.starts_with(".")) name.remove_prefix(1);
    if (const std::string* v = GetLabel(labels, name)) out += *v;
    i = close + 2;
  }
  return out;
}

}  // namespace

void SetLabel(LabelSet* labels, std::string name, std::string value) {
  auto it = std::lower_bound(labels->begin(), labels->end(), name,
                             [](const auto& a, const std::string& n) { return a.first < n; });
  if (it != labels->end() && it->first == name) {
    it->second = std::move(value);
  } else {
    labels->insert(it, {std::move(name), std::move(value)});
  }
}

const std::string* GetLabel(const LabelSet& labels, std::string_view name) {
  auto it = std::lower_bound(labels.begin(), labels.end(), name,
                             [](const auto& a, std::string_view n) { return a.first < n; });
  return it != labels.end() && it->first == name ? &it->second : nullptr;
}

bool IsServiceLabel(std::string_view l) { return l == "service" || l == "service_name" || l == "job"; }
bool IsLevelLabel(std::string_view l) {
  return l == "level" || l == "severity" || l == "detected_level";
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool MatchesValue(const Matcher& m, std::string_view v) {
  switch (m.op) {
    case MatchOp::kEq: return v == m.value;
    case MatchOp::kNe: return v != m.value;
    case MatchOp::kRe: return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *m.regex);
    case MatchOp::kNre: return !RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *m.regex);
  }
  return false;
}

std::string SanitizeLabel(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  return out;
}

std::string_view LineEvaluator::StreamLabel(size_t row, std::string_view label,
                                            std::string* scratch) {
  if (IsServiceLabel(label)) return b_.dict.Get(b_.service[row]);
  if (IsLevelLabel(label)) {
    *scratch = Lower(SeverityShortName(b_.severity_number[row]));
    return *scratch;
  }
  auto find = [&](const AttrColumns& a, uint32_t begin, uint32_t end) -> bool {
    for (uint32_t i = begin; i < end; ++i) {
      std::string_view k = b_.dict.Get(a.key[i]);
      if (k == label || SanitizeLabel(k) == label) {
        *scratch = a.ValueText(b_.dict, i);
        return true;
      }
    }
    return false;
  };
  uint32_t r = b_.resource[row];
  if (find(b_.resources.attrs, b_.resources.attr_off.begin(r), b_.resources.attr_off.end(r)) ||
      find(b_.attrs, b_.attr_off.begin(row), b_.attr_off.end(row))) {
    return *scratch;
  }
  return {};
}

bool LineEvaluator::Selects(size_t row) {
  std::string scratch;
  for (const Matcher& m : e_.selector) {
    if (!MatchesValue(m, StreamLabel(row, m.label, &scratch))) return false;
  }
  return true;
}

void LineEvaluator::BaseLabels(size_t row, LogLine* out) {
  auto [it, fresh] = base_.try_emplace({b_.service[row], b_.severity_number[row]});
  if (fresh) {
    SetLabel(&it->second, "level", Lower(SeverityShortName(b_.severity_number[row])));
    SetLabel(&it->second, "service", std::string(b_.dict.Get(b_.service[row])));
  }
  out->labels = it->second;
}

void LineEvaluator::AttrLabels(size_t row, LogLine* out) {
  for (uint32_t i = b_.attr_off.begin(row); i < b_.attr_off.end(row); ++i) {
    SetLabel(&out->labels, SanitizeLabel(b_.dict.Get(b_.attrs.key[i])), b_.attrs.ValueText(b_.dict, i));
  }
}

bool LineEvaluator::Stage(const PipelineStage& s, size_t row, LogLine* out) {
  using K = PipelineStage::Kind;
  std::string_view line = out->line;
  switch (s.kind) {
    case K::kLineContains: return line.find(s.text) != std::string_view::npos;
    case K::kLineNotContains: return line.find(s.text) == std::string_view::npos;
    case K::kLineRegex:
      return RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *s.regex);
    case K::kLineNotRegex:
      return !RE2::PartialMatch(re2::StringPiece(line.data(), line.size()), *s.regex);
    case K::kJson:
      AttrLabels(row, out);
      ParseJsonBody(line, &out->labels);
      return true;
    case K::kLogfmt:
      AttrLabels(row, out);
      ParseLogfmt(line, &out->labels);
      return true;
    case K::kPattern: return MatchPattern(s, line, &out->labels);
    case K::kLabelFilter:
      for (const auto& all_of : s.any_of) {
        bool ok = true;
        for (const LabelFilter& f : all_of) ok = ok && LabelFilterHolds(f, out->labels);
        if (ok) return true;
      }
      return false;
    case K::kLineFormat: out->line = LineFormat(s.text, out->labels); return true;
  }
  return false;
}

bool LineEvaluator::Run(size_t row, LogLine* out) {
  if (!Selects(row)) return false;
  // Line filters before the first parser need no labels: check them on the stored body.
  std::string_view body = b_.dict.Get(b_.body[row]);
  size_t i = 0;
  for (; i < e_.stages.size() && e_.stages[i].kind <= PipelineStage::Kind::kLineNotRegex; ++i) {
    const PipelineStage& s = e_.stages[i];
    if (i < decided_.size() && decided_[i]) continue;
    bool has = s.kind == PipelineStage::Kind::kLineContains || s.kind == PipelineStage::Kind::kLineNotContains
                   ? body.find(s.text) != std::string_view::npos
                   : RE2::PartialMatch(re2::StringPiece(body.data(), body.size()), *s.regex);
    bool positive = s.kind == PipelineStage::Kind::kLineContains || s.kind == PipelineStage::Kind::kLineRegex;
    if (has != positive) return false;
  }
  out->time_ns = b_.time_ns[row];
  out->trace_id = b_.trace_id[row];
  out->span_id = b_.span_id[row];
  out->line = std::string(body);
  BaseLabels(row, out);
  for (; i < e_.stages.size(); ++i) {
    if (!Stage(e_.stages[i], row, out)) return false;
  }
  return true;
}

}  // namespace ddbg::logql

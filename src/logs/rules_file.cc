// Rules files, in a small subset of YAML or of TOML (docs/logs.md):
//
//   rules:                          [[rules]]
//     - name: payment_declined      name = "payment_declined"
//       regex: "(?i)card declined"  regex = '(?i)card declined'
//       severity: warning           severity = "warning"
//       action: Check the PSP       action = "Check the PSP"
//       enabled: true               enabled = true
//
// Scalars may be bare, 'single-quoted' (no escapes) or "double-quoted" (\" \\ \n \t).
// Comments start with '#' outside quotes. Anything else is an error naming the line.
#include <fmt/format.h>

#include "ddbg/log_rules.h"
#include "logs/loghub_accuracy.h"

namespace ddbg::logs {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Parses a scalar (quoted or bare, with an optional trailing comment).
bool Scalar(std::string_view s, std::string* out) {
  s = Trim(s);
  out->clear();
  if (!s.empty() && (s[0] == '"' || s[0] == '\'')) {
    char q = s[0];
    size_t i = 1;
    for (; i < s.size() && s[i] != q; ++i) {
      if (q == '"' && s[i] == '\\' && i + 1 < s.size()) {
        char e = s[++i];
        *out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        *out += s[i];
      }
    }
    if (i >= s.size()) return false;
    std::string_view rest = Trim(s.substr(i + 1));
    return rest.empty() || rest[0] == '#';
  }
  size_t hash = s.find(" #");
  *out = std::string(Trim(s.substr(0, hash)));
  return true;
}

Status SetField(LogRule* rule, std::string_view key, const std::string& value,
                const std::string& where) {
  if (key == "name") rule->name = value;
  else if (key == "regex") rule->regex = value;
  else if (key == "action") rule->action = value;
  else if (key == "severity") {
    if (!ParseRuleSeverity(value, &rule->severity)) {
      return Status::InvalidArgument(
          fmt::format("{}: severity must be info, warning, error or critical, got '{}'", where, value));
    }
  } else if (key == "enabled") {
    if (value != "true" && value != "false") {
      return Status::InvalidArgument(fmt::format("{}: enabled must be true or false", where));
    }
    rule->enabled = value == "true";
  } else {
    return Status::InvalidArgument(fmt::format("{}: unknown rule field '{}'", where, key));
  }
  return Status::Ok();
}

// A "key <sep> value" line (sep at `sep`: '=' in TOML, ':' in YAML) applied to `rule`.
Status SetKeyValue(LogRule* rule, std::string_view line, size_t sep, const std::string& where) {
  std::string value;
  if (!Scalar(line.substr(sep + 1), &value)) {
    return Status::InvalidArgument(fmt::format("{}: unterminated string", where));
  }
  return SetField(rule, Trim(line.substr(0, sep)), value, where);
}

Status CheckRules(const std::vector<LogRule>& rules, const std::string& path) {
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].name.empty()) {
      return Status::InvalidArgument(fmt::format("{}: rule {} has no name", path, i + 1));
    }
  }
  return Status::Ok();
}

Result<std::vector<LogRule>> ParseToml(std::string_view text, const std::string& path) {
  std::vector<LogRule> rules;
  size_t line_no = 0;
  for (size_t pos = 0; pos <= text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = Trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    std::string where = fmt::format("{}:{}", path, line_no);
    if (line.empty() || line[0] == '#') continue;
    if (line == "[[rules]]" || line == "[[rule]]") {
      rules.emplace_back();
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || rules.empty()) {
      return Status::InvalidArgument(fmt::format("{}: expected [[rules]] or key = value", where));
    }
    DDBG_RETURN_IF_ERROR(SetKeyValue(&rules.back(), line, eq, where));
  }
  DDBG_RETURN_IF_ERROR(CheckRules(rules, path));
  return rules;
}

Result<std::vector<LogRule>> ParseYaml(std::string_view text, const std::string& path) {
  std::vector<LogRule> rules;
  size_t line_no = 0;
  for (size_t pos = 0; pos <= text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = Trim(text.substr(pos, nl - pos));
    pos = nl + 1;
    ++line_no;
    std::string where = fmt::format("{}:{}", path, line_no);
    if (line.empty() || line[0] == '#' || line == "---") continue;
    if (line == "rules:" && rules.empty()) continue;
    if (line[0] == '-') {
      rules.emplace_back();
      line = Trim(line.substr(1));
      if (line.empty()) continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || rules.empty()) {
      return Status::InvalidArgument(fmt::format("{}: expected '- name: …' or 'key: value'", where));
    }
    DDBG_RETURN_IF_ERROR(SetKeyValue(&rules.back(), line, colon, where));
  }
  DDBG_RETURN_IF_ERROR(CheckRules(rules, path));
  return rules;
}

}  // namespace

Result<std::vector<LogRule>> ParseRulesFile(std::string_view text, const std::string& path) {
  bool toml = path.size() >= 5 && path.substr(path.size() - 5) == ".toml";
  return toml ? ParseToml(text, path) : ParseYaml(text, path);
}

Result<std::vector<LogRule>> LoadRulesFile(const std::string& path) {
  Result<std::vector<std::string>> lines = ReadTextLines(path);
  if (!lines.ok()) return lines.status();
  std::string text;
  for (const std::string& l : *lines) text += l + "\n";
  return ParseRulesFile(text, path);
}

}  // namespace ddbg::logs

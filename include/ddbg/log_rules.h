// Log pattern rules: a name, an RE2 regex matched against each log message, a severity and
// the recommended action. DefaultLogRules() covers the usual production failures; a user
// rules file (YAML or TOML, the subset described in docs/logs.md) adds rules or overrides
// defaults by name. AnalyzeLogs aggregates the matches of a store into issues.
// Thread-safety: a compiled RuleSet may be shared read-only between threads.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg::logs {

enum class RuleSeverity : uint8_t { kInfo = 0, kWarning = 1, kError = 2, kCritical = 3 };
const char* RuleSeverityName(RuleSeverity s);  // "info", "warning", "error", "critical"
bool ParseRuleSeverity(std::string_view text, RuleSeverity* out);

struct LogRule {
  std::string name;
  std::string regex;  // RE2 syntax; "(?i)" for case-insensitive
  RuleSeverity severity = RuleSeverity::kWarning;
  std::string action;
  bool enabled = true;  // a user file may switch a default rule off
};

std::vector<LogRule> DefaultLogRules();

// Parses a rules file: YAML when `path` does not end in ".toml", TOML otherwise. Errors
// name the file and line.
Result<std::vector<LogRule>> ParseRulesFile(std::string_view text, const std::string& path);
Result<std::vector<LogRule>> LoadRulesFile(const std::string& path);

// `base` with `overrides` applied: a rule of the same name replaces the base rule (fields
// left empty keep the base value), other rules are appended; disabled rules are dropped.
std::vector<LogRule> MergeRules(std::vector<LogRule> base, const std::vector<LogRule>& overrides);

// The rules compiled into one RE2 set.
class RuleSet {
 public:
  static Result<RuleSet> Compile(std::vector<LogRule> rules);
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;
  ~RuleSet();
  // Indices of the rules matching `message`, ascending, into *out (cleared first).
  void Match(std::string_view message, std::vector<int>* out) const;
  const std::vector<LogRule>& rules() const { return rules_; }

 private:
  RuleSet();
  struct Impl;
  std::vector<LogRule> rules_;
  std::unique_ptr<Impl> impl_;
};

struct LogIssue {
  const LogRule* rule = nullptr;
  uint64_t occurrences = 0;
  int64_t first_seen_ns = 0;
  int64_t last_seen_ns = 0;
  std::string last_message;
  std::vector<std::string> services;  // sorted
};

// AnalyzeLogs batch by batch, for a caller whose own scan feeds it (with log bodies):
// Add every batch of the scan in order, then Finish. Records outside `time` are skipped.
// Thread-safety: one thread; `rules` must outlive it.
class LogRuleMatcher {
 public:
  LogRuleMatcher(const RuleSet& rules, const TimeRange& time);
  void Add(const LogBatch& batch);
  std::vector<LogIssue> Finish();

 private:
  const RuleSet& rules_;
  TimeRange time_;
  std::vector<LogIssue> issues_;
  std::vector<std::set<std::string>> services_;
  std::vector<int> hits_;
};

// Matches every log record of the store within `filter` against `rules`; issues sorted by
// severity (critical first), then occurrences, then name.
Result<std::vector<LogIssue>> AnalyzeLogs(Store& store, const ScanFilter& filter,
                                          const RuleSet& rules);

}  // namespace ddbg::logs

// Rule severities, merging of default and user rules, the compiled RE2 set and the
// aggregation of matches into issues.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <re2/re2.h>
#include <re2/set.h>

#include "ddbg/log_rules.h"
#include "ddbg/log_templates.h"
#include "logs/rule_prefilter.h"

namespace ddbg::logs {

const char* RuleSeverityName(RuleSeverity s) {
  switch (s) {
    case RuleSeverity::kInfo: return "info";
    case RuleSeverity::kWarning: return "warning";
    case RuleSeverity::kError: return "error";
    case RuleSeverity::kCritical: return "critical";
  }
  return "info";
}

bool ParseRuleSeverity(std::string_view text, RuleSeverity* out) {
  for (auto s : {RuleSeverity::kInfo, RuleSeverity::kWarning, RuleSeverity::kError,
                 RuleSeverity::kCritical}) {
    if (text == RuleSeverityName(s)) {
      *out = s;
      return true;
    }
  }
  if (text == "warn") *out = RuleSeverity::kWarning;
  return text == "warn";
}

std::vector<LogRule> MergeRules(std::vector<LogRule> base, const std::vector<LogRule>& overrides) {
  for (const LogRule& o : overrides) {
    auto same = std::find_if(base.begin(), base.end(), [&](const LogRule& r) { return r.name == o.name; });
    if (same == base.end()) {
      base.push_back(o);
      continue;
    }
    if (!o.regex.empty()) same->regex = o.regex;
    if (!o.action.empty()) same->action = o.action;
    same->severity = o.severity;
    same->enabled = o.enabled;
  }
  std::erase_if(base, [](const LogRule& r) { return !r.enabled; });
  return base;
}

struct RuleSet::Impl {
  Impl() : set(RE2::Options(), RE2::UNANCHORED) {}
  RE2::Set set;
  RulePrefilter prefilter;  // rejects most messages before the set runs
};

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;
RuleSet::~RuleSet() = default;

Result<RuleSet> RuleSet::Compile(std::vector<LogRule> rules) {
  RuleSet rs;
  for (const LogRule& r : rules) {
    std::string error;
    if (rs.impl_->set.Add(r.regex, &error) < 0) {
      return Status::InvalidArgument(fmt::format("rule {}: bad regex: {}", r.name, error));
    }
  }
  if (!rs.impl_->set.Compile()) return Status::InvalidArgument("rules: regex set too large");
  std::vector<std::string> regexes;
  for (const LogRule& r : rules) regexes.push_back(r.regex);
  rs.impl_->prefilter = RulePrefilter::Build(regexes);
  rs.rules_ = std::move(rules);
  return rs;
}

void RuleSet::Match(std::string_view message, std::vector<int>* out) const {
  out->clear();
  if (rules_.empty() || !impl_->prefilter.MayMatch(message)) return;
  impl_->set.Match(message, out);
  std::sort(out->begin(), out->end());
}

LogRuleMatcher::LogRuleMatcher(const RuleSet& rules, const TimeRange& time)
    : rules_(rules), time_(time), issues_(rules.rules().size()), services_(issues_.size()) {}

void LogRuleMatcher::Add(const LogBatch& b) {
  for (size_t i = 0; i < b.size(); ++i) {
    if (!time_.Contains(b.time_ns[i])) continue;
    rules_.Match(b.dict.Get(b.body[i]), &hits_);
    for (int h : hits_) {
      LogIssue& issue = issues_[h];
      int64_t t = b.time_ns[i];
      if (issue.occurrences++ == 0 || t < issue.first_seen_ns) issue.first_seen_ns = t;
      if (issue.occurrences == 1 || t >= issue.last_seen_ns) {
        issue.last_seen_ns = t;
        issue.last_message = b.dict.Get(b.body[i]);
      }
      services_[h].emplace(b.dict.Get(b.service[i]));
    }
  }
}

std::vector<LogIssue> LogRuleMatcher::Finish() {
  std::vector<LogIssue> out;
  for (size_t r = 0; r < issues_.size(); ++r) {
    if (issues_[r].occurrences == 0) continue;
    issues_[r].rule = &rules_.rules()[r];
    issues_[r].services.assign(services_[r].begin(), services_[r].end());
    out.push_back(std::move(issues_[r]));
  }
  std::sort(out.begin(), out.end(), [](const LogIssue& a, const LogIssue& b) {
    if (a.rule->severity != b.rule->severity) return a.rule->severity > b.rule->severity;
    if (a.occurrences != b.occurrences) return a.occurrences > b.occurrences;
    return a.rule->name < b.rule->name;
  });
  return out;
}

Result<std::vector<LogIssue>> AnalyzeLogs(Store& store, const ScanFilter& filter,
                                          const RuleSet& rules) {
  LogRuleMatcher matcher(rules, filter.time);
  ScanFilter bodies = filter;
  bodies.log_columns = LogColumns::kBody;  // rules match bodies only
  Status st = store.ScanLogs(bodies, [&](const LogBatch& b) {
    matcher.Add(b);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return matcher.Finish();
}

}  // namespace ddbg::logs

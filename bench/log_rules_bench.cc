// The default log rules over the log bodies of a store: RuleSet::Match (the literal
// prefilter, then the RE2 set on the messages it lets through) against the RE2 set alone on
// every message, with the rule hits of both compared. The bodies are read into memory first
// (not timed). Prints seconds, ns per message, messages let through and hits.
// Usage: log_rules_bench STORE_DIR
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <re2/re2.h>
#include <re2/set.h>

#include "ddbg/log_rules.h"
#include "ddbg/store.h"
#include "logs/rule_prefilter.h"

namespace {

using namespace ddbg;
using Clock = std::chrono::steady_clock;

// The bodies back to back in one buffer, as a scan's dictionary holds them.
struct Bodies {
  std::string bytes;
  std::vector<std::pair<size_t, size_t>> spans;
  std::string_view operator[](size_t i) const { return std::string_view(bytes).substr(spans[i].first, spans[i].second); }
  size_t size() const { return spans.size(); }
};

Result<Bodies> ReadBodies(const std::string& dir) {
  Result<std::unique_ptr<Store>> store = OpenEmbeddedStore(dir);
  if (!store.ok()) return store.status();
  Bodies out;
  ScanFilter filter;
  filter.log_columns = LogColumns::kBody;
  Status st = (*store)->ScanLogs(filter, [&](const LogBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      std::string_view body = b.dict.Get(b.body[i]);
      out.spans.emplace_back(out.bytes.size(), body.size());
      out.bytes.append(body);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

template <typename Fn>
double Time(Fn&& fn) {
  Clock::time_point start = Clock::now();
  fn();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: log_rules_bench STORE_DIR\n");
    return 1;
  }
  Result<Bodies> bodies = ReadBodies(argv[1]);
  if (!bodies.ok()) {
    fmt::print(stderr, "{}\n", bodies.status().ToString());
    return 1;
  }
  size_t n = bodies->size();
  std::vector<logs::LogRule> rules = logs::DefaultLogRules();
  Result<logs::RuleSet> rule_set = logs::RuleSet::Compile(rules);
  RE2::Set set(RE2::Options(), RE2::UNANCHORED);
  std::vector<std::string> regexes;
  for (const logs::LogRule& r : rules) {
    set.Add(r.regex, nullptr);
    regexes.push_back(r.regex);
  }
  if (!rule_set.ok() || !set.Compile()) return 1;
  logs::RulePrefilter prefilter = logs::RulePrefilter::Build(regexes);

  std::vector<int> hits;
  size_t set_hits = 0, rule_hits = 0, through = 0, differ = 0;
  double set_s = Time([&] {
    for (size_t i = 0; i < n; ++i) {
      set.Match((*bodies)[i], &hits);
      set_hits += hits.size();
    }
  });
  double rules_s = Time([&] {
    for (size_t i = 0; i < n; ++i) {
      rule_set->Match((*bodies)[i], &hits);
      rule_hits += hits.size();
    }
  });
  double prefilter_s = Time([&] {
    for (size_t i = 0; i < n; ++i) through += prefilter.MayMatch((*bodies)[i]);
  });
  std::vector<int> alone;
  for (size_t i = 0; i < n; ++i) {
    set.Match((*bodies)[i], &alone);
    std::sort(alone.begin(), alone.end());
    rule_set->Match((*bodies)[i], &hits);
    differ += alone != hits;
  }
  fmt::print("{} messages, {:.1f} bytes on average, {} literals\n", n,
             static_cast<double>(bodies->bytes.size()) / static_cast<double>(std::max<size_t>(n, 1)),
             prefilter.literals().size());
  fmt::print("RE2 set alone:           {:.3f} s  {:6.1f} ns/message  {} hits\n", set_s, 1e9 * set_s / n, set_hits);
  fmt::print("RuleSet::Match:          {:.3f} s  {:6.1f} ns/message  {} hits\n", rules_s, 1e9 * rules_s / n, rule_hits);
  fmt::print("prefilter alone:         {:.3f} s  {:6.1f} ns/message  {} let through\n", prefilter_s,
             1e9 * prefilter_s / n, through);
  fmt::print("messages whose hits differ: {}\n", differ);
  return differ == 0 ? 0 : 2;
}

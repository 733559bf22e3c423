// The report's one pass over the log records of the window (bodies, no attributes): each
// batch feeds the log digest, the default log rules and rca's log collector. The rules get a
// scan of their own only when --services narrows the window's records (the store prunes
// segments by service for them, as `ddbg logs` does).
#include <optional>

#include "report/debug/debug_context.h"

namespace ddbg::report {
namespace {

Status CompileRules(SharedAnalyses* a) {
  Result<logs::RuleSet> rules = logs::RuleSet::Compile(logs::DefaultLogRules());
  if (!rules.ok()) return rules.status();
  a->log_rules = std::move(*rules);
  return Status::Ok();
}

// The rules over the records of the services asked for, from a scan of their own.
void RunNarrowedRules(Store& store, const DebugContext& ctx, SharedAnalyses* a) {
  ScanFilter filter;
  filter.time = ctx.window;
  filter.services = ctx.request.services;
  Result<std::vector<logs::LogIssue>> issues = logs::AnalyzeLogs(store, filter, *a->log_rules);
  if (issues.ok()) {
    a->log_issues = std::move(*issues);
  } else {
    a->log_rules_error = issues.status().ToString();
  }
}

}  // namespace

Status RunLogPass(Store& store, DebugContext* ctx, rca::TraceSetFeed* rca_logs) {
  SharedAnalyses& a = ctx->analyses;
  Status compiled = CompileRules(&a);
  if (!compiled.ok()) a.log_rules_error = compiled.ToString();
  bool narrowed = !ctx->request.services.empty();
  std::optional<logs::LogRuleMatcher> rules;
  if (a.log_rules && !narrowed) rules.emplace(*a.log_rules, ctx->window);
  LogDigestFeed digest(ctx);
  DDBG_RETURN_IF_ERROR(store.ScanLogs(LogPassFilter(*ctx), [&](const LogBatch& b) {
    digest.Add(b);
    if (rules) rules->Add(b);
    if (rca_logs) rca_logs->AddLogs(b);
    if (ctx->representative_logs_in_log_pass) AddRepresentativeLogs(b, &ctx->representatives);
    return Status::Ok();
  }));
  if (ctx->logs.logs == 0) {  // no records: no rule section
    a.log_rules.reset();
    a.log_rules_error.clear();
    return Status::Ok();
  }
  if (!a.log_rules) return Status::Ok();
  if (rules) {
    a.log_issues = rules->Finish();
  } else {
    RunNarrowedRules(store, *ctx, &a);
  }
  return Status::Ok();
}

}  // namespace ddbg::report

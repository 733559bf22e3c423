// `ddbg workflow ID`: the traces and events of one workflow as a timeline of steps.
#include <cstdio>

#include "cli/event_args.h"
#include "ddbg/flow.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg::cli {
namespace {

struct WorkflowArgs {
  std::string id;
  std::vector<std::string> steps;
  std::vector<std::string> keys;
  double slow_ms = 0;
  std::string format = "table";
};

void List(JsonWriter& w, const char* key, const std::vector<std::string>& v) {
  w.Key(key).BeginArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}

void PrintJson(const WorkflowReport& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("id").String(r.id).Key("kind").String(r.kind);
  w.Key("expected_source").String(r.expected_source);
  List(w, "expected", r.expected);
  List(w, "missing", r.missing);
  List(w, "failed", r.failed);
  List(w, "slow", r.slow);
  List(w, "out_of_order", r.out_of_order);
  List(w, "trace_ids", r.trace_ids);
  w.Key("steps").BeginArray();
  for (const auto& s : r.steps) {
    w.BeginObject().Key("name").String(s.name).Key("service").String(s.service);
    w.Key("start").String(FormatRfc3339(s.start_ns, 6)).Key("duration_ns").Int(s.end_ns - s.start_ns);
    w.Key("failed").Bool(s.failed).Key("slow").Bool(s.slow).EndObject();
  }
  w.EndArray().EndObject();
  out += "\n";
  std::fputs(out.c_str(), stdout);
}

void PrintTable(const WorkflowReport& r) {
  fmt::print("workflow {} ({} step(s), {} trace(s)); expected steps {}\n", r.id, r.steps.size(),
             r.trace_ids.size(), r.expected_source);
  int64_t t0 = r.steps.empty() ? 0 : r.steps.front().start_ns;
  for (const auto& s : r.steps) {
    fmt::print("+{:>10} {:<14} {:<50} {:>9}{}{}\n", FormatDuration(s.start_ns - t0), s.service,
               s.name.substr(0, 50), FormatDuration(s.end_ns - s.start_ns),
               s.failed ? "  FAILED" : "", s.slow ? "  SLOW" : "");
  }
  auto list = [](const char* title, const std::vector<std::string>& v) {
    if (!v.empty()) fmt::print("{}: {}\n", title, fmt::join(v, "; "));
  };
  fmt::print("\n");
  list("missing", r.missing);
  list("failed", r.failed);
  list("slow", r.slow);
  list("out of order", r.out_of_order);
  if (r.missing.empty() && r.failed.empty() && r.slow.empty() && r.out_of_order.empty()) {
    fmt::print("no missing, failed, slow or out-of-order steps\n");
  }
}

void Run(const WorkflowArgs& a, const GlobalOptions& g) {
  WorkflowOptions options;
  options.steps = a.steps;
  if (!a.keys.empty()) options.workflow_keys = a.keys;
  options.slow_ns = static_cast<int64_t>(a.slow_ms * 1e6);
  auto store = OpenStoreForReading(g, "workflow");
  if (!store) return;
  Result<WorkflowReport> r = AnalyzeWorkflow(*store, a.id, options);
  if (!r.ok()) return Fail("workflow", r.status());
  if (a.format == "json") {
    PrintJson(*r);
  } else {
    PrintTable(*r);
  }
  bool bad = !r->missing.empty() || !r->failed.empty() || !r->slow.empty() || !r->out_of_order.empty();
  SetExitCode(bad ? 2 : 0);
}

}  // namespace

void AddWorkflowCommand(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<WorkflowArgs>();
  CLI::App* cmd = app.add_subcommand(
      "workflow", "The traces and events sharing a workflow id as one timeline of steps, with "
                  "failed, slow, missing and out-of-order steps (against --steps, or learned "
                  "from completed workflows of the same kind). Exit 2 when any is found.");
  cmd->add_option("ID", a->id, "workflow id (e.g. checkout-ord-100123)")->required();
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--steps", a->steps, "expected steps in order (comma-separated)")->delimiter(',');
  cmd->add_option("--key", a->keys, "attribute key of the workflow id (repeatable; default "
                                    "workflow_id, business.workflow_id, workflow.id)");
  cmd->add_option("--slow-ms", a->slow_ms, "a step longer than this is slow (default: 3x the "
                                           "learned median)");
  cmd->add_option("--format", a->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->callback([a, &global] { Run(*a, global); });
}

}  // namespace ddbg::cli

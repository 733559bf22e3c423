// `ddbg flow ID`: every span, log and event carrying a correlation id or trace id, in order.
#include <cstdio>

#include "cli/event_args.h"
#include "ddbg/flow.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg::cli {
namespace {

struct FlowArgs {
  std::string id;
  std::vector<std::string> keys;
  std::string delay = "1000";
  bool no_scan = false;
  bool hops_only = false;
  std::string format = "table";
};

void Findings(JsonWriter& w, const char* key, const std::vector<FlowFinding>& list) {
  w.Key(key).BeginArray();
  for (const auto& f : list) {
    w.BeginObject().Key("time").String(FormatRfc3339(f.time_ns, 6)).Key("service").String(f.service);
    w.Key("what").String(f.what).EndObject();
  }
  w.EndArray();
}

void PrintJson(const FlowReport& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("id").String(r.id).Key("start").String(FormatRfc3339(r.start_ns, 6));
  w.Key("duration_ns").Int(r.end_ns - r.start_ns).Key("services").BeginArray();
  for (const auto& s : r.services) w.String(s);
  w.EndArray().Key("trace_ids").BeginArray();
  for (const auto& s : r.trace_ids) w.String(s);
  w.EndArray().Key("records").BeginArray();
  for (const auto& rec : r.records) {
    w.BeginObject().Key("kind").String(FlowRecordKindName(rec.kind));
    w.Key("time").String(FormatRfc3339(rec.time_ns, 6)).Key("duration_ns").Int(rec.end_ns - rec.time_ns);
    w.Key("service").String(rec.service).Key("name").String(rec.name).Key("hop").Bool(rec.hop);
    w.Key("error").Bool(rec.error).Key("detail").String(rec.detail).Key("via").String(rec.via);
    w.Key("trace_id").String(rec.trace_id.empty() ? "" : TraceIdToHex(rec.trace_id)).EndObject();
  }
  w.EndArray();
  Findings(w, "breaks", r.breaks);
  Findings(w, "delays", r.delays);
  Findings(w, "errors", r.errors);
  w.EndObject();
  out += "\n";
  std::fputs(out.c_str(), stdout);
}

void PrintTable(const FlowReport& r, bool hops_only) {
  fmt::print("flow {}: {} records, {} hops across {} services in {} ({} trace(s))\n", r.id,
             r.records.size(), r.hops.size(), r.services.size(),
             FormatDuration(r.end_ns - r.start_ns), r.trace_ids.size());
  fmt::print("services: {}\n\n", fmt::join(r.services, " -> "));
  for (size_t i = 0; i < r.records.size(); ++i) {
    const FlowRecord& rec = r.records[i];
    if (hops_only && !rec.hop) continue;
    fmt::print("+{:>10} {:<5} {:<14} {}{}{}\n", FormatDuration(rec.time_ns - r.start_ns),
               FlowRecordKindName(rec.kind), rec.service, rec.name.substr(0, 100),
               rec.kind == FlowRecordKind::kSpan ? " [" + FormatDuration(rec.end_ns - rec.time_ns) + "]" : "",
               rec.error ? "  ERROR" : "");
  }
  auto list = [](const char* title, const std::vector<FlowFinding>& v) {
    if (v.empty()) return;
    fmt::print("\n{} ({}):\n", title, v.size());
    for (const auto& f : v) fmt::print("  {}  {}\n", FormatRfc3339(f.time_ns, 6), f.what);
  };
  list("BREAKS", r.breaks);
  list("DELAYS", r.delays);
  list("ERRORS", r.errors);
}

void Run(const FlowArgs& a, const GlobalOptions& g) {
  FlowOptions options;
  if (!a.keys.empty()) options.correlation_keys = a.keys;
  options.scan_attributes = !a.no_scan;
  try {
    options.delay_threshold_ns = static_cast<int64_t>(std::stod(a.delay) * 1e6);
  } catch (...) {
    return Fail("flow", Status::InvalidArgument("--delay-ms must be a number, got " + a.delay));
  }
  auto store = OpenStoreForReading(g, "flow");
  if (!store) return;
  Result<FlowReport> r = BuildFlow(*store, a.id, options);
  if (!r.ok()) return Fail("flow", r.status());
  if (a.format == "json") {
    PrintJson(*r);
  } else {
    PrintTable(*r, a.hops_only);
  }
  SetExitCode(r->breaks.empty() && r->errors.empty() ? 0 : 2);
}

}  // namespace

void AddFlowCommand(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<FlowArgs>();
  CLI::App* cmd = app.add_subcommand(
      "flow", "Everything that carries a correlation id or trace id - spans, logs, domain "
              "events, across services, following causation ids and span links - as one "
              "chronological flow with breaks, delays and errors. Exit 2 when breaks or errors "
              "are found.");
  cmd->add_option("ID", a->id, "correlation id or trace id (32 hex digits)")->required();
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--key", a->keys,
                  "attribute key holding correlation ids (repeatable; default correlation_id, "
                  "correlation.id, x-correlation-id, request_id, business.correlation_id, "
                  "workflow_id)");
  cmd->add_option("--delay-ms", a->delay, "a quiet gap longer than this is a delay")
      ->capture_default_str();
  cmd->add_flag("--no-scan", a->no_scan,
                "use only the trace index and events (do not scan every span and log)");
  cmd->add_flag("--hops", a->hops_only, "list only hops (entries into a service, events)");
  cmd->add_option("--format", a->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->callback([a, &global] { Run(*a, global); });
}

}  // namespace ddbg::cli

// `ddbg integrity [--stream S]...`: version gaps, duplicates, bad payloads and odd times per
// stream. Exit 2 when issues are found.
#include <cstdio>

#include "cli/event_args.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg::cli {
namespace {

struct IntegrityArgs {
  std::vector<std::string> streams;
  std::string now;
  std::string format = "table";
  size_t examples = 20;
};

void PrintJson(const IntegrityReport& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("events").Uint(r.events).Key("streams").Uint(r.streams);
  w.Key("issues").Uint(r.total()).Key("counts").BeginObject();
  for (int k = 0; k < 8; ++k) {
    w.Key(IntegrityIssueKindName(static_cast<IntegrityIssueKind>(k))).Uint(r.counts[k]);
  }
  w.EndObject().Key("affected_streams").BeginArray();
  for (const auto& s : r.affected_streams) w.String(s);
  w.EndArray().Key("examples").BeginArray();
  for (const auto& e : r.examples) {
    w.BeginObject().Key("kind").String(IntegrityIssueKindName(e.kind));
    w.Key("stream").String(e.stream).Key("version").Uint(e.version);
    w.Key("detail").String(e.detail).EndObject();
  }
  w.EndArray().EndObject();
  out += "\n";
  std::fputs(out.c_str(), stdout);
}

void PrintTable(const IntegrityReport& r) {
  fmt::print("{} events in {} streams: {} issue(s) in {} stream(s)\n", r.events, r.streams,
             r.total(), r.affected_streams.size());
  for (int k = 0; k < 8; ++k) {
    if (r.counts[k] == 0) continue;
    auto kind = static_cast<IntegrityIssueKind>(k);
    fmt::print("\n{:<20} {}\n", IntegrityIssueKindName(kind), r.counts[k]);
    for (const auto& e : r.examples) {
      if (e.kind == kind) fmt::print("  {} v{}: {}\n", e.stream, e.version, e.detail);
    }
  }
}

void Run(const IntegrityArgs& args, const GlobalOptions& global) {
  IntegrityOptions options;
  options.streams = args.streams;
  options.max_examples = args.examples;
  if (!args.now.empty() && !ParseTimeArg("integrity", "--now", args.now, &options.now_ns)) return;
  auto store = OpenStoreForReading(global, "integrity");
  if (!store) return;
  Result<IntegrityReport> r = CheckIntegrity(*store, options);
  if (!r.ok()) return Fail("integrity", r.status());
  if (args.format == "json") {
    PrintJson(*r);
  } else {
    PrintTable(*r);
  }
  SetExitCode(r->total() > 0 ? 2 : 0);
}

}  // namespace

void AddIntegrityCommand(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<IntegrityArgs>();
  CLI::App* cmd = app.add_subcommand(
      "integrity",
      "Check event streams: version gaps, duplicate versions, duplicate event ids, payloads "
      "that are not JSON, timestamps in the future (> 5 min) or older than 10 years, versions "
      "going backwards in time. Exit 0: clean, 2: issues found, 1: failure.");
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--stream", args->streams, "check only this stream (repeatable)");
  cmd->add_option("--now", args->now, "the time 'now' for the future/old checks (default: clock)");
  cmd->add_option("--examples", args->examples, "examples shown per issue kind")
      ->capture_default_str();
  cmd->add_option("--format", args->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->callback([args, &global] { Run(*args, global); });
}

}  // namespace ddbg::cli

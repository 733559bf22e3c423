// `ddbg projections lag --checkpoints FILE|postgres://… [--table T]`: lag of each projection against the event head.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli/event_args.h"
#include "ddbg/postgres_source.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg::cli {
namespace {

struct ProjectionArgs {
  std::string checkpoints;
  std::string table = "projection_checkpoints";
  std::string format = "table";
};

std::string LagText(int64_t ns) { return ns == INT64_MAX ? "never processed" : FormatDuration(ns); }

// The checkpoints' text: the file, or the table's rows as JSON lines.
Result<std::string> ReadCheckpointText(const ProjectionArgs& a, std::string* source) {
  if (IsPostgresUrl(a.checkpoints)) {
    *source = "table " + a.table;
    return ReadPostgresRowsAsJson(a.checkpoints, a.table);
  }
  *source = a.checkpoints;
  std::ifstream in(a.checkpoints, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return Status::IOError("cannot read " + a.checkpoints);
  return text.str();
}

void Run(const ProjectionArgs& a, const GlobalOptions& g) {
  std::string source;
  Result<std::string> text = ReadCheckpointText(a, &source);
  if (!text.ok()) return Fail("projections lag", text.status());
  auto cps = ParseCheckpoints(*text, source);
  if (!cps.ok()) return Fail("projections lag", cps.status());
  auto store = OpenStoreForReading(g, "projections lag");
  if (!store) return;
  auto r = ComputeProjectionLag(*store, *cps);
  if (!r.ok()) return Fail("projections lag", r.status());
  bool critical = false;
  for (const auto& p : r->projections) critical = critical || p.health == ProjectionHealth::kCritical;
  if (a.format == "json") {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("head").String(FormatRfc3339(r->head_ns, 6)).Key("head_events").Uint(r->head_events);
    w.Key("projections").BeginArray();
    for (const auto& p : r->projections) {
      w.BeginObject().Key("projection").String(p.checkpoint.projection);
      w.Key("lag_ns");
      if (p.lag_ns == INT64_MAX) w.Null(); else w.Int(p.lag_ns);
      w.Key("events_behind").Uint(p.events_behind).Key("status").String(ProjectionHealthName(p.health));
      w.Key("last_event_id").String(p.checkpoint.last_event_id).EndObject();
    }
    w.EndArray().EndObject();
    fmt::print("{}\n", out);
  } else {
    fmt::print("head: {} ({} events)\n", FormatRfc3339(r->head_ns, 3), r->head_events);
    fmt::print("{:<30} {:>16} {:>14}  {}\n", "projection", "lag", "events behind", "status");
    for (const auto& p : r->projections) {
      fmt::print("{:<30} {:>16} {:>14}  {}\n", p.checkpoint.projection, LagText(p.lag_ns),
                 p.events_behind, ProjectionHealthName(p.health));
    }
  }
  SetExitCode(critical ? 2 : 0);
}

}  // namespace

void AddProjectionsCommand(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<ProjectionArgs>();
  CLI::App* proj = app.add_subcommand("projections", "Projections of the event store.");
  proj->require_subcommand(1);
  CLI::App* lag = proj->add_subcommand(
      "lag", "Lag of each projection checkpoint behind the latest event: healthy, warning "
             "(over 5 min) or critical (over 30 min). Exit 2 when any is critical.");
  lag->add_option("--checkpoints", a->checkpoints,
                  "checkpoint file (JSON lines, a JSON array or CSV with projection, "
                  "last_processed_at, last_event_id, position) or a postgres:// URL")
      ->required();
  lag->add_option("--table", a->table,
                  "with a postgres:// URL: the checkpoint table ([schema.]table) whose "
                  "columns carry those names")
      ->capture_default_str();
  lag->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  lag->add_option("--format", a->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  lag->callback([a, &global] { Run(*a, global); });
}

}  // namespace ddbg::cli

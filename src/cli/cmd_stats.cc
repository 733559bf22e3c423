// `ddbg stats`: what the store holds — counts per signal, services, time range, bytes.
#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/data_source.h"
#include "ddbg/store.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg::cli {
namespace {

void PrintTable(const StoreStats& s, const std::string& dir) {
  fmt::print("store {}: {} segment(s), {:.2f} MB on disk\n", dir, s.segments,
             s.bytes_on_disk / 1e6);
  fmt::print("  traces    {:>12}\n", s.traces);
  fmt::print("  spans     {:>12}\n", s.spans);
  fmt::print("  logs      {:>12}\n", s.logs);
  fmt::print("  events    {:>12}   ({} streams)\n", s.events, s.streams);
  fmt::print("  services  {:>12}   {}\n", s.services.size(), fmt::join(s.services, ", "));
  if (s.spans + s.logs + s.events > 0) {
    fmt::print("  time      {} .. {}  ({})\n", FormatRfc3339(s.min_time_ns),
               FormatRfc3339(s.max_time_ns), FormatDuration(s.max_time_ns - s.min_time_ns));
  }
  uint64_t records = s.spans + s.logs + s.events;
  if (records > 0) {
    fmt::print("  bytes/record on disk: {:.1f}\n", static_cast<double>(s.bytes_on_disk) / records);
  }
}

void PrintJson(const StoreStats& s, const std::string& dir) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("data").String(dir);
  w.Key("traces").Uint(s.traces).Key("spans").Uint(s.spans);
  w.Key("logs").Uint(s.logs).Key("events").Uint(s.events);
  w.Key("services").Uint(s.services.size());
  w.Key("service_names").BeginArray();
  for (const std::string& name : s.services) w.String(name);
  w.EndArray();
  w.Key("streams").Uint(s.streams);
  w.Key("segments").Uint(s.segments).Key("bytes_on_disk").Uint(s.bytes_on_disk);
  bool any = s.spans + s.logs + s.events > 0;
  w.Key("min_time");
  if (any) w.String(FormatRfc3339(s.min_time_ns, 9)); else w.Null();
  w.Key("max_time");
  if (any) w.String(FormatRfc3339(s.max_time_ns, 9)); else w.Null();
  w.EndObject();
  out += '\n';
  std::fputs(out.c_str(), stdout);
}

}  // namespace

void AddStatsCommand(CLI::App& app, GlobalOptions& global) {
  auto format = std::make_shared<std::string>("table");
  CLI::App* cmd = app.add_subcommand(
      "stats", "Show what the store holds: traces, spans, logs, events, services, time range "
               "and bytes on disk.");
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--format", *format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  SupportsServer(cmd, global);
  cmd->callback([format, &global] {
    std::unique_ptr<DataSource> source = DataSource::Open(global, "stats", {.read_only = true});
    if (!source) return;
    Result<StoreStats> stats = source->Stats();
    if (!stats.ok()) {
      fmt::print(stderr, "ddbg stats: {}\n", stats.status().ToString());
      SetExitCode(1);
      return;
    }
    if (*format == "json") {
      PrintJson(*stats, source->name());
    } else {
      PrintTable(*stats, source->name());
    }
  });
}

}  // namespace ddbg::cli

// `ddbg ingest PATH...`: decode files into the store and print a per-file summary.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/progress.h"
#include "cli/ingest_postgres.h"
#include "ddbg/ingest.h"
#include "ddbg/postgres_source.h"
#include "util/json_writer.h"

namespace ddbg::cli {
namespace {

struct IngestArgs {
  std::vector<std::string> paths;
  std::string format = "auto";
  std::string errors_file;
  size_t show_errors = 10;
  bool quiet = false;
  bool json = false;
  std::string events_table;
  std::string pg_map;
};

std::string Counts(uint64_t spans, uint64_t logs, uint64_t events) {
  std::vector<std::string> parts;
  if (spans) parts.push_back(fmt::format("{} spans", spans));
  if (logs) parts.push_back(fmt::format("{} logs", logs));
  if (events) parts.push_back(fmt::format("{} events", events));
  if (parts.empty()) return "nothing";
  return fmt::format("{}", fmt::join(parts, ", "));
}

void PrintJson(const IngestReport& r, double seconds) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("files").Uint(r.files.size()).Key("spans").Uint(r.spans).Key("logs").Uint(r.logs);
  w.Key("events").Uint(r.events).Key("rejected").Uint(r.rejected);
  w.Key("unreadable_files").Uint(r.unreadable_files).Key("bytes").Uint(r.bytes);
  w.Key("seconds").Double(seconds).Key("per_file").BeginArray();
  for (const FileReport& f : r.files) {
    w.BeginObject().Key("path").String(f.path).Key("format").String(FormatName(f.format));
    w.Key("spans").Uint(f.stats.spans).Key("logs").Uint(f.stats.logs);
    w.Key("events").Uint(f.stats.events).Key("rejected").Uint(f.stats.rejected);
    w.Key("skipped").Bool(f.skipped).Key("error");
    if (f.status.ok()) w.Null(); else w.String(f.status.message());
    w.EndObject();
  }
  w.EndArray().EndObject();
  out += "\n";
  std::fputs(out.c_str(), stdout);
}

void Run(const IngestArgs& args, const GlobalOptions& global) {
  if (args.paths.size() == 1 && IsPostgresUrl(args.paths[0])) {
    return RunPostgresIngest(args.paths[0], args.events_table, args.pg_map, args.quiet, global);
  }
  IngestOptions options;
  if (!ParseFormatName(args.format, &options.format)) {
    fmt::print(stderr, "ddbg ingest: unknown --format '{}'\n", args.format);
    SetExitCode(1);
    return;
  }
  std::unique_ptr<Store> store = OpenIngestStore(global);
  if (!store) return;
  ProgressLine progress(!args.quiet && !args.json);
  options.on_progress = [&](const IngestProgress& p) {
    progress.Update(fmt::format("[{}/{}] {}  {}", p.file_index + 1, p.file_count, p.path,
                                Counts(p.spans, p.logs, p.events)));
  };
  auto t0 = std::chrono::steady_clock::now();
  Result<IngestReport> report = Ingest(args.paths, *store, options);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  progress.Clear();
  if (!report.ok()) {
    fmt::print(stderr, "ddbg ingest: {}\n", report.status().ToString());
    SetExitCode(1);
    return;
  }
  const IngestReport& r = *report;
  if (!args.errors_file.empty()) {
    std::ofstream out(args.errors_file);
    for (const FileReport& f : r.files) {
      if (!f.status.ok()) out << f.path << ": " << f.status.message() << "\n";
      for (const Rejection& rej : f.stats.rejections) out << rej.ToString() << "\n";
      if (f.stats.rejections_dropped) {
        out << f.path << ": " << f.stats.rejections_dropped << " more rejections not listed\n";
      }
    }
    if (!out) {
      fmt::print(stderr, "ddbg ingest: cannot write {}\n", args.errors_file);
      SetExitCode(1);
      return;
    }
  }
  if (args.json) {
    PrintJson(r, seconds);
    SetExitCode(r.ExitCode());
    return;
  }
  if (!args.quiet) {
    for (const FileReport& f : r.files) {
      if (f.skipped) {
        fmt::print("  {}  skipped ({})\n", f.path, FormatName(f.format));
        continue;
      }
      if (!f.status.ok() && f.stats.spans + f.stats.logs + f.stats.events == 0) {
        fmt::print("  {}  UNREADABLE: {}\n", f.path, f.status.message());
        continue;
      }
      fmt::print("  {}  {}  {}{}\n", f.path, FormatName(f.format),
                 Counts(f.stats.spans, f.stats.logs, f.stats.events),
                 f.stats.rejected ? fmt::format(", {} rejected", f.stats.rejected) : "");
      if (!f.status.ok()) fmt::print("    error: {}\n", f.status.message());
      size_t shown = 0;
      for (const Rejection& rej : f.stats.rejections) {
        if (shown++ == args.show_errors) {
          fmt::print("    … {} more (use --errors FILE for all)\n", f.stats.rejected - args.show_errors);
          break;
        }
        fmt::print("    rejected {}\n", rej.ToString());
      }
    }
  }
  double rate = seconds > 0 ? (r.spans + r.logs + r.events) / seconds : 0;
  fmt::print("ingested {} file(s) into {}: {}; {} rejected, {} unreadable file(s) in {:.2f}s "
             "({:.0f} records/s, {:.1f} MB/s)\n",
             r.files.size(), global.data_dir, Counts(r.spans, r.logs, r.events), r.rejected,
             r.unreadable_files, seconds, rate, seconds > 0 ? r.bytes / seconds / 1e6 : 0.0);
  SetExitCode(r.ExitCode());
}

}  // namespace

void AddIngestCommand(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Read telemetry files and directories (OTLP JSON/protobuf, Jaeger, Zipkin, JSON and text "
      "logs, event JSONL; gzip/zstd) into the store. Exit 0: all accepted, 2: some records "
      "rejected, 1: nothing could be read.");
  cmd->add_option("paths", args->paths, "files or directories (recursive), or one postgres:// URL")->required();
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--format", args->format,
                  "force the input format: auto, otlp-json, otlp-proto, jaeger-json, "
                  "zipkin-json, json-logs, text-logs, events-jsonl")
      ->capture_default_str();
  cmd->add_option("--errors", args->errors_file, "write every rejection to this file");
  cmd->add_option("--show-errors", args->show_errors, "rejections printed per file")
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "print only the final line");
  cmd->add_flag("--json", args->json, "print the summary as JSON");
  cmd->add_option("--events-table", args->events_table,
                  "with a postgres:// URL: the events table (default events)");
  cmd->add_option("--pg-map", args->pg_map,
                  "with a postgres:// URL: column mapping field=column,... (fields: stream, "
                  "version, event_id, type, time, payload, metadata, correlation_id, "
                  "causation_id, service; defaults stream_id, version, event_id, event_type, "
                  "created_at, payload, metadata, correlation_id, causation_id, service)");
  cmd->callback([args, &global] { Run(*args, global); });
}

}  // namespace ddbg::cli

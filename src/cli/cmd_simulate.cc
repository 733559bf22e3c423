// `ddbg simulate --out DIR`: generate a realistic multi-service system with injected faults
// and its ground truth (see docs/simulate.md).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "ddbg/sim.h"
#include "util/json_writer.h"
#include "util/time_format.h"
#include "util/time_parse.h"

namespace ddbg::cli {
namespace {

struct SimulateArgs {
  std::string out_dir;
  int services = 8;
  uint64_t traces = 1000;
  uint64_t seed = 1;
  std::vector<std::string> faults;
  std::string start = "2025-01-15T10:00:00Z";
  std::string duration = "1h";
  std::string format = "table";
};

const char* RecordWord(const std::string& format) {
  if (format == "events-jsonl") return "events";
  if (format == "ground-truth") return "faults";
  return "records";
}

void PrintTable(const SimOptions& o, const SimSummary& s, double seconds) {
  fmt::print(
      "simulated {} services, {} traces ({} failed), {} spans, {} logs, {} events in {} "
      "streams\n",
      s.services.size(), s.traces, s.error_traces, s.spans, s.logs, s.events, s.streams);
  fmt::print("  range   {} .. {}\n", FormatRfc3339(s.start_ns, 0), FormatRfc3339(s.end_ns, 0));
  bool first = true;
  for (const SimFile& f : s.files) {
    const char* word = f.path == "traces.otlp.jsonl"             ? "spans"
                       : f.path.find("log") != std::string::npos ? "logs"
                                                                 : RecordWord(f.format);
    fmt::print("  {}  {}/{:<28} {:>9} {:<7} {:>8.1f} MB\n", first ? "wrote" : "     ", o.out_dir,
               f.path, f.records, word, f.bytes / 1e6);
    first = false;
  }
  for (const SimFault& f : s.faults) {
    std::string where = f.instance.empty() ? f.service : f.service + "/" + f.instance;
    fmt::print("  fault   {} {} {} .. {}, {} traces affected", FaultKindName(f.kind), where,
               FormatRfc3339(f.start_ns, 0), FormatRfc3339(f.end_ns, 0), f.affected_traces);
    if (!f.streams.empty()) fmt::print(", {} streams (first {})", f.streams.size(), f.streams[0]);
    if (!f.version.empty()) fmt::print(", version {} -> {}", f.previous_version, f.version);
    fmt::print("\n");
  }
  fmt::print("  ground truth in {}/ground_truth.json; took {:.2f}s\n", o.out_dir, seconds);
}

void PrintJson(const SimOptions& o, const SimSummary& s, double seconds) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("out").String(o.out_dir);
  w.Key("services").Uint(s.services.size());
  w.Key("traces").Uint(s.traces).Key("error_traces").Uint(s.error_traces);
  w.Key("spans").Uint(s.spans).Key("logs").Uint(s.logs).Key("events").Uint(s.events);
  w.Key("streams").Uint(s.streams);
  w.Key("files").BeginArray();
  for (const SimFile& f : s.files) {
    w.BeginObject().Key("path").String(f.path).Key("format").String(f.format);
    w.Key("records").Uint(f.records).Key("bytes").Uint(f.bytes).EndObject();
  }
  w.EndArray();
  w.Key("seconds").Double(seconds);
  w.EndObject();
  out += "\n";
  std::fputs(out.c_str(), stdout);
}

void Run(const SimulateArgs& args) {
  SimOptions options;
  options.out_dir = args.out_dir;
  options.services = args.services;
  options.traces = args.traces;
  options.seed = args.seed;
  if (!ParseRfc3339(args.start, &options.start_ns)) {
    fmt::print(stderr,
               "ddbg simulate: bad --start '{}': expected RFC 3339 such as "
               "2025-01-15T10:00:00Z\n",
               args.start);
    SetExitCode(1);
    return;
  }
  Result<int64_t> duration = ParseSimDuration(args.duration);
  if (!duration.ok()) {
    fmt::print(stderr, "ddbg simulate: --duration: {}\n", duration.status().message());
    SetExitCode(1);
    return;
  }
  options.duration_ns = *duration;
  for (const std::string& text : args.faults) {
    Result<FaultSpec> spec = ParseFaultSpec(text);
    if (!spec.ok()) {
      fmt::print(stderr, "ddbg simulate: {}\n", spec.status().message());
      SetExitCode(1);
      return;
    }
    options.faults.push_back(std::move(spec).value());
  }
  SimSummary summary;
  auto t0 = std::chrono::steady_clock::now();
  Status st = Simulate(options, &summary);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!st.ok()) {
    fmt::print(stderr, "ddbg simulate: {}\n", st.message());
    SetExitCode(1);
    return;
  }
  if (args.format == "json") {
    PrintJson(options, summary, seconds);
  } else {
    PrintTable(options, summary, seconds);
  }
  SetExitCode(0);
}

}  // namespace

void AddSimulateCommand(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<SimulateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "simulate",
      "Generate the traces, logs and domain events of a realistic multi-service system, with "
      "injected faults and a ground_truth.json describing them (see docs/simulate.md).");
  cmd->add_option("--out", args->out_dir, "output directory (created if missing)")->required();
  cmd->add_option("--services", args->services, "number of services (3..500)")
      ->capture_default_str();
  cmd->add_option("--traces", args->traces, "number of requests (traces) to generate")
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed; the same seed gives the same bytes")
      ->capture_default_str();
  cmd->add_option("--fault", args->faults,
                  "KIND:SERVICE[,key=value...]; kinds: latency, error, cascade, slow-instance, "
                  "inconsistent-state, version-gap, retry-storm, bad-deploy; keys: start (20m "
                  "or RFC 3339), duration, magnitude, instance, version, error_rate, count. "
                  "Repeatable.");
  cmd->add_option("--start", args->start, "start of the simulated time range (RFC 3339)")
      ->capture_default_str();
  cmd->add_option("--duration", args->duration, "length of the simulated time range (1h, 90m)")
      ->capture_default_str();
  cmd->add_option("--format", args->format, "summary as a table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  (void)global;
  cmd->callback([args] { Run(*args); });
}

}  // namespace ddbg::cli

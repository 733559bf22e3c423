// `ddbg debug "<description>"`: the Distributed Debug Report over the store, in text,
// Markdown, JSON or one self-contained HTML file.
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "ddbg/debug_render.h"
#include "ddbg/debug_report.h"
#include "ddbg/sim.h"
#include "ddbg/store.h"
#include "util/time_parse.h"

namespace ddbg::cli {
namespace {

struct DebugArgs {
  std::string description;
  std::string services;
  std::string trace_id;
  std::string time_window;
  std::string since, until;
  std::string correlation;
  std::string format = "text";
  std::string out;
  std::string checkpoints;
  bool no_color = false;
  bool timings = false;
};

std::vector<std::string> SplitList(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// The projection checkpoints of --checkpoints FILE (JSON lines, a JSON array or CSV).
Status ReadCheckpoints(const std::string& path, DebugRequest* req) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(fmt::format("--checkpoints: cannot read {}", path));
  std::stringstream text;
  text << in.rdbuf();
  Result<std::vector<ProjectionCheckpoint>> cps = ParseCheckpoints(text.str(), path);
  if (!cps.ok()) return Status::InvalidArgument("--checkpoints: " + cps.status().message());
  req->has_checkpoints = true;
  req->checkpoints = std::move(*cps);
  return Status::Ok();
}

// Fills the request from the arguments; an error names the bad flag.
Status MakeRequest(const DebugArgs& a, DebugRequest* req) {
  req->description = a.description;
  req->services = SplitList(a.services);
  req->timings = a.timings;
  if (!a.trace_id.empty()) {
    size_t len = a.trace_id.size();
    if ((len != 16 && len != 32) || !ParseTraceIdHex(a.trace_id, &req->trace_id)) {
      return Status::InvalidArgument(
          fmt::format("--trace-id must be 16 or 32 hex digits, got '{}'", a.trace_id));
    }
  }
  if (!a.time_window.empty()) {
    Result<int64_t> w = ParseSimDuration(a.time_window);
    if (!w.ok()) return Status::InvalidArgument("--time-window: " + w.status().message());
    req->window_ns = *w;
  }
  if (!a.since.empty()) {
    if (!ParseTimestampText(a.since, &req->since_ns)) {
      return Status::InvalidArgument(fmt::format("--since: not a time: '{}' (RFC 3339 or epoch)", a.since));
    }
    req->has_since = true;
  }
  if (!a.until.empty()) {
    if (!ParseTimestampText(a.until, &req->until_ns)) {
      return Status::InvalidArgument(fmt::format("--until: not a time: '{}' (RFC 3339 or epoch)", a.until));
    }
    req->has_until = true;
  }
  if (!a.correlation.empty()) {
    req->has_focus = ParseFocusName(a.correlation, &req->focus);
  }
  if (!a.checkpoints.empty()) return ReadCheckpoints(a.checkpoints, req);
  return Status::Ok();
}

std::string Render(const DebugReport& report, const DebugArgs& a) {
  if (a.format == "json") return RenderDebugJson(report);
  if (a.format == "md") return RenderDebugMarkdown(report);
  if (a.format == "html") return RenderDebugHtml(report);
  const char* no_color_env = std::getenv("NO_COLOR");
  DebugTextOptions options;
  options.color = a.out.empty() && !a.no_color && isatty(STDOUT_FILENO) &&
                  !(no_color_env && *no_color_env);
  return RenderDebugText(report, options);
}

void Run(const DebugArgs& args, const GlobalOptions& global) {
  DebugRequest request;
  Status st = MakeRequest(args, &request);
  if (!st.ok()) {
    fmt::print(stderr, "ddbg debug: {}\n", st.message());
    SetExitCode(1);
    return;
  }
  auto store = OpenEmbeddedStore(global.data_dir, {.create_if_missing = false, .read_only = true});
  if (!store.ok()) {
    fmt::print(stderr, "ddbg debug: cannot open store {}: {}\n", global.data_dir,
               store.status().ToString());
    SetExitCode(1);
    return;
  }
  Result<DebugReport> report = BuildDebugReport(**store, request);
  if (!report.ok()) {
    fmt::print(stderr, "ddbg debug: {}\n", report.status().ToString());
    SetExitCode(1);
    return;
  }
  std::string text = Render(*report, args);
  FILE* f = args.out.empty() ? stdout : std::fopen(args.out.c_str(), "wb");
  if (f == nullptr) {
    fmt::print(stderr, "ddbg debug: cannot write {}\n", args.out);
    SetExitCode(1);
    return;
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (f != stdout) ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    fmt::print(stderr, "ddbg debug: writing {} failed\n", args.out.empty() ? "stdout" : args.out);
    SetExitCode(1);
  }
}

}  // namespace

void AddDebugCommand(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<DebugArgs>();
  CLI::App* cmd = app.add_subcommand(
      "debug",
      "The Distributed Debug Report: what was looked at, service map, representative traces "
      "with their logs and events, timing, errors, state, log evidence and root-cause "
      "hypotheses. Words of the description steer the focus (see docs/debug-report.md).");
  cmd->add_option("DESCRIPTION", args->description, "the issue in your words, e.g. \"checkout is slow\"")
      ->required();
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--services", args->services, "comma-separated services to focus on");
  cmd->add_option("--trace-id", args->trace_id, "one trace to analyse (16 or 32 hex digits)");
  cmd->add_option("--time-window", args->time_window,
                  "window ending at the newest data (or starting at --since): 30m, 1h, 90s");
  cmd->add_option("--since", args->since, "window start (RFC 3339 or epoch)");
  cmd->add_option("--until", args->until, "window end (RFC 3339 or epoch)");
  cmd->add_option("--correlation", args->correlation,
                  "override the focus read from the description")
      ->check(CLI::IsMember({"timing", "causation", "dependency", "flow"}));
  cmd->add_option("--format", args->format, "text, md, html or json")
      ->check(CLI::IsMember({"text", "md", "html", "json"}))
      ->capture_default_str();
  cmd->add_option("--out", args->out, "write the report to FILE instead of stdout");
  cmd->add_option("--checkpoints", args->checkpoints,
                  "projection checkpoints (JSON lines, JSON array or CSV with projection and "
                  "last_processed_at) for the projection lag of section 6");
  cmd->add_flag("--no-color", args->no_color, "no ANSI colours (also: NO_COLOR env)");
  cmd->add_flag("--timings", args->timings,
                "print each step's wall time and rows read to stderr (also: DDBG_TIMINGS=1)");
  cmd->callback([args, &global] { Run(*args, global); });
}

}  // namespace ddbg::cli

// `ddbg trace TRACE_ID` / `ddbg trace --slowest`: one trace as a waterfall (or JSON).
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/data_source.h"
#include "ddbg/store.h"
#include "ddbg/trace_tree.h"
#include "ddbg/waterfall.h"

namespace ddbg::cli {
namespace {

struct TraceArgs {
  std::string trace_id;
  bool slowest = false;
  std::string format = "table";
  bool no_color = false;
  bool ascii = false;
  int width = 0;  // 0: the terminal's width, or 100 when not a terminal
  bool no_skew_adjust = false;
  bool no_logs = false;
};

int TerminalWidth() {
  struct winsize ws {};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  return 100;
}

// The trace whose root span lasted longest (ties: the smaller trace id). When no trace has
// a root, the longest span of any trace decides.
Result<TraceId> FindSlowestTrace(Store& store) {
  bool found = false, found_root = false;
  TraceId best;
  int64_t best_ns = -1;
  Status st = store.ScanSpans({}, [&](const SpanBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      bool root = b.parent_span_id[i] == 0;
      if (found_root && !root) continue;
      int64_t d = b.end_ns[i] - b.start_ns[i];
      bool better =
          !found || (root && !found_root) || d > best_ns || (d == best_ns && b.trace_id[i] < best);
      if (better) {
        best = b.trace_id[i];
        best_ns = d;
        found = true;
        found_root = found_root || root;
      }
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  if (!found) return Status::NotFound("no spans");
  return best;
}

void Run(const TraceArgs& args, const GlobalOptions& global) {
  TraceId id;
  size_t len = args.trace_id.size();
  if (!args.slowest) {
    if (args.trace_id.empty()) {
      fmt::print(stderr, "ddbg trace: give a TRACE_ID or --slowest\n");
      SetExitCode(1);
      return;
    }
    if ((len != 16 && len != 32) || !ParseTraceIdHex(args.trace_id, &id)) {
      fmt::print(stderr, "ddbg trace: trace id must be 16 or 32 hex digits, got '{}'\n",
                 args.trace_id);
      SetExitCode(1);
      return;
    }
  }
  if (args.slowest && !global.server_url.empty()) {
    fmt::print(stderr, "ddbg trace: --slowest scans every span and does not work with --server; "
                       "give a TRACE_ID, or run it with --data DIR on the server's data directory\n");
    SetExitCode(1);
    return;
  }
  std::unique_ptr<DataSource> source = DataSource::Open(global, "trace");
  if (!source) return;
  std::string shown = args.trace_id;
  if (args.slowest) {
    Result<TraceId> slowest = FindSlowestTrace(*source->store());
    if (!slowest.ok()) {
      fmt::print(stderr, "ddbg trace: no traces in {}{}\n", global.data_dir,
                 slowest.status().code() == StatusCode::kNotFound
                     ? ""
                     : ": " + slowest.status().ToString());
      SetExitCode(1);
      return;
    }
    id = *slowest;
    shown = TraceIdToHex(id);
  }
  Result<SpanBatch> batch = source->GetTrace(id);
  if (!batch.ok()) {
    fmt::print(stderr, "ddbg trace: {}\n", batch.status().ToString());
    SetExitCode(1);
    return;
  }
  if (batch->empty()) {
    fmt::print(stderr, "trace {} not found in {}\n", shown, source->name());
    SetExitCode(1);
    return;
  }
  TraceTreeOptions tree_options;
  tree_options.trace_id = id;
  tree_options.adjust_clock_skew = !args.no_skew_adjust;
  TraceTree tree = BuildTraceTree(*batch, tree_options);
  std::string out;
  if (args.format == "json") {
    out = RenderWaterfallJson(tree);
  } else {
    WaterfallOptions options;
    options.width = args.width > 0 ? args.width : TerminalWidth();
    options.ascii = args.ascii;
    const char* no_color_env = std::getenv("NO_COLOR");
    options.color = !args.no_color && isatty(STDOUT_FILENO) && !(no_color_env && *no_color_env);
    Result<LogBatch> logs = args.no_logs ? Result<LogBatch>(LogBatch()) : source->GetTraceLogs(id);
    if (!logs.ok()) {
      fmt::print(stderr, "ddbg trace: {}\n", logs.status().message());
      SetExitCode(1);
      return;
    }
    if (!args.no_logs) options.logs = &*logs;
    out = RenderWaterfallText(tree, options);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void AddTraceCommand(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<TraceArgs>();
  CLI::App* cmd = app.add_subcommand(
      "trace",
      "Show one trace as a waterfall: the span tree with start offsets, durations, self time, "
      "errors and span events inline, orphans and clock-skew corrections noted.");
  cmd->add_option("TRACE_ID", args->trace_id, "trace id (16 or 32 hex digits)");
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_flag("--slowest", args->slowest, "show the trace whose root span lasted longest");
  cmd->add_option("--format", args->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_flag("--no-color", args->no_color, "no ANSI colours (also: NO_COLOR env)");
  cmd->add_flag("--ascii", args->ascii, "ASCII only: '-' bars and |- tree lines");
  cmd->add_option("--width", args->width, "line width in columns (default: the terminal, or 100)")
      ->check(CLI::Range(40, 1000));
  cmd->add_flag("--no-skew-adjust", args->no_skew_adjust,
                "show the recorded times, without clock-skew correction");
  cmd->add_flag("--no-logs", args->no_logs, "do not show the trace's log records under their spans");
  SupportsServer(cmd, global);
  cmd->callback([args, &global] { Run(*args, global); });
}

}  // namespace ddbg::cli

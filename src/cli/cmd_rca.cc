// `ddbg rca`: rank where an anomaly most likely started, with the evidence of each signal.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "ddbg/rca.h"
#include "ddbg/sim.h"
#include "ddbg/store.h"
#include "util/time_parse.h"

namespace ddbg::cli {
namespace {

struct RcaArgs {
  std::string since, until, window, baseline, slo, where, format = "table";
  bool errors = false;
  int top = 10;
};

Status ParseTime(const std::string& flag, const std::string& text, int64_t* ns) {
  if (ParseTimestampText(text, ns)) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("{} '{}': expected an RFC 3339 time or epoch number", flag, text));
}

Status ParseDuration(const std::string& flag, const std::string& text, int64_t* ns) {
  Result<int64_t> d = ParseSimDuration(text);
  if (!d.ok()) return Status::InvalidArgument(fmt::format("{} '{}': expected a duration such as 15m", flag, text));
  *ns = *d;
  return Status::Ok();
}

// --baseline START..END, or a duration: that long right before the window.
Status ParseBaseline(const std::string& text, RcaOptions* o) {
  size_t dots = text.find("..");
  if (dots == std::string::npos) {
    return ParseDuration("--baseline", text, &o->baseline_ns);
  }
  o->has_baseline = true;
  DDBG_RETURN_IF_ERROR(ParseTime("--baseline", text.substr(0, dots), &o->baseline.min_ns));
  return ParseTime("--baseline", text.substr(dots + 2), &o->baseline.max_ns);
}

// --slo 'duration > 500ms' (or just '500ms').
Status ParseSlo(std::string text, RcaOptions* o) {
  size_t gt = text.find('>');
  if (gt != std::string::npos) {
    std::string lhs = text.substr(0, gt);
    if (lhs.find("duration") == std::string::npos) {
      return Status::InvalidArgument("--slo: expected 'duration > 500ms'");
    }
    text = text.substr(gt + 1);
  }
  size_t b = text.find_first_not_of(' '), e = text.find_last_not_of(' ');
  text = b == std::string::npos ? "" : text.substr(b, e - b + 1);
  o->trigger = RcaTrigger::kSlo;
  return ParseDuration("--slo", text, &o->slo_ns);
}

Status BuildOptions(const RcaArgs& a, RcaOptions* o) {
  if (!a.since.empty() || !a.until.empty()) {
    if (a.since.empty() || a.until.empty()) {
      return Status::InvalidArgument("--since and --until go together");
    }
    o->has_window = true;
    DDBG_RETURN_IF_ERROR(ParseTime("--since", a.since, &o->window.min_ns));
    DDBG_RETURN_IF_ERROR(ParseTime("--until", a.until, &o->window.max_ns));
  } else if (!a.window.empty()) {
    DDBG_RETURN_IF_ERROR(ParseDuration("--window", a.window, &o->last_ns));
  }
  if (!a.baseline.empty()) DDBG_RETURN_IF_ERROR(ParseBaseline(a.baseline, o));
  if (!a.slo.empty() && a.errors) return Status::InvalidArgument("--slo and --errors exclude each other");
  if (!a.slo.empty()) DDBG_RETURN_IF_ERROR(ParseSlo(a.slo, o));
  if (a.errors) o->trigger = RcaTrigger::kErrors;
  o->where = a.where;
  o->top = a.top;
  return Status::Ok();
}

void Run(const RcaArgs& args, const GlobalOptions& global) {
  RcaOptions options;
  Status st = BuildOptions(args, &options);
  if (!st.ok()) {
    fmt::print(stderr, "ddbg rca: {}\n", st.message());
    SetExitCode(1);
    return;
  }
  auto store = OpenEmbeddedStore(global.data_dir, {.create_if_missing = false, .read_only = true});
  if (!store.ok()) {
    fmt::print(stderr, "ddbg rca: cannot open store {}: {}\n", global.data_dir,
               store.status().ToString());
    SetExitCode(1);
    return;
  }
  Result<RcaReport> report = RunRca(**store, options);
  if (!report.ok()) {
    fmt::print(stderr, "ddbg rca: {}\n", report.status().message());
    SetExitCode(1);
    return;
  }
  std::string out = args.format == "json" ? RcaReportJson(*report)
                    : args.format == "md" ? RcaReportMarkdown(*report)
                                          : RcaReportTable(*report);
  std::fwrite(out.data(), 1, out.size(), stdout);
}

}  // namespace

void AddRcaCommand(CLI::App& app, GlobalOptions& global) {
  auto args = std::make_shared<RcaArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rca",
      "Rank where an anomaly most likely started — services, operations, instances and "
      "attribute values — with the evidence of each signal (spectrum over anomalous vs normal "
      "traces, self-time deviation, error origins, attribute over-representation, log "
      "templates) and a calibrated confidence. Without a window, finds the anomaly window.");
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--since", args->since, "window start (RFC 3339 or epoch)");
  cmd->add_option("--until", args->until, "window end (RFC 3339 or epoch)");
  cmd->add_option("--window", args->window,
                  "look for the anomaly in the last DURATION of data (e.g. 15m); default: all");
  cmd->add_option("--baseline", args->baseline,
                  "normal period: START..END, or a DURATION right before the window "
                  "(default: 12x the window's length before it)");
  cmd->add_option("--slo", args->slo, "anomalous traces: 'duration > 500ms' on the root span");
  cmd->add_flag("--errors", args->errors, "anomalous traces: those with errors only");
  cmd->add_option("--where", args->where,
                  "keep traces with a span matching a TraceQL filter, e.g. "
                  "'{ resource.service.name = \"checkout\" }'");
  cmd->add_option("--top", args->top, "suspects to show")->check(CLI::Range(1, 1000))->capture_default_str();
  cmd->add_option("--format", args->format, "table, json or md")
      ->check(CLI::IsMember({"table", "json", "md"}))
      ->capture_default_str();
  cmd->callback([args, &global] { Run(*args, global); });
}

}  // namespace ddbg::cli

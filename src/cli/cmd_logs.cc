// `ddbg logs …`: parse (mine files directly), patterns, analyze (pattern rules), diff
// (new/vanished/spiking templates between two windows) and tail. Each subcommand calls one
// library function in src/logs and prints.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "cli/logs_output.h"
#include "ddbg/decode.h"
#include "ddbg/log_patterns.h"
#include "ddbg/log_rules.h"
#include "ddbg/logmine.h"
#include "ddbg/store.h"
#include "logs/log_tail.h"

namespace ddbg::cli {
namespace {

struct WindowArgs {
  std::vector<std::string> services;
  std::string since, until;
  std::string format = "table";
};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Fail(std::string_view what, const Status& st) {
  fmt::print(stderr, "ddbg logs {}: {}\n", what, st.ToString());
  SetExitCode(1);
  return false;
}

bool BuildFilter(std::string_view what, const WindowArgs& a, ScanFilter* f) {
  f->services = a.services;
  int64_t now = NowNs();
  if (!a.since.empty() && !logs::ParseTimeBound(a.since, now, &f->time.min_ns)) {
    return Fail(what, Status::InvalidArgument("--since: not a time or duration: " + a.since));
  }
  if (!a.until.empty() && !logs::ParseTimeBound(a.until, now, &f->time.max_ns)) {
    return Fail(what, Status::InvalidArgument("--until: not a time or duration: " + a.until));
  }
  return true;
}

std::unique_ptr<Store> OpenForReading(std::string_view what, const GlobalOptions& g) {
  auto store = OpenEmbeddedStore(g.data_dir, {.create_if_missing = false, .read_only = true});
  if (!store.ok()) {
    Fail(what, Status(store.status()));
    return nullptr;
  }
  return std::move(*store);
}

void AddWindowOptions(CLI::App* cmd, WindowArgs& a, GlobalOptions& g) {
  cmd->add_option("--data", g.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--service", a.services, "only these services (repeatable)");
  cmd->add_option("--since", a.since, "start: RFC 3339 time or a duration ago (15m, 2h, 1d)");
  cmd->add_option("--until", a.until, "end: RFC 3339 time or a duration ago");
  cmd->add_option("--format", a.format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
}

struct ParseArgs {
  std::vector<std::string> files;
  std::string format = "csv";
  bool whole_line = false;
};

constexpr size_t kParseChunk = 1 << 20;  // lines mined per call

std::string_view MinedPart(std::string_view line, bool whole_line) {
  return whole_line ? line : logs::StripLogHeader(line);
}

// First pass: mines the lines of `path` in chunks, appending their template ids.
Status MineFile(const std::string& path, bool whole_line, logs::TemplateMiner* miner,
                std::vector<uint32_t>* ids) {
  Result<InputFile> file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  std::vector<std::string_view> messages;
  auto mine = [&] {
    std::vector<uint32_t> chunk = miner->MineMessages(messages);
    ids->insert(ids->end(), chunk.begin(), chunk.end());
    messages.clear();
  };
  ForEachLine(file->bytes(), [&](std::string_view line) {
    messages.push_back(MinedPart(line, whole_line));
    if (messages.size() == kParseChunk) mine();
  });
  mine();
  return Status::Ok();
}

// Second pass: prints the lines of `path` with their final templates.
Status PrintFile(const std::string& path, bool whole_line, const std::vector<uint32_t>& ids,
                 size_t* next, ParsedWriter* out) {
  Result<InputFile> file = InputFile::Open(path);
  if (!file.ok()) return file.status();
  bool changed = false;
  ForEachLine(file->bytes(), [&](std::string_view line) {
    if (*next >= ids.size()) {
      changed = true;
      return;
    }
    out->Row(*next + 1, MinedPart(line, whole_line), ids[*next]);
    ++*next;
  });
  if (changed) return Status::InvalidArgument(path + ": file grew while it was parsed");
  return Status::Ok();
}

// Two passes over the files so that only the template ids are held in memory: the
// template of a line is known only once every line was mined.
void RunParse(const ParseArgs& a) {
  logs::TemplateMiner miner;
  std::vector<uint32_t> ids;
  for (const std::string& f : a.files) {
    Status st = MineFile(f, a.whole_line, &miner, &ids);
    if (!st.ok()) return (void)Fail("parse", st);
  }
  ParsedWriter out(miner, a.format == "json");
  size_t next = 0;
  for (const std::string& f : a.files) {
    Status st = PrintFile(f, a.whole_line, ids, &next, &out);
    if (!st.ok()) return (void)Fail("parse", st);
  }
}

void RunPatterns(const WindowArgs& a, size_t limit, const GlobalOptions& g) {
  ScanFilter f;
  if (!BuildFilter("patterns", a, &f)) return;
  auto store = OpenForReading("patterns", g);
  if (!store) return;
  auto patterns = logs::CollectPatterns(*store, f);
  if (!patterns.ok()) return (void)Fail("patterns", patterns.status());
  if (patterns->size() > limit) patterns->resize(limit);
  PrintPatterns(*patterns, a.format == "json");
}

void RunAnalyze(const WindowArgs& a, const std::string& rules_file, const GlobalOptions& g) {
  ScanFilter f;
  if (!BuildFilter("analyze", a, &f)) return;
  std::vector<logs::LogRule> rules = logs::DefaultLogRules();
  if (!rules_file.empty()) {
    auto user = logs::LoadRulesFile(rules_file);
    if (!user.ok()) return (void)Fail("analyze", user.status());
    rules = logs::MergeRules(std::move(rules), *user);
  }
  auto set = logs::RuleSet::Compile(std::move(rules));
  if (!set.ok()) return (void)Fail("analyze", set.status());
  auto store = OpenForReading("analyze", g);
  if (!store) return;
  auto issues = logs::AnalyzeLogs(*store, f, *set);
  if (!issues.ok()) return (void)Fail("analyze", issues.status());
  PrintIssues(*issues, a.format == "json");
}

void RunDiff(const WindowArgs& a, const std::string& baseline, const std::string& target,
             const GlobalOptions& g) {
  ScanFilter base, tgt;
  if (!BuildFilter("diff", a, &base)) return;
  tgt = base;
  int64_t now = NowNs();
  if (!logs::ParseTimeWindow(baseline, now, &base.time)) {
    return (void)Fail("diff", Status::InvalidArgument("--baseline: expected START..END, got " + baseline));
  }
  if (!logs::ParseTimeWindow(target, now, &tgt.time)) {
    return (void)Fail("diff", Status::InvalidArgument("--target: expected START..END, got " + target));
  }
  auto store = OpenForReading("diff", g);
  if (!store) return;
  auto changes = logs::DiffPatterns(*store, base, tgt);
  if (!changes.ok()) return (void)Fail("diff", changes.status());
  PrintChanges(*changes, a.format == "json");
}

}  // namespace

CLI::App* AddLogsCommand(CLI::App& app, GlobalOptions& global) {
  CLI::App* logs = app.add_subcommand(
      "logs", "Log templates and patterns: parse files, list patterns, apply pattern rules, "
              "compare windows, follow new records.");
  logs->require_subcommand(1);

  auto parse = std::make_shared<ParseArgs>();
  CLI::App* p = logs->add_subcommand(
      "parse", "Mine log files directly (no store): one row per line with LineId, Content, "
               "EventId and EventTemplate, as Loghub's structured CSV.");
  p->add_option("FILE", parse->files, "log files (gzip/zstd read transparently)")->required();
  p->add_option("--format", parse->format, "csv or json (JSON lines)")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  p->add_flag("--whole-line", parse->whole_line, "mine whole lines: no header detection");
  p->callback([parse] { RunParse(*parse); });

  auto pat = std::make_shared<WindowArgs>();
  auto limit = std::make_shared<size_t>(50);
  CLI::App* pc = logs->add_subcommand(
      "patterns", "Templates of the stored logs with count, share, severity mix, first and last "
                  "seen, an example and the services that emit them.");
  AddWindowOptions(pc, *pat, global);
  pc->add_option("--limit", *limit, "at most this many templates")->capture_default_str();
  pc->callback([pat, limit, &global] { RunPatterns(*pat, *limit, global); });

  auto an = std::make_shared<WindowArgs>();
  auto rules = std::make_shared<std::string>();
  CLI::App* ac = logs->add_subcommand(
      "analyze", "Apply pattern rules (defaults plus --rules FILE) and list the issues found, "
                 "by severity then occurrences, with the recommended action.");
  AddWindowOptions(ac, *an, global);
  ac->add_option("--rules", *rules, "rules file (YAML, or TOML when named *.toml)");
  ac->callback([an, rules, &global] { RunAnalyze(*an, *rules, global); });

  auto df = std::make_shared<WindowArgs>();
  auto baseline = std::make_shared<std::string>(), target = std::make_shared<std::string>();
  CLI::App* dc = logs->add_subcommand(
      "diff", "Templates new, vanished, spiking or dropping in --target against --baseline.");
  AddWindowOptions(dc, *df, global);
  dc->add_option("--baseline", *baseline, "START..END (times or durations ago: 2h..1h)")->required();
  dc->add_option("--target", *target, "START..END (END empty: now)")->required();
  dc->callback([df, baseline, target, &global] { RunDiff(*df, *baseline, *target, global); });

  AddLogsTailCommand(*logs, global);
  return logs;
}

}  // namespace ddbg::cli

// `ddbg state at|replay|diff|consistency`: event-sourced state of aggregates over time.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/event_args.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg::cli {
namespace {

struct StateArgs {
  std::string stream;
  std::string time;
  std::string from, to;
  std::string t1, t2;
  std::string break_expr;
  std::vector<std::string> watches;
  std::string reducers;
  std::string entity;
  bool all = false;
  std::string rules_file;
  std::string entity_key;
  std::string format = "table";
  size_t snapshot_every = 1000;
  bool step = false;
};

// Interactive stepping of `state replay --step`: after each event, reads a command line
// from stdin. Enter or "n": next event; "p": print the whole state; "c": run on to the
// breakpoint (or the end) without stopping; "q" or end of input: stop the replay.
class Stepper {
 public:
  explicit Stepper(bool on) : on_(on) {}
  // False when the user asked to quit.
  bool Pause(const ReplayStep& s) {
    if (!on_ || (running_ && !s.breakpoint_hit)) return true;
    running_ = false;
    for (;;) {
      fmt::print("(replay) [Enter] next, p state, c continue, q quit > ");
      std::fflush(stdout);
      std::string cmd;
      if (!std::getline(std::cin, cmd) || cmd == "q") return false;
      if (cmd.empty() || cmd == "n") return true;
      if (cmd == "c") {
        running_ = true;
        return true;
      }
      if (cmd == "p") {
        fmt::print("state: {}\n", s.state.ToJson());
        continue;
      }
      fmt::print("unknown command '{}'\n", cmd);
    }
  }

 private:
  bool on_;
  bool running_ = false;
};

std::unique_ptr<Store> Open(const GlobalOptions& g) { return OpenStoreForReading(g, "state"); }

// The store opened for writing, so that `state at` can persist its snapshots; read-only
// (snapshots are then used but not added) when it cannot be.
std::unique_ptr<Store> OpenForSnapshots(const GlobalOptions& g) {
  auto store = OpenEmbeddedStore(g.data_dir, {.create_if_missing = false});
  if (store.ok()) return std::move(*store);
  return Open(g);
}

void RunAt(const StateArgs& a, const GlobalOptions& g) {
  int64_t t = INT64_MAX;
  if (!a.time.empty() && !ParseTimeArg("state at", "--time", a.time, &t)) return;
  auto reducer = MakeReducer("state at", a.reducers);
  Result<std::string> reducer_id = ReducerId(a.reducers);
  if (reducer && !reducer_id.ok()) return Fail("state at", reducer_id.status());
  auto store = !reducer ? nullptr : a.snapshot_every == 0 ? Open(g) : OpenForSnapshots(g);
  if (!store) return;
  SnapshotOptions so;
  so.every = a.snapshot_every;
  so.reducer_id = *reducer_id;
  SnapshotUse use;
  Result<JsonValue> state = StateAtPersisted(*store, a.stream, t, *reducer, so, &use);
  if (!state.ok()) return Fail("state at", state.status());
  size_t applied = use.applied;
  if (a.format == "json") {
    std::string out;
    JsonWriter w(&out);
    w.BeginObject().Key("stream").String(a.stream).Key("events_applied").Uint(applied);
    w.Key("from_snapshot").Uint(use.from_snapshot).Key("events_folded").Uint(use.folded);
    w.Key("state").Raw(state->ToJson()).EndObject();
    fmt::print("{}\n", out);
    return;
  }
  fmt::print("{} after {} of {} events{}:\n{}\n", a.stream, applied, use.events,
             a.time.empty() ? "" : " (at " + a.time + ")", state->ToJson());
}

void RunReplay(const StateArgs& a, const GlobalOptions& g) {
  ReplayOptions options;
  if (!a.from.empty() && !ParseTimeArg("state replay", "--from", a.from, &options.time.min_ns)) return;
  if (!a.to.empty() && !ParseTimeArg("state replay", "--to", a.to, &options.time.max_ns)) return;
  options.break_expr = a.break_expr;
  for (const std::string& w : a.watches) {
    bool qualified = w.rfind("state", 0) == 0 || w.rfind("event", 0) == 0;
    options.watches.push_back(qualified ? w : "state." + w);
  }
  auto reducer = MakeReducer("state replay", a.reducers);
  auto store = reducer ? Open(g) : nullptr;
  if (!store) return;
  auto events = LoadStream(*store, a.stream);
  if (!events.ok()) return Fail("state replay", events.status());
  bool json = a.format == "json";
  Stepper stepper(a.step && !json);
  Result<bool> hit = Replay(*events, *reducer, options, [&](const ReplayStep& s) {
    const StreamEvent& e = *s.event;
    if (json) {
      std::string out;
      JsonWriter w(&out);
      w.BeginObject().Key("version").Uint(e.version).Key("type").String(e.type);
      w.Key("time").String(FormatRfc3339(e.time_ns, 6)).Key("watches").BeginObject();
      for (size_t i = 0; i < s.watched.size(); ++i) w.Key(a.watches[i]).Raw(s.watched[i].ToJson());
      w.EndObject().Key("breakpoint").Bool(s.breakpoint_hit).Key("state").Raw(s.state.ToJson());
      w.EndObject();
      fmt::print("{}\n", out);
      return true;
    }
    fmt::print("v{:<4} {}  {}\n", e.version, FormatRfc3339(e.time_ns, 6), e.type);
    for (size_t i = 0; i < s.watched.size(); ++i) {
      fmt::print("       {} = {}\n", a.watches[i], s.watched[i].ToJson());
    }
    if (s.breakpoint_hit) {
      fmt::print("** breakpoint '{}' hit at v{}\nstate: {}\n", a.break_expr, e.version,
                 s.state.ToJson());
    }
    return stepper.Pause(s);
  });
  if (!hit.ok()) return Fail("state replay", hit.status());
  if (!a.break_expr.empty() && !*hit && !json) {
    fmt::print("breakpoint '{}' never hit\n", a.break_expr);
  }
  SetExitCode(!a.break_expr.empty() && !*hit ? 3 : 0);
}

void RunDiff(const StateArgs& a, const GlobalOptions& g) {
  int64_t t1 = 0, t2 = 0;
  if (!ParseTimeArg("state diff", "T1", a.t1, &t1) || !ParseTimeArg("state diff", "T2", a.t2, &t2)) {
    return;
  }
  auto reducer = MakeReducer("state diff", a.reducers);
  auto store = reducer ? Open(g) : nullptr;
  if (!store) return;
  auto events = LoadStream(*store, a.stream);
  if (!events.ok()) return Fail("state diff", events.status());
  auto s1 = FoldUntil(*events, t1, *reducer);
  auto s2 = s1.ok() ? FoldUntil(*events, t2, *reducer) : s1;
  if (!s2.ok()) return Fail("state diff", s2.status());
  std::vector<JsonChange> changes = DiffJson(*s1, *s2);
  if (a.format == "json") {
    std::string out;
    JsonWriter w(&out);
    w.BeginArray();
    for (const auto& c : changes) {
      w.BeginObject().Key("path").String(c.path).Key("change").String(JsonChangeKindName(c.kind));
      w.Key("before").Raw(c.before.ToJson()).Key("after").Raw(c.after.ToJson()).EndObject();
    }
    w.EndArray();
    fmt::print("{}\n", out);
    return;
  }
  if (changes.empty()) fmt::print("no difference between {} and {}\n", a.t1, a.t2);
  for (const auto& c : changes) {
    fmt::print("{:<8} {:<30} {} -> {}\n", JsonChangeKindName(c.kind), c.path.empty() ? "." : c.path,
               c.before.ToJson(), c.after.ToJson());
  }
}

void PrintConsistency(const ConsistencyReport& r) {
  fmt::print("{}: {} view(s)", r.entity, r.views.size());
  for (const auto& v : r.views) fmt::print("  {}={}", v.service, v.stream);
  fmt::print("\n");
  if (r.disagreements.empty()) fmt::print("  all services agree\n");
  for (const auto& d : r.disagreements) {
    fmt::print("  DISAGREE on {} since {}:", d.field, FormatRfc3339(d.since_ns, 6));
    for (const auto& [service, value] : d.values) fmt::print("  {}={}", service, value);
    fmt::print("\n");
  }
}

void ConsistencyJson(JsonWriter& w, const ConsistencyReport& r) {
  w.BeginObject().Key("entity").String(r.entity).Key("views").BeginArray();
  for (const auto& v : r.views) {
    w.BeginObject().Key("service").String(v.service).Key("stream").String(v.stream);
    w.Key("state").Raw(v.state.ToJson()).EndObject();
  }
  w.EndArray().Key("disagreements").BeginArray();
  for (const auto& d : r.disagreements) {
    w.BeginObject().Key("field").String(d.field).Key("since").String(FormatRfc3339(d.since_ns, 6));
    w.Key("values").BeginObject();
    for (const auto& [service, value] : d.values) w.Key(service).String(value);
    w.EndObject().EndObject();
  }
  w.EndArray().EndObject();
}

void RunConsistency(const StateArgs& a, const GlobalOptions& g) {
  ConsistencyRules rules;
  if (!a.rules_file.empty()) {
    std::ifstream in(a.rules_file);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) return Fail("state consistency", Status::IOError("cannot read " + a.rules_file));
    auto parsed = ParseConsistencyRules(text.str());
    if (!parsed.ok()) return Fail("state consistency", parsed.status());
    rules = *parsed;
  }
  if (!a.entity_key.empty()) rules.entity_key = a.entity_key;
  if (a.entity.empty() == !a.all) {
    return Fail("state consistency", Status::InvalidArgument("give --entity ID or --all"));
  }
  int64_t t = INT64_MAX;
  if (!a.time.empty() && !ParseTimeArg("state consistency", "--time", a.time, &t)) return;
  auto reducer = MakeReducer("state consistency", a.reducers);
  auto store = reducer ? Open(g) : nullptr;
  if (!store) return;
  std::vector<ConsistencyReport> reports;
  if (a.all) {
    auto all = CheckAllConsistency(*store, rules, *reducer);
    if (!all.ok()) return Fail("state consistency", all.status());
    reports = std::move(*all);
  } else {
    auto one = CheckConsistency(*store, a.entity, t, rules, *reducer);
    if (!one.ok()) return Fail("state consistency", one.status());
    reports.push_back(std::move(*one));
  }
  bool any = false;
  for (const auto& r : reports) any = any || !r.disagreements.empty();
  if (a.format == "json") {
    std::string out;
    JsonWriter w(&out);
    w.BeginArray();
    for (const auto& r : reports) ConsistencyJson(w, r);
    w.EndArray();
    fmt::print("{}\n", out);
  } else {
    if (a.all) fmt::print("{} inconsistent entities ({})\n", reports.size(), rules.entity_key);
    for (const auto& r : reports) PrintConsistency(r);
  }
  SetExitCode(any ? 2 : 0);
}

void AddCommon(CLI::App* cmd, StateArgs* a, GlobalOptions& global) {
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--reducers", a->reducers,
                  "directory of Lua reducers (<EventType>.lua, _default.lua); default: JSON "
                  "merge patch of each payload");
  cmd->add_option("--format", a->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
}

}  // namespace

void AddStateCommand(CLI::App& app, GlobalOptions& global) {
  auto a = std::make_shared<StateArgs>();
  CLI::App* state = app.add_subcommand(
      "state", "Event-sourced state: an aggregate at time T, replay with breakpoints, diffs, "
               "and cross-service consistency of an entity.");
  state->require_subcommand(1);

  CLI::App* at = state->add_subcommand("at", "The state of a stream's aggregate at time T.");
  at->add_option("STREAM", a->stream, "stream id")->required();
  at->add_option("--time", a->time, "RFC 3339 time or epoch (default: the latest state)");
  at->add_option("--snapshot-every", a->snapshot_every,
                 "persist the state every N events in the store and start from the latest "
                 "valid one (0: fold from the first event, write nothing)")
      ->capture_default_str();
  AddCommon(at, a.get(), global);
  at->callback([a, &global] { RunAt(*a, global); });

  CLI::App* replay = state->add_subcommand(
      "replay", "Step through a stream's events printing each and the watched values; stop "
                "where --break becomes true. Exit 3 when a breakpoint was given but never hit.");
  replay->add_option("STREAM", a->stream, "stream id")->required();
  replay->add_option("--from", a->from, "first time shown");
  replay->add_option("--to", a->to, "last time replayed");
  replay->add_flag("--step", a->step,
                   "stop after each event and read a command from stdin: Enter next, p state, "
                   "c continue to the breakpoint, q quit");
  replay->add_option("--break", a->break_expr,
                     "Lua expression over state and event, e.g. 'state.status == \"cancelled\"'");
  replay->add_option("--watch", a->watches, "a path or expression to print after each event "
                                            "(repeatable): total, state.items[1].sku");
  AddCommon(replay, a.get(), global);
  replay->callback([a, &global] { RunReplay(*a, global); });

  CLI::App* diff = state->add_subcommand("diff", "The structural diff of a stream's state at two times.");
  diff->add_option("STREAM", a->stream, "stream id")->required();
  diff->add_option("T1", a->t1, "first time")->required();
  diff->add_option("T2", a->t2, "second time")->required();
  AddCommon(diff, a.get(), global);
  diff->callback([a, &global] { RunDiff(*a, global); });

  CLI::App* cons = state->add_subcommand(
      "consistency", "Reconstruct every service's view of an entity at the same time and report "
                     "each field they disagree on, and since when. Exit 2 when they disagree.");
  cons->add_option("--entity", a->entity, "entity id (value of the entity key in payloads)");
  cons->add_flag("--all", a->all, "check every entity seen by two or more streams");
  cons->add_option("--key", a->entity_key, "payload field naming the entity (default order_id)");
  cons->add_option("--rules", a->rules_file, "JSON rules: entity_key, compare, status_field, "
                                             "completed, aborted");
  cons->add_option("--time", a->time, "time of the views (default: latest)");
  AddCommon(cons, a.get(), global);
  cons->callback([a, &global] { RunConsistency(*a, global); });
}

}  // namespace ddbg::cli

// Options shared by the query commands (query, search, logs query): the store, the time
// range (--since/--until as RFC 3339 or an age such as 1h before now), --limit, --format,
// --explain; and opening the store read-only with the usual messages.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "ddbg/store.h"
#include "util/time_parse.h"

namespace ddbg::cli {

struct QueryOptions {
  std::string since;
  std::string until;
  size_t limit = 20;
  std::string format = "table";
  bool explain = false;
};

inline void AddQueryOptions(CLI::App* cmd, QueryOptions* o, GlobalOptions& global) {
  cmd->add_option("--data", global.data_dir, "store directory")->capture_default_str();
  cmd->add_option("--since", o->since, "start of the time range: RFC 3339 or an age (1h, 30m)");
  cmd->add_option("--until", o->until, "end of the time range: RFC 3339 or an age");
  cmd->add_option("--limit", o->limit, "at most this many results (0: all)")->capture_default_str();
  cmd->add_option("--format", o->format, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  cmd->add_flag("--explain", o->explain,
                "print the plan and the segments/rows each step touched (to stderr)");
}

// An RFC 3339 time or an age before now ("90s", "1h30m"); false when neither.
bool ParseTimeBound(const std::string& text, int64_t* ns);

// The time range of the options, or false after printing an error for `command`.
bool TimeRangeOf(const QueryOptions& o, const char* command, TimeRange* range);

// Opens the store read-only, or prints an error for `command` and returns null.
std::unique_ptr<Store> OpenForQuery(const GlobalOptions& global, const char* command);

}  // namespace ddbg::cli

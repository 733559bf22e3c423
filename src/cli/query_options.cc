#include "cli/query_options.h"

#include "query/lexer.h"

namespace ddbg::cli {

bool ParseTimeBound(const std::string& text, int64_t* ns) {
  if (ParseRfc3339(text, ns)) return true;
  int64_t age = 0;
  if (!query::ParseQueryDuration(text, &age)) return false;
  auto now = std::chrono::system_clock::now().time_since_epoch();
  *ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count() - age;
  return true;
}

bool TimeRangeOf(const QueryOptions& o, const char* command, TimeRange* range) {
  for (auto [text, bound, flag] : {std::tuple{&o.since, &range->min_ns, "--since"},
                                   std::tuple{&o.until, &range->max_ns, "--until"}}) {
    if (text->empty()) continue;
    if (!ParseTimeBound(*text, bound)) {
      fmt::print(stderr, "ddbg {}: {} must be RFC 3339 or an age such as 1h, got '{}'\n", command,
                 flag, *text);
      SetExitCode(1);
      return false;
    }
  }
  return true;
}

std::unique_ptr<Store> OpenForQuery(const GlobalOptions& global, const char* command) {
  auto store = OpenEmbeddedStore(global.data_dir, {.create_if_missing = false, .read_only = true});
  if (!store.ok()) {
    fmt::print(stderr, "ddbg {}: cannot open store {}: {}\n", command, global.data_dir,
               store.status().ToString());
    SetExitCode(1);
    return nullptr;
  }
  return std::move(store).value();
}

}  // namespace ddbg::cli

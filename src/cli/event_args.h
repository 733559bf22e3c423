// Small pieces shared by the event and flow commands: opening the store read-only with a
// clear message, reading a time argument, choosing the reducer.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>

#include "cli/commands.h"
#include "ddbg/events.h"
#include "util/time_parse.h"

namespace ddbg::cli {

// Opens the store read-only; prints "ddbg <cmd>: …" and sets exit code 1 on failure.
inline std::unique_ptr<Store> OpenStoreForReading(const GlobalOptions& global, const char* cmd) {
  auto store = OpenEmbeddedStore(global.data_dir, {.create_if_missing = false, .read_only = true});
  if (!store.ok()) {
    fmt::print(stderr, "ddbg {}: cannot open store {}: {}\n", cmd, global.data_dir,
               store.status().ToString());
    SetExitCode(1);
    return nullptr;
  }
  return std::move(*store);
}

// RFC 3339 or an epoch number; prints an error naming the flag and returns false.
inline bool ParseTimeArg(const char* cmd, const char* flag, const std::string& text, int64_t* ns) {
  if (ParseTimestampText(text, ns)) return true;
  fmt::print(stderr, "ddbg {}: {} must be an RFC 3339 time or an epoch number, got '{}'\n", cmd,
             flag, text);
  SetExitCode(1);
  return false;
}

// Lua reducers from `dir`, or merge patch when dir is empty.
inline std::unique_ptr<Reducer> MakeReducer(const char* cmd, const std::string& dir) {
  if (dir.empty()) return NewMergePatchReducer();
  Result<std::unique_ptr<Reducer>> r = LoadLuaReducers(dir);
  if (!r.ok()) {
    fmt::print(stderr, "ddbg {}: {}\n", cmd, r.status().message());
    SetExitCode(1);
    return nullptr;
  }
  return std::move(*r);
}

inline void Fail(const char* cmd, const Status& st) {
  fmt::print(stderr, "ddbg {}: {}\n", cmd, st.message());
  SetExitCode(1);
}

}  // namespace ddbg::cli

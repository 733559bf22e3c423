// LuaSandbox: one Lua 5.4 state for reducers and state expressions, with only the safe
// libraries (base without dofile/loadfile/load, string, table, math, utf8), text chunks only
// (never bytecode), an instruction limit per call (a count hook) and a memory limit (a
// custom allocator that refuses to grow past it). Converts JsonValue to Lua tables and back.
// Thread-safety: one sandbox per thread.
#pragma once

#include <cstdint>
#include <string>

#include "ddbg/events.h"

struct lua_State;
struct lua_Debug;

namespace ddbg::events {

class LuaSandbox {
 public:
  explicit LuaSandbox(const LuaLimits& limits);
  ~LuaSandbox();
  LuaSandbox(const LuaSandbox&) = delete;
  LuaSandbox& operator=(const LuaSandbox&) = delete;

  // Compiles a text chunk and keeps it under `ref`; InvalidArgument with Lua's message.
  Result<int> Compile(const std::string& name, const std::string& code);
  // Sets globals `state` and `event`, runs chunk `ref` and returns its first result, or the
  // global `state` when it returns nothing. Errors (runtime, instruction or memory limit)
  // carry Lua's message.
  Result<JsonValue> Run(int ref, const JsonValue& state, const StreamEvent& event,
                        bool state_if_none);

 private:
  static void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize);
  static void CountHook(lua_State* L, lua_Debug* ar);
  void OpenSafeLibraries();

  LuaLimits limits_;
  lua_State* L_ = nullptr;
  size_t used_bytes_ = 0;
  bool in_call_ = false;
  uint64_t executed_ = 0;  // instructions of the current call, in hook steps
};

}  // namespace ddbg::events

// LuaSandbox: the safe Lua state, the JsonValue <-> Lua conversions and the limits.
#include "events/lua_sandbox.h"

#include <fmt/format.h>

#include <cstdlib>

extern "C" {
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
}

namespace ddbg::events {
namespace {

constexpr int kHookStep = 1000;  // instructions between two count-hook calls
constexpr int kMaxDepth = 200;   // nesting of tables converted back to JSON

void PushJson(lua_State* L, const JsonValue& v) {
  switch (v.kind()) {
    case JsonValue::Kind::kNull:
      lua_pushnil(L);
      return;
    case JsonValue::Kind::kBool:
      lua_pushboolean(L, v.as_bool());
      return;
    case JsonValue::Kind::kNumber: {
      double d = v.as_number();
      if (d == static_cast<double>(static_cast<lua_Integer>(d)) && d > -9.2e18 && d < 9.2e18) {
        lua_pushinteger(L, static_cast<lua_Integer>(d));
      } else {
        lua_pushnumber(L, d);
      }
      return;
    }
    case JsonValue::Kind::kString:
      lua_pushlstring(L, v.as_string().data(), v.as_string().size());
      return;
    case JsonValue::Kind::kArray:
      lua_createtable(L, static_cast<int>(v.items().size()), 0);
      for (size_t i = 0; i < v.items().size(); ++i) {
        PushJson(L, v.items()[i]);
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
      }
      return;
    case JsonValue::Kind::kObject:
      lua_createtable(L, 0, static_cast<int>(v.members().size()));
      for (const auto& [k, m] : v.members()) {
        lua_pushlstring(L, k.data(), k.size());
        PushJson(L, m);
        lua_rawset(L, -3);
      }
      return;
  }
}

// A table is an array when its keys are exactly 1..n with n > 0.
bool IsArray(lua_State* L, int idx, size_t* n) {
  size_t count = 0;
  lua_Integer max = 0;
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) {
      lua_pop(L, 1);
      return false;
    }
    lua_Integer k = lua_tointeger(L, -1);
    if (k < 1) {
      lua_pop(L, 1);
      return false;
    }
    max = std::max(max, k);
    ++count;
  }
  *n = count;
  return count > 0 && static_cast<size_t>(max) == count;
}

Result<JsonValue> ToJson(lua_State* L, int idx, int depth) {
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TNIL:
      return JsonValue();
    case LUA_TBOOLEAN:
      return JsonValue::Bool(lua_toboolean(L, idx) != 0);
    case LUA_TNUMBER:
      return JsonValue::Number(lua_tonumber(L, idx));
    case LUA_TSTRING: {
      size_t len = 0;
      const char* s = lua_tolstring(L, idx, &len);
      return JsonValue::String(std::string(s, len));
    }
    case LUA_TTABLE:
      break;
    default:
      return Status::InvalidArgument(
          fmt::format("a {} cannot be part of the state", luaL_typename(L, idx)));
  }
  if (depth > kMaxDepth) return Status::InvalidArgument("state nested too deeply (a cycle?)");
  size_t n = 0;
  if (IsArray(L, idx, &n)) {
    JsonValue arr = JsonValue::Array();
    for (size_t i = 1; i <= n; ++i) {
      lua_rawgeti(L, idx, static_cast<lua_Integer>(i));
      Result<JsonValue> item = ToJson(L, -1, depth + 1);
      lua_pop(L, 1);
      if (!item.ok()) return item.status();
      arr.Push(std::move(*item));
    }
    return arr;
  }
  JsonValue obj = JsonValue::Object();
  lua_pushnil(L);
  while (lua_next(L, idx) != 0) {
    std::string key;
    if (lua_type(L, -2) == LUA_TSTRING) {
      size_t len = 0;
      const char* s = lua_tolstring(L, -2, &len);
      key.assign(s, len);
    } else if (lua_isinteger(L, -2)) {
      key = std::to_string(lua_tointeger(L, -2));
    } else {
      lua_pop(L, 2);
      return Status::InvalidArgument("state table keys must be strings or integers");
    }
    Result<JsonValue> value = ToJson(L, -1, depth + 1);
    lua_pop(L, 1);
    if (!value.ok()) {
      lua_pop(L, 1);
      return value.status();
    }
    obj.Set(key, std::move(*value));
  }
  return obj;
}

// The payload or metadata as a Lua value: parsed JSON, or the raw text when it is not JSON.
void PushJsonText(lua_State* L, const std::string& text) {
  if (text.empty()) {
    lua_pushnil(L);
    return;
  }
  Result<JsonValue> v = JsonValue::Parse(text);
  if (v.ok()) {
    PushJson(L, *v);
  } else {
    lua_pushlstring(L, text.data(), text.size());
  }
}

void SetField(lua_State* L, const char* key, const std::string& value) {
  lua_pushlstring(L, value.data(), value.size());
  lua_setfield(L, -2, key);
}

void PushEvent(lua_State* L, const StreamEvent& e) {
  lua_createtable(L, 0, 10);
  SetField(L, "type", e.type);
  SetField(L, "stream", e.stream);
  SetField(L, "id", e.event_id);
  SetField(L, "correlation_id", e.correlation_id);
  SetField(L, "causation_id", e.causation_id);
  SetField(L, "service", e.service);
  lua_pushinteger(L, static_cast<lua_Integer>(e.version));
  lua_setfield(L, -2, "version");
  lua_pushinteger(L, static_cast<lua_Integer>(e.time_ns));
  lua_setfield(L, -2, "time");
  PushJsonText(L, e.payload);
  lua_setfield(L, -2, "payload");
  PushJsonText(L, e.metadata);
  lua_setfield(L, -2, "metadata");
}

}  // namespace

void* LuaSandbox::Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* self = static_cast<LuaSandbox*>(ud);
  size_t old = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    self->used_bytes_ -= old;
    std::free(ptr);
    return nullptr;
  }
  // The limit binds only inside a protected call: an allocation refused outside one (while
  // pushing the state) would make Lua panic instead of raising an error.
  if (self->in_call_ && nsize > old && self->used_bytes_ + (nsize - old) > self->limits_.max_memory_bytes) {
    return nullptr;  // Lua raises "not enough memory"
  }
  void* p = std::realloc(ptr, nsize);
  if (p != nullptr) self->used_bytes_ = self->used_bytes_ - old + nsize;
  return p;
}

void LuaSandbox::CountHook(lua_State* L, lua_Debug*) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  auto* self = static_cast<LuaSandbox*>(ud);
  self->executed_ += kHookStep;
  if (self->executed_ > self->limits_.max_instructions) {
    luaL_error(L, "instruction limit of %d exceeded (an endless loop?)",
               static_cast<int>(std::min<uint64_t>(self->limits_.max_instructions, INT32_MAX)));
  }
}

LuaSandbox::LuaSandbox(const LuaLimits& limits) : limits_(limits) {
  L_ = lua_newstate(&LuaSandbox::Alloc, this);
  if (L_ == nullptr) return;
  OpenSafeLibraries();
  lua_sethook(L_, &LuaSandbox::CountHook, LUA_MASKCOUNT, kHookStep);
}

LuaSandbox::~LuaSandbox() {
  if (L_ != nullptr) lua_close(L_);
}

void LuaSandbox::OpenSafeLibraries() {
  static const luaL_Reg kLibs[] = {{LUA_GNAME, luaopen_base},
                                   {LUA_STRLIBNAME, luaopen_string},
                                   {LUA_TABLIBNAME, luaopen_table},
                                   {LUA_MATHLIBNAME, luaopen_math},
                                   {LUA_UTF8LIBNAME, luaopen_utf8}};
  for (const luaL_Reg& lib : kLibs) {
    luaL_requiref(L_, lib.name, lib.func, 1);
    lua_pop(L_, 1);
  }
  // Anything that reaches files, loads code or bytecode, or prints.
  for (const char* name : {"dofile", "loadfile", "load", "require", "collectgarbage", "print"}) {
    lua_pushnil(L_);
    lua_setglobal(L_, name);
  }
  lua_getglobal(L_, "string");
  lua_pushnil(L_);
  lua_setfield(L_, -2, "dump");
  lua_pop(L_, 1);
}

Result<int> LuaSandbox::Compile(const std::string& name, const std::string& code) {
  if (L_ == nullptr) return Status::Internal("cannot create a Lua state");
  int rc = luaL_loadbufferx(L_, code.data(), code.size(), ("=" + name).c_str(), "t");
  if (rc != LUA_OK) {
    std::string msg = lua_tostring(L_, -1) != nullptr ? lua_tostring(L_, -1) : "unknown error";
    lua_pop(L_, 1);
    return Status::InvalidArgument(msg);
  }
  return luaL_ref(L_, LUA_REGISTRYINDEX);
}

Result<JsonValue> LuaSandbox::Run(int ref, const JsonValue& state, const StreamEvent& event,
                                  bool state_if_none) {
  int top = lua_gettop(L_);
  PushJson(L_, state.is_null() ? JsonValue::Object() : state);
  lua_setglobal(L_, "state");
  PushEvent(L_, event);
  lua_setglobal(L_, "event");
  lua_rawgeti(L_, LUA_REGISTRYINDEX, ref);
  executed_ = 0;
  in_call_ = true;
  int rc = lua_pcall(L_, 0, 1, 0);
  in_call_ = false;
  if (rc != LUA_OK) {
    std::string msg = lua_tostring(L_, -1) != nullptr ? lua_tostring(L_, -1) : "error object";
    if (rc == LUA_ERRMEM) msg = fmt::format("memory limit of {} bytes exceeded", limits_.max_memory_bytes);
    lua_settop(L_, top);
    return Status::InvalidArgument(msg);
  }
  if (lua_isnil(L_, -1) && state_if_none) {
    lua_pop(L_, 1);
    lua_getglobal(L_, "state");
  }
  Result<JsonValue> out = ToJson(L_, -1, 0);
  lua_settop(L_, top);
  return out;
}

}  // namespace ddbg::events

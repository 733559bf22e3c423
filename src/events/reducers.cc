// The reducers that fold events into state: RFC 7386 merge patch by default, Lua scripts per
// event type from a directory, and Lua state expressions for breakpoints and watches.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ddbg/events.h"
#include "events/lua_sandbox.h"

namespace ddbg {
namespace {

std::string EventName(const StreamEvent& e) {
  return fmt::format("{} v{} ({})", e.stream, e.version, e.type.empty() ? "no type" : e.type);
}

class MergePatchReducer : public Reducer {
 public:
  Status Apply(const StreamEvent& event, JsonValue* state) override {
    if (event.payload.empty()) return Status::Ok();
    Result<JsonValue> patch = JsonValue::Parse(event.payload);
    if (!patch.ok()) {
      return Status::InvalidArgument(fmt::format("{}: payload is not valid JSON: {}",
                                                 EventName(event), patch.status().message()));
    }
    MergePatch(state, *patch);
    return Status::Ok();
  }
};

class LuaReducers : public Reducer {
 public:
  explicit LuaReducers(const LuaLimits& limits) : sandbox_(limits) {}

  Status Add(const std::string& type, const std::string& file, const std::string& code) {
    Result<int> ref = sandbox_.Compile(file, code);
    if (!ref.ok()) {
      return Status::InvalidArgument(fmt::format("reducer {}: {}", file, ref.status().message()));
    }
    scripts_[type] = {file, *ref};
    return Status::Ok();
  }

  Status Apply(const StreamEvent& event, JsonValue* state) override {
    auto it = scripts_.find(event.type);
    if (it == scripts_.end()) it = scripts_.find(kDefault);
    if (it == scripts_.end()) return fallback_.Apply(event, state);
    Result<JsonValue> next = sandbox_.Run(it->second.ref, *state, event, true);
    if (!next.ok()) {
      return Status::InvalidArgument(fmt::format("reducer {} failed at {}: {}", it->second.file,
                                                 EventName(event), next.status().message()));
    }
    *state = std::move(*next);
    return Status::Ok();
  }

  static constexpr const char* kDefault = "_default";

 private:
  struct Script {
    std::string file;
    int ref = 0;
  };
  events::LuaSandbox sandbox_;
  std::map<std::string, Script> scripts_;
  MergePatchReducer fallback_;
};

class LuaExpression : public StateExpression {
 public:
  LuaExpression(std::string text, const LuaLimits& limits)
      : text_(std::move(text)), sandbox_(limits) {}
  Status Compile() {
    Result<int> ref = sandbox_.Compile(text_, "return (" + text_ + ")");
    if (!ref.ok()) {
      return Status::InvalidArgument(
          fmt::format("expression '{}' does not compile: {}", text_, ref.status().message()));
    }
    ref_ = *ref;
    return Status::Ok();
  }
  Result<JsonValue> Eval(const JsonValue& state, const StreamEvent& event) override {
    return sandbox_.Run(ref_, state, event, false);
  }
  const std::string& text() const override { return text_; }

 private:
  std::string text_;
  events::LuaSandbox sandbox_;
  int ref_ = 0;
};

}  // namespace

std::unique_ptr<Reducer> NewMergePatchReducer() { return std::make_unique<MergePatchReducer>(); }

Result<std::unique_ptr<Reducer>> LoadLuaReducers(const std::string& dir,
                                                 const LuaLimits& limits) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Status::NotFound(fmt::format("reducer directory {} does not exist", dir));
  }
  auto reducers = std::make_unique<LuaReducers>(limits);
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".lua") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream code;
    code << in.rdbuf();
    if (!in) return Status::IOError(fmt::format("cannot read {}", path.string()));
    DDBG_RETURN_IF_ERROR(
        reducers->Add(path.stem().string(), path.filename().string(), code.str()));
  }
  return std::unique_ptr<Reducer>(std::move(reducers));
}

Result<std::unique_ptr<StateExpression>> CompileStateExpression(const std::string& expr,
                                                                 const LuaLimits& limits) {
  auto e = std::make_unique<LuaExpression>(expr, limits);
  DDBG_RETURN_IF_ERROR(e->Compile());
  return std::unique_ptr<StateExpression>(std::move(e));
}

}  // namespace ddbg

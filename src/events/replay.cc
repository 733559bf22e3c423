// Replay: fold a stream event by event, evaluating watches and a breakpoint after each.
#include <fmt/format.h>

#include "ddbg/events.h"

namespace ddbg {
namespace {

// Lua truthiness: everything but nil (null) and false.
bool Truthy(const JsonValue& v) {
  return !(v.is_null() || (v.kind() == JsonValue::Kind::kBool && !v.as_bool()));
}

}  // namespace

Result<bool> Replay(const std::vector<StreamEvent>& events, Reducer& reducer,
                    const ReplayOptions& options,
                    const std::function<bool(const ReplayStep&)>& on_step) {
  std::unique_ptr<StateExpression> brk;
  if (!options.break_expr.empty()) {
    auto compiled = CompileStateExpression(options.break_expr, options.limits);
    if (!compiled.ok()) return compiled.status();
    brk = std::move(*compiled);
  }
  std::vector<std::unique_ptr<StateExpression>> watches;
  for (const std::string& w : options.watches) {
    auto compiled = CompileStateExpression(w, options.limits);
    if (!compiled.ok()) return compiled.status();
    watches.push_back(std::move(*compiled));
  }
  ReplayStep step;
  step.state = JsonValue::Object();
  for (const StreamEvent& e : events) {
    if (e.time_ns > options.time.max_ns) break;
    DDBG_RETURN_IF_ERROR(reducer.Apply(e, &step.state));
    if (e.time_ns < options.time.min_ns) continue;
    step.event = &e;
    step.watched.clear();
    for (auto& w : watches) {
      // A watch that fails (e.g. indexing a field not there yet) shows as null.
      Result<JsonValue> v = w->Eval(step.state, e);
      step.watched.push_back(v.ok() ? std::move(*v) : JsonValue());
    }
    step.breakpoint_hit = false;
    if (brk != nullptr) {
      // Comparing a field that does not exist yet (nil > 1000) is "not hit", not an error.
      Result<JsonValue> v = brk->Eval(step.state, e);
      step.breakpoint_hit = v.ok() && Truthy(*v);
    }
    if (!on_step(step) || step.breakpoint_hit) return step.breakpoint_hit;
  }
  return false;
}

}  // namespace ddbg

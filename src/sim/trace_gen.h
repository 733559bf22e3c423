// Generates one simulated request at a time: walks the call graph from an entry operation of
// the frontend, timing every span (log-normal self times, network hops, parallel fan-out,
// timeouts, retries with backoff), deciding failures (background rates and injected faults)
// and propagating them to callers, then runs the Kafka consumers of what was published.
// Spans go to the span writer as they finish; logs and events to their generators.
// Thread-safety: one generator per thread; it owns the trace's random stream.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/event_gen.h"
#include "sim/faults.h"
#include "sim/log_writer.h"
#include "sim/messages.h"
#include "sim/span_writer.h"
#include "sim/topology.h"
#include "sim/trace_context.h"

namespace ddbg::sim {

inline int64_t MsToNs(double ms) {
  int64_t ns = static_cast<int64_t>(ms * 1e6 + 0.5);
  return ns < 1000 ? 1000 : ns;
}

class TraceGenerator {
 public:
  TraceGenerator(const Topology* topology, FaultPlan* faults, OtlpSpanWriter* spans,
                 LogWriter* logs, EventGenerator* events, uint64_t seed);

  // Generates trace number `index` whose first span starts at `start_ns`.
  void Generate(uint64_t index, int64_t start_ns);

  uint64_t spans() const { return spans_; }
  uint64_t error_traces() const { return error_traces_; }

 private:
  static constexpr int kMaxDepth = 40;
  static constexpr uint32_t kMaxSpansPerTrace = 20000;
  // Scratch strings per depth, by use.
  enum Slot {
    kSlotPath,
    kSlotStatus,
    kSlotStack,
    kSlotClientUrl,
    kSlotClientStatus,
    kSlotWork,
    kSlots
  };

  struct Outcome {
    int64_t end_ns = 0;
    bool failed = false;
    bool cascading = false;  // the failure comes from a cascade: fallbacks do not stop it
    ErrClass cls = ErrClass::kNone;
    std::string origin;  // the originating error message
  };
  struct Delivery {
    int topic;
    SpanId producer;
    int64_t published_ns;
    int depth;
    int partition;
    int64_t offset;
  };

  void StartTrace(uint64_t index, int64_t start_ns, int entry_op);
  Outcome RunServer(int service, int op, SpanId parent, int64_t start_ns, const Delivery* delivery,
                    int depth);
  Outcome RunStep(int service, uint32_t resource, double factor, const Step& step, SpanId parent,
                  int64_t start_ns, int depth);
  Outcome RunCall(int service, uint32_t resource, const Step& step, SpanId parent, int64_t start_ns,
                  int depth);
  Outcome RunClientWork(int service, uint32_t resource, double factor, const Step& step,
                        SpanId parent, int64_t start_ns, int depth);
  void AddServerAttrs(SpanRecord& rec, const Service& svc, const Operation& op,
                      const Delivery* delivery, int status_code, int depth);
  void AddBusinessAttrs(SpanRecord& rec, const Operation& op);
  void AppendCompletionLog(std::string& msg, const Service& svc, const Operation& op,
                           const Delivery* delivery, int status_code, int64_t duration_ns);
  void EmitLog(int64_t t, uint32_t resource, Severity severity, SpanId span);
  void Emit(SpanRecord& rec);
  uint32_t PickInstance(int service, int64_t t);
  SpanId NewSpanId();
  std::string& Scratch(int depth, int slot);
  const std::string& OrderIdForSpans() const;

  const Topology* topology_;
  FaultPlan* faults_;
  OtlpSpanWriter* span_out_;
  LogWriter* logs_;
  EventGenerator* events_;
  uint64_t seed_;
  TraceContext ctx_;
  std::vector<Delivery> deliveries_;
  std::vector<std::string> scratch_;
  std::vector<std::vector<uint8_t>> ok_by_depth_;
  std::vector<int64_t> topic_offsets_;
  int64_t next_order_ = 100000;
  int64_t next_trade_ = 5000;
  uint64_t spans_ = 0;
  uint64_t error_traces_ = 0;
};

}  // namespace ddbg::sim

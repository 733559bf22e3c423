// Domain events of the simulated system (event sourcing): the effects a trace's operations
// have on the order, inventory, payment, shipment and trade aggregates become events in
// per-entity streams (order-100123 in orders, payment-ord-100123 in payment, …) with
// versions, correlation id (the trace's) and causation id (the previous event of the flow).
// Event faults (version gaps, inconsistent state) are applied here. Written as JSONL in time
// order. Thread-safety: one owner thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ddbg/sim.h"
#include "sim/faults.h"
#include "sim/json_out.h"
#include "sim/output_file.h"
#include "sim/topology.h"
#include "sim/trace_context.h"

namespace ddbg::sim {

enum class StreamKind : uint8_t { kOrder, kInventory, kPayment, kShipment, kTrade };

enum class EventType : uint8_t {
  kOrderPlaced,
  kOrderConfirmed,
  kOrderCancelled,
  kStockReserved,
  kStockCommitted,
  kStockReleased,
  kPaymentAuthorized,
  kPaymentCaptured,
  kPaymentDeclined,
  kPaymentFailed,
  kShipmentScheduled,
  kTradeRequested,
  kTradeExecuted,
  kTradeRejected,
};

class EventGenerator {
 public:
  EventGenerator(const Topology* topology, FaultPlan* faults);
  Status Open(const std::string& path);

  // The operation (server span or in-process stand-in) with effect `effect` ran in `service`
  // from start to end and succeeded or not (`declined`: a business refusal).
  void OnEffect(Effect effect, int service, SpanId span, int64_t start_ns, int64_t end_ns, bool ok,
                bool declined, const TraceContext& ctx);
  // Orders the trace's events, applies event faults, assigns versions and causation, and
  // queues the rendered lines.
  void FinishTrace(TraceContext& ctx);
  // Writes every queued event older than `cutoff_ns`, in time order.
  void FlushBefore(int64_t cutoff_ns);
  Status Close(std::vector<SimFile>* files);

  uint64_t events() const { return out_.records() + lines_.size(); }
  uint64_t streams() const { return streams_; }

 private:
  struct Pending {
    int64_t time_ns;
    uint32_t seq;
    int service;
    SpanId span;
    EventType type;
    StreamKind stream;
    uint64_t version;
    bool altered;  // inconsistent-state: this event records the disagreeing value
  };
  struct Line {
    int64_t time_ns;
    uint64_t seq;
    uint32_t off;
    uint32_t len;
  };
  void Queue(EventType type, StreamKind stream, int service, SpanId span, int64_t time_ns);
  void ApplyInconsistency(TraceContext& ctx);
  void ApplyVersionGap(TraceContext& ctx);
  void AppendStreamId(std::string& out, StreamKind stream, const TraceContext& ctx) const;
  void AppendPayload(std::string& out, const Pending& e, const TraceContext& ctx) const;
  const char* CancelReason(const TraceContext& ctx) const;

  const Topology* topology_;
  FaultPlan* faults_;
  OutputFile out_;
  std::vector<Pending> trace_events_;
  std::vector<Line> lines_;
  std::vector<uint32_t> ready_;
  std::string arena_;
  std::string prev_id_;
  std::string event_id_;
  TimeText time_text_;
  uint64_t seq_ = 0;
  uint64_t streams_ = 0;
};

const char* EventTypeName(EventType type);

}  // namespace ddbg::sim

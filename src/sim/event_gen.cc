#include "sim/event_gen.h"

#include <algorithm>
#include <cmath>

namespace ddbg::sim {
namespace {

constexpr int kStreamKinds = 5;

bool IsAmountEvent(EventType t) {
  return t == EventType::kPaymentAuthorized || t == EventType::kPaymentCaptured;
}

// The entity a stream belongs to: the order id, or the trade id.
const std::string& EntityOf(StreamKind stream, const TraceContext& ctx) {
  return stream == StreamKind::kTrade ? ctx.trade.id : ctx.order.id;
}

void Key(std::string& out, const char* key) {
  out.push_back('"');
  out += key;
  out += "\":";
}

void StrField(std::string& out, const char* key, std::string_view value) {
  out.push_back(',');
  Key(out, key);
  AppendJsonString(out, value);
}

void MoneyField(std::string& out, const char* key, int64_t cents) {
  out.push_back(',');
  Key(out, key);
  AppendDecimal(out, cents, 2);
}

int64_t Altered(int64_t cents, double magnitude) {
  int64_t delta = static_cast<int64_t>(std::llround(static_cast<double>(cents) * magnitude));
  return cents + std::max<int64_t>(delta, 1);
}

}  // namespace

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kOrderPlaced:
      return "OrderPlaced";
    case EventType::kOrderConfirmed:
      return "OrderConfirmed";
    case EventType::kOrderCancelled:
      return "OrderCancelled";
    case EventType::kStockReserved:
      return "StockReserved";
    case EventType::kStockCommitted:
      return "StockCommitted";
    case EventType::kStockReleased:
      return "StockReleased";
    case EventType::kPaymentAuthorized:
      return "PaymentAuthorized";
    case EventType::kPaymentCaptured:
      return "PaymentCaptured";
    case EventType::kPaymentDeclined:
      return "PaymentDeclined";
    case EventType::kPaymentFailed:
      return "PaymentFailed";
    case EventType::kShipmentScheduled:
      return "ShipmentScheduled";
    case EventType::kTradeRequested:
      return "TradeRequested";
    case EventType::kTradeExecuted:
      return "TradeExecuted";
    case EventType::kTradeRejected:
      return "TradeRejected";
  }
  return "Unknown";
}

EventGenerator::EventGenerator(const Topology* topology, FaultPlan* faults)
    : topology_(topology), faults_(faults) {}

Status EventGenerator::Open(const std::string& path) { return out_.Open(path); }

void EventGenerator::Queue(EventType type, StreamKind stream, int service, SpanId span,
                           int64_t time_ns) {
  trace_events_.push_back({time_ns, static_cast<uint32_t>(trace_events_.size()), service, span,
                           type, stream, 0, false});
}

void EventGenerator::OnEffect(Effect effect, int service, SpanId span, int64_t start_ns,
                              int64_t end_ns, bool ok, bool declined, const TraceContext& ctx) {
  bool order_effect = effect != Effect::kTradeExecute && effect != Effect::kNone;
  if (order_effect && !ctx.has_order) return;
  if (effect == Effect::kTradeExecute && !ctx.has_trade) return;
  switch (effect) {
    case Effect::kNone:
      break;
    case Effect::kOrderPlace:
      if (ok) Queue(EventType::kOrderPlaced, StreamKind::kOrder, service, span, end_ns);
      break;
    case Effect::kOrderConfirm:
      if (ok) Queue(EventType::kOrderConfirmed, StreamKind::kOrder, service, span, end_ns);
      break;
    case Effect::kOrderCancel:
      if (ok) Queue(EventType::kOrderCancelled, StreamKind::kOrder, service, span, end_ns);
      break;
    case Effect::kStockReserve:
      if (ok) Queue(EventType::kStockReserved, StreamKind::kInventory, service, span, end_ns);
      break;
    case Effect::kStockCommit:
      if (ok) Queue(EventType::kStockCommitted, StreamKind::kInventory, service, span, end_ns);
      break;
    case Effect::kStockRelease:
      if (ok) Queue(EventType::kStockReleased, StreamKind::kInventory, service, span, end_ns);
      break;
    case Effect::kPaymentCharge:
      if (ok) {
        Queue(EventType::kPaymentAuthorized, StreamKind::kPayment, service, span,
              start_ns + (end_ns - start_ns) * 4 / 5);
        Queue(EventType::kPaymentCaptured, StreamKind::kPayment, service, span, end_ns);
      } else {
        Queue(declined ? EventType::kPaymentDeclined : EventType::kPaymentFailed,
              StreamKind::kPayment, service, span, end_ns);
      }
      break;
    case Effect::kShipmentSchedule:
      if (ok) Queue(EventType::kShipmentScheduled, StreamKind::kShipment, service, span, end_ns);
      break;
    case Effect::kTradeExecute:
      Queue(EventType::kTradeRequested, StreamKind::kTrade, service, span, start_ns + 1000);
      Queue(ok ? EventType::kTradeExecuted : EventType::kTradeRejected, StreamKind::kTrade, service,
            span, end_ns);
      break;
  }
}

const char* EventGenerator::CancelReason(const TraceContext& ctx) const {
  if (ctx.order.payment_failure != nullptr) {
    return ctx.order.cancel_reason != nullptr ? ctx.order.cancel_reason : "payment_failed";
  }
  for (const Pending& e : trace_events_) {
    if (e.type == EventType::kStockReserved) return "checkout_failed";
  }
  return "stock_unavailable";
}

void EventGenerator::ApplyInconsistency(TraceContext& ctx) {
  // The first service in the trace's event order that has an active fault.
  for (const Pending& first : trace_events_) {
    ActiveFault* f =
        faults_->EventFault(FaultKind::kInconsistentState, first.service, first.time_ns);
    if (f == nullptr) continue;
    StreamKind stream = first.stream;
    uint64_t altered = 0;
    for (Pending& e : trace_events_) {
      if (e.service != first.service || e.stream != stream) continue;
      switch (e.type) {
        case EventType::kPaymentAuthorized:
        case EventType::kPaymentCaptured:
        case EventType::kShipmentScheduled:
        case EventType::kTradeExecuted:
          e.altered = true;
          ++altered;
          break;
        case EventType::kOrderConfirmed:
          e.type = EventType::kOrderCancelled;
          e.altered = true;
          ++altered;
          break;
        case EventType::kStockCommitted:
          e.type = EventType::kStockReleased;
          e.altered = true;
          ++altered;
          break;
        default:
          break;
      }
    }
    if (altered == 0) continue;
    --f->remaining;
    f->truth.affected_events += altered;
    FaultPlan::Touch(*f, ctx.index);
    std::string stream_id;
    AppendStreamId(stream_id, stream, ctx);
    f->truth.streams.push_back(std::move(stream_id));
    f->truth.entities.push_back(EntityOf(stream, ctx));
    return;
  }
}

void EventGenerator::ApplyVersionGap(TraceContext& ctx) {
  for (const Pending& first : trace_events_) {
    ActiveFault* f = faults_->EventFault(FaultKind::kVersionGap, first.service, first.time_ns);
    if (f == nullptr) continue;
    int events_in_stream = 0;
    for (const Pending& e : trace_events_) events_in_stream += e.stream == first.stream;
    uint64_t skip = static_cast<uint64_t>(f->magnitude);
    uint64_t changed = 0;
    for (Pending& e : trace_events_) {
      if (e.stream != first.stream) continue;
      if (events_in_stream == 1 || e.version >= 2) {
        e.version += skip;
        ++changed;
      }
    }
    --f->remaining;
    f->truth.affected_events += changed;
    FaultPlan::Touch(*f, ctx.index);
    std::string stream_id;
    AppendStreamId(stream_id, first.stream, ctx);
    f->truth.streams.push_back(std::move(stream_id));
    f->truth.entities.push_back(EntityOf(first.stream, ctx));
    return;
  }
}

void EventGenerator::FinishTrace(TraceContext& ctx) {
  if (trace_events_.empty()) return;
  std::sort(trace_events_.begin(), trace_events_.end(), [](const Pending& a, const Pending& b) {
    return a.time_ns != b.time_ns ? a.time_ns < b.time_ns : a.seq < b.seq;
  });
  uint64_t versions[kStreamKinds] = {};
  for (Pending& e : trace_events_) e.version = ++versions[static_cast<int>(e.stream)];
  for (uint64_t v : versions) streams_ += v > 0;
  if (!faults_->empty()) {
    ApplyInconsistency(ctx);
    ApplyVersionGap(ctx);
  }
  prev_id_ = ctx.correlation_id;
  for (const Pending& e : trace_events_) {
    event_id_.clear();
    AppendUuid(event_id_, ctx.rng.Next(), ctx.rng.Next());
    uint32_t off = static_cast<uint32_t>(arena_.size());
    std::string& out = arena_;
    out += "{\"stream_id\":\"";
    AppendStreamId(out, e.stream, ctx);
    out += "\",\"version\":";
    AppendUint(out, e.version);
    out += ",\"event_id\":\"";
    out += event_id_;
    out += "\",\"type\":\"";
    out += EventTypeName(e.type);
    out += "\",\"timestamp\":\"";
    time_text_.Append(out, e.time_ns, 6);
    const std::string& service = topology_->services[e.service].name;
    out += "\",\"service\":\"";
    out += service;
    out += "\",\"payload\":";
    AppendPayload(out, e, ctx);
    out += ",\"metadata\":{\"correlation_id\":";
    AppendJsonString(out, ctx.correlation_id);
    StrField(out, "causation_id", prev_id_);
    out += ",\"trace_id\":\"";
    AppendHex128(out, ctx.trace_id.hi, ctx.trace_id.lo);
    out += "\",\"span_id\":\"";
    AppendHex64(out, e.span);
    out += "\"";
    StrField(out, "service", service);
    StrField(out, "user_id", ctx.user_id);
    StrField(out, "tenant", ctx.tenant);
    out += "}}\n";
    lines_.push_back({e.time_ns, seq_++, off, static_cast<uint32_t>(out.size() - off)});
    prev_id_ = event_id_;
  }
  trace_events_.clear();
}

void EventGenerator::AppendStreamId(std::string& out, StreamKind stream,
                                    const TraceContext& ctx) const {
  switch (stream) {
    case StreamKind::kOrder:
      out += "order-";
      AppendInt(out, ctx.order.number);
      return;
    case StreamKind::kInventory:
      out += "inventory-";
      break;
    case StreamKind::kPayment:
      out += "payment-";
      break;
    case StreamKind::kShipment:
      out += "shipment-";
      break;
    case StreamKind::kTrade:
      out += "trade-";
      AppendInt(out, ctx.trade.number);
      return;
  }
  out += ctx.order.id;
}

void EventGenerator::AppendPayload(std::string& out, const Pending& e,
                                   const TraceContext& ctx) const {
  const OrderInfo& o = ctx.order;
  const TradeInfo& t = ctx.trade;
  double magnitude = 0.1;
  if (e.altered) {
    for (const ActiveFault& f : faults_->faults()) {
      if (f.kind == FaultKind::kInconsistentState && f.service == e.service) {
        magnitude = f.magnitude;
      }
    }
  }
  out.push_back('{');
  if (e.stream == StreamKind::kTrade) {
    Key(out, "trade_id");
    AppendJsonString(out, t.id);
    StrField(out, "trading_pair", t.pair);
    StrField(out, "side", t.side);
    int64_t amount = e.altered ? Altered(t.amount_cents, magnitude) : t.amount_cents;
    MoneyField(out, "amount_usd", amount);
    StrField(out, "protocol", t.protocol);
    StrField(out, "shard", t.shard);
    StrField(out, "user_id", ctx.user_id);
    if (e.type == EventType::kTradeRequested) {
      StrField(out, "risk_level", t.risk_level);
      StrField(out, "status", "requested");
    } else if (e.type == EventType::kTradeExecuted) {
      MoneyField(out, "price", t.price_cents);
      StrField(out, "status", "executed");
    } else {
      StrField(out, "status", "rejected");
      StrField(out, "reason", t.reject_reason != nullptr ? t.reject_reason : "execution_failed");
    }
    out.push_back('}');
    return;
  }
  Key(out, "order_id");
  AppendJsonString(out, o.id);
  switch (e.type) {
    case EventType::kOrderPlaced:
      StrField(out, "user_id", ctx.user_id);
      StrField(out, "tenant", ctx.tenant);
      StrField(out, "status", "pending");
      StrField(out, "currency", o.currency);
      MoneyField(out, "total", o.total_cents);
      out += ",\"items\":[";
      for (int i = 0; i < o.item_count; ++i) {
        if (i > 0) out.push_back(',');
        out += "{\"sku\":\"SKU-";
        AppendInt(out, o.sku[i]);
        out += "\",\"quantity\":";
        AppendInt(out, o.quantity[i]);
        out += ",\"price\":";
        AppendDecimal(out, o.price_cents[i], 2);
        out.push_back('}');
      }
      out.push_back(']');
      break;
    case EventType::kOrderConfirmed:
      StrField(out, "status", "confirmed");
      MoneyField(out, "total", o.total_cents);
      StrField(out, "payment_id", o.payment_id);
      break;
    case EventType::kOrderCancelled:
      StrField(out, "status", "cancelled");
      StrField(out, "reason", e.altered ? "reservation_expired" : CancelReason(ctx));
      break;
    case EventType::kStockReserved:
      StrField(out, "reservation_id", o.reservation_id);
      StrField(out, "status", "reserved");
      out += ",\"items\":[";
      for (int i = 0; i < o.item_count; ++i) {
        if (i > 0) out.push_back(',');
        out += "{\"sku\":\"SKU-";
        AppendInt(out, o.sku[i]);
        out += "\",\"quantity\":";
        AppendInt(out, o.quantity[i]);
        out.push_back('}');
      }
      out.push_back(']');
      break;
    case EventType::kStockCommitted:
      StrField(out, "reservation_id", o.reservation_id);
      StrField(out, "status", "committed");
      break;
    case EventType::kStockReleased:
      StrField(out, "reservation_id", o.reservation_id);
      StrField(out, "status", "released");
      StrField(out, "reason", e.altered ? "reservation_expired" : CancelReason(ctx));
      break;
    case EventType::kPaymentAuthorized:
    case EventType::kPaymentCaptured:
    case EventType::kPaymentDeclined:
    case EventType::kPaymentFailed: {
      StrField(out, "payment_id", o.payment_id);
      int64_t amount =
          e.altered && IsAmountEvent(e.type) ? Altered(o.total_cents, magnitude) : o.total_cents;
      MoneyField(out, "amount", amount);
      StrField(out, "currency", o.currency);
      StrField(out, "method", o.method);
      if (e.type == EventType::kPaymentAuthorized) {
        StrField(out, "card_brand", o.card_brand);
        StrField(out, "status", "authorized");
      } else if (e.type == EventType::kPaymentCaptured) {
        StrField(out, "status", "captured");
      } else {
        StrField(out, "status", e.type == EventType::kPaymentDeclined ? "declined" : "failed");
        StrField(out, "reason", o.payment_failure != nullptr ? o.payment_failure : "unknown");
      }
      break;
    }
    case EventType::kShipmentScheduled: {
      StrField(out, "shipment_id", o.shipment_id);
      StrField(out, "carrier", o.carrier);
      StrField(out, "status", "scheduled");
      int items = 0;
      for (int i = 0; i < o.item_count; ++i) items += o.quantity[i];
      out += ",\"items_count\":";
      AppendInt(out, items);
      MoneyField(out, "declared_value",
                 e.altered ? Altered(o.total_cents, magnitude) : o.total_cents);
      StrField(out, "currency", o.currency);
      break;
    }
    default:
      break;
  }
  out.push_back('}');
}

void EventGenerator::FlushBefore(int64_t cutoff_ns) {
  ready_.clear();
  for (uint32_t i = 0; i < lines_.size(); ++i) {
    if (lines_[i].time_ns < cutoff_ns) ready_.push_back(i);
  }
  if (ready_.empty()) return;
  std::sort(ready_.begin(), ready_.end(), [&](uint32_t a, uint32_t b) {
    const Line& x = lines_[a];
    const Line& y = lines_[b];
    return x.time_ns != y.time_ns ? x.time_ns < y.time_ns : x.seq < y.seq;
  });
  std::string& out = out_.buffer();
  for (uint32_t i : ready_) out.append(arena_, lines_[i].off, lines_[i].len);
  out_.Commit(ready_.size());
  std::string kept_arena;
  size_t kept = 0;
  for (size_t i = 0; i < lines_.size(); ++i) {
    Line l = lines_[i];
    if (l.time_ns < cutoff_ns) continue;
    uint32_t off = static_cast<uint32_t>(kept_arena.size());
    kept_arena.append(arena_, l.off, l.len);
    l.off = off;
    lines_[kept++] = l;
  }
  lines_.resize(kept);
  arena_.swap(kept_arena);
}

Status EventGenerator::Close(std::vector<SimFile>* files) {
  FlushBefore(INT64_MAX);
  Status st = out_.Close();
  files->push_back({"events.jsonl", "events-jsonl", out_.records(), out_.bytes()});
  return st;
}

}  // namespace ddbg::sim

// What a simulated server or consumer span says about itself: protocol attributes (HTTP in
// the stable or the older semantic conventions, gRPC, Kafka), the business context of the
// request, and the line the service logs when the request completes.
#include "sim/json_out.h"
#include "sim/trace_gen.h"

namespace ddbg::sim {

void TraceGenerator::AddServerAttrs(SpanRecord& rec, const Service& svc, const Operation& op,
                                    const Delivery* delivery, int status_code, int depth) {
  if (delivery != nullptr) {
    const std::string& key = ctx_.has_trade ? ctx_.trade.id : OrderIdForSpans();
    rec.Str("messaging.system", "kafka");
    rec.Str("messaging.destination.name", topology_->topics[delivery->topic].name);
    rec.Str("messaging.operation", "process");
    rec.Str("messaging.consumer.group.name", svc.name);
    if (!key.empty()) rec.Str("messaging.kafka.message.key", key);
    rec.Int("messaging.kafka.destination.partition", delivery->partition);
    rec.Int("messaging.kafka.message.offset", delivery->offset);
  } else if (svc.protocol == Protocol::kGrpc) {
    rec.Str("rpc.system", "grpc");
    rec.Str("rpc.service", op.route);
    rec.Str("rpc.method", op.method);
    rec.Int("rpc.grpc.status_code", status_code);
  } else {
    std::string& path = Scratch(depth, kSlotPath);
    const std::string& order = OrderIdForSpans();
    if (!order.empty()) {
      AppendRoutePath(path, op.route, order);
    } else {
      std::string& id = Scratch(depth, kSlotWork);
      id = "SKU-";
      AppendUint(id, 1000 + ctx_.rng.Below(9000));
      AppendRoutePath(path, op.route, id);
    }
    if (svc.old_semconv) {
      rec.Str("http.method", op.method);
      rec.Str("http.route", op.route);
      rec.Str("http.target", path);
      rec.Str("http.scheme", "http");
      rec.Int("http.status_code", status_code);
    } else {
      rec.Str("http.request.method", op.method);
      rec.Str("http.route", op.route);
      rec.Str("url.path", path);
      rec.Str("url.scheme", "http");
      rec.Int("http.response.status_code", status_code);
    }
    if (depth == 0) {
      rec.Str("client.address", ctx_.client_ip);
      rec.Str("user_agent.original", ctx_.user_agent);
    }
  }
  AddBusinessAttrs(rec, op);
}

void TraceGenerator::AddBusinessAttrs(SpanRecord& rec, const Operation& op) {
  rec.Str("business.user_id", ctx_.user_id);
  rec.Str("business.tenant", ctx_.tenant);
  rec.Str("correlation_id", ctx_.correlation_id);
  const std::string& order = OrderIdForSpans();
  if (!order.empty()) rec.Str("business.order_id", order);
  if (ctx_.process_name != nullptr) {
    rec.Str("business.process_name", ctx_.process_name);
    rec.Str("business.workflow_id", ctx_.workflow_id);
  }
  if (op.crypto && ctx_.has_trade) {
    const TradeInfo& t = ctx_.trade;
    rec.Str("business.domain", "crypto-trading");
    rec.Str("business.trade_id", t.id);
    rec.Str("crypto.trading_pair", t.pair);
    rec.Cents("crypto.amount_usd", t.amount_cents);
    rec.Str("crypto.risk_level", t.risk_level);
    rec.Str("crypto.protocol", t.protocol);
    rec.Str("function.shard", t.shard);
  }
}

void TraceGenerator::AppendCompletionLog(std::string& msg, const Service& svc, const Operation& op,
                                         const Delivery* delivery, int status_code,
                                         int64_t duration_ns) {
  const OrderInfo& o = ctx_.order;
  const TradeInfo& t = ctx_.trade;
  bool order = ctx_.has_order;
  switch (op.effect) {
    case Effect::kOrderPlace:
      if (!order) break;
      msg += "order ";
      msg += o.id;
      msg += " created for user ";
      msg += ctx_.user_id;
      msg += " total=";
      AppendDecimal(msg, o.total_cents, 2);
      msg.push_back(' ');
      msg += o.currency;
      msg += " items=";
      AppendInt(msg, o.item_count);
      return;
    case Effect::kOrderConfirm:
      if (!order) break;
      msg += "order ";
      msg += o.id;
      msg += " confirmed payment=";
      msg += o.payment_id;
      return;
    case Effect::kOrderCancel:
      if (!order) break;
      msg += "order ";
      msg += o.id;
      msg += " cancelled";
      return;
    case Effect::kStockReserve: {
      if (!order) break;
      int units = 0;
      for (int i = 0; i < o.item_count; ++i) units += o.quantity[i];
      msg += "reserved ";
      AppendInt(msg, units);
      msg += " units across ";
      AppendInt(msg, o.item_count);
      msg += " skus for order ";
      msg += o.id;
      msg += " reservation=";
      msg += o.reservation_id;
      return;
    }
    case Effect::kStockCommit:
    case Effect::kStockRelease:
      if (!order) break;
      msg += op.effect == Effect::kStockCommit ? "committed reservation " : "released reservation ";
      msg += o.reservation_id;
      msg += " for order ";
      msg += o.id;
      return;
    case Effect::kPaymentCharge:
      if (!order) break;
      msg += "payment ";
      msg += o.payment_id;
      msg += " captured amount=";
      AppendDecimal(msg, o.total_cents, 2);
      msg.push_back(' ');
      msg += o.currency;
      msg += " method=";
      msg += o.method;
      msg += " order=";
      msg += o.id;
      return;
    case Effect::kShipmentSchedule:
      if (!order) break;
      msg += "shipment ";
      msg += o.shipment_id;
      msg += " scheduled with ";
      msg += o.carrier;
      msg += " for order ";
      msg += o.id;
      return;
    case Effect::kTradeExecute:
      if (!ctx_.has_trade) break;
      msg += "executed trade ";
      msg += t.id;
      msg.push_back(' ');
      msg += t.pair;
      msg.push_back(' ');
      msg += t.side;
      msg += " amount_usd=";
      AppendDecimal(msg, t.amount_cents, 2);
      msg += " on ";
      msg += t.protocol;
      msg += " shard=";
      msg += t.shard;
      return;
    case Effect::kNone:
      break;
  }
  if (delivery != nullptr) {
    msg += "processed message from ";
    msg += topology_->topics[delivery->topic].name;
    msg += " partition=";
    AppendInt(msg, delivery->partition);
    msg += " offset=";
    AppendInt(msg, delivery->offset);
    msg += " in ";
    AppendMillis(msg, duration_ns);
    return;
  }
  if (&svc == &topology_->services[0]) {
    msg += op.method;
    msg.push_back(' ');
    const std::string& order_id = OrderIdForSpans();
    AppendRoutePath(msg, op.route, order_id.empty() ? std::string_view("SKU-1042") : order_id);
    msg.push_back(' ');
    AppendInt(msg, status_code);
    msg.push_back(' ');
    AppendMillis(msg, duration_ns);
    msg += " ip=";
    msg += ctx_.client_ip;
    return;
  }
  msg += op.log_action;
  msg += ": ";
  if (svc.protocol == Protocol::kGrpc) {
    msg += op.name;
    msg.push_back(' ');
    msg += GrpcStatusName(status_code);
  } else {
    msg += op.method;
    msg.push_back(' ');
    msg += op.route;
    msg += " -> ";
    AppendInt(msg, status_code);
  }
  msg += " in ";
  AppendMillis(msg, duration_ns);
}

}  // namespace ddbg::sim

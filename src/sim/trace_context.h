// The state of one simulated request while it is generated: its ids, the business entities
// it carries (user, tenant, order, trade) and its random stream. Shared by the span, log and
// event generators for the duration of one trace; reused (capacity kept) for the next.
// Thread-safety: belongs to the generating thread.
#pragma once

#include <cstdint>
#include <string>

#include "ddbg/model.h"
#include "sim/rng.h"

namespace ddbg::sim {

struct OrderInfo {
  static constexpr int kMaxItems = 4;
  int64_t number = 0;
  std::string id;  // "ord-100123"
  int item_count = 0;
  int sku[kMaxItems] = {};
  int quantity[kMaxItems] = {};
  int64_t price_cents[kMaxItems] = {};
  int64_t total_cents = 0;
  const char* currency = "EUR";
  std::string payment_id;
  std::string reservation_id;
  std::string shipment_id;
  const char* carrier = "dhl";
  const char* method = "card";
  const char* card_brand = "visa";
  // Why the checkout failed, as the order's and payment's events record it.
  const char* payment_failure = nullptr;  // "card_expired", "gateway_timeout", …
  const char* cancel_reason = nullptr;    // "payment_declined", "stock_unavailable", …
};

struct TradeInfo {
  int64_t number = 0;
  std::string id;  // "trd-5012"
  const char* pair = "ETH-USDC";
  const char* protocol = "aave";
  std::string shard;  // "shard-aave"
  const char* side = "buy";
  const char* risk_level = "low";
  int64_t amount_cents = 0;  // USD
  int64_t price_cents = 0;
  const char* reject_reason = nullptr;
};

struct TraceContext {
  uint64_t index = 0;
  TraceId trace_id;
  int64_t start_ns = 0;
  Rng rng;
  std::string user_id;
  std::string tenant;
  std::string correlation_id;
  std::string workflow_id;
  std::string client_ip;
  const char* user_agent = "";
  const char* process_name = nullptr;  // business.process_name of checkout and trade flows
  bool has_order = false;
  bool has_trade = false;
  OrderInfo order;
  TradeInfo trade;
  std::string order_ref;  // order id looked at by a non-checkout request (GET /api/orders/{id})
  uint32_t span_count = 0;
  bool root_failed = false;
};

}  // namespace ddbg::sim

// What a new simulated request carries before its first span: trace and correlation ids,
// the user, tenant and client, and for the checkout and trading flows the order (items,
// total, payment method) or the trade (pair, protocol shard, amount) its spans and events
// will refer to.
#include <algorithm>
#include <cmath>

#include "sim/json_out.h"
#include "sim/trace_gen.h"

namespace ddbg::sim {

void TraceGenerator::StartTrace(uint64_t index, int64_t start_ns, int entry_op) {
  static const char* const kTenants[] = {"acme",  "globex", "initech", "umbrella",
                                         "hooli", "stark",  "wayne",   "wonka"};
  static const char* const kCurrencies[] = {"EUR", "USD", "GBP", "EUR", "USD", "EUR", "USD", "CHF"};
  static const char* const kAgents[] = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Version/17.2 Safari",
      "shop-android/5.14.2 (Pixel 8; Android 14)", "okhttp/4.12.0"};
  static const char* const kPairs[] = {"ETH-USDC", "BTC-USDT", "SOL-USDC", "ARB-ETH", "WBTC-ETH"};
  static const int64_t kPairPrice[] = {235000, 4250000, 9800, 55, 101};
  static const char* const kProtocols[] = {"aave", "compound", "uniswap", "curve", "balancer"};
  static const char* const kCarriers[] = {"dhl", "ups", "fedex", "gls"};
  static const char* const kBrands[] = {"visa", "mastercard", "amex", "visa"};

  Rng& rng = ctx_.rng;
  ctx_.index = index;
  ctx_.start_ns = start_ns;
  ctx_.trace_id.hi = rng.Next();
  ctx_.trace_id.lo = rng.Next() | 1;
  ctx_.span_count = 0;
  ctx_.root_failed = false;
  double u = rng.Uniform();
  size_t tenant = static_cast<size_t>(u * u * 8);
  ctx_.tenant = kTenants[tenant];
  ctx_.user_id = "user-";
  double v = rng.Uniform();
  AppendUint(ctx_.user_id, 1 + static_cast<uint64_t>(v * v * v * 20000));
  ctx_.correlation_id.clear();
  AppendUuid(ctx_.correlation_id, rng.Next(), rng.Next());
  ctx_.client_ip = rng.Chance(0.5) ? "203.0.113." : "198.51.100.";
  AppendUint(ctx_.client_ip, 1 + rng.Below(254));
  ctx_.user_agent = kAgents[rng.Below(5)];
  ctx_.process_name = nullptr;
  ctx_.workflow_id.clear();
  ctx_.order_ref.clear();

  const Operation& op = topology_->services[0].ops[entry_op];
  ctx_.has_order = op.checkout;
  ctx_.has_trade = op.trade;
  if (op.checkout) {
    OrderInfo& o = ctx_.order;
    o.number = next_order_++;
    o.id = "ord-";
    AppendInt(o.id, o.number);
    o.item_count = 1 + static_cast<int>(rng.Below(rng.Chance(0.6) ? 1 : OrderInfo::kMaxItems));
    o.total_cents = 0;
    for (int i = 0; i < o.item_count; ++i) {
      o.sku[i] = 1000 + static_cast<int>(rng.Below(9000));
      o.quantity[i] = rng.Chance(0.75) ? 1 : 2 + static_cast<int>(rng.Below(2));
      int64_t price = std::llround(rng.LogNormal(25.0, 0.8)) * 100 + 99;
      o.price_cents[i] = std::min<int64_t>(price, 99999);
      o.total_cents += o.price_cents[i] * o.quantity[i];
    }
    o.currency = kCurrencies[tenant];
    o.payment_id = "pay-";
    AppendHex64(o.payment_id, rng.Next());
    o.payment_id.resize(12);
    o.reservation_id = "res-";
    AppendInt(o.reservation_id, o.number);
    o.shipment_id = "shp-";
    AppendInt(o.shipment_id, o.number);
    o.carrier = kCarriers[rng.Below(4)];
    double m = rng.Uniform();
    o.method = m < 0.8 ? "card" : m < 0.93 ? "paypal" : "apple_pay";
    o.card_brand = kBrands[rng.Below(4)];
    o.payment_failure = nullptr;
    o.cancel_reason = nullptr;
    ctx_.process_name = "checkout";
    ctx_.workflow_id = "checkout-";
    ctx_.workflow_id += o.id;
  } else if (op.key == "GetOrder") {
    int64_t placed = next_order_ - 100000;
    ctx_.order_ref = "ord-";
    AppendInt(ctx_.order_ref, 100000 + static_cast<int64_t>(rng.Below(placed > 0 ? placed : 1000)));
  }
  if (op.trade) {
    TradeInfo& t = ctx_.trade;
    t.number = next_trade_++;
    t.id = "trd-";
    AppendInt(t.id, t.number);
    size_t pair = rng.Below(5);
    t.pair = kPairs[pair];
    t.protocol = kProtocols[rng.Below(5)];
    t.shard = "shard-";
    t.shard += t.protocol;
    t.side = rng.Chance(0.5) ? "buy" : "sell";
    t.amount_cents = std::llround(rng.LogNormal(2500.0, 1.0) * 100);
    t.risk_level = t.amount_cents > 2000000 ? "high" : t.amount_cents > 500000 ? "medium" : "low";
    t.price_cents =
        std::llround(static_cast<double>(kPairPrice[pair]) * 100 * (1.0 + 0.01 * rng.Normal())) /
        100;
    t.reject_reason = nullptr;
    ctx_.process_name = rng.Chance(0.7) ? "arbitrage_execution" : "yield_rebalance";
    ctx_.workflow_id = "trade-workflow-";
    AppendInt(ctx_.workflow_id, t.number);
  }
}

}  // namespace ddbg::sim

// The named services of the simulated shop and trading desk, written as data.
#include "sim/blueprint.h"

#include <utility>

namespace ddbg::sim {
namespace {

// ---- services and operations ----

Service Svc(std::string name, std::string language, Protocol protocol, LogSink sink,
            bool old_semconv, std::string version, std::string error_type,
            std::string error_message) {
  Service s;
  s.name = std::move(name);
  s.language = std::move(language);
  s.protocol = protocol;
  s.sink = sink;
  s.old_semconv = old_semconv;
  s.version = std::move(version);
  s.port = protocol == Protocol::kGrpc ? 50051 : (s.language == "python" ? 8000 : 8080);
  if (protocol == Protocol::kGrpc) {
    std::string cap = s.name;
    cap[0] = static_cast<char>(cap[0] - 'a' + 'A');
    s.rpc_service = s.name + "." + cap + "Service";
  }
  s.error_type = std::move(error_type);
  s.error_message = std::move(error_message);
  return s;
}

Operation Http(std::string key, std::string method, std::string route, double self_ms,
               std::string log_action) {
  Operation op;
  op.key = std::move(key);
  op.name = method + " " + route;
  op.method = std::move(method);
  op.route = std::move(route);
  op.self_median_ms = self_ms;
  op.log_action = std::move(log_action);
  return op;
}

Operation Rpc(const Service& svc, std::string key, double self_ms, std::string log_action) {
  Operation op;
  op.name = svc.rpc_service + "/" + key;
  op.method = key;
  op.route = svc.rpc_service;
  op.key = std::move(key);
  op.self_median_ms = self_ms;
  op.log_action = std::move(log_action);
  return op;
}

Operation Consume(std::string key, const std::string& topic, double self_ms,
                  std::string log_action) {
  Operation op;
  op.key = std::move(key);
  op.name = topic + " process";
  op.method = "process";
  op.route = topic;
  op.self_median_ms = self_ms;
  op.consumer = true;
  op.log_action = std::move(log_action);
  return op;
}

// ---- steps ----

Step Call(std::string target, int timeout_ms = 1500, int attempts = 3) {
  Step s;
  s.kind = StepKind::kCall;
  s.target = std::move(target);
  s.timeout_ms = timeout_ms;
  s.max_attempts = attempts;
  return s;
}

Step Db(std::string system, std::string name, std::string statement, std::string db_op,
        std::string db_name, std::string address, int port, double median_ms, double sigma) {
  Step s;
  s.kind = StepKind::kDb;
  s.system = std::move(system);
  s.name = std::move(name);
  s.statement = std::move(statement);
  s.db_op = std::move(db_op);
  s.db_name = std::move(db_name);
  s.address = std::move(address);
  s.port = port;
  s.median_ms = median_ms;
  s.sigma = sigma;
  return s;
}

Step Pg(std::string db, std::string name, std::string statement, double median_ms = 1.8) {
  std::string op = name.substr(0, name.find(' '));
  std::string address = db + "-db";
  return Db("postgresql", std::move(name), std::move(statement), std::move(op), std::move(db),
            std::move(address), 5432, median_ms, 0.55);
}

Step Redis(std::string command, std::string statement, double median_ms = 0.3) {
  Step s =
      Db("redis", command, std::move(statement), command, "0", "redis-cache", 6379, median_ms, 0.4);
  s.error_prob = 0.0001;
  return s;
}

Step Ext(std::string peer, std::string method, std::string url, std::string address,
         double median_ms, double sigma, int timeout_ms, int attempts) {
  Step s;
  s.kind = StepKind::kExternal;
  s.system = std::move(peer);
  s.name = method;
  s.db_op = std::move(method);
  s.statement = std::move(url);
  s.address = std::move(address);
  s.port = 443;
  s.median_ms = median_ms;
  s.sigma = sigma;
  s.timeout_ms = timeout_ms;
  s.max_attempts = attempts;
  s.error_prob = 0.002;
  return s;
}

Step Pub(std::string topic) {
  Step s;
  s.kind = StepKind::kPublish;
  s.target = topic;
  s.name = topic + " publish";
  s.median_ms = 1.2;
  s.sigma = 0.4;
  s.error_prob = 0.0002;
  return s;
}

Step Local(std::string name, double median_ms, double sigma = 0.4) {
  Step s;
  s.kind = StepKind::kLocal;
  s.name = std::move(name);
  s.median_ms = median_ms;
  s.sigma = sigma;
  s.error_prob = 0;
  return s;
}

Step Opt(Step s) {
  s.optional = true;
  return s;
}
Step Par(Step s) {
  s.parallel = true;
  return s;
}
Step Prob(Step s, float p) {
  s.probability = p;
  return s;
}
Step Always(Step s) {
  s.when = StepWhen::kAlways;
  return s;
}
Step IfFailed(Step s, int requires_ok) {
  s.when = StepWhen::kIfFailed;
  s.requires_ok = requires_ok;
  return s;
}

std::vector<Service> MakeServices() {
  std::vector<Service> v;
  constexpr Protocol kHttp = Protocol::kHttp;
  constexpr Protocol kGrpc = Protocol::kGrpc;
  constexpr LogSink kOtlp = LogSink::kOtlp;
  constexpr LogSink kText = LogSink::kText;
  constexpr LogSink kJson = LogSink::kJson;

  {  // 0
    Service s = Svc("frontend", "nodejs", kHttp, kOtlp, false, "3.12.0", "TypeError",
                    "Cannot read properties of undefined (reading 'items')");
    Step session = Redis("GET", "GET session:?");
    Operation list = Http("ListProducts", "GET", "/api/products", 1.5, "served product list");
    list.weight = 24;
    list.steps = {session, Call("catalog/ListProducts", 2000), Par(Call("pricing/GetPrices"))};
    Operation page = Http("ProductPage", "GET", "/api/products/{id}", 1.5, "served product page");
    page.weight = 22;
    page.steps = {session,
                  Call("catalog/GetProduct", 2000),
                  Par(Call("pricing/GetPrice")),
                  Par(Call("inventory/GetStock")),
                  Par(Opt(Call("recommendation/Recommend", 400, 1))),
                  Par(Opt(Call("reviews/ListReviews", 400, 1)))};
    Operation cart = Http("AddToCart", "POST", "/api/cart/items", 1.2, "item added to cart");
    cart.weight = 14;
    cart.steps = {session, Call("cart/AddItem", 2000, 2)};
    Operation checkout = Http("Checkout", "POST", "/api/checkout", 2.0, "checkout completed");
    checkout.weight = 12;
    checkout.checkout = true;
    checkout.steps = {session, Call("checkout/PlaceOrder", 15000, 1)};
    Operation order = Http("GetOrder", "GET", "/api/orders/{id}", 1.0, "served order");
    order.weight = 8;
    order.steps = {session, Call("orders/GetOrder")};
    Operation login = Http("Login", "POST", "/api/login", 1.0, "user logged in");
    login.weight = 6;
    login.steps = {Call("auth/Login", 3000, 1)};
    Operation search = Http("Search", "GET", "/api/search", 1.2, "served search results");
    search.weight = 8;
    search.steps = {session, Call("search/Search", 2000, 2), Call("pricing/GetPrices")};
    Operation trade = Http("Trade", "POST", "/api/trades", 1.5, "trade submitted");
    trade.weight = 6;
    trade.trade = true;
    trade.crypto = true;
    trade.steps = {session, Call("trading/ExecuteTrade", 10000, 1)};
    s.ops = {list, page, cart, checkout, order, login, search, trade};
    v.push_back(std::move(s));
  }
  {  // 1
    Service s =
        Svc("checkout", "java", kHttp, kText, true, "2.7.3", "java.lang.NullPointerException",
            "Cannot invoke \"Cart.getItems()\" because \"cart\" is null");
    Operation place = Http("PlaceOrder", "POST", "/checkout", 4.0, "order placed");
    place.steps = {
        Call("users/GetUser"),                                 // 0
        Par(Call("cart/GetCart")),                             // 1
        Call("pricing/Quote"),                                 // 2
        Par(Opt(Call("shipping/Quote", 500, 1))),              // 3
        Call("orders/CreateOrder", 2000, 1),                   // 4
        Call("inventory/ReserveStock", 2000, 1),               // 5
        Call("payment/Charge", 6000, 1),                       // 6
        Call("inventory/CommitStock", 2000, 2),                // 7
        Call("orders/ConfirmOrder", 2000, 2),                  // 8
        IfFailed(Call("inventory/ReleaseStock", 2000, 2), 5),  // 9
        IfFailed(Call("orders/CancelOrder", 2000, 2), 4),      // 10
        Always(Pg("checkout", "INSERT checkout_sessions",
                  "INSERT INTO checkout_sessions (id, user_id, order_id, outcome) VALUES ($1, "
                  "$2, $3, $4)")),
    };
    s.ops = {place};
    v.push_back(std::move(s));
  }
  {  // 2
    Service s =
        Svc("payment", "java", kGrpc, kText, true, "1.19.2", "com.shop.payment.GatewayException",
            "payment gateway returned 502 Bad Gateway");
    Operation charge = Rpc(s, "Charge", 6.0, "payment captured");
    charge.effect = Effect::kPaymentCharge;
    charge.decline_prob = 0.008;
    charge.steps = {
        Opt(Call("fraud/Score", 800, 1)),
        Pg("payments", "INSERT payments",
           "INSERT INTO payments (id, order_id, amount_cents, currency, status) VALUES ($1, $2, "
           "$3, $4, 'pending')"),
        Ext("stripe", "POST", "https://api.stripe.com/v1/payment_intents", "api.stripe.com", 120,
            0.4, 4000, 2),
        Call("ledger/Record"),
        Opt(Call("audit/Record", 500, 1)),
        Pg("payments", "UPDATE payments",
           "UPDATE payments SET status = $1, captured_at = now() WHERE id = $2"),
    };
    s.ops = {charge};
    v.push_back(std::move(s));
  }
  {  // 3
    Service s = Svc("inventory", "go", kGrpc, kJson, false, "4.2.0", "*errors.errorString",
                    "stock ledger out of sync for sku");
    Operation get = Rpc(s, "GetStock", 0.8, "stock looked up");
    get.steps = {Redis("GET", "GET stock:?"),
                 Prob(Pg("inventory", "SELECT stock",
                         "SELECT sku, available, reserved FROM stock WHERE sku = $1"),
                      0.2f)};
    Operation reserve = Rpc(s, "ReserveStock", 1.5, "stock reserved");
    reserve.effect = Effect::kStockReserve;
    reserve.steps = {
        Pg("inventory", "SELECT stock",
           "SELECT sku, available FROM stock WHERE sku = ANY($1) FOR UPDATE", 2.5),
        Pg("inventory", "UPDATE stock",
           "UPDATE stock SET available = available - $1, reserved = reserved + $1 WHERE sku = "
           "$2"),
        Pg("inventory", "INSERT reservations",
           "INSERT INTO reservations (id, order_id, status) VALUES ($1, $2, 'reserved')"),
    };
    Operation commit = Rpc(s, "CommitStock", 1.0, "stock committed");
    commit.effect = Effect::kStockCommit;
    commit.steps = {Pg("inventory", "UPDATE reservations",
                       "UPDATE reservations SET status = 'committed' WHERE order_id = $1")};
    Operation release = Rpc(s, "ReleaseStock", 1.0, "stock released");
    release.effect = Effect::kStockRelease;
    release.steps = {
        Pg("inventory", "UPDATE stock",
           "UPDATE stock SET available = available + $1, reserved = reserved - $1 WHERE sku = "
           "$2"),
        Pg("inventory", "UPDATE reservations",
           "UPDATE reservations SET status = 'released' WHERE order_id = $1")};
    s.ops = {get, reserve, commit, release};
    v.push_back(std::move(s));
  }
  {  // 4
    Service s = Svc("orders", "go", kHttp, kOtlp, false, "5.0.4", "*pq.Error",
                    "pq: duplicate key value violates unique constraint \"orders_pkey\"");
    Operation create = Http("CreateOrder", "POST", "/orders", 2.0, "order created");
    create.effect = Effect::kOrderPlace;
    create.steps = {
        Pg("orders", "INSERT orders",
           "INSERT INTO orders (id, user_id, status, total_cents, currency) VALUES ($1, $2, "
           "'pending', $3, $4)"),
        Pg("orders", "INSERT order_items",
           "INSERT INTO order_items (order_id, sku, quantity, price_cents) SELECT * FROM "
           "unnest($1, $2, $3, $4)")};
    Operation confirm =
        Http("ConfirmOrder", "POST", "/orders/{id}/confirm", 1.5, "order confirmed");
    confirm.effect = Effect::kOrderConfirm;
    confirm.steps = {Pg("orders", "UPDATE orders",
                        "UPDATE orders SET status = 'confirmed', payment_id = $1 WHERE id = $2"),
                     Pub("order-events")};
    Operation cancel = Http("CancelOrder", "POST", "/orders/{id}/cancel", 1.5, "order cancelled");
    cancel.effect = Effect::kOrderCancel;
    cancel.steps = {Pg("orders", "UPDATE orders",
                       "UPDATE orders SET status = 'cancelled', reason = $1 WHERE id = $2")};
    Operation get = Http("GetOrder", "GET", "/orders/{id}", 0.8, "order fetched");
    get.steps = {Redis("GET", "GET order:?"),
                 Prob(Pg("orders", "SELECT orders",
                         "SELECT id, user_id, status, total_cents FROM orders WHERE id = $1"),
                      0.35f)};
    s.ops = {create, confirm, cancel, get};
    v.push_back(std::move(s));
  }
  {  // 5
    Service s = Svc("shipping", "python", kHttp, kJson, true, "1.4.1", "KeyError", "'postal_code'");
    Operation quote = Http("Quote", "POST", "/shipping/quote", 3.0, "shipping quoted");
    quote.steps = {Redis("GET", "GET rates:?"), Local("compute shipping rates", 2.0)};
    Operation schedule = Consume("ScheduleShipment", "order-events", 3.0, "shipment scheduled");
    schedule.effect = Effect::kShipmentSchedule;
    schedule.steps = {
        Pg("shipping", "INSERT shipments",
           "INSERT INTO shipments (id, order_id, carrier, status) VALUES ($1, $2, $3, "
           "'scheduled')"),
        Ext("carrier", "POST", "https://api.carrier.example/v2/labels", "api.carrier.example", 80,
            0.5, 3000, 3)};
    s.ops = {quote, schedule};
    v.push_back(std::move(s));
  }
  {  // 6
    Service s = Svc("notification", "python", kHttp, kText, true, "0.9.7", "ValueError",
                    "template 'order_confirmed' missing variable 'first_name'");
    Operation notify = Consume("NotifyOrder", "order-events", 2.0, "notification sent");
    notify.steps = {Redis("SET", "SET notify:dedupe:? 1 NX EX 86400"),
                    Opt(Call("email/Send", 3000, 2))};
    s.ops = {notify};
    v.push_back(std::move(s));
  }
  {  // 7
    Service s = Svc("users", "go", kGrpc, kOtlp, false, "2.2.0", "*status.Error",
                    "user profile decode failed: unexpected end of JSON input");
    Operation get = Rpc(s, "GetUser", 0.6, "user loaded");
    get.steps = {Redis("GET", "GET user:?"),
                 Prob(Pg("users", "SELECT users",
                         "SELECT id, email, tier, country FROM users WHERE id = $1"),
                      0.15f)};
    s.ops = {get};
    v.push_back(std::move(s));
  }
  {  // 8
    Service s = Svc("catalog", "java", kHttp, kJson, true, "3.3.1",
                    "org.hibernate.LazyInitializationException",
                    "failed to lazily initialize a collection of role: Product.variants");
    Operation list = Http("ListProducts", "GET", "/products", 2.0, "products listed");
    list.steps = {Redis("GET", "GET products:page:?"),
                  Prob(Pg("catalog", "SELECT products",
                          "SELECT id, name, price_cents FROM products ORDER BY popularity DESC "
                          "LIMIT $1 OFFSET $2",
                          4.0),
                       0.4f),
                  Prob(Call("currency/Convert", 500), 0.3f)};
    Operation get = Http("GetProduct", "GET", "/products/{id}", 1.0, "product fetched");
    get.steps = {Redis("GET", "GET product:?"),
                 Prob(Pg("catalog", "SELECT products",
                         "SELECT id, name, description, price_cents FROM products WHERE id = $1"),
                      0.25f)};
    s.ops = {list, get};
    v.push_back(std::move(s));
  }
  {  // 9
    Service s = Svc("pricing", "rust", kGrpc, kOtlp, false, "1.8.0", "pricing::Error",
                    "no price rule matched");
    Operation get = Rpc(s, "GetPrice", 0.5, "price computed");
    get.steps = {Redis("GET", "GET price:?")};
    Operation many = Rpc(s, "GetPrices", 0.8, "prices computed");
    many.steps = {Redis("MGET", "MGET price:? price:? price:?")};
    Operation quote = Rpc(s, "Quote", 2.0, "quote computed");
    quote.steps = {Pg("pricing", "SELECT promotions",
                      "SELECT id, discount_pct FROM promotions WHERE active AND $1 = ANY(skus)"),
                   Call("currency/Convert", 500)};
    s.ops = {get, many, quote};
    v.push_back(std::move(s));
  }
  {  // 10
    Service s = Svc("cart", "nodejs", kHttp, kJson, false, "2.0.5", "TypeError",
                    "Cannot read properties of null (reading 'quantity')");
    Operation add = Http("AddItem", "POST", "/cart/items", 1.0, "cart updated");
    add.steps = {Call("catalog/GetProduct"), Redis("HSET", "HSET cart:? ? ?")};
    Operation get = Http("GetCart", "GET", "/cart", 0.6, "cart loaded");
    get.steps = {Redis("HGETALL", "HGETALL cart:?")};
    s.ops = {add, get};
    v.push_back(std::move(s));
  }
  {  // 11
    Service s = Svc("recommendation", "python", kHttp, kText, true, "0.14.2", "RuntimeError",
                    "embedding index not loaded");
    Operation rec = Http("Recommend", "GET", "/recommendations", 8.0, "recommendations served");
    rec.self_sigma = 0.7;
    rec.steps = {Redis("GET", "GET reco:user:?"), Local("rank candidates", 12.0, 0.5),
                 Prob(Call("catalog/ListProducts", 300, 1), 0.3f)};
    s.ops = {rec};
    v.push_back(std::move(s));
  }
  {  // 12
    Service s = Svc("fraud", "python", kGrpc, kJson, true, "1.1.0", "TimeoutError",
                    "feature store read timed out");
    Operation score = Rpc(s, "Score", 3.0, "fraud score computed");
    score.steps = {Redis("GET", "GET features:user:?"), Local("model.predict", 6.0, 0.3)};
    s.ops = {score};
    v.push_back(std::move(s));
  }
  {  // 13
    Service s = Svc("ledger", "go", kGrpc, kOtlp, false, "3.0.2", "*ledger.ImbalanceError",
                    "debits and credits do not balance");
    Operation rec = Rpc(s, "Record", 1.0, "ledger entry recorded");
    rec.steps = {Pg("ledger", "INSERT ledger_entries",
                    "INSERT INTO ledger_entries (id, account, debit_cents, credit_cents, ref) "
                    "VALUES ($1, $2, $3, $4, $5)")};
    Operation trade = Consume("RecordTrade", "trade-events", 1.5, "trade booked");
    trade.steps = rec.steps;
    s.ops = {rec, trade};
    v.push_back(std::move(s));
  }
  {  // 14
    Service s = Svc("search", "go", kHttp, kJson, false, "1.6.3", "*elastic.Error",
                    "search_phase_execution_exception: all shards failed");
    Operation search = Http("Search", "GET", "/search", 2.0, "search executed");
    search.steps = {Db("elasticsearch", "POST products/_search",
                       "{\"query\":{\"multi_match\":{\"query\":\"?\",\"fields\":[\"name\","
                       "\"description\"]}}}",
                       "search", "products", "search-es", 9200, 12.0, 0.6)};
    s.ops = {search};
    v.push_back(std::move(s));
  }
  {  // 15
    Service s = Svc("auth", "go", kHttp, kText, false, "2.9.0", "*errors.errorString",
                    "signing key not found");
    Operation login = Http("Login", "POST", "/auth/login", 3.0, "login succeeded");
    login.steps = {Call("users/GetUser"), Local("bcrypt.verify", 45.0, 0.12),
                   Redis("SET", "SET session:? ? EX 3600"), Opt(Call("audit/Record", 500, 1))};
    s.ops = {login};
    v.push_back(std::move(s));
  }
  {  // 16
    Service s = Svc("trading", "rust", kHttp, kOtlp, false, "0.21.0", "trading::ExecutionError",
                    "slippage exceeded tolerance");
    Operation exec = Http("ExecuteTrade", "POST", "/trades", 3.0, "trade executed");
    exec.effect = Effect::kTradeExecute;
    exec.crypto = true;
    exec.steps = {Call("risk/Assess", 1000, 2),
                  Par(Call("pricing/GetPrice")),
                  Par(Opt(Prob(Call("yield/Scan", 1500, 1), 0.5f))),
                  Ext("chain-rpc", "POST", "https://rpc.mainnet.example/", "rpc.mainnet.example",
                      60, 0.5, 5000, 2),
                  Pg("trading", "INSERT trades",
                     "INSERT INTO trades (id, pair, side, amount_usd, protocol) VALUES ($1, $2, "
                     "$3, $4, $5)"),
                  Pub("trade-events")};
    s.ops = {exec};
    v.push_back(std::move(s));
  }
  {  // 17
    Service s = Svc("risk", "python", kGrpc, kJson, true, "0.8.4", "ValueError",
                    "position limit missing for account");
    Operation assess = Rpc(s, "Assess", 4.0, "risk assessed");
    assess.crypto = true;
    assess.steps = {Redis("GET", "GET risk:limits:?"), Local("var.compute", 5.0, 0.3)};
    s.ops = {assess};
    v.push_back(std::move(s));
  }
  {  // 18
    Service s = Svc("yield", "rust", kGrpc, kOtlp, false, "0.5.1", "yield::ScanError",
                    "pool snapshot is stale");
    Operation scan = Rpc(s, "Scan", 5.0, "yield opportunities scanned");
    scan.crypto = true;
    scan.steps = {Opt(Ext("defillama", "GET", "https://yields.llama.example/pools",
                          "yields.llama.example", 40, 0.5, 1000, 1)),
                  Local("compute apy", 4.0, 0.3)};
    s.ops = {scan};
    v.push_back(std::move(s));
  }
  {  // 19
    Service s = Svc("reviews", "python", kHttp, kText, true, "1.2.9",
                    "pymongo.errors.CursorNotFound", "cursor id not found on server");
    Operation list = Http("ListReviews", "GET", "/reviews", 2.0, "reviews listed");
    list.steps = {Db("mongodb", "find reviews",
                     "{\"find\":\"reviews\",\"filter\":{\"product_id\":\"?\"},\"limit\":20}",
                     "find", "reviews", "reviews-mongo", 27017, 3.0, 0.5)};
    s.ops = {list};
    v.push_back(std::move(s));
  }
  {  // 20
    Service s = Svc("currency", "go", kGrpc, kJson, false, "1.0.12", "*errors.errorString",
                    "exchange rate feed unavailable");
    Operation convert = Rpc(s, "Convert", 0.3, "currency converted");
    convert.steps = {Redis("GET", "GET fx:?:?")};
    s.ops = {convert};
    v.push_back(std::move(s));
  }
  {  // 21
    Service s = Svc("email", "python", kGrpc, kText, true, "0.6.0", "smtplib.SMTPException",
                    "421 service not available");
    Operation send = Rpc(s, "Send", 2.0, "email sent");
    send.steps = {Ext("sendgrid", "POST", "https://api.sendgrid.example/v3/mail/send",
                      "api.sendgrid.example", 90, 0.5, 3000, 2)};
    s.ops = {send};
    v.push_back(std::move(s));
  }
  {  // 22
    Service s =
        Svc("analytics", "java", kHttp, kOtlp, true, "2.4.0",
            "com.clickhouse.client.ClickHouseException", "Code: 241. Memory limit exceeded");
    Operation orders = Consume("TrackOrder", "order-events", 1.0, "order event tracked");
    orders.steps = {Db("clickhouse", "INSERT events",
                       "INSERT INTO events (ts, kind, key, payload) VALUES", "INSERT", "analytics",
                       "analytics-clickhouse", 8123, 4.0, 0.5)};
    Operation trades = Consume("TrackTrade", "trade-events", 1.0, "trade event tracked");
    trades.steps = orders.steps;
    s.ops = {orders, trades};
    v.push_back(std::move(s));
  }
  {  // 23
    Service s = Svc("audit", "go", kGrpc, kJson, false, "1.3.3", "*pq.Error",
                    "pq: could not extend file: No space left on device");
    Operation rec = Rpc(s, "Record", 0.5, "audit record written");
    rec.steps = {Pg("audit", "INSERT audit_log",
                    "INSERT INTO audit_log (ts, actor, action, ref) VALUES (now(), $1, $2, $3)",
                    1.2)};
    s.ops = {rec};
    v.push_back(std::move(s));
  }
  return v;
}

}  // namespace

const std::vector<Service>& NamedServiceBlueprints() {
  static const std::vector<Service>* services = new std::vector<Service>(MakeServices());
  return *services;
}

const std::vector<TopicBlueprint>& NamedTopicBlueprints() {
  static const std::vector<TopicBlueprint>* topics = new std::vector<TopicBlueprint>{
      {"order-events",
       {"shipping/ScheduleShipment", "notification/NotifyOrder", "analytics/TrackOrder"}},
      {"trade-events", {"ledger/RecordTrade", "analytics/TrackTrade"}},
  };
  return *topics;
}

}  // namespace ddbg::sim

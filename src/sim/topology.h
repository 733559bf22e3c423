// The simulated system: services with their operations, the call graph between them
// (calls, database queries, external calls, Kafka topics and their consumers), and the
// resources (instances × versions) that emit the telemetry. Built once per simulation from
// the service count; the graph is acyclic by construction. Immutable after BuildTopology.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ddbg::sim {

enum class Protocol : uint8_t { kHttp, kGrpc };
enum class LogSink : uint8_t { kOtlp, kText, kJson };

// Business effects: an operation that changes an aggregate writes domain events.
enum class Effect : uint8_t {
  kNone = 0,
  kOrderPlace,
  kOrderConfirm,
  kOrderCancel,
  kStockReserve,
  kStockCommit,
  kStockRelease,
  kPaymentCharge,
  kShipmentSchedule,
  kTradeExecute,
};

enum class StepKind : uint8_t {
  kCall,      // CLIENT span here, SERVER span in the callee
  kDb,        // CLIENT span with db.system (the database has no spans of its own)
  kExternal,  // CLIENT span to a third party (payment gateway, chain RPC, SMTP)
  kPublish,   // PRODUCER span; each consumer service gets a CONSUMER span later
  kLocal,     // INTERNAL span doing in-process work
};

// When a step runs, relative to failures of earlier steps of the same operation.
enum class StepWhen : uint8_t { kIfOk, kAlways, kIfFailed };

struct Step {
  StepKind kind = StepKind::kLocal;
  StepWhen when = StepWhen::kIfOk;
  bool optional = false;          // a failure is tolerated (fallback) instead of failing the caller
  bool parallel = false;          // starts together with the previous step
  float probability = 1;          // chance the step runs at all (cache misses, feature paths)
  int requires_ok = -1;           // index of an earlier step that must have succeeded
  int max_attempts = 3;           // calls and external calls: 1 + retries on transient errors
  int timeout_ms = 1500;          // calls and external calls: the client gives up after this
  Effect effect = Effect::kNone;  // kLocal stand-ins for services absent from the topology
  std::string target;             // build time: "service/OperationKey" of a call, or the topic name
  int service = -1;               // kCall: callee service index
  int op = -1;                    // kCall: callee operation index
  int topic = -1;                 // kPublish
  // kDb / kExternal / kLocal.
  std::string name;       // span name ("SELECT orders", "POST", "compute quote")
  std::string system;     // db.system ("postgresql") or peer.service of an external call
  std::string statement;  // db.statement, or url.full of an external call
  std::string db_op;      // db.operation ("SELECT"), or HTTP method of an external call
  std::string db_name;    // db.name
  std::string address;    // server.address
  int port = 0;
  double median_ms = 1;
  double sigma = 0.5;
  double error_prob = 0.0003;
};

struct Operation {
  std::string key;     // short name the blueprint refers to ("PlaceOrder")
  std::string name;    // span name: "POST /api/checkout", "payment.PaymentService/Charge"
  std::string method;  // HTTP method ("POST") or RPC method ("Charge")
  std::string route;   // http.route ("/api/checkout") or rpc.service
  double self_median_ms = 2;
  double self_sigma = 0.5;
  double error_prob = 0.001;       // native failures (bugs, dependencies we do not model)
  double transient_prob = 0.0015;  // UNAVAILABLE / 503 that a retry usually fixes
  double decline_prob = 0;         // business declines (payment)
  Effect effect = Effect::kNone;
  int weight = 0;          // entry operations: share of incoming traffic
  bool checkout = false;   // entry of the checkout flow: an order id is allocated
  bool trade = false;      // entry of the trading flow: a trade id is allocated
  bool crypto = false;     // spans carry crypto.* and function.shard attributes
  bool consumer = false;   // runs as a Kafka consumer (CONSUMER span) instead of a server
  std::string log_action;  // short verb phrase for completion logs ("order created")
  std::vector<Step> steps;
  double nominal_ms = 0;  // typical total duration (for slow-request warnings)
};

struct Service {
  std::string name;
  std::string version;   // service.version before any bad deploy
  std::string language;  // telemetry.sdk.language
  Protocol protocol = Protocol::kHttp;
  LogSink sink = LogSink::kOtlp;
  bool old_semconv = false;  // http.method/http.status_code instead of the stable names
  int port = 8080;
  std::string rpc_service;    // "payment.PaymentService" for gRPC services
  std::string error_type;     // exception type of its native failures
  std::string error_message;  // message of its native failures
  bool owns_streams = false;  // writes domain events
  std::vector<Operation> ops;
  std::vector<uint32_t> instances;      // resource indices, the running version
  std::vector<uint32_t> new_instances;  // resource indices after a bad deploy (maybe empty)
};

struct Topic {
  std::string name;
  // (service, operation) of each consumer group.
  std::vector<std::pair<int, int>> consumers;
};

// One emitting process: a service instance at a version.
struct Resource {
  int service = 0;
  std::string version;
  std::string instance_id;  // service.instance.id (the pod name)
  std::string pod;
  std::string host;
  std::string deployment;
  std::string json;  // the rendered OTLP "resource" object
};

struct Topology {
  std::vector<Service> services;
  std::vector<Topic> topics;
  std::vector<Resource> resources;
  // Entry operations of the first service with their cumulative weights.
  std::vector<int> entry_ops;
  std::vector<int> entry_cumulative;
  int FindService(const std::string& name) const;
};

// Builds the system for `service_count` services (3 … 500). The graph depends only on the
// count, so the same count gives the same system under every seed.
Topology BuildTopology(int service_count);

// Adds the instances of a new version of `service` (bad deploy) and returns nothing; the
// previous instances stay as they are.
void AddDeployedVersion(Topology* topology, int service, const std::string& version);

// The next minor version: "2.3.1" → "2.4.0".
std::string NextMinorVersion(const std::string& version);

}  // namespace ddbg::sim

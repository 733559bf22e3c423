// The query side of `ddbg serve` on the --http port: the Jaeger query API (/api/services,
// /api/services/{service}/operations, /api/operations, /api/traces, /api/traces/{id},
// /api/dependencies), ddbg's /api/traceql and /api/logql, Prometheus /metrics, /healthz
// and /readyz. Every query is timed into the metrics.
#pragma once

namespace httplib {
class Server;
}

namespace ddbg::server {

struct ServerContext;

void AddQueryRoutes(httplib::Server& http, ServerContext& ctx);
// /metrics, /healthz, /readyz (on every listener).
void AddOpsRoutes(httplib::Server& http, ServerContext& ctx);

}  // namespace ddbg::server

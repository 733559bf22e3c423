// What the HTTP and gRPC front ends of `ddbg serve` share: options, the live store, the
// ingest pipeline and the metrics. Owned by the Server; outlives every request.
#pragma once

#include <atomic>

#include "ddbg/server.h"
#include "server/ingest_pipeline.h"
#include "server/live_store.h"
#include "server/metrics.h"
#include "server/operations_index.h"

namespace ddbg::server {

struct ServerContext {
  ServerOptions options;
  LiveStore* store = nullptr;
  IngestPipeline* pipeline = nullptr;
  Metrics* metrics = nullptr;
  OperationsIndex* operations = nullptr;
  std::atomic<bool> ready{false};
};

}  // namespace ddbg::server

// One OTLP export request body (traces or logs; protobuf or JSON), decoded into the
// telemetry model with the decoders shared with `ddbg ingest`. The HTTP and gRPC receivers
// and WAL replay all go through here, so a replayed record decodes exactly as it did when
// it was acknowledged. Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ddbg/model.h"
#include "ddbg/status.h"
#include "server/wal.h"

namespace ddbg::server {

struct DecodedRequest {
  SpanBatch spans;
  LogBatch logs;
  uint64_t rejected = 0;      // records rejected (bad ids, …): OTLP partial_success
  std::string first_reason;   // the first rejection, with its place in the request
  uint64_t accepted() const { return spans.size() + logs.size(); }
};

bool IsTraces(WalRecordType type);

// Decodes `body`. InvalidArgument when the body is not a request of that type at all
// (undecodable protobuf, not JSON, not an OTLP request): nothing of it is kept.
Result<DecodedRequest> DecodeOtlpRequest(WalRecordType type, std::string_view body);

}  // namespace ddbg::server

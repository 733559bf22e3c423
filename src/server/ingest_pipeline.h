// The path of an accepted OTLP request: admission against the queue limit, decoding, the
// write-ahead log (acknowledged only once durable), the live head, metrics; and a
// background sealer that moves the head into store segments and releases WAL files. On
// start, Replay() puts the WAL records the store does not hold yet back into the head.
// Thread-safety: Ingest from any number of threads; Start/Stop from one.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "ddbg/status.h"
#include "server/live_store.h"
#include "server/metrics.h"
#include "server/wal.h"

namespace ddbg::server {

struct IngestLimits {
  uint64_t max_queue_bytes = 256ull << 20;  // request bytes admitted, not yet acknowledged
  uint64_t max_head_bytes = 1ull << 30;     // acknowledged, not yet sealed
  uint64_t seal_rows = 200000;              // seal early when the head holds this many rows
  int seal_interval_ms = 200;
};

enum class IngestCode { kOk, kQueueFull, kBadRequest, kInternal };

struct IngestResult {
  IngestCode code = IngestCode::kOk;
  std::string message;        // for kBadRequest / kInternal
  uint64_t accepted = 0;
  uint64_t rejected = 0;      // records rejected inside an accepted request
  std::string first_reason;   // of the first rejected record
};

class IngestPipeline {
 public:
  IngestPipeline(LiveStore& store, Wal& wal, Metrics& metrics, IngestLimits limits)
      : store_(store), wal_(wal), metrics_(metrics), limits_(limits) {}
  ~IngestPipeline() { Stop(); }

  // Replays the WAL after the store's mark into the head; returns the records replayed.
  Result<uint64_t> Replay();
  void StartSealer();
  // Stops the sealer after a last seal of everything acknowledged.
  Status Stop();

  // `body` is the decompressed request body.
  IngestResult Ingest(WalRecordType type, std::string_view body);
  MetricGauges Gauges() const;

 private:
  void SealerLoop();
  Status SealOnce();

  LiveStore& store_;
  Wal& wal_;
  Metrics& metrics_;
  const IngestLimits limits_;
  std::atomic<uint64_t> queue_bytes_{0};
  std::atomic<uint64_t> queue_requests_{0};
  std::mutex sealer_mu_;
  std::condition_variable sealer_cv_;
  bool stopping_ = false;
  std::thread sealer_;
};

}  // namespace ddbg::server

#include "server/ingest_pipeline.h"

#include <fmt/format.h>

#include <chrono>

#include "server/otlp_request.h"

namespace ddbg::server {
namespace {

// Releases the admitted bytes of a request when it leaves the pipeline.
class Admission {
 public:
  Admission(std::atomic<uint64_t>& bytes, std::atomic<uint64_t>& requests, uint64_t n)
      : bytes_(bytes), requests_(requests), n_(n) {
    bytes_ += n_;
    ++requests_;
  }
  ~Admission() {
    bytes_ -= n_;
    --requests_;
  }

 private:
  std::atomic<uint64_t>& bytes_;
  std::atomic<uint64_t>& requests_;
  uint64_t n_;
};

const char* SignalName(WalRecordType type) { return IsTraces(type) ? "spans" : "logs"; }

}  // namespace

Result<uint64_t> IngestPipeline::Replay() {
  uint64_t replayed = 0;
  Status st = wal_.Replay(store_.sealed_lsn(), [&](uint64_t lsn, WalRecordType type,
                                                   std::string_view body) {
    Result<DecodedRequest> d = DecodeOtlpRequest(type, body);
    // A record was written only after it decoded, so this cannot fail unless the decoder
    // changed; keep the LSN sequence contiguous either way.
    auto spans = std::make_shared<SpanBatch>();
    auto logs = std::make_shared<LogBatch>();
    if (d.ok()) {
      *spans = std::move(d->spans);
      *logs = std::move(d->logs);
    }
    replayed += spans->size() + logs->size();
    store_.AddToHead(lsn, std::move(spans), std::move(logs));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return replayed;
}

IngestResult IngestPipeline::Ingest(WalRecordType type, std::string_view body) {
  IngestResult r;
  HeadStats head = store_.Head();
  if (queue_bytes_.load() + body.size() > limits_.max_queue_bytes ||
      head.bytes > limits_.max_head_bytes) {
    metrics_.RecordRejectedRequest("queue_full");
    r.code = IngestCode::kQueueFull;
    r.message = "ingest queue is full, retry later";
    return r;
  }
  Admission admitted(queue_bytes_, queue_requests_, body.size());
  Result<DecodedRequest> decoded = DecodeOtlpRequest(type, body);
  if (!decoded.ok()) {
    metrics_.RecordRejectedRequest("undecodable");
    r.code = IngestCode::kBadRequest;
    r.message = decoded.status().message();
    return r;
  }
  r.accepted = decoded->accepted();
  r.rejected = decoded->rejected;
  r.first_reason = decoded->first_reason;
  metrics_.RecordRejectedRecords(SignalName(type), "invalid_record", r.rejected);
  Result<uint64_t> lsn = wal_.Append(type, body);
  if (!lsn.ok()) {
    metrics_.RecordRejectedRequest("wal_error");
    r.code = IngestCode::kInternal;
    r.message = "write-ahead log: " + lsn.status().ToString();
    return r;
  }
  auto spans = std::make_shared<SpanBatch>(std::move(decoded->spans));
  auto logs = std::make_shared<LogBatch>(std::move(decoded->logs));
  if (!spans->empty()) metrics_.RecordSpans(*spans);
  if (!logs->empty()) metrics_.RecordLogs(logs->size());
  uint64_t head_rows = head.spans + head.logs + spans->size() + logs->size();
  store_.AddToHead(*lsn, std::move(spans), std::move(logs));
  if (head_rows >= limits_.seal_rows) sealer_cv_.notify_one();
  return r;
}

Status IngestPipeline::SealOnce() {
  Result<uint64_t> sealed = store_.Seal();
  if (!sealed.ok()) return sealed.status();
  wal_.ReleaseUpTo(*sealed);
  return Status::Ok();
}

void IngestPipeline::StartSealer() {
  sealer_ = std::thread([this] { SealerLoop(); });
}

void IngestPipeline::SealerLoop() {
  std::unique_lock<std::mutex> l(sealer_mu_);
  while (!stopping_) {
    sealer_cv_.wait_for(l, std::chrono::milliseconds(limits_.seal_interval_ms));
    if (stopping_) break;
    l.unlock();
    Status st = SealOnce();
    if (!st.ok()) fmt::print(stderr, "ddbg serve: sealing failed (will retry): {}\n", st.ToString());
    l.lock();
  }
}

Status IngestPipeline::Stop() {
  {
    std::lock_guard<std::mutex> l(sealer_mu_);
    if (stopping_) return Status::Ok();
    stopping_ = true;
  }
  sealer_cv_.notify_all();
  if (sealer_.joinable()) sealer_.join();
  return SealOnce();
}

MetricGauges IngestPipeline::Gauges() const {
  MetricGauges g;
  WalStats w = wal_.Stats();
  g.wal_bytes = w.bytes;
  g.wal_files = w.files;
  g.wal_syncs = w.syncs;
  g.queue_requests = queue_requests_.load();
  g.queue_bytes = queue_bytes_.load();
  HeadStats h = store_.Head();
  g.head_spans = h.spans;
  g.head_logs = h.logs;
  g.sealed_lsn = h.sealed_lsn;
  return g;
}

}  // namespace ddbg::server

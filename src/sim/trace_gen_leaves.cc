// The leaf spans of a simulated request: database queries, calls to third parties, Kafka
// publishes and in-process work. They run inside a service's operation and take part in its
// latency faults (the service's own work is slower).
#include <algorithm>

#include "sim/json_out.h"
#include "sim/trace_gen.h"

namespace ddbg::sim {
namespace {

uint64_t KeyHash(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

}  // namespace

TraceGenerator::Outcome TraceGenerator::RunClientWork(int si, uint32_t res, double factor,
                                                      const Step& step, SpanId parent,
                                                      int64_t start, int depth) {
  Rng& rng = ctx_.rng;
  const Service& svc = topology_->services[si];
  Outcome out;
  SpanRecord rec;
  rec.resource = res;
  rec.trace_id = ctx_.trace_id;
  rec.parent_span_id = parent;
  rec.name = step.name;
  std::string& status = Scratch(depth, kSlotWork);
  switch (step.kind) {
    case StepKind::kDb: {
      rec.span_id = NewSpanId();
      rec.kind = SpanKind::kClient;
      rec.start_ns = start;
      int64_t duration = MsToNs(rng.LogNormal(step.median_ms, step.sigma) * factor);
      rec.end_ns = start + duration;
      rec.Str("db.system", step.system);
      rec.Str("db.name", step.db_name);
      rec.Str("db.statement", step.statement);
      rec.Str("db.operation", step.db_op);
      rec.Str("server.address", step.address);
      rec.Int("server.port", step.port);
      out.end_ns = rec.end_ns;
      if (rng.Chance(step.error_prob)) {
        out.failed = true;
        out.cls = ErrClass::kDatabase;
        out.origin = DatabaseMessage(step.system, rng);
        rec.status = SpanStatus::kError;
        status = out.origin;
        rec.status_message = status;
        rec.Str("error.type", DatabaseExceptionType(svc.language));
      }
      Emit(rec);
      if (step.probability < 1.0f && rng.Chance(0.3)) {
        std::string& msg = logs_->scratch();
        msg += "cache miss for ";
        msg += step.db_name;
        msg.push_back(':');
        AppendUint(msg, rng.Below(100000));
        msg += ", loaded from ";
        msg += step.address;
        msg += " in ";
        AppendMillis(msg, duration);
        logs_->Add(rec.end_ns, res, kDebug, ctx_.trace_id, rec.span_id, logs_->scratch_view(),
                   OrderIdForSpans());
      }
      if (static_cast<double>(duration) > std::max(10.0 * step.median_ms, 50.0) * 1e6) {
        std::string& msg = logs_->scratch();
        msg += "slow query on ";
        msg += step.address;
        msg += " took ";
        AppendMillis(msg, duration);
        msg += ": ";
        msg += step.name;
        logs_->Add(rec.end_ns, res, kWarn, ctx_.trace_id, parent, logs_->scratch_view(),
                   OrderIdForSpans());
      }
      return out;
    }
    case StepKind::kExternal: {
      rec.kind = SpanKind::kClient;
      int64_t t = start;
      int64_t timeout = static_cast<int64_t>(step.timeout_ms) * 1000000;
      for (int a = 0; a < step.max_attempts; ++a) {
        SpanRecord attempt = rec;
        attempt.span_id = NewSpanId();
        attempt.start_ns = t;
        int64_t duration = MsToNs(rng.LogNormal(step.median_ms, step.sigma) * factor);
        bool failed = rng.Chance(step.error_prob);
        bool timed_out = duration > timeout;
        if (timed_out) duration = timeout;
        attempt.end_ns = t + duration;
        attempt.Str("http.request.method", step.db_op);
        attempt.Str("url.full", step.statement);
        attempt.Str("server.address", step.address);
        attempt.Int("server.port", step.port);
        attempt.Str("peer.service", step.system);
        if (!timed_out) attempt.Int("http.response.status_code", failed ? 503 : 200);
        if (a > 0) attempt.Int("http.request.resend_count", a);
        out = Outcome();
        out.end_ns = attempt.end_ns;
        if (failed || timed_out) {
          out.failed = true;
          out.cls = timed_out ? ErrClass::kTimeout : ErrClass::kUnavailable;
          out.origin = step.address;
          out.origin += timed_out ? ": no response within " : ": 503 Service Unavailable";
          if (timed_out) {
            AppendInt(out.origin, step.timeout_ms);
            out.origin += "ms";
          }
          attempt.status = SpanStatus::kError;
          status = out.origin;
          attempt.status_message = status;
          attempt.Str("error.type", timed_out ? "timeout" : "503");
        }
        Emit(attempt);
        if (!out.failed || a + 1 >= step.max_attempts) break;
        t = out.end_ns + MsToNs(50.0 * (1 << a) * (0.5 + rng.Uniform()));
      }
      return out;
    }
    case StepKind::kPublish: {
      rec.span_id = NewSpanId();
      rec.kind = SpanKind::kProducer;
      rec.start_ns = start;
      rec.end_ns = start + MsToNs(rng.LogNormal(step.median_ms, step.sigma) * factor);
      const Topic& topic = topology_->topics[step.topic];
      const std::string& key = ctx_.has_trade ? ctx_.trade.id : OrderIdForSpans();
      int partition = static_cast<int>(KeyHash(key) % 12);
      int64_t offset = topic_offsets_[step.topic]++;
      rec.Str("messaging.system", "kafka");
      rec.Str("messaging.destination.name", topic.name);
      rec.Str("messaging.operation", "publish");
      if (!key.empty()) rec.Str("messaging.kafka.message.key", key);
      rec.Int("messaging.kafka.destination.partition", partition);
      rec.Int("messaging.kafka.message.offset", offset);
      out.end_ns = rec.end_ns;
      if (rng.Chance(step.error_prob)) {
        out.failed = true;
        out.cls = ErrClass::kUnavailable;
        out.origin = "kafka: Broker: Not enough in-sync replicas";
        rec.status = SpanStatus::kError;
        status = out.origin;
        rec.status_message = status;
      } else if (!topic.consumers.empty()) {
        deliveries_.push_back({step.topic, rec.span_id, rec.end_ns, depth, partition, offset});
      }
      Emit(rec);
      return out;
    }
    case StepKind::kLocal:
    case StepKind::kCall: {
      rec.span_id = NewSpanId();
      rec.kind = SpanKind::kInternal;
      rec.start_ns = start;
      rec.end_ns = start + MsToNs(rng.LogNormal(step.median_ms, step.sigma) * factor);
      out.end_ns = rec.end_ns;
      if (rng.Chance(step.error_prob)) {
        ErrorText e = BackgroundError(svc.language, rng);
        out.failed = true;
        out.cls = ErrClass::kInternal;
        out.origin = e.message;
        rec.status = SpanStatus::kError;
        status = out.origin;
        rec.status_message = status;
        rec.Str("error.type", e.type);
        rec.exception_type = e.type;
        rec.exception_message = status;
      }
      Emit(rec);
      if (step.effect != Effect::kNone) {
        events_->OnEffect(step.effect, si, rec.span_id, rec.start_ns, rec.end_ns, !out.failed,
                          false, ctx_);
      }
      return out;
    }
  }
  return out;
}

}  // namespace ddbg::sim

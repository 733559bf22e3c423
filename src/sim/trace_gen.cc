#include "sim/trace_gen.h"

#include <algorithm>
#include <cmath>

#include "sim/json_out.h"

namespace ddbg::sim {
namespace {

bool IsTimeout(ErrClass cls) {
  return cls == ErrClass::kTimeout || cls == ErrClass::kDownstreamTimeout;
}

}  // namespace

TraceGenerator::TraceGenerator(const Topology* topology, FaultPlan* faults, OtlpSpanWriter* spans,
                               LogWriter* logs, EventGenerator* events, uint64_t seed)
    : topology_(topology),
      faults_(faults),
      span_out_(spans),
      logs_(logs),
      events_(events),
      seed_(seed) {
  scratch_.resize(static_cast<size_t>(kMaxDepth + 2) * kSlots);
  ok_by_depth_.resize(kMaxDepth + 2);
  topic_offsets_.assign(topology->topics.size(), 0);
}

std::string& TraceGenerator::Scratch(int depth, int slot) {
  std::string& s = scratch_[static_cast<size_t>(std::min(depth, kMaxDepth + 1)) * kSlots + slot];
  s.clear();
  return s;
}

SpanId TraceGenerator::NewSpanId() {
  SpanId id = ctx_.rng.Next();
  return id != 0 ? id : 1;
}

uint32_t TraceGenerator::PickInstance(int service, int64_t t) {
  const Service& s = topology_->services[service];
  const std::vector<uint32_t>& pool =
      !faults_->empty() && faults_->UseNewVersion(service, t) ? s.new_instances : s.instances;
  return pool[ctx_.rng.Below(pool.size())];
}

const std::string& TraceGenerator::OrderIdForSpans() const {
  return ctx_.has_order ? ctx_.order.id : ctx_.order_ref;
}

void TraceGenerator::Emit(SpanRecord& rec) {
  span_out_->Add(rec);
  ++spans_;
  ++ctx_.span_count;
}

void TraceGenerator::EmitLog(int64_t t, uint32_t resource, Severity severity, SpanId span) {
  logs_->Add(t, resource, severity, ctx_.trace_id, span, logs_->scratch_view(), OrderIdForSpans());
}

void TraceGenerator::Generate(uint64_t index, int64_t start_ns) {
  ctx_.rng.Seed(MixSeed(seed_, index));
  Rng& rng = ctx_.rng;
  const std::vector<int>& cumulative = topology_->entry_cumulative;
  int r = static_cast<int>(rng.Below(static_cast<uint64_t>(cumulative.back())));
  size_t pick = 0;
  while (cumulative[pick] <= r) ++pick;
  int entry = topology_->entry_ops[pick];
  StartTrace(index, start_ns, entry);

  Outcome root = RunServer(0, entry, 0, start_ns, nullptr, 0);
  ctx_.root_failed = root.failed;
  if (root.failed) ++error_traces_;
  for (size_t i = 0; i < deliveries_.size(); ++i) {
    Delivery d = deliveries_[i];
    const Topic& topic = topology_->topics[d.topic];
    for (const auto& [service, op] : topic.consumers) {
      if (ctx_.span_count >= kMaxSpansPerTrace) break;
      int64_t lag = MsToNs(rng.LogNormal(12.0, 0.6));
      RunServer(service, op, d.producer, d.published_ns + lag, &d, d.depth + 1);
    }
  }
  deliveries_.clear();
  if (rng.Chance(0.08)) {
    int service = static_cast<int>(rng.Below(topology_->services.size()));
    const Service& s = topology_->services[service];
    uint32_t resource = s.instances[rng.Below(s.instances.size())];
    std::string& msg = logs_->scratch();
    int severity = AppendBackgroundLog(msg, s, rng);
    logs_->Add(start_ns, resource, static_cast<Severity>(severity), TraceId{}, 0, msg, {});
  }
  events_->FinishTrace(ctx_);
}

TraceGenerator::Outcome TraceGenerator::RunServer(int si, int oi, SpanId parent, int64_t start,
                                                  const Delivery* delivery, int depth) {
  const Service& svc = topology_->services[si];
  const Operation& op = svc.ops[oi];
  Rng& rng = ctx_.rng;
  SpanId id = NewSpanId();
  uint32_t res = PickInstance(si, start);
  double factor = 1.0;
  Injected injected = Injected::kNone;
  if (!faults_->empty()) {
    factor = faults_->LatencyFactor(si, res, start, ctx_.index);
    injected = faults_->DrawFailure(si, res, start, ctx_.index, rng);
  }
  ErrClass native = ErrClass::kNone;
  double u = rng.Uniform();
  switch (injected) {
    case Injected::kError:
    case Injected::kDeployError:
      native = ErrClass::kInternal;
      break;
    case Injected::kHang:
      native = ErrClass::kPoolExhausted;
      break;
    case Injected::kUnavailable:
      native = ErrClass::kUnavailable;
      break;
    case Injected::kNone:
      if (u < op.error_prob) {
        native = ErrClass::kInternal;
      } else if (u < op.error_prob + op.transient_prob) {
        native = ErrClass::kUnavailable;
      } else if (ctx_.has_order && u < op.error_prob + op.transient_prob + op.decline_prob) {
        native = ErrClass::kDeclined;
      }
      break;
  }

  const size_t n = op.steps.size();
  int64_t self = MsToNs(rng.LogNormal(op.self_median_ms, op.self_sigma) * factor);
  int64_t pre = n > 0 ? self * 45 / 100 : self / 2;
  int64_t gap = n > 0 ? self / 10 / static_cast<int64_t>(n) : 0;
  int64_t post = self - pre - gap * static_cast<int64_t>(n);
  size_t fail_at = SIZE_MAX;
  if (native == ErrClass::kDeclined) {
    fail_at = n;
    for (size_t i = 0; i < n; ++i) {
      if (op.steps[i].kind == StepKind::kExternal) {
        fail_at = i + 1;
        break;
      }
    }
  } else if (native == ErrClass::kPoolExhausted) {
    fail_at = 0;
  } else if (native != ErrClass::kNone) {
    fail_at = rng.Below(n + 1);
  }

  Outcome out;
  bool originating = false;
  int64_t hang_ns = 0;
  const Step* failed_step = nullptr;
  std::vector<uint8_t>& ok = ok_by_depth_[std::min(depth, kMaxDepth + 1)];
  ok.assign(n, 0);
  int64_t cursor = start + pre;
  int64_t group_start = cursor;
  int64_t group_end = cursor;
  for (size_t i = 0; i <= n; ++i) {
    if (i == fail_at && !out.failed) {
      out.failed = true;
      out.cls = native;
      originating = true;
      if (native == ErrClass::kPoolExhausted) {
        out.cascading = true;
        hang_ns = MsToNs(rng.LogNormal(10000.0, 0.2));
        group_end += hang_ns;
        cursor = group_end;
      }
    }
    if (i == n) break;
    const Step& s = op.steps[i];
    if (!s.parallel) {
      cursor = group_end + (i > 0 ? gap : 0);
      group_start = cursor;
      group_end = cursor;
    }
    if (s.when == StepWhen::kIfOk && out.failed) continue;
    if (s.when == StepWhen::kIfFailed && !out.failed) continue;
    if (s.requires_ok >= 0 && ok[s.requires_ok] == 0) continue;
    if (s.probability < 1.0f && !rng.Chance(s.probability)) continue;
    if (ctx_.span_count >= kMaxSpansPerTrace || depth >= kMaxDepth) continue;
    int64_t t0 = s.parallel ? group_start + MsToNs(0.02 + 0.05 * rng.Uniform()) : cursor;
    Outcome r = RunStep(si, res, factor, s, id, t0, depth);
    group_end = std::max(group_end, r.end_ns);
    ok[i] = r.failed ? 0 : 1;
    if (!r.failed) continue;
    if (s.optional && !r.cascading) {
      std::string& msg = logs_->scratch();
      msg += "fallback: ";
      msg += s.kind == StepKind::kCall ? topology_->services[s.service].name : s.system;
      msg += " unavailable, continuing without it: ";
      msg += r.origin;
      EmitLog(r.end_ns, res, kWarn, id);
      continue;
    }
    if (!out.failed) {
      out.failed = true;
      out.cascading = r.cascading;
      out.cls = IsTimeout(r.cls)          ? ErrClass::kDownstreamTimeout
                : s.kind == StepKind::kDb ? ErrClass::kDatabase
                                          : ErrClass::kDownstream;
      out.origin = std::move(r.origin);
      failed_step = &s;
    }
  }
  int64_t end = group_end + std::max<int64_t>(post, 1000);

  // Status, exception and the error log.
  std::string& status = Scratch(depth, kSlotStatus);
  std::string& stack = Scratch(depth, kSlotStack);
  const char* exc_type = nullptr;
  if (out.failed && originating) {
    switch (native) {
      case ErrClass::kInternal:
        if (injected == Injected::kError || injected == Injected::kDeployError) {
          exc_type = svc.error_type.c_str();
          status = svc.error_message;
          if (injected == Injected::kDeployError) {
            status += " (release ";
            status += topology_->resources[res].version;
            status += ")";
          }
        } else {
          ErrorText e = BackgroundError(svc.language, rng);
          exc_type = e.type;
          status = e.message;
        }
        break;
      case ErrClass::kUnavailable:
        exc_type = UnavailableExceptionType(svc.language);
        if (injected == Injected::kUnavailable) {
          status = svc.name;
          status += " overloaded: concurrency limit of 64 in-flight requests reached, rejecting";
        } else {
          status = TransientMessage(rng);
        }
        break;
      case ErrClass::kDeclined: {
        exc_type = DeclineExceptionType(svc.language);
        const char* reason = DeclineReason(rng);
        status = "payment declined: ";
        status += reason;
        if (op.effect == Effect::kPaymentCharge) ctx_.order.payment_failure = reason;
        break;
      }
      case ErrClass::kPoolExhausted:
        exc_type = PoolExceptionType(svc.language);
        status = "connection pool exhausted: timed out after ";
        AppendInt(status, hang_ns / 1000000);
        status += "ms waiting for a connection (active=20, idle=0, waiting=";
        AppendUint(status, 20 + rng.Below(200));
        status += ")";
        break;
      default:
        break;
    }
    out.origin = status;
    AppendStackTrace(stack, svc, op, exc_type, status, rng);
  } else if (out.failed) {
    const std::string& callee = failed_step->kind == StepKind::kCall
                                    ? topology_->services[failed_step->service].name
                                    : failed_step->system;
    if (out.cls == ErrClass::kDatabase) {
      exc_type = DatabaseExceptionType(svc.language);
      status = callee;
      status += " query failed: ";
      status += out.origin;
      AppendStackTrace(stack, svc, op, exc_type, status, rng);
    } else {
      Protocol protocol = failed_step->kind == StepKind::kCall
                              ? topology_->services[failed_step->service].protocol
                              : Protocol::kHttp;
      exc_type =
          DownstreamExceptionType(svc.language, protocol, out.cls == ErrClass::kDownstreamTimeout);
      status = "downstream ";
      status += callee;
      status += out.cls == ErrClass::kDownstreamTimeout ? " timed out: " : " failed: ";
      status += out.origin;
    }
  }
  if (op.effect == Effect::kPaymentCharge && out.failed && ctx_.has_order) {
    OrderInfo& o = ctx_.order;
    if (native == ErrClass::kDeclined && originating) {
      o.cancel_reason = "payment_declined";
    } else {
      o.payment_failure = IsTimeout(out.cls) || native == ErrClass::kPoolExhausted
                              ? "gateway_timeout"
                              : "gateway_error";
      o.cancel_reason = "payment_failed";
    }
  }
  if (op.effect == Effect::kTradeExecute && out.failed && ctx_.has_trade) {
    ctx_.trade.reject_reason = failed_step != nullptr && failed_step->kind == StepKind::kCall &&
                                       topology_->services[failed_step->service].name == "risk"
                                   ? "risk_limit_exceeded"
                                   : "execution_failed";
  }
  if (op.effect != Effect::kNone) {
    events_->OnEffect(op.effect, si, id, start, end, !out.failed,
                      originating && native == ErrClass::kDeclined, ctx_);
  }

  SpanRecord rec;
  rec.resource = res;
  rec.trace_id = ctx_.trace_id;
  rec.span_id = id;
  rec.parent_span_id = parent;
  rec.name = op.name;
  rec.kind = delivery != nullptr ? SpanKind::kConsumer : SpanKind::kServer;
  rec.start_ns = start;
  rec.end_ns = end;
  int code = svc.protocol == Protocol::kGrpc ? GrpcStatus(out.failed ? out.cls : ErrClass::kNone)
                                             : HttpStatus(out.failed ? out.cls : ErrClass::kNone);
  AddServerAttrs(rec, svc, op, delivery, code, depth);
  if (out.failed) {
    rec.status = SpanStatus::kError;
    rec.status_message = status;
    rec.Str("error.type", exc_type);
    rec.exception_type = exc_type;
    rec.exception_message = status;
    rec.exception_stack = stack;
  }
  if (delivery != nullptr) {
    rec.link_trace = ctx_.trace_id;
    rec.link_span = delivery->producer;
  }
  Emit(rec);

  // Logs of the request.
  int64_t duration = end - start;
  if (out.failed) {
    std::string& msg = logs_->scratch();
    if (originating && native == ErrClass::kDeclined && ctx_.has_order) {
      msg += status;
      msg += " order=";
      msg += ctx_.order.id;
      msg += " amount=";
      AppendDecimal(msg, ctx_.order.total_cents, 2);
      msg.push_back(' ');
      msg += ctx_.order.currency;
    } else if (originating && native == ErrClass::kPoolExhausted) {
      msg += status;
    } else {
      msg += op.name;
      msg += " failed: ";
      msg += exc_type;
      msg += ": ";
      msg += status;
    }
    EmitLog(end, res, kError, id);
  } else if (static_cast<double>(duration) >
             std::max(3.0 * op.nominal_ms, op.nominal_ms + 100.0) * 1e6) {
    std::string& msg = logs_->scratch();
    msg += "slow request: ";
    msg += op.name;
    msg += " took ";
    AppendMillis(msg, duration);
    msg += " (typical ";
    AppendMillis(msg, MsToNs(op.nominal_ms));
    msg += ")";
    EmitLog(end, res, kWarn, id);
  }
  if (!out.failed &&
      (depth == 0 || op.effect != Effect::kNone || delivery != nullptr || rng.Chance(0.3))) {
    std::string& msg = logs_->scratch();
    AppendCompletionLog(msg, svc, op, delivery, code, duration);
    EmitLog(end, res, kInfo, id);
  }
  out.end_ns = end;
  return out;
}

TraceGenerator::Outcome TraceGenerator::RunStep(int si, uint32_t res, double factor,
                                                const Step& step, SpanId parent, int64_t start,
                                                int depth) {
  if (step.kind == StepKind::kCall) return RunCall(si, res, step, parent, start, depth);
  return RunClientWork(si, res, factor, step, parent, start, depth);
}

TraceGenerator::Outcome TraceGenerator::RunCall(int si, uint32_t res, const Step& step,
                                                SpanId parent, int64_t start, int depth) {
  const Service& caller = topology_->services[si];
  const Service& callee = topology_->services[step.service];
  const Operation& cop = callee.ops[step.op];
  Rng& rng = ctx_.rng;
  bool storm = !faults_->empty() && faults_->RetryStorm(step.service, start);
  int attempts =
      storm ? faults_->Attempts(step.service, start, step.max_attempts) : step.max_attempts;
  int64_t timeout = static_cast<int64_t>(step.timeout_ms) * 1000000;
  int64_t t = start;
  Outcome last;
  for (int a = 0; a < attempts; ++a) {
    SpanId cid = NewSpanId();
    int64_t net_out = MsToNs(rng.LogNormal(0.35, 0.4));
    int64_t net_back = MsToNs(rng.LogNormal(0.35, 0.4));
    Outcome srv = RunServer(step.service, step.op, cid, t + net_out, nullptr, depth + 1);
    Outcome r;
    int64_t natural = srv.end_ns + net_back;
    if (natural - t > timeout) {
      r.end_ns = t + timeout;
      r.failed = true;
      r.cls = ErrClass::kTimeout;
      r.cascading = srv.cascading;
      r.origin = "no response from ";
      r.origin += callee.name;
      r.origin += " within ";
      AppendInt(r.origin, step.timeout_ms);
      r.origin += "ms";
    } else {
      r = std::move(srv);
      r.end_ns = natural;
    }

    SpanRecord rec;
    rec.resource = res;
    rec.trace_id = ctx_.trace_id;
    rec.span_id = cid;
    rec.parent_span_id = parent;
    rec.name = cop.name;
    rec.kind = SpanKind::kClient;
    rec.start_ns = t;
    rec.end_ns = r.end_ns;
    std::string& url = Scratch(depth, kSlotClientUrl);
    std::string& status = Scratch(depth, kSlotClientStatus);
    bool timed_out = r.cls == ErrClass::kTimeout && r.failed;
    if (callee.protocol == Protocol::kGrpc) {
      int code = GrpcStatus(r.failed ? r.cls : ErrClass::kNone);
      rec.Str("rpc.system", "grpc");
      rec.Str("rpc.service", cop.route);
      rec.Str("rpc.method", cop.method);
      rec.Str("server.address", callee.name);
      rec.Int("server.port", callee.port);
      rec.Int("rpc.grpc.status_code", code);
      if (r.failed) {
        status = GrpcStatusName(code);
        status += ": ";
        status += r.origin;
      }
    } else {
      int code = HttpStatus(r.failed ? r.cls : ErrClass::kNone);
      url = "http://";
      url += callee.name;
      url.push_back(':');
      AppendInt(url, callee.port);
      const std::string& order = OrderIdForSpans();
      AppendRoutePath(url, cop.route, order.empty() ? std::string_view("SKU-1042") : order);
      if (caller.old_semconv) {
        rec.Str("http.method", cop.method);
        rec.Str("http.url", url);
        rec.Str("net.peer.name", callee.name);
        if (!timed_out) rec.Int("http.status_code", code);
      } else {
        rec.Str("http.request.method", cop.method);
        rec.Str("url.full", url);
        rec.Str("server.address", callee.name);
        rec.Int("server.port", callee.port);
        if (!timed_out) rec.Int("http.response.status_code", code);
      }
      if (a > 0) rec.Int("http.request.resend_count", a);
      if (r.failed) {
        status = timed_out ? "timeout" : "HTTP ";
        if (!timed_out) AppendInt(status, code);
        status += ": ";
        status += r.origin;
      }
    }
    rec.Str("peer.service", callee.name);
    if (r.failed) {
      rec.status = SpanStatus::kError;
      rec.status_message = status;
      if (timed_out) rec.Str("error.type", "timeout");
    }
    Emit(rec);
    last = std::move(r);
    if (!last.failed || !Retryable(last.cls) || a + 1 >= attempts) break;
    int64_t backoff =
        storm ? MsToNs(1.0 + 4.0 * rng.Uniform()) : MsToNs(25.0 * (1 << a) * (0.5 + rng.Uniform()));
    std::string& msg = logs_->scratch();
    msg += "retrying ";
    msg += callee.name;
    msg.push_back(' ');
    msg += cop.name;
    msg += " after ";
    msg += callee.protocol == Protocol::kGrpc ? GrpcStatusName(GrpcStatus(last.cls))
           : last.cls == ErrClass::kTimeout   ? "timeout"
                                              : "HTTP 503";
    msg += " (attempt ";
    AppendInt(msg, a + 2);
    msg.push_back('/');
    AppendInt(msg, attempts);
    msg += ", backoff ";
    AppendMillis(msg, backoff);
    msg += ")";
    EmitLog(last.end_ns, res, kWarn, parent);
    t = last.end_ns + backoff;
  }
  return last;
}

}  // namespace ddbg::sim

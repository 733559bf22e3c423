// The report's one pass over the log records of the window: counts per service and
// severity, and the first few ERROR-or-worse records of each service as examples.
#include "report/debug/debug_context.h"

namespace ddbg::report {
namespace {

constexpr size_t kExamplesPerService = 3;
constexpr uint8_t kWarn = 13;
constexpr uint8_t kError = 17;
constexpr uint32_t kUnmapped = 0xffffffffu;
constexpr uint32_t kOutOfScope = 0xfffffffeu;

// What the digest reads of the logs: time, resource/service, severity, and for the few error
// examples body and trace/span ids. When the store gains a log column projection
// (ScanFilter::log_columns), set it here: the digest needs no attributes or params.
ScanFilter LogDigestFilter(const DebugContext& ctx) {
  ScanFilter filter;
  filter.time = ctx.window;
  filter.log_columns = LogColumns::kBody;  // the body for examples; no attributes
  return filter;
}

}  // namespace

LogExample MakeLogExample(const LogBatch& b, size_t i) {
  LogExample ex;
  ex.time_ns = b.time_ns[i];
  ex.service = b.dict.Get(b.service[i]);
  std::string_view text = b.dict.Get(b.severity_text[i]);
  ex.severity = text.empty() ? SeverityShortName(b.severity_number[i]) : std::string(text);
  ex.body = b.dict.Get(b.body[i]);
  if (!b.trace_id[i].empty()) ex.trace_id = TraceIdToHex(b.trace_id[i]);
  if (b.span_id[i] != 0) ex.span_id = SpanIdToHex(b.span_id[i]);
  return ex;
}

Status DigestLogs(Store& store, DebugContext* ctx) {
  LogDigest& d = ctx->logs;
  std::vector<uint32_t> res_to_svc;
  return store.ScanLogs(LogDigestFilter(*ctx), [&](const LogBatch& b) {
    res_to_svc.assign(b.resources.size(), kUnmapped);
    for (size_t i = 0; i < b.size(); ++i) {
      if (!ctx->window.Contains(b.time_ns[i])) continue;
      uint32_t& svc = res_to_svc[b.resource[i]];
      if (svc == kOutOfScope) continue;
      if (svc == kUnmapped) {
        std::string_view name = b.dict.Get(b.resources.service[b.resource[i]]);
        if (!ctx->InScope(name)) {
          svc = kOutOfScope;
          continue;
        }
        svc = 0;
        while (svc < d.services.size() && d.services[svc].name != name) ++svc;
        if (svc == d.services.size()) d.services.emplace_back().name = name;
      }
      LogDigestService& s = d.services[svc];
      ++s.logs;
      ++d.logs;
      uint8_t sev = b.severity_number[i];
      if (sev >= kWarn && sev < kError) ++s.warn_logs;
      if (sev < kError) continue;
      ++s.error_logs;
      ++d.error_logs;
      if (s.error_examples.size() < kExamplesPerService) {
        s.error_examples.push_back(MakeLogExample(b, i));
      }
    }
    return Status::Ok();
  });
}

}  // namespace ddbg::report

// The report's digest of the log records of the window, fed by its log pass (log_pass.cc):
// counts per service and severity, and the first few ERROR-or-worse records of each
// service as examples.
#include "report/debug/debug_context.h"

namespace ddbg::report {
namespace {

constexpr size_t kExamplesPerService = 3;
constexpr uint8_t kWarn = 13;
constexpr uint8_t kError = 17;
constexpr uint32_t kUnmapped = 0xffffffffu;
constexpr uint32_t kOutOfScope = 0xfffffffeu;

}  // namespace

ScanFilter LogPassFilter(const DebugContext& ctx) {
  ScanFilter filter;
  filter.time = ctx.window;
  filter.log_columns = LogColumns::kBody;  // bodies for examples and rules; no attributes
  return filter;
}

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

void LogDigestFeed::Add(const LogBatch& b) {
  LogDigest& d = ctx_->logs;
  res_to_svc_.assign(b.resources.size(), kUnmapped);
  for (size_t i = 0; i < b.size(); ++i) {
    if (!ctx_->window.Contains(b.time_ns[i])) continue;
    uint32_t& svc = res_to_svc_[b.resource[i]];
    if (svc == kOutOfScope) continue;
    if (svc == kUnmapped) {
      std::string_view name = b.dict.Get(b.resources.service[b.resource[i]]);
      if (!ctx_->InScope(name)) {
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
}

}  // namespace ddbg::report

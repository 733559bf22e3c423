#include "client/remote_query.h"

#include <fmt/format.h>

#include "ddbg/decode.h"
#include "server/result_json.h"
#include "util/time_format.h"

namespace ddbg::client {
namespace {

// start/end as RFC 3339 with nanoseconds (what the server's time parameters accept), only
// for bounded ends.
void AddTimeRange(const TimeRange& range, QueryParams* params) {
  if (range.min_ns != TimeRange().min_ns) params->emplace_back("start", FormatRfc3339(range.min_ns, 9));
  if (range.max_ns != TimeRange().max_ns) params->emplace_back("end", FormatRfc3339(range.max_ns, 9));
}

// Decodes an OTLP/JSON answer; any rejected record means the answer is not what the server
// should send.
Status DecodeAnswer(const std::string& body, const std::string& what, DecodeContext* ctx) {
  Status st = DecodeOtlpJson(body, *ctx);
  if (st.ok() && ctx->stats.rejected > 0) {
    st = Status::Corruption(ctx->stats.rejections.empty() ? "rejected records"
                                                          : ctx->stats.rejections[0].ToString());
  }
  if (!st.ok()) return Status::Corruption("server answer (" + what + "): " + st.message());
  return Status::Ok();
}

}  // namespace

Result<TraceSearchResult> RemoteSearchTraceQL(ServerClient& server, std::string_view traceql,
                                              const TraceSearchOptions& options) {
  QueryParams params = {{"q", std::string(traceql)},
                        {"format", "ddbg"},
                        {"limit", std::to_string(options.limit)},
                        {"spss", std::to_string(options.spans_per_spanset)}};
  AddTimeRange(options.scope.time, &params);
  Result<std::string> body = server.Get("/api/traceql", params);
  if (!body.ok()) return body.status();
  return server::ParseTraceSearchResultJson(*body);
}

Result<LogQueryResult> RemoteEvalLogQL(ServerClient& server, std::string_view logql,
                                       const LogQueryOptions& options) {
  QueryParams params = {{"query", std::string(logql)},
                        {"format", "ddbg"},
                        {"limit", std::to_string(options.limit)}};
  if (options.step_ns > 0) params.emplace_back("step", fmt::format("{}ns", options.step_ns));
  AddTimeRange(options.range, &params);
  Result<std::string> body = server.Get("/api/logql", params);
  if (!body.ok()) return body.status();
  return server::ParseLogQueryResultJson(*body);
}

Result<StoreStats> RemoteStats(ServerClient& server) {
  Result<std::string> body = server.Get("/api/stats");
  if (!body.ok()) return body.status();
  return server::ParseStoreStatsJson(*body);
}

Result<SpanBatch> RemoteGetTrace(ServerClient& server, TraceId id) {
  Result<std::string> body = server.Get("/api/traces/" + TraceIdToHex(id) + "/otlp");
  if (!body.ok() && body.status().code() == StatusCode::kNotFound) return SpanBatch();
  if (!body.ok()) return body.status();
  DecodeContext ctx(server.url());
  DDBG_RETURN_IF_ERROR(DecodeAnswer(*body, "trace", &ctx));
  return std::move(ctx.spans);
}

Result<LogBatch> RemoteGetTraceLogs(ServerClient& server, TraceId id) {
  Result<std::string> body = server.Get("/api/traces/" + TraceIdToHex(id) + "/logs");
  if (!body.ok()) return body.status();
  DecodeContext ctx(server.url());
  DDBG_RETURN_IF_ERROR(DecodeAnswer(*body, "trace logs", &ctx));
  return std::move(ctx.logs);
}

}  // namespace ddbg::client

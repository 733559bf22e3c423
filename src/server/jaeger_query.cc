#include "server/jaeger_query.h"

#include "server/trace_id_hash.h"

#include "util/time_parse.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_map>

namespace ddbg::server {
namespace {

// The text a tag is compared with: attribute values as text, plus Jaeger's derived tags.
bool SpanHasTag(const SpanBatch& b, size_t i, const std::string& key, const std::string& want) {
  if (key == "error") {
    return (b.status[i] == SpanStatus::kError) == (want == "true");
  }
  if (key == "span.kind") return want == SpanKindName(b.kind[i]);
  if (key == "otel.status_code") {
    return want == (b.status[i] == SpanStatus::kError ? "ERROR"
                    : b.status[i] == SpanStatus::kOk  ? "OK"
                                                      : "UNSET");
  }
  bool in_resource = false;
  int64_t row = b.FindAttr(i, key, &in_resource);
  if (row < 0) return false;
  const AttrColumns& attrs = in_resource ? b.resources.attrs : b.attrs;
  return attrs.ValueText(b.dict, static_cast<size_t>(row)) == want;
}

bool SpanMatches(const SpanBatch& b, size_t i, const TraceSearch& q) {
  if (!q.time.Contains(b.start_ns[i])) return false;
  if (!q.service.empty() && b.dict.Get(b.service[i]) != q.service) return false;
  if (!q.operation.empty() && b.dict.Get(b.name[i]) != q.operation) return false;
  int64_t d = b.end_ns[i] - b.start_ns[i];
  if (d < q.min_duration_ns || (q.max_duration_ns > 0 && d > q.max_duration_ns)) return false;
  for (const auto& [k, v] : q.tags) {
    if (!SpanHasTag(b, i, k, v)) return false;
  }
  return true;
}

ScanFilter FilterFor(const std::string& service, const TimeRange& time) {
  ScanFilter f;
  f.time = time;
  if (!service.empty()) f.services.push_back(service);
  return f;
}

}  // namespace

Result<std::vector<TraceId>> SearchTraceIds(Store& store, const TraceSearch& q) {
  std::unordered_map<TraceId, int64_t, TraceIdHash> latest;  // trace -> latest match start
  Status st = store.ScanSpans(FilterFor(q.service, q.time), [&](const SpanBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      if (!SpanMatches(b, i, q)) continue;
      auto [it, fresh] = latest.emplace(b.trace_id[i], b.start_ns[i]);
      if (!fresh) it->second = std::max(it->second, b.start_ns[i]);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::vector<std::pair<int64_t, TraceId>> order;
  order.reserve(latest.size());
  for (const auto& [id, t] : latest) order.emplace_back(t, id);
  size_t n = std::min(q.limit, order.size());
  std::partial_sort(order.begin(), order.begin() + n, order.end(),
                    [](const auto& a, const auto& b) { return a > b; });
  std::vector<TraceId> ids;
  for (size_t i = 0; i < n; ++i) ids.push_back(order[i].second);
  return ids;
}

Result<std::vector<SpanBatch>> GatherTraces(Store& store, const std::vector<TraceId>& ids) {
  std::vector<SpanBatch> traces(ids.size());
  std::unordered_map<TraceId, size_t, TraceIdHash> slot;
  for (size_t i = 0; i < ids.size(); ++i) slot.emplace(ids[i], i);
  ScanFilter f;
  f.trace_ids = ids;
  std::sort(f.trace_ids.begin(), f.trace_ids.end());
  Status st = store.ScanSpans(f, [&](const SpanBatch& b) {
    std::unordered_map<size_t, std::unique_ptr<SpanRowCopier>> copiers;
    for (size_t i = 0; i < b.size(); ++i) {
      auto it = slot.find(b.trace_id[i]);
      if (it == slot.end()) continue;
      auto& c = copiers[it->second];
      if (!c) c = std::make_unique<SpanRowCopier>(b, &traces[it->second]);
      c->Copy(i);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::vector<SpanBatch> out;
  for (SpanBatch& t : traces) {
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<Dependency>> FindDependencies(Store& store, const TimeRange& window) {
  struct SpanKey {
    TraceId trace;
    SpanId span;
    bool operator==(const SpanKey&) const = default;
  };
  struct KeyHash {
    size_t operator()(const SpanKey& k) const { return TraceIdHash()(k.trace) ^ (k.span * 31); }
  };
  std::vector<std::string> services;
  std::unordered_map<std::string, uint32_t> service_index;
  std::unordered_map<SpanKey, uint32_t, KeyHash> span_service;
  std::vector<std::pair<SpanKey, uint32_t>> child_of;  // (parent key, child service)
  ScanFilter filter = FilterFor("", window);
  filter.span_columns = SpanColumns::kStructure;
  Status st = store.ScanSpans(filter, [&](const SpanBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      if (!window.Contains(b.start_ns[i])) continue;
      std::string name(b.dict.Get(b.service[i]));
      auto [it, fresh] = service_index.emplace(name, static_cast<uint32_t>(services.size()));
      if (fresh) services.push_back(name);
      span_service[{b.trace_id[i], b.span_id[i]}] = it->second;
      if (b.parent_span_id[i] != 0) child_of.push_back({{b.trace_id[i], b.parent_span_id[i]}, it->second});
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::map<std::pair<uint32_t, uint32_t>, uint64_t> edges;
  for (const auto& [parent, child] : child_of) {
    auto it = span_service.find(parent);
    if (it != span_service.end() && it->second != child) ++edges[{it->second, child}];
  }
  std::vector<Dependency> out;
  for (const auto& [e, n] : edges) out.push_back({services[e.first], services[e.second], n});
  return out;
}

Status ParseJaegerTags(std::string_view text, std::map<std::string, std::string>* out) {
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return Status::Ok();
  if (text[first] == '{') {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(text);
    simdjson::dom::object obj;
    if (parser.parse(padded).get(obj) != simdjson::SUCCESS) {
      return Status::InvalidArgument("tags: not a JSON object");
    }
    for (auto field : obj) {
      std::string_view sv;
      if (field.value.get(sv) == simdjson::SUCCESS) {
        (*out)[std::string(field.key)] = std::string(sv);
      } else {
        (*out)[std::string(field.key)] = simdjson::minify(field.value);
      }
    }
    return Status::Ok();
  }
  // logfmt: key=value pairs separated by spaces; values may be double-quoted.
  size_t i = first;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    if (i >= text.size()) break;
    size_t eq = text.find('=', i);
    if (eq == std::string_view::npos) return Status::InvalidArgument("tags: expected key=value");
    std::string key(text.substr(i, eq - i));
    std::string value;
    i = eq + 1;
    if (i < text.size() && text[i] == '"') {
      size_t close = text.find('"', i + 1);
      if (close == std::string_view::npos) return Status::InvalidArgument("tags: unclosed quote");
      value = std::string(text.substr(i + 1, close - i - 1));
      i = close + 1;
    } else {
      size_t end = text.find(' ', i);
      if (end == std::string_view::npos) end = text.size();
      value = std::string(text.substr(i, end - i));
      i = end;
    }
    if (key.empty()) return Status::InvalidArgument("tags: empty key");
    (*out)[key] = value;
  }
  return Status::Ok();
}

bool ParseGoDuration(std::string_view text, int64_t* ns) {
  return ParseDurationText(text, ns);
}

}  // namespace ddbg::server

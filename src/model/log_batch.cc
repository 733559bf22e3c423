#include "ddbg/model.h"

namespace ddbg {

uint32_t LogBatch::CommitResource(StrId service_name) {
  resources.service.push_back(service_name);
  resources.attr_off.Close(resources.attrs.size());
  return static_cast<uint32_t>(resources.size() - 1);
}

uint32_t LogBatch::CommitScope(StrId scope_name, StrId version) {
  scopes.name.push_back(scope_name);
  scopes.version.push_back(version);
  scopes.attr_off.Close(scopes.attrs.size());
  return static_cast<uint32_t>(scopes.size() - 1);
}

void LogBatch::CommitLog(const LogRow& r) {
  time_ns.push_back(r.time_ns);
  observed_ns.push_back(r.observed_ns);
  severity_number.push_back(r.severity_number);
  severity_text.push_back(r.severity_text);
  resource.push_back(r.resource);
  scope.push_back(r.scope);
  service.push_back(r.resource < resources.size() ? resources.service[r.resource] : kEmptyStr);
  body.push_back(r.body);
  body_type.push_back(r.body_type);
  trace_id.push_back(r.trace_id);
  span_id.push_back(r.span_id);
  flags.push_back(r.flags);
  event_name.push_back(r.event_name);
  attr_off.Close(attrs.size());
  template_id.push_back(0);
  param_off.Close(params.size());
}

void LogBatch::DiscardPending() {
  attrs.Truncate(attr_off.last());
  params.resize(param_off.last());
}

LogRow LogBatch::Row(size_t i) const {
  LogRow r;
  r.time_ns = time_ns[i];
  r.observed_ns = observed_ns[i];
  r.severity_number = severity_number[i];
  r.severity_text = severity_text[i];
  r.resource = resource[i];
  r.scope = scope[i];
  r.body = body[i];
  r.body_type = body_type[i];
  r.trace_id = trace_id[i];
  r.span_id = span_id[i];
  r.flags = flags[i];
  r.event_name = event_name[i];
  return r;
}

void LogBatch::Clear() { *this = LogBatch(); }

size_t LogBatch::MemoryBytes() const {
  return dict.bytes() + dict.size() * 24 + size() * 96 + attrs.size() * 13 + params.size() * 4;
}

void EventBatch::CommitEvent(const EventRow& r) {
  stream.push_back(r.stream);
  version.push_back(r.version);
  event_id.push_back(r.event_id);
  event_type.push_back(r.event_type);
  time_ns.push_back(r.time_ns);
  payload.push_back(r.payload);
  metadata.push_back(r.metadata);
  correlation_id.push_back(r.correlation_id);
  causation_id.push_back(r.causation_id);
  service.push_back(r.service);
}

EventRow EventBatch::Row(size_t i) const {
  EventRow r;
  r.stream = stream[i];
  r.version = version[i];
  r.event_id = event_id[i];
  r.event_type = event_type[i];
  r.time_ns = time_ns[i];
  r.payload = payload[i];
  r.metadata = metadata[i];
  r.correlation_id = correlation_id[i];
  r.causation_id = causation_id[i];
  r.service = service[i];
  return r;
}

void EventBatch::AppendRowFrom(const EventBatch& src, size_t i) {
  EventRow r = src.Row(i);
  auto s = [&](StrId id) { return dict.Intern(src.dict.Get(id)); };
  r.stream = s(r.stream);
  r.event_id = s(r.event_id);
  r.event_type = s(r.event_type);
  r.payload = s(r.payload);
  r.metadata = s(r.metadata);
  r.correlation_id = s(r.correlation_id);
  r.causation_id = s(r.causation_id);
  r.service = s(r.service);
  CommitEvent(r);
}

void EventBatch::Clear() { *this = EventBatch(); }

size_t EventBatch::MemoryBytes() const { return dict.bytes() + dict.size() * 24 + size() * 64; }

}  // namespace ddbg

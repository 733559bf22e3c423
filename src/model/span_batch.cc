#include "ddbg/model.h"

namespace ddbg {

uint32_t SpanBatch::CommitResource(StrId service_name) {
  resources.service.push_back(service_name);
  resources.attr_off.Close(resources.attrs.size());
  return static_cast<uint32_t>(resources.size() - 1);
}

uint32_t SpanBatch::CommitScope(StrId scope_name, StrId version) {
  scopes.name.push_back(scope_name);
  scopes.version.push_back(version);
  scopes.attr_off.Close(scopes.attrs.size());
  return static_cast<uint32_t>(scopes.size() - 1);
}

void SpanBatch::CommitEvent(int64_t time_ns, StrId event) {
  event_time_ns.push_back(time_ns);
  event_name.push_back(event);
  event_attr_off.Close(event_attrs.size());
}

void SpanBatch::CommitLink(TraceId trace, SpanId span, StrId state) {
  link_trace_id.push_back(trace);
  link_span_id.push_back(span);
  link_trace_state.push_back(state);
  link_attr_off.Close(link_attrs.size());
}

void SpanBatch::CommitSpan(const SpanRow& r) {
  trace_id.push_back(r.trace_id);
  span_id.push_back(r.span_id);
  parent_span_id.push_back(r.parent_span_id);
  resource.push_back(r.resource);
  scope.push_back(r.scope);
  service.push_back(r.resource < resources.size() ? resources.service[r.resource] : kEmptyStr);
  name.push_back(r.name);
  kind.push_back(r.kind);
  start_ns.push_back(r.start_ns);
  end_ns.push_back(r.end_ns);
  status.push_back(r.status);
  status_message.push_back(r.status_message);
  flags.push_back(r.flags);
  trace_state.push_back(r.trace_state);
  attr_off.Close(attrs.size());
  event_off.Close(event_time_ns.size());
  link_off.Close(link_span_id.size());
}

void SpanBatch::DiscardPending() {
  attrs.Truncate(attr_off.last());
  size_t events = event_off.last();
  event_time_ns.resize(events);
  event_name.resize(events);
  event_attr_off.Truncate(events);
  event_attrs.Truncate(event_attr_off.last());
  size_t links = link_off.last();
  link_trace_id.resize(links);
  link_span_id.resize(links);
  link_trace_state.resize(links);
  link_attr_off.Truncate(links);
  link_attrs.Truncate(link_attr_off.last());
}

SpanRow SpanBatch::Row(size_t i) const {
  SpanRow r;
  r.trace_id = trace_id[i];
  r.span_id = span_id[i];
  r.parent_span_id = parent_span_id[i];
  r.resource = resource[i];
  r.scope = scope[i];
  r.name = name[i];
  r.kind = kind[i];
  r.start_ns = start_ns[i];
  r.end_ns = end_ns[i];
  r.status = status[i];
  r.status_message = status_message[i];
  r.flags = flags[i];
  r.trace_state = trace_state[i];
  return r;
}

int64_t SpanBatch::FindAttr(size_t i, std::string_view key, bool* in_resource) const {
  int64_t k = dict.Find(key);
  if (k < 0) return -1;
  for (uint32_t a = attr_off.begin(i); a < attr_off.end(i); ++a) {
    if (attrs.key[a] == k) {
      if (in_resource) *in_resource = false;
      return a;
    }
  }
  uint32_t res = resource[i];
  if (res < resources.size()) {
    for (uint32_t a = resources.attr_off.begin(res); a < resources.attr_off.end(res); ++a) {
      if (resources.attrs.key[a] == k) {
        if (in_resource) *in_resource = true;
        return a;
      }
    }
  }
  return -1;
}

void SpanBatch::Clear() { *this = SpanBatch(); }

size_t SpanBatch::MemoryBytes() const {
  size_t n = size();
  return dict.bytes() + dict.size() * 24 + n * 120 + attrs.size() * 13 +
         event_attrs.size() * 13 + event_time_ns.size() * 16 + link_span_id.size() * 32 +
         resources.attrs.size() * 13;
}

}  // namespace ddbg

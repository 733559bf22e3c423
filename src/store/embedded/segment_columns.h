// The column schema of each segment kind: every vector of a SpanBatch, LogBatch and
// EventBatch with its stable column id, name and encoding. The same Visit function drives
// the writer (over a const batch) and the reader (over a mutable one), so the two cannot
// drift apart. Column ids are stored in files: never renumber, only add.
// A visitor provides Dict, Raw, Varint, Delta, Offsets and Diff (see segment_writer.cc).
// Thread-safety: templates without state.
#pragma once

#include <concepts>
#include <type_traits>

#include "ddbg/model.h"
#include "ddbg/store.h"

namespace ddbg::store {

template <typename B, typename T>
concept BatchOf = std::same_as<std::remove_const_t<B>, T>;

template <typename V, typename A>
void VisitAttrs(V& v, uint32_t id, const char* key, const char* type, const char* value, A& attrs) {
  v.Varint(id, key, attrs.key);
  v.Raw(id + 1, type, attrs.type);
  v.Varint(id + 2, value, attrs.value);
}

// Resources use ids 10-14 and scopes 20-25 in span and log segments.
template <typename V, typename R, typename S>
void VisitResourcesAndScopes(V& v, R& resources, S& scopes) {
  v.Varint(10, "resources.service", resources.service);
  v.Offsets(11, "resources.attr_off", resources.attr_off.off);
  VisitAttrs(v, 12, "resources.attrs.key", "resources.attrs.type", "resources.attrs.value",
             resources.attrs);
  v.Varint(20, "scopes.name", scopes.name);
  v.Varint(21, "scopes.version", scopes.version);
  v.Offsets(22, "scopes.attr_off", scopes.attr_off.off);
  VisitAttrs(v, 23, "scopes.attrs.key", "scopes.attrs.type", "scopes.attrs.value", scopes.attrs);
}

template <typename V, typename B>
requires BatchOf<B, SpanBatch>
void VisitColumns(V& v, B& b) {
  v.Dict(1, "dict", b.dict);
  VisitResourcesAndScopes(v, b.resources, b.scopes);
  v.Raw(100, "trace_id", b.trace_id);
  v.Raw(101, "span_id", b.span_id);
  v.Raw(102, "parent_span_id", b.parent_span_id);
  v.Varint(103, "resource", b.resource);
  v.Varint(104, "scope", b.scope);
  v.Varint(105, "service", b.service);
  v.Varint(106, "name", b.name);
  v.Raw(107, "kind", b.kind);
  v.Delta(108, "start_ns", b.start_ns);
  v.Diff(109, "end_ns", b.end_ns, b.start_ns);
  v.Raw(110, "status", b.status);
  v.Varint(111, "status_message", b.status_message);
  v.Varint(112, "flags", b.flags);
  v.Varint(113, "trace_state", b.trace_state);
  v.Offsets(114, "attr_off", b.attr_off.off);
  VisitAttrs(v, 115, "attrs.key", "attrs.type", "attrs.value", b.attrs);
  v.Offsets(120, "event_off", b.event_off.off);
  v.Delta(121, "event_time_ns", b.event_time_ns);
  v.Varint(122, "event_name", b.event_name);
  v.Offsets(123, "event_attr_off", b.event_attr_off.off);
  VisitAttrs(v, 124, "event_attrs.key", "event_attrs.type", "event_attrs.value", b.event_attrs);
  v.Offsets(130, "link_off", b.link_off.off);
  v.Raw(131, "link_trace_id", b.link_trace_id);
  v.Raw(132, "link_span_id", b.link_span_id);
  v.Varint(133, "link_trace_state", b.link_trace_state);
  v.Offsets(134, "link_attr_off", b.link_attr_off.off);
  VisitAttrs(v, 135, "link_attrs.key", "link_attrs.type", "link_attrs.value", b.link_attrs);
}

// The optional group (SpanColumns in store.h) a span column id belongs to; kStructure for
// the columns every span read decodes.
inline SpanColumns SpanColumnGroup(uint32_t id) {
  if (id >= 111 && id <= 113) return SpanColumns::kDetails;
  if (id >= 114 && id <= 119) return SpanColumns::kAttributes;
  if (id >= 120 && id <= 129) return SpanColumns::kEvents;
  if (id >= 130 && id <= 139) return SpanColumns::kLinks;
  return SpanColumns::kStructure;
}

template <typename V, typename B>
requires BatchOf<B, LogBatch>
void VisitColumns(V& v, B& b) {
  v.Dict(1, "dict", b.dict);
  VisitResourcesAndScopes(v, b.resources, b.scopes);
  v.Delta(200, "time_ns", b.time_ns);
  v.Diff(201, "observed_ns", b.observed_ns, b.time_ns);
  v.Raw(202, "severity_number", b.severity_number);
  v.Varint(203, "severity_text", b.severity_text);
  v.Varint(204, "resource", b.resource);
  v.Varint(205, "scope", b.scope);
  v.Varint(206, "service", b.service);
  v.Varint(207, "body", b.body);
  v.Raw(208, "body_type", b.body_type);
  v.Raw(209, "trace_id", b.trace_id);
  v.Raw(210, "span_id", b.span_id);
  v.Varint(211, "flags", b.flags);
  v.Varint(212, "event_name", b.event_name);
  v.Offsets(213, "attr_off", b.attr_off.off);
  VisitAttrs(v, 214, "attrs.key", "attrs.type", "attrs.value", b.attrs);
  v.Varint(217, "template_id", b.template_id);
  v.Offsets(218, "param_off", b.param_off.off);
  v.Varint(219, "params", b.params);
}

template <typename V, typename B>
requires BatchOf<B, EventBatch>
void VisitColumns(V& v, B& b) {
  v.Dict(1, "dict", b.dict);
  v.Varint(300, "stream", b.stream);
  v.Delta(301, "version", b.version);
  v.Varint(302, "event_id", b.event_id);
  v.Varint(303, "event_type", b.event_type);
  v.Delta(304, "time_ns", b.time_ns);
  v.Varint(305, "payload", b.payload);
  v.Varint(306, "metadata", b.metadata);
  v.Varint(307, "correlation_id", b.correlation_id);
  v.Varint(308, "causation_id", b.causation_id);
  v.Varint(309, "service", b.service);
}

}  // namespace ddbg::store

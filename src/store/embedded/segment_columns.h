// The column schema of each segment kind: every vector of a SpanBatch, LogBatch and
// EventBatch with its stable column id, name and encoding. The same Visit function drives
// the writer (over a const batch) and the reader (over a mutable one), so the two cannot
// drift apart. Column ids are stored in files: never renumber, only add.
// A visitor provides Dict, DictValues, Raw, Varint, Strs, AttrValues, Delta, Offsets and
// Diff (see segment_writer.cc). Strs marks a column of StrIds, AttrValues the value column
// of attributes (StrIds for the string-like types): both are varint columns on disk.
// Thread-safety: templates without state.
#pragma once

#include <concepts>
#include <type_traits>

#include "ddbg/model.h"
#include "ddbg/store.h"

namespace ddbg::store {

template <typename B, typename T>
concept BatchOf = std::same_as<std::remove_const_t<B>, T>;

// The dictionary chunks. Span and log segments of format version 2 split the batch's
// strings in two parts (docs/storage.md, section 4): the structure part (chunk 1, ids
// 1..k) holds every string a structure column refers to, the value part (chunk 2, ids
// k+1..n) the others. Version 1 segments and event segments hold all strings in chunk 1.
inline constexpr uint32_t kColDict = 1;
inline constexpr uint32_t kColDictValues = 2;

// The StrId columns of span and log segments whose strings go to the value part of the
// dictionary: span status_message, trace_state, attrs.value and event_attrs.value; log
// body, attrs.value and params. All other string columns (resources, scopes, service,
// names, attribute keys, link trace state and link attribute values, severity text, event
// names) are structure.
inline bool InValueDict(uint32_t column) {
  switch (column) {
    case 111: case 113: case 117: case 126:  // spans
    case 207: case 216: case 219:            // logs
      return true;
    default:
      return false;
  }
}

inline bool IsStringAttr(AttrType t) {
  return t == AttrType::kString || t == AttrType::kBytes || t == AttrType::kArray ||
         t == AttrType::kKvList;
}

template <typename V, typename A>
void VisitAttrs(V& v, uint32_t id, const char* key, const char* type, const char* value, A& attrs) {
  v.Strs(id, key, attrs.key);
  v.Raw(id + 1, type, attrs.type);
  v.AttrValues(id + 2, value, attrs.value, attrs.type);
}

// Resources use ids 10-14 and scopes 20-25 in span and log segments.
template <typename V, typename R, typename S>
void VisitResourcesAndScopes(V& v, R& resources, S& scopes) {
  v.Strs(10, "resources.service", resources.service);
  v.Offsets(11, "resources.attr_off", resources.attr_off.off);
  VisitAttrs(v, 12, "resources.attrs.key", "resources.attrs.type", "resources.attrs.value",
             resources.attrs);
  v.Strs(20, "scopes.name", scopes.name);
  v.Strs(21, "scopes.version", scopes.version);
  v.Offsets(22, "scopes.attr_off", scopes.attr_off.off);
  VisitAttrs(v, 23, "scopes.attrs.key", "scopes.attrs.type", "scopes.attrs.value", scopes.attrs);
}

// The span segment's trace_id column: a row-filtered read decodes it first.
inline constexpr uint32_t kColSpanTraceId = 100;

template <typename V, typename B>
requires BatchOf<B, SpanBatch>
void VisitColumns(V& v, B& b) {
  v.Dict(kColDict, "dict", b.dict);
  v.DictValues(kColDictValues, "dict_values", b.dict);
  VisitResourcesAndScopes(v, b.resources, b.scopes);
  v.Raw(kColSpanTraceId, "trace_id", b.trace_id);
  v.Raw(101, "span_id", b.span_id);
  v.Raw(102, "parent_span_id", b.parent_span_id);
  v.Varint(103, "resource", b.resource);
  v.Varint(104, "scope", b.scope);
  v.Strs(105, "service", b.service);
  v.Strs(106, "name", b.name);
  v.Raw(107, "kind", b.kind);
  v.Delta(108, "start_ns", b.start_ns);
  v.Diff(109, "end_ns", b.end_ns, b.start_ns);
  v.Raw(110, "status", b.status);
  v.Strs(111, "status_message", b.status_message);
  v.Varint(112, "flags", b.flags);
  v.Strs(113, "trace_state", b.trace_state);
  v.Offsets(114, "attr_off", b.attr_off.off);
  VisitAttrs(v, 115, "attrs.key", "attrs.type", "attrs.value", b.attrs);
  v.Offsets(120, "event_off", b.event_off.off);
  v.Delta(121, "event_time_ns", b.event_time_ns);
  v.Strs(122, "event_name", b.event_name);
  v.Offsets(123, "event_attr_off", b.event_attr_off.off);
  VisitAttrs(v, 124, "event_attrs.key", "event_attrs.type", "event_attrs.value", b.event_attrs);
  v.Offsets(130, "link_off", b.link_off.off);
  v.Raw(131, "link_trace_id", b.link_trace_id);
  v.Raw(132, "link_span_id", b.link_span_id);
  v.Strs(133, "link_trace_state", b.link_trace_state);
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

// What a span column has one value per: a row-filtered read (SegmentReadOptions::row_filter)
// keeps the kept rows' values of the row columns and, through each offsets column, the
// values of the level below that belong to kept owners. kWhole: read entire (dictionary,
// resources, scopes).
enum SpanLevel : uint8_t { kWhole, kRows, kAttrs, kEvents, kEventAttrs, kLinks, kLinkAttrs };
inline constexpr size_t kSpanLevels = 7;
inline SpanLevel SpanColumnLevel(uint32_t id) {
  if (id < kColSpanTraceId) return kWhole;
  if (id <= 114 || id == 120 || id == 130) return kRows;  // 114, 120, 130: row offsets
  if (id <= 119) return kAttrs;
  if (id <= 123) return kEvents;  // 123: offsets of the event attributes
  if (id <= 129) return kEventAttrs;
  if (id <= 134) return kLinks;  // 134: offsets of the link attributes
  return kLinkAttrs;
}
// The level an offsets column of a span segment points into (kWhole: not such a column).
inline SpanLevel SpanChildLevel(uint32_t offsets_id) {
  switch (offsets_id) {
    case 114: return kAttrs;
    case 120: return kEvents;
    case 123: return kEventAttrs;
    case 130: return kLinks;
    case 134: return kLinkAttrs;
    default: return kWhole;
  }
}

template <typename V, typename B>
requires BatchOf<B, LogBatch>
void VisitColumns(V& v, B& b) {
  v.Dict(kColDict, "dict", b.dict);
  v.DictValues(kColDictValues, "dict_values", b.dict);
  VisitResourcesAndScopes(v, b.resources, b.scopes);
  v.Delta(200, "time_ns", b.time_ns);
  v.Diff(201, "observed_ns", b.observed_ns, b.time_ns);
  v.Raw(202, "severity_number", b.severity_number);
  v.Strs(203, "severity_text", b.severity_text);
  v.Varint(204, "resource", b.resource);
  v.Varint(205, "scope", b.scope);
  v.Strs(206, "service", b.service);
  v.Strs(207, "body", b.body);
  v.Raw(208, "body_type", b.body_type);
  v.Raw(209, "trace_id", b.trace_id);
  v.Raw(210, "span_id", b.span_id);
  v.Varint(211, "flags", b.flags);
  v.Strs(212, "event_name", b.event_name);
  v.Offsets(213, "attr_off", b.attr_off.off);
  VisitAttrs(v, 214, "attrs.key", "attrs.type", "attrs.value", b.attrs);
  v.Varint(217, "template_id", b.template_id);
  v.Offsets(218, "param_off", b.param_off.off);
  v.Strs(219, "params", b.params);
}

// The optional group (LogColumns in store.h) a log column id belongs to; kStructure for the
// columns every log read decodes.
inline LogColumns LogColumnGroup(uint32_t id) {
  if (id == 207 || id == 208) return LogColumns::kBody;
  if (id >= 213 && id <= 216) return LogColumns::kAttributes;
  if (id == 218 || id == 219) return LogColumns::kParams;
  return LogColumns::kStructure;
}

template <typename V, typename B>
requires BatchOf<B, EventBatch>
void VisitColumns(V& v, B& b) {
  v.Dict(kColDict, "dict", b.dict);
  v.Strs(300, "stream", b.stream);
  v.Delta(301, "version", b.version);
  v.Strs(302, "event_id", b.event_id);
  v.Strs(303, "event_type", b.event_type);
  v.Delta(304, "time_ns", b.time_ns);
  v.Strs(305, "payload", b.payload);
  v.Strs(306, "metadata", b.metadata);
  v.Strs(307, "correlation_id", b.correlation_id);
  v.Strs(308, "causation_id", b.causation_id);
  v.Strs(309, "service", b.service);
}

}  // namespace ddbg::store

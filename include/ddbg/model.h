// The telemetry model: spans, log records and domain events held in columnar batches
// (structure of arrays). Every string in a batch is interned once in the batch's StringDict
// and referenced by a StrId; attributes are typed columns with per-owner offset ranges.
// A batch owns all its data; string_views it hands out live as long as the batch.
// Thread-safety: a batch is not synchronised; share it read-only or give it to one writer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ddbg/string_dict.h"

namespace ddbg {

// A 128-bit trace id. 64-bit ids (Zipkin, old Jaeger) have hi == 0. All-zero means "none".
struct TraceId {
  uint64_t hi = 0;
  uint64_t lo = 0;
  bool empty() const { return hi == 0 && lo == 0; }
  friend bool operator==(const TraceId&, const TraceId&) = default;
  friend auto operator<=>(const TraceId&, const TraceId&) = default;
};

// A 64-bit span id; 0 means "none" (a root has parent_span_id 0).
using SpanId = uint64_t;

// Lowercase hex: 32 characters for a trace id, 16 for a span id.
std::string TraceIdToHex(TraceId id);
std::string SpanIdToHex(SpanId id);
// Accept 1..32 hex digits (either case; shorter ids are left-padded with zeros, as Jaeger and
// Zipkin print 64-bit ids). False on any non-hex character or a longer input.
bool ParseTraceIdHex(std::string_view hex, TraceId* out);
// Accept 1..16 hex digits. False on any non-hex character or a longer input.
bool ParseSpanIdHex(std::string_view hex, SpanId* out);

enum class SpanKind : uint8_t {
  kUnspecified = 0, kInternal = 1, kServer = 2, kClient = 3, kProducer = 4, kConsumer = 5
};
enum class SpanStatus : uint8_t { kUnset = 0, kOk = 1, kError = 2 };
const char* SpanKindName(SpanKind kind);      // "server", "client", …, "unspecified"
const char* SpanStatusName(SpanStatus code);  // "unset", "ok", "error"

enum class AttrType : uint8_t {
  kString = 0,
  kInt = 1,     // value holds the int64 bits
  kDouble = 2,  // value holds the double bits
  kBool = 3,    // value is 0 or 1
  kBytes = 4,   // value is a StrId of the raw bytes
  kArray = 5,   // value is a StrId of the array as JSON text
  kKvList = 6,  // value is a StrId of the map as JSON text
  kEmpty = 7,   // an attribute present with no value
};
const char* AttrTypeName(AttrType type);

// A column set of typed key/value pairs. Which rows belong to which owner (a span, a
// resource, an event…) is kept by the owner's offsets: owner i has rows [off[i], off[i+1]).
struct AttrColumns {
  std::vector<StrId> key;
  std::vector<AttrType> type;
  std::vector<uint64_t> value;

  size_t size() const { return key.size(); }
  void AddString(StrId k, StrId v) { Add(k, AttrType::kString, v); }
  void AddInt(StrId k, int64_t v) { Add(k, AttrType::kInt, static_cast<uint64_t>(v)); }
  void AddDouble(StrId k, double v);
  void AddBool(StrId k, bool v) { Add(k, AttrType::kBool, v ? 1 : 0); }
  void Add(StrId k, AttrType t, uint64_t v) {
    key.push_back(k);
    type.push_back(t);
    value.push_back(v);
  }
  int64_t IntAt(size_t i) const { return static_cast<int64_t>(value[i]); }
  double DoubleAt(size_t i) const;
  void Truncate(size_t n);
  void Clear() { Truncate(0); }
  // The value of row i as text: strings as they are, numbers in shortest form,
  // bools as true/false, arrays and maps as JSON.
  std::string ValueText(const StringDict& dict, size_t i) const;
};

// Offsets for a one-to-many relation: owner i has child rows [at(i), at(i+1)).
// Starts as {0}; Close(n) appends the end of the owner just finished.
struct Offsets {
  std::vector<uint32_t> off{0};
  size_t owners() const { return off.size() - 1; }
  uint32_t begin(size_t i) const { return off[i]; }
  uint32_t end(size_t i) const { return off[i + 1]; }
  uint32_t last() const { return off.back(); }
  void Close(size_t child_count) { off.push_back(static_cast<uint32_t>(child_count)); }
  void Truncate(size_t owners) { off.resize(owners + 1); }
};

// Resources (the process that emitted: service.name and other attributes) and
// instrumentation scopes, shared by many rows of a batch.
struct ResourceTable {
  std::vector<StrId> service;  // resource attribute service.name, or "unknown_service"
  Offsets attr_off;
  AttrColumns attrs;
  size_t size() const { return service.size(); }
  void Clear();
};
struct ScopeTable {
  std::vector<StrId> name;
  std::vector<StrId> version;
  Offsets attr_off;
  AttrColumns attrs;
  size_t size() const { return name.size(); }
  void Clear();
};

// The scalar fields of one span, for committing a row.
struct SpanRow {
  TraceId trace_id;
  SpanId span_id = 0;
  SpanId parent_span_id = 0;
  uint32_t resource = 0;
  uint32_t scope = 0;
  StrId name = kEmptyStr;
  SpanKind kind = SpanKind::kUnspecified;
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  SpanStatus status = SpanStatus::kUnset;
  StrId status_message = kEmptyStr;
  uint32_t flags = 0;
  StrId trace_state = kEmptyStr;
};

// A batch of spans as columns. To add a span: append its attributes to `attrs`, its events
// (CommitEvent after each event's attributes) and links, then CommitSpan(row). On a bad
// record, DiscardPending() drops whatever was appended since the last CommitSpan.
struct SpanBatch {
  StringDict dict;
  ResourceTable resources;
  ScopeTable scopes;

  std::vector<TraceId> trace_id;
  std::vector<SpanId> span_id;
  std::vector<SpanId> parent_span_id;
  std::vector<uint32_t> resource;  // index into resources
  std::vector<uint32_t> scope;     // index into scopes
  std::vector<StrId> service;      // copy of resources.service[resource[i]], for fast filters
  std::vector<StrId> name;
  std::vector<SpanKind> kind;
  std::vector<int64_t> start_ns;
  std::vector<int64_t> end_ns;
  std::vector<SpanStatus> status;
  std::vector<StrId> status_message;
  std::vector<uint32_t> flags;
  std::vector<StrId> trace_state;
  Offsets attr_off;
  AttrColumns attrs;

  // Span events: span i has events [event_off.begin(i), event_off.end(i)).
  Offsets event_off;
  std::vector<int64_t> event_time_ns;
  std::vector<StrId> event_name;
  Offsets event_attr_off;
  AttrColumns event_attrs;

  // Links: span i has links [link_off.begin(i), link_off.end(i)).
  Offsets link_off;
  std::vector<TraceId> link_trace_id;
  std::vector<SpanId> link_span_id;
  std::vector<StrId> link_trace_state;
  Offsets link_attr_off;
  AttrColumns link_attrs;

  size_t size() const { return span_id.size(); }
  bool empty() const { return span_id.empty(); }

  // Adds a resource whose attributes were appended to resources.attrs; returns its index.
  uint32_t CommitResource(StrId service_name);
  // Adds a scope whose attributes were appended to scopes.attrs; returns its index.
  uint32_t CommitScope(StrId name, StrId version);
  void CommitEvent(int64_t time_ns, StrId name);
  void CommitLink(TraceId trace, SpanId span, StrId trace_state);
  void CommitSpan(const SpanRow& row);
  void DiscardPending();
  SpanRow Row(size_t i) const;

  // Looks up an attribute by key on span i, then on its resource. Returns the row in
  // `attrs` or `resources.attrs` through *in_resource; -1 if absent.
  int64_t FindAttr(size_t i, std::string_view key, bool* in_resource) const;
  void Clear();
  // Approximate heap bytes, to decide when to flush.
  size_t MemoryBytes() const;
};

// Log severity numbers follow OpenTelemetry: 1-4 TRACE, 5-8 DEBUG, 9-12 INFO, 13-16 WARN,
// 17-20 ERROR, 21-24 FATAL, 0 unspecified.
uint8_t SeverityFromText(std::string_view text);  // "warn", "WARNING", "E", "err" … → number
const char* SeverityShortName(uint8_t number);     // "TRACE" … "FATAL", "UNSET"

struct LogRow {
  int64_t time_ns = 0;
  int64_t observed_ns = 0;
  uint8_t severity_number = 0;
  StrId severity_text = kEmptyStr;
  uint32_t resource = 0;
  uint32_t scope = 0;
  StrId body = kEmptyStr;
  AttrType body_type = AttrType::kString;  // kKvList/kArray when the body is structured (JSON)
  TraceId trace_id;
  SpanId span_id = 0;
  uint32_t flags = 0;
  StrId event_name = kEmptyStr;
};

// A batch of log records as columns. Append attributes to `attrs`, then CommitLog(row).
// template_id and params are filled by log mining (0 and empty until then).
struct LogBatch {
  StringDict dict;
  ResourceTable resources;
  ScopeTable scopes;

  std::vector<int64_t> time_ns;
  std::vector<int64_t> observed_ns;
  std::vector<uint8_t> severity_number;
  std::vector<StrId> severity_text;
  std::vector<uint32_t> resource;
  std::vector<uint32_t> scope;
  std::vector<StrId> service;
  std::vector<StrId> body;
  std::vector<AttrType> body_type;
  std::vector<TraceId> trace_id;
  std::vector<SpanId> span_id;
  std::vector<uint32_t> flags;
  std::vector<StrId> event_name;
  Offsets attr_off;
  AttrColumns attrs;
  std::vector<uint32_t> template_id;
  Offsets param_off;
  std::vector<StrId> params;

  size_t size() const { return time_ns.size(); }
  bool empty() const { return time_ns.empty(); }
  uint32_t CommitResource(StrId service_name);
  uint32_t CommitScope(StrId name, StrId version);
  void CommitLog(const LogRow& row);
  void DiscardPending();
  LogRow Row(size_t i) const;
  void Clear();
  size_t MemoryBytes() const;
};

struct EventRow {
  StrId stream = kEmptyStr;
  uint64_t version = 0;  // 1-based; 0 when the source gave none
  StrId event_id = kEmptyStr;
  StrId event_type = kEmptyStr;
  int64_t time_ns = 0;
  StrId payload = kEmptyStr;   // JSON text
  StrId metadata = kEmptyStr;  // JSON text
  StrId correlation_id = kEmptyStr;
  StrId causation_id = kEmptyStr;
  StrId service = kEmptyStr;  // the service whose store holds the stream, when known
};

// A batch of domain events (event sourcing) as columns.
struct EventBatch {
  StringDict dict;
  std::vector<StrId> stream;
  std::vector<uint64_t> version;
  std::vector<StrId> event_id;
  std::vector<StrId> event_type;
  std::vector<int64_t> time_ns;
  std::vector<StrId> payload;
  std::vector<StrId> metadata;
  std::vector<StrId> correlation_id;
  std::vector<StrId> causation_id;
  std::vector<StrId> service;

  size_t size() const { return stream.size(); }
  bool empty() const { return stream.empty(); }
  void CommitEvent(const EventRow& row);
  EventRow Row(size_t i) const;
  // Appends row `i` of `src`, re-interning its strings.
  void AppendRowFrom(const EventBatch& src, size_t i);
  void Clear();
  size_t MemoryBytes() const;
};

// Remembers, for a row copier, which id of the source became which id of the destination
// (strings, resources, scopes). Sparse while few ids are mapped (copying one trace out of a
// million-row segment must not clear a table of the segment's size), dense once many are.
class IdMemo {
 public:
  explicit IdMemo(size_t universe) : universe_(universe) {}
  // The mapped id of `id`, or calls make() to create it.
  template <typename Make>
  uint32_t Get(uint32_t id, Make&& make) {
    if (!dense_.empty()) {
      uint32_t& slot = dense_[id];
      if (slot == kNone) slot = make();
      return slot;
    }
    auto it = sparse_.find(id);
    if (it != sparse_.end()) return it->second;
    uint32_t mapped = make();
    sparse_.emplace(id, mapped);
    if (sparse_.size() * 16 > universe_ && universe_ > 0) Densify();
    return mapped;
  }

 private:
  static constexpr uint32_t kNone = 0xffffffffu;
  void Densify();
  size_t universe_;
  std::unordered_map<uint32_t, uint32_t> sparse_;
  std::vector<uint32_t> dense_;
};

// Copies rows from one batch into another (to gather a trace from many segments, or to
// split a batch): strings are re-interned and each resource and scope is copied once.
// Both batches must outlive the copier; one copier per (source, destination) pair.
class SpanRowCopier {
 public:
  SpanRowCopier(const SpanBatch& src, SpanBatch* dst);
  void Copy(size_t row);

 private:
  StrId Str(StrId id);
  void CopyAttrs(const AttrColumns& from, uint32_t begin, uint32_t end, AttrColumns* to);
  const SpanBatch& src_;
  SpanBatch* dst_;
  IdMemo str_map_;
  IdMemo resource_map_;
  IdMemo scope_map_;
};

class LogRowCopier {
 public:
  LogRowCopier(const LogBatch& src, LogBatch* dst);
  void Copy(size_t row);

 private:
  StrId Str(StrId id);
  void CopyAttrs(const AttrColumns& from, uint32_t begin, uint32_t end, AttrColumns* to);
  const LogBatch& src_;
  LogBatch* dst_;
  IdMemo str_map_;
  IdMemo resource_map_;
  IdMemo scope_map_;
};

// Field-by-field equality of the decoded content (strings compared by value, not by id).
// Used by round-trip tests and by cross-format equivalence checks.
bool SameContent(const SpanBatch& a, const SpanBatch& b, std::string* why);
bool SameContent(const LogBatch& a, const LogBatch& b, std::string* why);
bool SameContent(const EventBatch& a, const EventBatch& b, std::string* why);

}  // namespace ddbg

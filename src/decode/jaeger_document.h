// The Jaeger JSON decoder's two halves: jaeger_json.cc reads a document into views of its
// traces, spans, tags, references, logs and processes (nothing copied), and jaeger_spans.cc
// validates each span and commits it to the model. The mapping rules are described at the
// top of jaeger_json.cc. One decoder per input; it belongs to the decoding thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ddbg/decode.h"
#include "decode/json_document.h"

namespace ddbg::jaeger {

namespace od = simdjson::ondemand;
using json::RawValue;

struct Tag {
  std::string_view key;
  std::string_view type;
  RawValue value;
};
struct Ref {
  std::string_view ref_type;
  std::string_view trace_id;
  std::string_view span_id;
  TraceId trace;  // resolved by Check
  SpanId span = 0;
};
struct Log {
  RawValue timestamp;
  uint32_t field_begin = 0, field_end = 0;  // rows of tags_
};
struct Process {
  uint32_t trace = 0;   // the trace object whose "processes" holds it
  std::string_view id;  // its key there; empty for an inline "process"
  std::string_view service;
  uint32_t tag_begin = 0, tag_end = 0;
  uint64_t generation = UINT64_MAX;  // `resource` is valid while this equals the decoder's
  uint32_t resource = 0;
};
struct TraceObject {
  std::string_view trace_id;
  uint32_t process_begin = 0, process_end = 0;  // rows of processes_ once sorted
};
struct Span {
  const char* at = nullptr;  // where the span starts in the parsed buffer
  uint32_t trace = 0;        // its trace object
  std::string_view trace_id, span_id, parent_span_id, operation_name, process_id;
  RawValue start_time, duration, flags;
  int32_t inline_process = -1;
  uint32_t tag_begin = 0, tag_end = 0, ref_begin = 0, ref_end = 0, log_begin = 0, log_end = 0;
  const char* bad_field = nullptr;  // a field of the wrong JSON type: the span is rejected
  bool fixed = false;               // something was dropped or repaired: counts a warning
  bool any_field = false;           // has span fields (tells a bare span from other objects)
};
// What validation found for a span: its ids and times, or why it is rejected.
struct Checked {
  bool ok = false;
  bool trace_hashed = false, span_hashed = false;
  TraceId trace;
  SpanId id = 0, parent = 0;
  int32_t parent_ref = -1;  // the reference chosen as parent
  int64_t start_ns = 0, end_ns = 0;
  std::string reason;
};

class Decoder : private json::DocumentWalk {
 public:
  explicit Decoder(DecodeContext& ctx) : ctx_(ctx), batch_(ctx.spans) {}
  Status Decode(std::string_view data);

 private:
  // Reading (jaeger_json.cc). Each returns false after a structural error, which ends the
  // document (recorded in fatal_); a value of the wrong type only marks its span.
  bool ParseObject(od::object object, const char* at, bool root);
  bool ParseData(od::value value, const char* at);
  bool ParseSpans(od::value value, uint32_t trace);
  bool ParseSpan(od::value value, uint32_t trace);
  bool ParseSpanField(od::raw_json_string key, od::value value, Span* span);
  bool ParseTags(od::value value, uint32_t* begin, uint32_t* end, bool* fixed);
  bool ParseRefs(od::value value, Span* span);
  bool ParseLogs(od::value value, Span* span);
  bool ParseProcesses(od::value value, uint32_t trace);
  bool ParseProcess(od::value value, Process* process, bool* fixed);
  uint32_t NewTrace();

  // Validation and commit (jaeger_spans.cc).
  Status Commit(size_t* committed);
  void Check(uint32_t i);
  void MarkDuplicates();
  void CommitSpan(uint32_t i);
  uint32_t ResourceOf(const Span& span, bool* fixed);
  uint32_t ScopeOf(std::string_view name, std::string_view version);
  void AddTag(const Tag& tag, AttrColumns* cols, bool* fixed);
  void Reject(const char* at, std::string reason);

  DecodeContext& ctx_;
  SpanBatch& batch_;
  json::JsonDocument doc_;
  od::parser parser_;
  std::vector<TraceObject> traces_;
  std::vector<Span> spans_;
  std::vector<Tag> tags_;
  std::vector<Ref> refs_;
  std::vector<Log> logs_;
  std::vector<Process> processes_;
  std::vector<Process> inline_processes_;
  Process unknown_process_;  // for spans whose process is missing
  std::vector<Checked> checked_;
  bool not_jaeger_ = false;  // the root object is neither a response, a trace nor a span

  uint64_t generation_ = 0;  // bumped when a flush empties the batch
  std::unordered_map<std::string, uint32_t> resource_ids_;
  std::unordered_map<std::string, uint32_t> scope_ids_;
  std::string key_;
  std::string bytes_;
};

}  // namespace ddbg::jaeger

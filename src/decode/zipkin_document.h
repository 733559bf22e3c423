// The Zipkin v2 JSON decoder in three steps: zipkin_json.cc reads the document into views of
// its spans (nothing copied), zipkin_ids.cc validates them and gives every kept span a unique
// id and its parent (Zipkin lets a client and a server share one span id), and
// zipkin_json.cc commits them to the model. The rules are described at the top of
// zipkin_json.cc and zipkin_ids.cc. One decoder per input; it belongs to the decoding thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ddbg/decode.h"
#include "decode/json_document.h"

namespace ddbg::zipkin {

namespace od = simdjson::ondemand;
using json::RawValue;

struct Endpoint {
  std::string_view service, ipv4, ipv6;
  int64_t port = 0;
  bool present = false;
  // Same host identity: service, ipv4 and ipv6 (not the port).
  bool SameHost(const Endpoint& o) const {
    return service == o.service && ipv4 == o.ipv4 && ipv6 == o.ipv6;
  }
};
struct Tag {
  std::string_view key;
  RawValue value;
};
struct Annotation {
  RawValue timestamp;
  std::string_view value;
};

struct Span {
  // As read.
  const char* at = nullptr;  // where the span starts in the parsed buffer
  std::string_view trace_id, id, parent_id, name, kind;
  RawValue timestamp, duration;
  Endpoint local, remote;
  bool shared = false;
  uint32_t tag_begin = 0, tag_end = 0, ann_begin = 0, ann_end = 0;
  const char* bad_field = nullptr;  // a field of the wrong JSON type: the span is rejected
  bool fixed = false;               // something was dropped or repaired: counts a warning

  // Validated (zipkin_ids.cc).
  bool ok = false;
  uint32_t reason = UINT32_MAX;  // when rejected: why, as an index into the decoder's reasons_
  TraceId trace;
  SpanId span_id = 0, parent_id_value = 0;  // as written
  SpanKind span_kind = SpanKind::kInternal;
  bool has_start = false, start_missing = false, duration_missing = false;
  int64_t start_ns = 0, duration_ns = 0;
  // The ids it gets in the model: a span that shares its id with another keeps it only if it
  // is the group's owner; the others get a derived id and remember the original.
  SpanId out_id = 0, out_parent = 0;
  bool derived = false;    // out_id was derived; span_id is the shared original
  bool placed = false;     // out_parent is final; else it is decided under place_under
  SpanId place_under = 0;  // the id (as written) whose group holds the parent
};

class Decoder : private json::DocumentWalk {
 public:
  explicit Decoder(DecodeContext& ctx) : ctx_(ctx), batch_(ctx.spans) {}
  Status Decode(std::string_view data);

 private:
  // Reading (zipkin_json.cc). Each returns false after a structural error, which ends the
  // document (recorded in fatal_); a value of the wrong type only marks its span.
  bool ParseList(od::array list, const char* at, bool nested);
  bool ParseSpan(od::value value);
  bool ParseEndpoint(od::value value, Endpoint* endpoint, Span* span);
  bool ParseTags(od::value value, Span* span);
  bool ParseAnnotations(od::value value, Span* span);

  // Validation and ids (zipkin_ids.cc).
  bool Check(Span* span, std::string* why);
  void RejectLater(Span* span, std::string why);
  void AssignIds();
  void ResolveGroup(size_t begin, size_t end);
  void PlaceUnder(Span* span, SpanId parent);
  bool IdInTrace(TraceId trace, SpanId id) const;
  SpanId DerivedId(const Span& span, uint64_t retry);
  void FillMissingStarts();
  int64_t StartOf(uint32_t index, int depth);

  // Commit (zipkin_json.cc).
  Status Commit(size_t* committed);
  void CommitSpan(const Span& span);
  uint32_t ResourceOf(const Endpoint& local);
  uint32_t ScopeOf(std::string_view name, std::string_view version);
  void Reject(const char* at, std::string reason);

  DecodeContext& ctx_;
  SpanBatch& batch_;
  json::JsonDocument doc_;
  od::parser parser_;
  std::vector<Span> spans_;
  std::vector<Tag> tags_;
  std::vector<Annotation> annotations_;
  std::vector<std::string> reasons_;

  // Kept spans sorted by (trace, id as written, position): groups of spans sharing an id.
  struct Entry {
    TraceId trace;
    SpanId id;
    uint32_t index;
  };
  std::vector<Entry> by_id_;
  std::vector<Entry> by_out_id_;  // the same by the id each span gets in the model
  std::vector<uint32_t> members_;
  std::vector<uint32_t> sorted_members_;
  std::vector<SpanId> derived_ids_;
  std::vector<std::pair<TraceId, int64_t>> trace_start_;  // earliest known start per trace
  std::vector<uint8_t> visiting_;                         // StartOf's cycle guard

  std::unordered_map<std::string, uint32_t> resource_ids_;
  std::unordered_map<std::string, uint32_t> scope_ids_;
  std::string key_;
};

}  // namespace ddbg::zipkin

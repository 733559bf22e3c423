// SegmentFacts: the facts several consumers of one shared event scan take from a segment,
// computed once per segment: stream hashes, and for each distinct payload one JSON parse
// giving both its validity (integrity) and its entity (consistency).
#include <simdjson.h>
#include <xxhash.h>

#include <cstring>

#include "ddbg/events.h"
#include "events/consistency_internal.h"

namespace ddbg {

struct SegmentFacts::Payload {
  int8_t state = -1;  // -1 not parsed yet, 0 not JSON, 1 JSON
  uint32_t entity_begin = 0;
  uint32_t entity_size = 0;
};

SegmentFacts::SegmentFacts(const EventColumns& segment, std::string entity_key)
    : segment_(segment), key_(std::move(entity_key)),
      quoted_key_(key_.empty() ? "" : "\"" + key_ + "\"") {}

SegmentFacts::~SegmentFacts() = default;

uint64_t SegmentFacts::StreamHash(StrId stream) {
  if (stream_hash_.empty()) stream_hash_.assign(segment_.dict.size(), 0);
  uint64_t& h = stream_hash_[stream];
  if (h == 0) {
    std::string_view s = segment_.dict[stream];
    h = XXH3_64bits(s.data(), s.size());
  }
  return h;
}

bool SegmentFacts::PayloadValid(StrId payload) {
  return payload == kEmptyStr || Parsed(payload).state == 1;
}

std::string_view SegmentFacts::Entity(StrId payload) {
  if (payload == kEmptyStr) return {};
  const Payload& p = Parsed(payload);
  return std::string_view(entities_).substr(p.entity_begin, p.entity_size);
}

const SegmentFacts::Payload& SegmentFacts::Parsed(StrId payload) {
  if (payloads_.empty()) payloads_.resize(segment_.dict.size());
  Payload& p = payloads_[payload];
  if (p.state >= 0) return p;
  // One parser per thread: its buffers are reused from segment to segment.
  thread_local simdjson::dom::parser parser;
  std::string_view text = segment_.dict[payload];
  simdjson::dom::element doc;
  p.state = parser.parse(text.data(), text.size()).get(doc) ? 0 : 1;
  if (p.state != 1 || key_.empty() || text.front() != '{') return p;
  p.entity_begin = static_cast<uint32_t>(entities_.size());
  events::AppendEntity(doc, key_, &entities_);
  p.entity_size = static_cast<uint32_t>(entities_.size() - p.entity_begin);
  // As consistency has always read it: only from payloads holding the quoted key as it is
  // (a key written with escapes does not count).
  if (p.entity_size > 0 &&
      memmem(text.data(), text.size(), quoted_key_.data(), quoted_key_.size()) == nullptr) {
    entities_.resize(p.entity_begin);
    p.entity_size = 0;
  }
  return p;
}

}  // namespace ddbg

// ConsistencyScan: CheckConsistencySample fed by a shared event scan. Each segment gives the
// entity each of its streams names first and — for the streams whose entity hash is at most
// the running threshold of a bottom-k over every entity seen (k = 1.25 × max_entities) — its
// events; the events of other streams are not kept, only the streams' hashes are noted.
// Finish chooses the entities exactly as a two-pass check does (the max_entities smallest
// hashes among the entities seen by two or more services) and folds them from the events
// kept; when a chosen stream has events that were not kept (a threshold too low for this
// data, or a stream naming different entities), it reads the chosen streams again.
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include "ddbg/events.h"
#include "events/consistency_internal.h"
#include "util/packed_strings.h"

namespace ddbg {
namespace {

// The hash the sample is taken by (std::hash of the text, as for a std::string).
uint64_t EntityHash(std::string_view entity) { return std::hash<std::string_view>()(entity); }
uint64_t StreamHash(std::string_view stream) { return XXH3_64bits(stream.data(), stream.size()); }

// Events kept by a part with the hash of the entity they were kept for, their strings
// packed in one buffer (one allocation for all instead of several per event).
class PackedEvents {
 public:
  // The bytes Add(…, c, i) packs.
  static size_t Bytes(const EventColumns& c, size_t i) {
    size_t n = 0;
    for (StrId id : Strings(c, i)) n += c.dict[id].size();
    return n;
  }
  // Room for `rows` more rows of `bytes` more bytes (no regrowth while adding them).
  void Reserve(size_t rows, size_t bytes) {
    rows_.reserve(rows_.size() + rows);
    bytes_.reserve(bytes_.size() + bytes);
  }
  void Add(uint64_t hash, uint64_t stream_hash, const EventColumns& c, size_t i) {
    Row r{hash, stream_hash, bytes_.size(), c.version[i], c.time_ns[i], {}};
    std::array<StrId, kStrings> ids = Strings(c, i);
    for (int k = 0; k < kStrings; ++k) {
      std::string_view text = c.dict[ids[k]];
      r.len[k] = static_cast<uint32_t>(text.size());
      bytes_.append(text);
    }
    rows_.push_back(r);
  }
  size_t size() const { return rows_.size(); }
  uint64_t hash(size_t i) const { return rows_[i].hash; }
  uint64_t stream_hash(size_t i) const { return rows_[i].stream_hash; }
  std::string_view stream(size_t i) const { return Text(i, 0); }
  StreamEvent Event(size_t i) const {
    StreamEvent e;
    std::string* fields[kStrings] = {&e.stream,   &e.event_id,       &e.type,
                                     &e.payload,  &e.metadata,       &e.correlation_id,
                                     &e.causation_id, &e.service};
    for (int k = 0; k < kStrings; ++k) fields[k]->assign(Text(i, k));
    e.version = rows_[i].version;
    e.time_ns = rows_[i].time_ns;
    return e;
  }
  // Keeps the rows whose hash is at most `threshold`; calls dropped(stream hash) for the
  // others. The bytes are packed anew only once the rows left use less than half of them,
  // so each byte is copied about once more, however often the threshold falls.
  template <typename Fn>
  void KeepUpTo(uint64_t threshold, Fn&& dropped) {
    size_t kept = 0, live = 0;
    for (size_t i = 0; i < rows_.size(); ++i) {
      if (rows_[i].hash > threshold) {
        dropped(rows_[i].stream_hash);
        continue;
      }
      live += End(i) - rows_[i].begin;
      rows_[kept++] = rows_[i];
    }
    rows_.resize(kept);
    if (live * 2 >= bytes_.size()) return;
    std::string packed;
    packed.reserve(live);
    for (size_t i = 0; i < rows_.size(); ++i) {
      uint64_t begin = packed.size();
      packed.append(bytes_, rows_[i].begin, End(i) - rows_[i].begin);
      rows_[i].begin = begin;
    }
    bytes_ = std::move(packed);
  }

 private:
  static constexpr int kStrings = 8;  // stream, id, type, payload, metadata, correlation,
                                      // causation, service
  static std::array<StrId, kStrings> Strings(const EventColumns& c, size_t i) {
    return {c.stream[i],   c.event_id[i],       c.event_type[i], c.payload[i],
            c.metadata[i], c.correlation_id[i], c.causation_id[i], c.service[i]};
  }
  struct Row {
    uint64_t hash;
    uint64_t stream_hash;  // StreamHash of its stream
    uint64_t begin;        // of its strings in bytes_
    uint64_t version;
    int64_t time_ns;
    uint32_t len[kStrings];
  };
  std::string_view Text(size_t i, int k) const {
    uint64_t at = rows_[i].begin;
    for (int j = 0; j < k; ++j) at += rows_[i].len[j];
    return std::string_view(bytes_).substr(at, rows_[i].len[k]);
  }
  uint64_t End(size_t i) const {
    uint64_t at = rows_[i].begin;
    for (uint32_t len : rows_[i].len) at += len;
    return at;
  }
  std::vector<Row> rows_;
  std::string bytes_;
};

// An entity and the streams it owns, views into the parts.
struct EntityStreams {
  uint64_t hash;
  std::string_view entity;
  std::vector<std::string_view> streams;
};

// One segment's share.
struct ConsistencyPart {
  PackedStrings entities;  // stream, entity, stream, entity … in row order of naming
  std::vector<uint64_t> stream_hashes;  // per pair: StreamHash of the stream
  std::vector<uint64_t> entity_hashes;  // per pair: EntityHash of the entity
  PackedEvents kept;
  std::vector<uint64_t> missed;  // hashes of the streams with events not kept (unordered)

  // Drops the kept events whose entity hash is above `threshold`, noting their streams.
  void DropAbove(uint64_t threshold) {
    kept.KeepUpTo(threshold, [&](uint64_t stream_hash) {
      if (missed.empty() || missed.back() != stream_hash) missed.push_back(stream_hash);
    });
  }
};

// The k smallest distinct hashes seen; the threshold is the largest of them once there are
// k (every hash passes before). Thread-safety: Add and threshold from any thread.
class BottomK {
 public:
  explicit BottomK(size_t k) : k_(k) {}
  uint64_t Add(const std::vector<uint64_t>& hashes) {
    std::lock_guard<std::mutex> lock(mu_);
    if (k_ == SIZE_MAX) return threshold_;
    for (uint64_t h : hashes) {
      if (h > threshold_ || !set_.insert(h).second) continue;
      if (set_.size() > k_) set_.erase(std::prev(set_.end()));
      if (set_.size() >= k_) threshold_ = *set_.rbegin();
    }
    return threshold_;
  }
  uint64_t threshold() {
    std::lock_guard<std::mutex> lock(mu_);
    return threshold_;
  }

 private:
  size_t k_;
  std::mutex mu_;
  std::set<uint64_t> set_;
  uint64_t threshold_ = UINT64_MAX;
};

// A bitmap over the low bits of a set of hashes: MayHold is false for most hashes not in
// the set, sparing them a binary search.
class HashFilter {
 public:
  explicit HashFilter(const std::vector<uint64_t>& hashes) : bits_(kWords, 0) {
    for (uint64_t h : hashes) bits_[(h & kMask) >> 6] |= uint64_t{1} << (h & 63);
  }
  bool MayHold(uint64_t h) const { return (bits_[(h & kMask) >> 6] >> (h & 63)) & 1; }

 private:
  static constexpr uint64_t kMask = (uint64_t{1} << 21) - 1;
  static constexpr size_t kWords = (kMask + 1) / 64;
  std::vector<uint64_t> bits_;
};

}  // namespace

struct ConsistencyScan::Impl {
  Impl(const ConsistencyRules& r, size_t max)
      : rules(r), max_entities(max), quoted_key("\"" + r.entity_key + "\""),
        bottom(max > SIZE_MAX / 2 ? SIZE_MAX : std::max<size_t>(1, max + max / 4)) {}

  ConsistencyPart Extract(const EventColumns& c, SegmentFacts& facts);
  // Keeps a part; each time the threshold fell by a quarter, drops what the parts kept above it.
  void Keep(size_t ordinal, ConsistencyPart part);
  // The events of `streams` (sorted; each stream's events in scan order, at the stream's
  // index) from the parts; false when some were not kept.
  bool KeptEvents(const std::vector<std::pair<uint64_t, std::string>>& streams,
                  std::vector<std::vector<StreamEvent>>* by_stream);
  // The first `limit` entities named first by two or more streams, by hash (then text),
  // with those streams; *shared counts all of them. Parts hold fewer than 2^32 namings each.
  std::vector<EntityStreams> SharedEntities(size_t limit, size_t* shared) const;

  ConsistencyRules rules;
  size_t max_entities;
  std::string quoted_key;
  BottomK bottom;
  std::mutex mu;
  std::map<size_t, ConsistencyPart> parts;  // by segment ordinal
  uint64_t compacted_at = UINT64_MAX;       // the threshold of the last DropAbove
  bool reread = false;
};

ConsistencyPart ConsistencyScan::Impl::Extract(const EventColumns& c, SegmentFacts& facts) {
  thread_local simdjson::dom::parser parser;
  ConsistencyPart part;
  std::vector<int32_t> entity_of(c.dict.size(), -1);  // stream id -> pair of part.entities
  std::vector<uint64_t>& hashes = part.entity_hashes;
  bool shared = facts.entity_key() == rules.entity_key;  // else parsed here
  std::string own;
  for (size_t i = 0; i < c.rows; ++i) {
    if (entity_of[c.stream[i]] >= 0) continue;
    std::string_view entity;
    if (shared) {
      entity = facts.Entity(c.payload[i]);
    } else {
      std::string_view payload = c.dict[c.payload[i]];
      // memmem, not find: find looks for the first byte, '"', which JSON is full of.
      if (memmem(payload.data(), payload.size(), quoted_key.data(), quoted_key.size()) == nullptr) continue;
      own = events::EntityOf(parser, payload, rules.entity_key);
      entity = own;
    }
    if (entity.empty()) continue;
    entity_of[c.stream[i]] = static_cast<int32_t>(hashes.size());
    hashes.push_back(EntityHash(entity));
    part.stream_hashes.push_back(facts.StreamHash(c.stream[i]));
    part.entities.push_back(c.dict[c.stream[i]]);
    part.entities.push_back(entity);
  }
  uint64_t threshold = bottom.Add(hashes);
  std::vector<uint8_t> noted(c.dict.size(), 0);
  std::vector<uint32_t> kept_rows;
  size_t kept_bytes = 0;
  for (size_t i = 0; i < c.rows; ++i) {
    int32_t e = entity_of[c.stream[i]];
    if (e >= 0 && hashes[e] <= threshold) {
      kept_rows.push_back(static_cast<uint32_t>(i));
      kept_bytes += PackedEvents::Bytes(c, i);
    } else if (!noted[c.stream[i]]) {
      noted[c.stream[i]] = 1;
      part.missed.push_back(e >= 0 ? part.stream_hashes[e] : facts.StreamHash(c.stream[i]));
    }
  }
  part.kept.Reserve(kept_rows.size(), kept_bytes);
  for (uint32_t i : kept_rows) {
    int32_t e = entity_of[c.stream[i]];
    part.kept.Add(hashes[e], part.stream_hashes[e], c, i);
  }
  return part;
}

void ConsistencyScan::Impl::Keep(size_t ordinal, ConsistencyPart part) {
  uint64_t threshold = bottom.threshold();
  std::lock_guard<std::mutex> lock(mu);
  parts.emplace(ordinal, std::move(part));
  if (threshold > compacted_at - compacted_at / 4) return;
  for (auto& [o, p] : parts) p.DropAbove(threshold);
  compacted_at = threshold;
}

bool ConsistencyScan::Impl::KeptEvents(const std::vector<std::pair<uint64_t, std::string>>& streams,
                                       std::vector<std::vector<StreamEvent>>* by_stream) {
  std::vector<uint64_t> hashes;  // sorted, as `streams` is
  for (const auto& [h, name] : streams) hashes.push_back(h);
  HashFilter wanted(hashes);
  auto first = [&](uint64_t h) -> size_t {  // the index of the first stream with hash h
    if (!wanted.MayHold(h)) return hashes.size();
    auto at = std::lower_bound(hashes.begin(), hashes.end(), h);
    return at != hashes.end() && *at == h ? static_cast<size_t>(at - hashes.begin()) : hashes.size();
  };
  for (const auto& [o, p] : parts) {
    for (uint64_t h : p.missed) {
      if (first(h) != hashes.size()) return false;
    }
  }
  by_stream->assign(streams.size(), {});
  for (auto& [o, p] : parts) {
    for (size_t i = 0; i < p.kept.size(); ++i) {
      uint64_t h = p.kept.stream_hash(i);
      size_t s = first(h);
      if (s == hashes.size()) continue;
      std::string_view name = p.kept.stream(i);
      for (; s < streams.size() && streams[s].first == h; ++s) {
        if (streams[s].second == name) (*by_stream)[s].push_back(p.kept.Event(i));
      }
    }
  }
  return true;
}

std::vector<EntityStreams> ConsistencyScan::Impl::SharedEntities(size_t limit, size_t* shared) const {
  std::vector<const ConsistencyPart*> by_ordinal;
  for (const auto& [ordinal, part] : parts) by_ordinal.push_back(&part);
  auto stream = [&](uint64_t seq) { return by_ordinal[seq >> 32]->entities[2 * (seq & 0xffffffffu)]; };
  auto entity = [&](uint64_t seq) { return by_ordinal[seq >> 32]->entities[2 * (seq & 0xffffffffu) + 1]; };
  // Every naming as (stream hash, scan position); sorted, each stream's first comes first.
  std::vector<std::pair<uint64_t, uint64_t>> namings;
  for (size_t p = 0; p < by_ordinal.size(); ++p) {
    const std::vector<uint64_t>& h = by_ordinal[p]->stream_hashes;
    for (size_t k = 0; k < h.size(); ++k) namings.emplace_back(h[k], (uint64_t{p} << 32) | k);
  }
  std::sort(namings.begin(), namings.end());
  // (entity hash, scan position of the stream's first naming), one per stream.
  std::vector<std::pair<uint64_t, uint64_t>> owned;
  for (size_t run = 0; run < namings.size();) {
    size_t end = run;
    while (end < namings.size() && namings[end].first == namings[run].first) ++end;
    for (size_t i = run; i < end; ++i) {  // distinct names within a run of equal hashes
      bool first = true;
      for (size_t j = run; j < i && first; ++j) first = stream(namings[j].second) != stream(namings[i].second);
      if (!first) continue;
      uint64_t seq = namings[i].second;
      owned.emplace_back(by_ordinal[seq >> 32]->entity_hashes[seq & 0xffffffffu], seq);
    }
    run = end;
  }
  namings = {};
  std::sort(owned.begin(), owned.end());
  std::vector<EntityStreams> out;
  *shared = 0;
  for (size_t run = 0; run < owned.size();) {
    size_t end = run;
    while (end < owned.size() && owned[end].first == owned[run].first) ++end;
    // Equal hashes of different texts (a collision): split by text, in text order.
    bool collision = false;
    for (size_t i = run + 1; i < end && !collision; ++i) {
      collision = entity(owned[i].second) != entity(owned[run].second);
    }
    if (collision) {
      std::stable_sort(owned.begin() + static_cast<ptrdiff_t>(run), owned.begin() + static_cast<ptrdiff_t>(end),
                       [&](const auto& a, const auto& b) { return entity(a.second) < entity(b.second); });
    }
    for (size_t i = run; i < end;) {  // each text's streams; only shared ones are kept
      size_t same = collision ? i + 1 : end;
      while (same < end && entity(owned[same].second) == entity(owned[i].second)) ++same;
      if (same - i >= 2 && ++*shared <= limit) {
        out.push_back({owned[i].first, entity(owned[i].second), {}});
        for (size_t j = i; j < same; ++j) out.back().streams.push_back(stream(owned[j].second));
      }
      i = same;
    }
    run = end;
  }
  return out;
}

ConsistencyScan::ConsistencyScan(const ConsistencyRules& rules, size_t max_entities)
    : impl_(std::make_unique<Impl>(rules, max_entities)) {}
ConsistencyScan::~ConsistencyScan() = default;

uint32_t ConsistencyScan::columns() const { return ~0u; }  // StreamEventOf reads them all

std::string ConsistencyScan::entity_key() const { return impl_->rules.entity_key; }

Status ConsistencyScan::Consume(const EventColumns& segment, SegmentFacts& facts) {
  impl_->Keep(segment.ordinal, impl_->Extract(segment, facts));
  return Status::Ok();
}

bool ConsistencyScan::reread() const { return impl_->reread; }

Result<std::vector<ConsistencyReport>> ConsistencyScan::Finish(Store& store, Reducer& reducer,
                                                               ConsistencySample* sample) {
  size_t max_entities = impl_->max_entities;
  size_t shared = 0;
  std::vector<EntityStreams> entities = impl_->SharedEntities(max_entities, &shared);
  *sample = {shared, std::min(shared, max_entities)};
  // The entities come by hash: the first max_entities shared ones are the sample.
  std::vector<std::pair<uint64_t, std::string>> streams;  // (hash, name) of their streams
  uint64_t max_hash = 0;
  for (const EntityStreams& e : entities) {
    for (std::string_view s : e.streams) streams.emplace_back(StreamHash(s), s);
    max_hash = e.hash;
  }
  std::sort(streams.begin(), streams.end());
  // entity -> the indexes in `streams` of its streams, by name.
  std::map<std::string, std::vector<size_t>> chosen;
  for (const EntityStreams& e : entities) {
    std::vector<size_t>& at = chosen[std::string(e.entity)];
    for (std::string_view s : e.streams) {
      std::pair<uint64_t, std::string_view> key(StreamHash(s), s);
      at.push_back(static_cast<size_t>(
          std::lower_bound(streams.begin(), streams.end(), key,
                           [](const auto& a, const auto& b) {
                             return a.first != b.first ? a.first < b.first : a.second < b.second;
                           }) -
          streams.begin()));
    }
    std::sort(at.begin(), at.end(), [&](size_t a, size_t b) { return streams[a].second < streams[b].second; });
  }
  entities.clear();
  std::vector<std::vector<StreamEvent>> by_stream;
  bool kept = max_hash <= impl_->bottom.threshold() && impl_->KeptEvents(streams, &by_stream);
  impl_->parts.clear();
  if (!kept) {
    impl_->reread = true;
    std::set<std::string, std::less<>> names;
    for (const auto& [hash, name] : streams) names.insert(name);
    Result<std::map<std::string, std::vector<StreamEvent>>> again = events::EventsOfStreams(store, names);
    if (!again.ok()) return again.status();
    by_stream.assign(streams.size(), {});
    for (size_t i = 0; i < streams.size(); ++i) by_stream[i] = std::move((*again)[streams[i].second]);
  }
  std::vector<ConsistencyReport> out;
  for (const auto& [entity, at] : chosen) {
    std::vector<StreamEvent> events;
    for (size_t s : at) {
      for (StreamEvent& e : by_stream[s]) events.push_back(std::move(e));
    }
    int64_t last = INT64_MIN;
    for (const StreamEvent& e : events) last = std::max(last, e.time_ns);
    Result<ConsistencyReport> r =
        events::Evaluate(entity, std::move(events), last, impl_->rules, reducer);
    if (!r.ok()) return r.status();
    if (!r->disagreements.empty()) out.push_back(std::move(*r));
  }
  return out;
}

Result<std::vector<ConsistencyReport>> CheckConsistencySample(Store& store,
                                                              const ConsistencyRules& rules,
                                                              Reducer& reducer, size_t max_entities,
                                                              ConsistencySample* sample) {
  ConsistencyScan scan(rules, max_entities);
  DDBG_RETURN_IF_ERROR(ScanEventsShared(store, {}, 2, {&scan}));
  return scan.Finish(store, reducer, sample);
}

}  // namespace ddbg

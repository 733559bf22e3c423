// Zipkin span validation, and one unique span id per kept span within its trace.
//
// Zipkin's B3 "shared span" model lets a CLIENT span and the SERVER span answering it carry the
// same id (the server marked "shared": true). Some instrumentations omit the flag (a
// non-shared SERVER beside a CLIENT with its id is taken as shared, as Zipkin's Trace.merge
// does), several servers may answer one id (a message consumed several times, as in the
// SmartThings traces), and a span may be reported in parts (a later record with its id and no
// timestamp). The model needs unique span ids per trace; Zipkin's merge and Jaeger's Zipkin
// converter fold such records together and lose data. Here every record is kept:
// - In each group of kept spans sharing (trace, id X), the owner keeps X: the first non-shared
//   CLIENT, else the first non-shared span, else the first one (a shared root such as an
//   Envoy proxy span whose client was never reported).
// - Every other member gets a derived id, XXH3 of its shared flag, timestamp and local
//   endpoint seeded with X (rehashed in the rare case it is zero or already taken in the
//   trace), so a record gets the same id in whatever document and order it comes; it carries
//   the attribute zipkin.shared_span_id = X. A shared member's parent is the owner X (the client
//   half), or its own parentId when the owner is itself a shared server.
// - Children whose parentId is X, and the other members that are not shared (fragments), hang
//   under the half that issued them, as Zipkin's SpanNode attaches them: the shared half on
//   the child's host (same service, ipv4, ipv6), else the shared half of the child's service,
//   else the client half when the child runs in the client's service, else the server half,
//   since the server is what issues further calls (yelp.json: children of the api_proxy server
//   are reported by "yelp-main"). Among several qualifying halves, the latest one to start
//   before the child wins.
// - Two members with the same shared flag, endpoint and timestamp are one span reported twice:
//   the later one is rejected as a duplicate.
// Ids are made unique within one document: a client and its shared server that arrive in
// different documents (separate POST bodies) both keep X.
// A span without a timestamp starts when its parent does (else at the trace's earliest start)
// and carries zipkin.timestamp_missing = true; one without a duration ends where it starts and
// carries zipkin.duration_missing = true. Either counts one warning for the span.
#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <string>

#include "decode/span_id_text.h"
#include "decode/zipkin_document.h"

namespace ddbg::zipkin {
namespace {

constexpr idtext::NonHex kNonHex = idtext::NonHex::kReject;
constexpr int kMaxStartDepth = 64;

bool KindFromName(std::string_view name, SpanKind* kind) {
  static constexpr std::pair<std::string_view, SpanKind> kKinds[] = {
      {"CLIENT", SpanKind::kClient},
      {"SERVER", SpanKind::kServer},
      {"PRODUCER", SpanKind::kProducer},
      {"CONSUMER", SpanKind::kConsumer},
  };
  for (const auto& [text, value] : kKinds) {
    if (json::EqualsIgnoreCase(name, text)) {
      *kind = value;
      return true;
    }
  }
  return false;
}

bool EntryLess(TraceId trace, SpanId id, TraceId other_trace, SpanId other_id) {
  return trace != other_trace ? trace < other_trace : id < other_id;
}

}  // namespace

void Decoder::RejectLater(Span* span, std::string why) {
  span->ok = false;
  span->reason = static_cast<uint32_t>(reasons_.size());
  reasons_.push_back(std::move(why));
}

// Validates the span's ids, kind and times. False with *why when it must be rejected.
bool Decoder::Check(Span* s, std::string* why_out) {
  std::string& why = *why_out;
  if (doc_.OpenAtEnd(s->at)) {
    why = "the input ends inside this span (truncated)";
    truncation_reported_ = true;
    return false;
  }
  if (s->bad_field != nullptr) {
    why = fmt::format("{} has the wrong JSON type", s->bad_field);
    return false;
  }
  bool hashed = false;
  if (!idtext::TraceIdFromText("traceId", s->trace_id, kNonHex, &s->trace, &hashed, &why))
    return false;
  if (s->trace.empty()) {
    why = s->trace_id.empty() ? "traceId is missing" : "traceId is all zeros";
    return false;
  }
  if (!idtext::SpanIdFromText("id", s->id, kNonHex, &s->span_id, &hashed, &why)) return false;
  if (s->span_id == 0) {
    why = s->id.empty() ? "id is missing" : "id is all zeros";
    return false;
  }
  if (!idtext::SpanIdFromText("parentId", s->parent_id, kNonHex, &s->parent_id_value, &hashed,
                              &why)) {
    return false;
  }
  if (s->parent_id_value == s->span_id) {
    why = fmt::format("span is its own parent (id {} == parentId)", json::Hex16(s->span_id));
    return false;
  }
  if (!s->kind.empty() && !KindFromName(s->kind, &s->span_kind)) {
    s->span_kind = SpanKind::kUnspecified;
    s->fixed = true;
  }
  if (s->timestamp.present()) {
    if (!json::MicrosToNanos(s->timestamp, &s->start_ns)) {
      why = fmt::format("timestamp must be microseconds since the epoch, got \"{}\"",
                        json::Excerpt(json::ScalarText(s->timestamp)));
      return false;
    }
    s->has_start = s->start_ns > 0;  // Zipkin reads 0 as absent
  }
  s->start_missing = !s->has_start;
  s->duration_missing = true;
  if (s->duration.present()) {
    if (json::MicrosToNanos(s->duration, &s->duration_ns)) {
      s->duration_missing = false;
    } else if (json::ScalarText(s->duration).substr(0, 1) != "-") {
      why = fmt::format("duration must be microseconds, got \"{}\"",
                        json::Excerpt(json::ScalarText(s->duration)));
      return false;
    }
  }
  if (s->start_missing || s->duration_missing) s->fixed = true;
  s->ok = true;
  return true;
}

// The id a span sharing its id with another gets: a hash of the shared id and of what tells
// the record apart (its shared flag, timestamp and local endpoint), so the same record gets
// the same id whatever else the document holds and in whatever order.
SpanId Decoder::DerivedId(const Span& s, uint64_t retry) {
  key_.clear();
  key_.push_back(s.shared ? 'S' : 'P');
  key_.append(reinterpret_cast<const char*>(&s.start_ns), sizeof(s.start_ns));
  key_.append(reinterpret_cast<const char*>(&s.local.port), sizeof(s.local.port));
  key_.append(s.local.service);
  key_.push_back('\0');
  key_.append(s.local.ipv4);
  key_.push_back('\0');
  key_.append(s.local.ipv6);
  return XXH3_64bits_withSeed(key_.data(), key_.size(), s.span_id + retry);
}

bool Decoder::IdInTrace(TraceId trace, SpanId id) const {
  auto it = std::lower_bound(
      by_id_.begin(), by_id_.end(), Entry{trace, id, 0},
      [](const Entry& a, const Entry& b) { return EntryLess(a.trace, a.id, b.trace, b.id); });
  return it != by_id_.end() && it->trace == trace && it->id == id;
}

void Decoder::AssignIds() {
  by_id_.clear();
  by_id_.reserve(spans_.size());
  std::string why;
  for (uint32_t i = 0; i < spans_.size(); ++i) {
    if (Check(&spans_[i], &why)) {
      by_id_.push_back(Entry{spans_[i].trace, spans_[i].span_id, i});
    } else {
      RejectLater(&spans_[i], std::move(why));
      why.clear();
    }
  }
  std::sort(by_id_.begin(), by_id_.end(), [](const Entry& a, const Entry& b) {
    if (a.trace != b.trace || a.id != b.id) return EntryLess(a.trace, a.id, b.trace, b.id);
    return a.index < b.index;
  });
  for (size_t b = 0; b < by_id_.size();) {
    size_t e = b + 1;
    while (e < by_id_.size() && by_id_[e].trace == by_id_[b].trace &&
           by_id_[e].id == by_id_[b].id) {
      ++e;
    }
    ResolveGroup(b, e);
    b = e;
  }
  for (Span& s : spans_) {
    if (s.ok && !s.placed) PlaceUnder(&s, s.place_under);
  }
  FillMissingStarts();
}

// Picks the owner of a group of spans sharing one id, derives ids for the others and drops
// exact repeats (see the top of the file).
void Decoder::ResolveGroup(size_t begin, size_t end) {
  members_.clear();
  for (size_t k = begin; k < end; ++k) members_.push_back(by_id_[k].index);
  if (members_.size() == 1) {
    Span& s = spans_[members_[0]];
    s.out_id = s.span_id;
    s.place_under = s.parent_id_value;
    return;
  }
  bool has_client = false;
  for (uint32_t m : members_) {
    const Span& s = spans_[m];
    has_client |= !s.shared && s.span_kind == SpanKind::kClient;
  }
  for (uint32_t m : members_) {
    Span& s = spans_[m];
    if (has_client && !s.shared && s.span_kind == SpanKind::kServer) s.shared = true;
  }
  // The same span reported twice: equal shared flag, endpoint and timestamp.
  auto key = [this](uint32_t m) {
    const Span& s = spans_[m];
    return std::tie(s.shared, s.local.service, s.local.ipv4, s.local.ipv6, s.local.port,
                    s.has_start, s.start_ns);
  };
  sorted_members_ = members_;
  std::sort(sorted_members_.begin(), sorted_members_.end(),
            [&](uint32_t a, uint32_t b) { return key(a) != key(b) ? key(a) < key(b) : a < b; });
  size_t first = 0;
  for (size_t k = 1; k < sorted_members_.size(); ++k) {
    if (key(sorted_members_[k]) != key(sorted_members_[first])) {
      first = k;
      continue;
    }
    Span& dup = spans_[sorted_members_[k]];
    RejectLater(
        &dup,
        fmt::format(
            "duplicate span id {} in trace {} (same endpoint and timestamp as the span at byte {})",
            json::Hex16(dup.span_id), TraceIdToHex(dup.trace),
            doc_.OffsetOf(spans_[sorted_members_[first]].at)));
  }
  members_.erase(std::remove_if(members_.begin(), members_.end(),
                                [this](uint32_t m) { return !spans_[m].ok; }),
                 members_.end());

  uint32_t owner = UINT32_MAX;
  for (uint32_t m : members_) {
    const Span& s = spans_[m];
    if (!s.shared && s.span_kind == SpanKind::kClient) {
      owner = m;
      break;
    }
  }
  for (size_t k = 0; k < members_.size() && owner == UINT32_MAX; ++k) {
    if (!spans_[members_[k]].shared) owner = members_[k];
  }
  if (owner == UINT32_MAX) owner = members_[0];
  Span& o = spans_[owner];
  o.out_id = o.span_id;
  o.place_under = o.parent_id_value;

  derived_ids_.clear();
  for (uint32_t m : members_) {
    if (m == owner) continue;
    Span& s = spans_[m];
    SpanId id = DerivedId(s, 0);
    for (uint64_t retry = 1;
         id == 0 || IdInTrace(s.trace, id) ||
         std::find(derived_ids_.begin(), derived_ids_.end(), id) != derived_ids_.end();
         ++retry) {
      id = DerivedId(s, retry);
    }
    derived_ids_.push_back(id);
    s.out_id = id;
    s.derived = true;
    if (s.shared && !o.shared) {
      s.out_parent = o.span_id;
      s.placed = true;
    } else {
      s.place_under = s.shared ? s.parent_id_value : o.span_id;
    }
  }
}

// Sets span->out_parent to the span that holds `parent` (an id as written) for it: the id
// itself, or one of the halves sharing it.
void Decoder::PlaceUnder(Span* span, SpanId parent) {
  span->placed = true;
  span->out_parent = parent;
  if (parent == 0) return;
  auto less = [](const Entry& a, const Entry& b) {
    return EntryLess(a.trace, a.id, b.trace, b.id);
  };
  auto [first, last] =
      std::equal_range(by_id_.begin(), by_id_.end(), Entry{span->trace, parent, 0}, less);
  const Span* owner = nullptr;
  bool any_shared = false;
  for (auto it = first; it != last; ++it) {
    const Span& m = spans_[it->index];
    if (!m.ok || &m == span) continue;
    if (!m.derived) owner = &m;
    any_shared |= m.shared;
  }
  if (!any_shared) return;
  const Endpoint& host = span->local;
  // Candidate tiers, most specific first; tier 2 (the client half) is not a shared half.
  for (int tier = 0; tier < 4; ++tier) {
    if (tier == 2) {
      if (owner != nullptr && !owner->shared && owner->local.service == host.service) return;
      continue;
    }
    const Span* first_candidate = nullptr;
    const Span* best = nullptr;  // the latest to start no later than the child
    for (auto it = first; it != last; ++it) {
      const Span& m = spans_[it->index];
      if (!m.ok || !m.shared || &m == span) continue;
      if (tier == 0 && !m.local.SameHost(host)) continue;
      if (tier == 1 && m.local.service != host.service) continue;
      if (first_candidate == nullptr) first_candidate = &m;
      if (span->has_start && m.has_start && m.start_ns <= span->start_ns &&
          (best == nullptr || m.start_ns > best->start_ns)) {
        best = &m;
      }
    }
    if (best == nullptr) best = first_candidate;
    if (best != nullptr) {
      span->out_parent = best->out_id;
      return;
    }
  }
}

void Decoder::FillMissingStarts() {
  by_out_id_.clear();
  trace_start_.clear();
  bool any_missing = false;
  for (uint32_t i = 0; i < spans_.size(); ++i) {
    const Span& s = spans_[i];
    if (!s.ok) continue;
    by_out_id_.push_back(Entry{s.trace, s.out_id, i});
    any_missing |= !s.has_start;
  }
  if (!any_missing) return;
  auto less = [](const Entry& a, const Entry& b) {
    return EntryLess(a.trace, a.id, b.trace, b.id);
  };
  std::sort(by_out_id_.begin(), by_out_id_.end(), less);
  for (const Entry& e : by_out_id_) {
    const Span& s = spans_[e.index];
    if (trace_start_.empty() || trace_start_.back().first != e.trace) {
      trace_start_.emplace_back(e.trace, INT64_MAX);
    }
    if (s.has_start) trace_start_.back().second = std::min(trace_start_.back().second, s.start_ns);
  }
  visiting_.assign(spans_.size(), 0);
  for (uint32_t i = 0; i < spans_.size(); ++i) {
    if (spans_[i].ok && !spans_[i].has_start) StartOf(i, 0);
  }
}

// The start of span `index`, taken from its parent chain when it has none of its own.
int64_t Decoder::StartOf(uint32_t index, int depth) {
  Span& s = spans_[index];
  if (s.has_start) return s.start_ns;
  int64_t start = INT64_MAX;
  if (depth < kMaxStartDepth && !visiting_[index] && s.out_parent != 0) {
    visiting_[index] = 1;
    auto it = std::lower_bound(
        by_out_id_.begin(), by_out_id_.end(), Entry{s.trace, s.out_parent, 0},
        [](const Entry& a, const Entry& b) { return EntryLess(a.trace, a.id, b.trace, b.id); });
    if (it != by_out_id_.end() && it->trace == s.trace && it->id == s.out_parent) {
      start = StartOf(it->index, depth + 1);
    }
    visiting_[index] = 0;
  }
  if (start == INT64_MAX) {
    auto it = std::lower_bound(
        trace_start_.begin(), trace_start_.end(), s.trace,
        [](const std::pair<TraceId, int64_t>& a, TraceId t) { return a.first < t; });
    start = it != trace_start_.end() && it->first == s.trace ? it->second : INT64_MAX;
  }
  if (start == INT64_MAX) start = 0;  // no span of the trace has a timestamp
  s.start_ns = start;
  s.has_start = true;
  return start;
}

}  // namespace ddbg::zipkin

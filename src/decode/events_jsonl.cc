// Domain events from JSON lines, one event per line, accepting the field spellings of the
// common event stores and libraries (EventStoreDB, Marten, Axon, hand-rolled outboxes). For
// each field the first listed spelling present wins. Payload and metadata keep their JSON
// text; a payload given as a string is kept as written, even when it is not valid JSON, so
// the integrity analysis can report it.
#include <fmt/format.h>

#include <charconv>
#include <span>
#include <string>

#include "ddbg/decode.h"
#include "decode/jsonl_reader.h"
#include "util/time_parse.h"

namespace ddbg {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kStreamNames[] = {"stream",       "stream_id",   "streamId",
                                             "aggregate_id", "aggregateId", "aggregate",
                                             "stream_name",  "streamName"};
constexpr std::string_view kVersionNames[] = {"version",      "stream_version", "streamVersion",
                                              "revision",     "sequence",       "seq",
                                              "event_number", "eventNumber",    "position"};
constexpr std::string_view kEventIdNames[] = {"event_id", "eventId", "id"};
constexpr std::string_view kTypeNames[] = {"type", "event_type", "eventType", "name"};
constexpr std::string_view kTimeNames[] = {"timestamp",   "time",      "ts",          "created",
                                           "created_at",  "createdAt", "occurred_at", "occurredAt",
                                           "recorded_at", "recordedAt"};
constexpr std::string_view kPayloadNames[] = {"payload", "data", "body", "event_data"};
constexpr std::string_view kMetadataNames[] = {"metadata", "meta", "headers"};
constexpr std::string_view kCorrelationNames[] = {"correlation_id", "correlationId",
                                                  "$correlationId"};
constexpr std::string_view kCausationNames[] = {"causation_id", "causationId", "$causationId"};
constexpr std::string_view kServiceNames[] = {"service", "source", "service_name"};

enum Role {
  kStream,
  kVersion,
  kEventId,
  kType,
  kTime,
  kPayload,
  kMetadata,
  kCorrelation,
  kCausation,
  kService,
  kRoleCount
};

// The best-ranked field found for each role.
struct Picks {
  int rank[kRoleCount];
  element value[kRoleCount];
  void Reset() {
    for (int& r : rank) r = -1;
  }
  void Offer(Role role, int r, element v) {
    if (r >= 0 && (rank[role] < 0 || r < rank[role])) {
      rank[role] = r;
      value[role] = v;
    }
  }
  bool Has(Role role) const { return rank[role] >= 0; }
};

const jsonl::FieldNames& Fields() {
  // In Role order.
  static const jsonl::FieldNames fields({kStreamNames, kVersionNames, kEventIdNames, kTypeNames,
                                         kTimeNames, kPayloadNames, kMetadataNames,
                                         kCorrelationNames, kCausationNames, kServiceNames});
  return fields;
}

void PickFields(simdjson::dom::object obj, Picks* p) {
  const jsonl::FieldNames& fields = Fields();
  for (simdjson::dom::key_value_pair kv : obj) {
    jsonl::FieldNames::Match m = fields.Find(kv.key);
    if (m.role >= 0) p->Offer(static_cast<Role>(m.role), m.rank, kv.value);
  }
}

// Reads a timestamp value: RFC 3339 text, or an epoch number (text or JSON number).
bool TimeValue(element v, int64_t* ns) {
  switch (v.type()) {
    case element_type::STRING:
      return ParseTimestampText(v.get_string().value_unsafe(), ns);
    case element_type::INT64:
      return EpochIntToNanos(v.get_int64().value_unsafe(), ns);
    case element_type::UINT64:
      return false;  // beyond int64: not a representable time
    case element_type::DOUBLE:
      return EpochDoubleToNanos(v.get_double().value_unsafe(), ns);
    default:
      return false;
  }
}

// Reads a non-negative version from a number or a decimal string.
bool VersionValue(element v, uint64_t* out) {
  switch (v.type()) {
    case element_type::INT64: {
      int64_t i = v.get_int64().value_unsafe();
      if (i < 0) return false;
      *out = static_cast<uint64_t>(i);
      return true;
    }
    case element_type::UINT64:
      *out = v.get_uint64().value_unsafe();
      return true;
    case element_type::DOUBLE: {
      double d = v.get_double().value_unsafe();
      if (!(d >= 0 && d < 1.8e19) || d != static_cast<double>(static_cast<uint64_t>(d))) {
        return false;
      }
      *out = static_cast<uint64_t>(d);
      return true;
    }
    case element_type::STRING: {
      std::string_view s = v.get_string().value_unsafe();
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
      return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
    }
    default:
      return false;
  }
}

class EventDecoder {
 public:
  explicit EventDecoder(DecodeContext& ctx) : ctx_(ctx) {}

  Status Run(std::string_view data) {
    return jsonl::DecodeObjectLines(data, ctx_, "an event", "event JSON lines",
                                    [this](simdjson::dom::object o, const jsonl::Line& line) {
                                      return DecodeEvent(o, line);
                                    });
  }

 private:
  // The text of a string or number field (ids may be numbers).
  StrId IdText(element v) {
    return jsonl::ScalarText(v, &scratch_) ? ctx_.events.dict.Intern(scratch_) : kEmptyStr;
  }

  // JSON text: a string is kept as written (it may hold JSON, or be broken), anything else is
  // serialised compactly.
  StrId JsonText(element v) {
    if (v.type() == element_type::STRING) {
      return ctx_.events.dict.Intern(v.get_string().value_unsafe());
    }
    scratch_.clear();
    jsonl::AppendCompactJson(v, &scratch_);
    return ctx_.events.dict.Intern(scratch_);
  }

  // Looks for a correlation or causation id inside a metadata object.
  StrId FromMetadata(const Picks& p, std::span<const std::string_view> names) {
    if (!p.Has(kMetadata) || p.value[kMetadata].type() != element_type::OBJECT) return kEmptyStr;
    int best = -1;
    element found;
    simdjson::dom::object metadata = p.value[kMetadata].get_object().value_unsafe();
    for (simdjson::dom::key_value_pair kv : metadata) {
      int r = jsonl::NameRank(kv.key, names);
      if (r >= 0 && (best < 0 || r < best)) {
        best = r;
        found = kv.value;
      }
    }
    return best >= 0 ? IdText(found) : kEmptyStr;
  }

  bool DecodeEvent(simdjson::dom::object obj, const jsonl::Line& line) {
    Picks p;
    p.Reset();
    PickFields(obj, &p);
    EventRow row;
    if (p.Has(kStream)) row.stream = IdText(p.value[kStream]);
    if (row.stream == kEmptyStr) {
      ctx_.Reject(line.number, line.offset,
                  "no stream id (looked for " + jsonl::JoinNames(kStreamNames) + ")");
      return false;
    }
    if (p.Has(kVersion) && !VersionValue(p.value[kVersion], &row.version)) {
      ctx_.Reject(
          line.number, line.offset,
          "version must be a non-negative integer, got " + jsonl::Describe(p.value[kVersion]));
      return false;
    }
    if (!p.Has(kTime)) {
      ctx_.Reject(line.number, line.offset,
                  "no timestamp field (looked for " + jsonl::JoinNames(kTimeNames) + ")");
      return false;
    }
    if (!TimeValue(p.value[kTime], &row.time_ns)) {
      ctx_.Reject(line.number, line.offset,
                  "cannot read timestamp " + jsonl::Describe(p.value[kTime]));
      return false;
    }
    if (p.Has(kEventId)) row.event_id = IdText(p.value[kEventId]);
    if (p.Has(kType)) row.event_type = IdText(p.value[kType]);
    if (p.Has(kPayload)) row.payload = JsonText(p.value[kPayload]);
    if (p.Has(kMetadata)) row.metadata = JsonText(p.value[kMetadata]);
    row.correlation_id =
        p.Has(kCorrelation) ? IdText(p.value[kCorrelation]) : FromMetadata(p, kCorrelationNames);
    row.causation_id =
        p.Has(kCausation) ? IdText(p.value[kCausation]) : FromMetadata(p, kCausationNames);
    if (p.Has(kService)) row.service = IdText(p.value[kService]);
    ctx_.events.CommitEvent(row);
    return true;
  }

  DecodeContext& ctx_;
  std::string scratch_;
};

}  // namespace

Status DecodeEventsJsonl(std::string_view data, DecodeContext& ctx) {
  return EventDecoder(ctx).Run(data);
}

}  // namespace ddbg

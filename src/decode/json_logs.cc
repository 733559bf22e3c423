// Log records from JSON lines (bunyan, pino, logrus, zap, structlog, Serilog CLEF, ECS,
// python-json-logger, Docker's json-file…). Nested objects are flattened to dotted keys first
// ({"log":{"level":"warn"}} is log.level), then the well-known fields are picked by name,
// ignoring case, the first listed spelling winning; every other field becomes a typed
// attribute. A `resource` object gives resource attributes. One resource per distinct
// service and resource. A record without a timestamp takes the previous record's time (a
// warning); the first one is rejected.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <span>
#include <string>
#include <vector>

#include "ddbg/decode.h"
#include "decode/jsonl_reader.h"
#include "decode/log_line_header.h"
#include "util/time_parse.h"

namespace ddbg {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kTimeNames[] = {"timestamp", "@timestamp",   "time",
                                           "ts",        "timestamp_ns", "datetime",
                                           "@t",        "timeUnixNano", "time_unix_nano"};
// Names whose integer values are nanoseconds whatever their magnitude.
constexpr std::string_view kNanoTimeNames[] = {"timestamp_ns", "timeUnixNano", "time_unix_nano",
                                               "observedTimeUnixNano", "observed_time_unix_nano"};
constexpr std::string_view kObservedNames[] = {"observed_timestamp", "observedTimestamp",
                                               "observedTimeUnixNano", "observed_time_unix_nano"};
constexpr std::string_view kLevelNames[] = {
    "level",         "severity",     "lvl", "loglevel",  "log.level",
    "severity_text", "severityText", "@l",  "levelname", "log_level"};
constexpr std::string_view kSeverityNumberNames[] = {"severity_number", "severityNumber"};
constexpr std::string_view kBodyNames[] = {"message", "msg", "body", "log",
                                           "text",    "@m",  "@mt",  "event"};
constexpr std::string_view kServiceNames[] = {"service",     "service.name", "service_name",
                                              "serviceName", "app",          "application"};
constexpr std::string_view kTraceNames[] = {"trace_id", "traceId", "trace.id", "dd.trace_id"};
constexpr std::string_view kSpanNames[] = {"span_id", "spanId", "span.id", "dd.span_id"};
constexpr std::string_view kEventNameNames[] = {"event.name", "event_name"};

enum Role {
  kTime,
  kObserved,
  kLevel,
  kSeverityNumber,
  kService,
  kTrace,
  kSpan,
  kEventName,
  kRoleCount
};
// The body is looked up among top-level fields only, so it is not a leaf role.
constexpr int kBodyRole = kRoleCount;

const jsonl::FieldNames& Fields() {
  // In Role order, then the body.
  static const jsonl::FieldNames fields({kTimeNames, kObservedNames, kLevelNames,
                                         kSeverityNumberNames, kServiceNames, kTraceNames,
                                         kSpanNames, kEventNameNames, kBodyNames});
  return fields;
}

// The rank of `key` among the body names, or -1.
int BodyRank(std::string_view key) {
  jsonl::FieldNames::Match m = Fields().Find(key);
  return m.role == kBodyRole ? m.rank : -1;
}

// Flattening stops at this depth; deeper objects are kept as JSON text.
constexpr int kMaxFlattenDepth = 16;

// One leaf after flattening; the key is keys_[key_begin, key_begin + key_len).
struct Leaf {
  uint32_t key_begin;
  uint32_t key_len;
  element value;
  bool in_resource;
};

bool IsDecimal(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// pino and bunyan write numeric levels 10..60; OpenTelemetry numbers are 1..24.
uint8_t SeverityFromNumber(int64_t n) {
  switch (n) {
    case 10:
      return 1;
    case 20:
      return 5;
    case 30:
      return 9;
    case 40:
      return 13;
    case 50:
      return 17;
    case 60:
      return 21;
    default:
      return n >= 1 && n <= 24 ? static_cast<uint8_t>(n) : 0;
  }
}

class JsonLogDecoder {
 public:
  explicit JsonLogDecoder(DecodeContext& ctx)
      : ctx_(ctx), default_service_(ServiceFromSource(ctx.source())) {}

  Status Run(std::string_view data) {
    return jsonl::DecodeObjectLines(data, ctx_, "a log record", "JSON-lines logs",
                                    [this](simdjson::dom::object o, const jsonl::Line& line) {
                                      return DecodeRecord(o, line);
                                    });
  }

 private:
  std::string_view Key(const Leaf& l) const { return {keys_.data() + l.key_begin, l.key_len}; }

  void AddLeaf(size_t prefix_len, std::string_view key, element value, bool in_resource) {
    uint32_t begin = static_cast<uint32_t>(keys_.size());
    keys_.append(path_, 0, prefix_len);
    if (prefix_len > 0) keys_.push_back('.');
    keys_.append(key);
    leaves_.push_back(Leaf{begin, static_cast<uint32_t>(keys_.size() - begin), value, in_resource});
  }

  // Appends the leaves of `obj` under the dotted prefix path_[0, prefix_len).
  void Flatten(simdjson::dom::object obj, size_t prefix_len, int depth, bool in_resource) {
    for (simdjson::dom::key_value_pair kv : obj) {
      if (kv.value.type() == element_type::OBJECT && depth < kMaxFlattenDepth &&
          kv.value.get_object().value_unsafe().size() > 0) {
        path_.resize(prefix_len);
        if (prefix_len > 0) path_.push_back('.');
        path_.append(kv.key);
        Flatten(kv.value.get_object().value_unsafe(), path_.size(), depth + 1, in_resource);
      } else {
        AddLeaf(prefix_len, kv.key, kv.value, in_resource);
      }
    }
  }

  // Splits the record into the body (a top-level field, string preferred; a structured body
  // is not flattened) and flattened leaves.
  void Collect(simdjson::dom::object obj) {
    keys_.clear();
    path_.clear();
    leaves_.clear();
    body_rank_ = -1;
    int best_structured = -1;
    for (simdjson::dom::key_value_pair kv : obj) {
      int r = BodyRank(kv.key);
      if (r < 0) continue;
      element_type t = kv.value.type();
      if (t == element_type::OBJECT || t == element_type::ARRAY) {
        if (best_structured < 0 || r < best_structured) best_structured = r;
      } else if (t != element_type::NULL_VALUE && (body_rank_ < 0 || r < body_rank_)) {
        body_rank_ = r;
        body_ = kv.value;
      }
    }
    bool structured_body = false;
    if (body_rank_ < 0 && best_structured >= 0) {
      body_rank_ = best_structured;
      structured_body = true;
    }
    for (simdjson::dom::key_value_pair kv : obj) {
      if (body_rank_ >= 0 && BodyRank(kv.key) == body_rank_) {
        if (structured_body) body_ = kv.value;
        continue;
      }
      if (kv.value.type() == element_type::OBJECT && jsonl::EqualsIgnoreCase(kv.key, "resource")) {
        Flatten(kv.value.get_object().value_unsafe(), 0, 1, true);
        continue;
      }
      if (kv.value.type() == element_type::OBJECT &&
          kv.value.get_object().value_unsafe().size() > 0) {
        path_.assign(kv.key);
        Flatten(kv.value.get_object().value_unsafe(), path_.size(), 1, false);
      } else {
        AddLeaf(0, kv.key, kv.value, false);
      }
    }
  }

  // The best leaf index for each role (resource leaves count only for the service).
  void PickRoles() {
    int rank[kRoleCount];
    for (int r = 0; r < kRoleCount; ++r) pick_[r] = -1;
    const jsonl::FieldNames& fields = Fields();
    for (size_t i = 0; i < leaves_.size(); ++i) {
      jsonl::FieldNames::Match m = fields.Find(Key(leaves_[i]));
      if (m.role < 0 || m.role == kBodyRole) continue;
      if (leaves_[i].in_resource) {
        if (m.role != kService) continue;
        m.rank += 100;  // a resource's service.name ranks after any record-level service field
      }
      if (pick_[m.role] < 0 || m.rank < rank[m.role]) {
        pick_[m.role] = static_cast<int>(i);
        rank[m.role] = m.rank;
      }
    }
  }

  bool TimeValue(element v, bool nanos, int64_t* ns) {
    switch (v.type()) {
      case element_type::STRING: {
        std::string_view s = v.get_string().value_unsafe();
        if (nanos && IsDecimal(s)) {
          auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *ns);
          return ec == std::errc();
        }
        return ParseTimestampText(s, ns);
      }
      case element_type::INT64:
        if (nanos) {
          *ns = v.get_int64().value_unsafe();
          return true;
        }
        return EpochIntToNanos(v.get_int64().value_unsafe(), ns);
      case element_type::DOUBLE:
        return EpochDoubleToNanos(v.get_double().value_unsafe(), ns);
      default:
        return false;
    }
  }

  bool IsNanoName(const Leaf& l) const { return jsonl::NameRank(Key(l), kNanoTimeNames) >= 0; }

  // Reads a trace or span id: hex (optionally 0x-prefixed), or decimal for Datadog's dd.*.
  bool IdValue(const Leaf& l, bool trace, TraceId* out) {
    bool decimal = Key(l).substr(0, 3) == "dd.";
    if (!jsonl::ScalarText(l.value, &scratch_) || scratch_.empty()) return false;
    std::string_view s = scratch_;
    if (decimal) {
      uint64_t v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || p != s.data() + s.size()) return false;
      *out = TraceId{0, v};
      return true;
    }
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    if (trace) return ParseTraceIdHex(s, out);
    SpanId span = 0;
    if (!ParseSpanIdHex(s, &span)) return false;
    *out = TraceId{0, span};
    return true;
  }

  void AddAttr(AttrColumns* attrs, const Leaf& l) {
    StringDict& dict = ctx_.logs.dict;
    StrId key = dict.Intern(Key(l));
    element v = l.value;
    switch (v.type()) {
      case element_type::STRING:
        attrs->AddString(key, dict.Intern(v.get_string().value_unsafe()));
        break;
      case element_type::INT64:
        attrs->AddInt(key, v.get_int64().value_unsafe());
        break;
      case element_type::UINT64:
        attrs->AddDouble(key, static_cast<double>(v.get_uint64().value_unsafe()));
        break;
      case element_type::DOUBLE:
        attrs->AddDouble(key, v.get_double().value_unsafe());
        break;
      case element_type::BOOL:
        attrs->AddBool(key, v.get_bool().value_unsafe());
        break;
      case element_type::NULL_VALUE:
        attrs->Add(key, AttrType::kEmpty, 0);
        break;
      case element_type::ARRAY:
      case element_type::OBJECT:
        scratch_.clear();
        jsonl::AppendCompactJson(v, &scratch_);
        attrs->Add(key, v.type() == element_type::ARRAY ? AttrType::kArray : AttrType::kKvList,
                   dict.Intern(scratch_));
        break;
    }
  }

  // The resource of a record: cached by service and resource attributes.
  uint32_t ResourceFor(StrId service) {
    LogBatch& logs = ctx_.logs;
    if (logs.resources.size() == 0) {  // a new batch (start, or after a flush)
      resource_keys_.Clear();
      resource_index_.clear();
      logs.CommitScope(kEmptyStr, kEmptyStr);
    }
    resource_key_.assign(logs.dict.Get(service));
    for (const Leaf& l : leaves_) {
      if (!l.in_resource) continue;
      resource_key_.push_back('\x1f');
      resource_key_.append(Key(l));
      resource_key_.push_back('=');
      jsonl::AppendCompactJson(l.value, &resource_key_);
    }
    StrId id = resource_keys_.Intern(resource_key_);
    if (id < resource_index_.size()) return resource_index_[id];
    bool has_service_attr = false;
    size_t first_attr = logs.resources.attrs.size();
    for (const Leaf& l : leaves_) {
      if (!l.in_resource) continue;
      has_service_attr |= Key(l) == "service.name";
      AddAttr(&logs.resources.attrs, l);
    }
    if (!has_service_attr) {
      // service.name first, as OpenTelemetry resources carry it.
      logs.resources.attrs.AddString(logs.dict.Intern("service.name"), service);
      std::rotate(logs.resources.attrs.key.begin() + first_attr, logs.resources.attrs.key.end() - 1,
                  logs.resources.attrs.key.end());
      std::rotate(logs.resources.attrs.type.begin() + first_attr,
                  logs.resources.attrs.type.end() - 1, logs.resources.attrs.type.end());
      std::rotate(logs.resources.attrs.value.begin() + first_attr,
                  logs.resources.attrs.value.end() - 1, logs.resources.attrs.value.end());
    }
    uint32_t index = logs.CommitResource(service);
    resource_index_.resize(id + 1, 0);
    resource_index_[id] = index;
    return index;
  }

  bool DecodeRecord(simdjson::dom::object obj, const jsonl::Line& line) {
    Collect(obj);
    PickRoles();
    LogBatch& logs = ctx_.logs;
    LogRow row;

    if (pick_[kTime] >= 0) {
      const Leaf& l = leaves_[pick_[kTime]];
      if (!TimeValue(l.value, IsNanoName(l), &row.time_ns)) {
        ctx_.Reject(line.number, line.offset,
                    fmt::format("cannot read timestamp {} in field \"{}\"",
                                jsonl::Describe(l.value), Key(l)));
        return false;
      }
    } else if (have_previous_time_) {
      row.time_ns = previous_time_;
      ctx_.Warn();
    } else {
      ctx_.Reject(line.number, line.offset,
                  "no timestamp field (looked for " + jsonl::JoinNames(kTimeNames) + ")");
      return false;
    }
    row.observed_ns = row.time_ns;
    if (pick_[kObserved] >= 0) {
      const Leaf& l = leaves_[pick_[kObserved]];
      int64_t ns = 0;
      if (TimeValue(l.value, IsNanoName(l), &ns)) row.observed_ns = ns;
    }

    // Everything that is not consumed by a role becomes an attribute.
    std::vector<bool>& consumed = consumed_;
    consumed.assign(leaves_.size(), false);
    auto take = [&](Role r) { consumed[pick_[r]] = true; };

    if (pick_[kLevel] >= 0) {
      element v = leaves_[pick_[kLevel]].value;
      if (v.type() == element_type::STRING) {
        std::string_view text = v.get_string().value_unsafe();
        row.severity_text = logs.dict.Intern(text);
        row.severity_number = SeverityFromText(text);
        int64_t n = 0;
        if (row.severity_number == 0 && IsDecimal(text) && text.size() < 4) {
          std::from_chars(text.data(), text.data() + text.size(), n);
          row.severity_number = SeverityFromNumber(n);
        }
        take(kLevel);
      } else if (v.type() == element_type::INT64 || v.type() == element_type::UINT64) {
        int64_t n = v.type() == element_type::INT64 ? v.get_int64().value_unsafe() : -1;
        row.severity_number = SeverityFromNumber(n);
        if (row.severity_number != 0) {
          row.severity_text = logs.dict.Intern(SeverityShortName(row.severity_number));
          take(kLevel);
        }
      }
    }
    if (pick_[kSeverityNumber] >= 0) {
      element v = leaves_[pick_[kSeverityNumber]].value;
      if (v.type() == element_type::INT64 && v.get_int64().value_unsafe() >= 0 &&
          v.get_int64().value_unsafe() <= 24) {
        row.severity_number = static_cast<uint8_t>(v.get_int64().value_unsafe());
        take(kSeverityNumber);
      }
    }
    if (body_rank_ >= 0) {
      element_type t = body_.type();
      if (t == element_type::OBJECT || t == element_type::ARRAY) {
        scratch_.clear();
        jsonl::AppendCompactJson(body_, &scratch_);
        row.body = logs.dict.Intern(scratch_);
        row.body_type = t == element_type::ARRAY ? AttrType::kArray : AttrType::kKvList;
      } else if (jsonl::ScalarText(body_, &scratch_)) {
        // Docker's json-file driver keeps the line's newline; it is not part of the message.
        if (!scratch_.empty() && scratch_.back() == '\n') scratch_.pop_back();
        if (!scratch_.empty() && scratch_.back() == '\r') scratch_.pop_back();
        row.body = logs.dict.Intern(scratch_);
      }
    }
    StrId service = kEmptyStr;
    if (pick_[kService] >= 0) {
      const Leaf& l = leaves_[pick_[kService]];
      if (jsonl::ScalarText(l.value, &scratch_) && !scratch_.empty()) {
        service = logs.dict.Intern(scratch_);
        if (!l.in_resource) take(kService);
      }
    }
    if (service == kEmptyStr) service = logs.dict.Intern(default_service_);
    for (Role r : {kTrace, kSpan}) {
      if (pick_[r] < 0) continue;
      TraceId id;
      if (IdValue(leaves_[pick_[r]], r == kTrace, &id)) {
        if (r == kTrace) {
          row.trace_id = id;
        } else {
          row.span_id = id.lo;
        }
        take(r);
      } else {
        ctx_.Warn();  // kept as an attribute below
      }
    }
    if (pick_[kEventName] >= 0 && jsonl::ScalarText(leaves_[pick_[kEventName]].value, &scratch_)) {
      row.event_name = logs.dict.Intern(scratch_);
      take(kEventName);
    }
    if (pick_[kTime] >= 0) take(kTime);
    if (pick_[kObserved] >= 0) take(kObserved);

    row.resource = ResourceFor(service);
    for (size_t i = 0; i < leaves_.size(); ++i) {
      if (!consumed[i] && !leaves_[i].in_resource) AddAttr(&logs.attrs, leaves_[i]);
    }
    logs.CommitLog(row);
    previous_time_ = row.time_ns;
    have_previous_time_ = true;
    return true;
  }

  DecodeContext& ctx_;
  std::string default_service_;
  std::string keys_;
  std::string path_;
  std::vector<Leaf> leaves_;
  std::vector<bool> consumed_;
  int pick_[kRoleCount];
  int body_rank_ = -1;
  element body_;
  std::string scratch_;
  std::string resource_key_;
  StringDict resource_keys_;
  std::vector<uint32_t> resource_index_;
  int64_t previous_time_ = 0;
  bool have_previous_time_ = false;
};

}  // namespace

Status DecodeJsonLogs(std::string_view data, DecodeContext& ctx) {
  return JsonLogDecoder(ctx).Run(data);
}

}  // namespace ddbg

// Validation of the spans read from a Jaeger JSON document and their commit to the model; the
// mapping rules are listed at the top of jaeger_json.cc.
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "decode/jaeger_document.h"
#include "decode/otlp_common.h"
#include "decode/span_id_text.h"

namespace ddbg::jaeger {
namespace {

constexpr uint32_t kFlushCheckEvery = 256;
constexpr idtext::NonHex kNonHex = idtext::NonHex::kHash;
using Kind = RawValue::Kind;

bool KindFromName(std::string_view name, SpanKind* kind) {
  static constexpr std::pair<std::string_view, SpanKind> kKinds[] = {
      {"server", SpanKind::kServer},     {"client", SpanKind::kClient},
      {"producer", SpanKind::kProducer}, {"consumer", SpanKind::kConsumer},
      {"internal", SpanKind::kInternal},
  };
  for (const auto& [text, value] : kKinds) {
    if (json::EqualsIgnoreCase(name, text)) {
      *kind = value;
      return true;
    }
  }
  return false;
}

bool IsChildOf(std::string_view ref_type) { return json::EqualsIgnoreCase(ref_type, "CHILD_OF"); }
bool IsFollowsFrom(std::string_view ref_type) {
  return json::EqualsIgnoreCase(ref_type, "FOLLOWS_FROM");
}

// The value of opentracing.ref_type on a link.
std::string_view RefTypeName(std::string_view ref_type) {
  if (IsChildOf(ref_type)) return "child_of";
  if (IsFollowsFrom(ref_type)) return "follows_from";
  return ref_type;
}

bool IsTrue(const RawValue& v) {
  return (v.kind == Kind::kBool && v.boolean) ||
         (v.kind == Kind::kString && json::EqualsIgnoreCase(v.text, "true"));
}

}  // namespace

void Decoder::Reject(const char* at, std::string reason) {
  uint64_t offset = doc_.OffsetOf(at);
  ctx_.Reject(doc_.LineOf(offset), offset, std::move(reason));
}

// Validates span i's ids, parent and times into checked_[i].
void Decoder::Check(uint32_t i) {
  Span& s = spans_[i];
  Checked& c = checked_[i];
  std::string& why = c.reason;
  if (doc_.OpenAtEnd(s.at)) {
    why = "the input ends inside this span (truncated)";
    truncation_reported_ = true;
    return;
  }
  if (s.bad_field != nullptr) {
    why = fmt::format("{} has the wrong JSON type", s.bad_field);
    return;
  }
  std::string_view trace_text = s.trace_id.empty() ? traces_[s.trace].trace_id : s.trace_id;
  if (!idtext::TraceIdFromText("traceID", trace_text, kNonHex, &c.trace, &c.trace_hashed, &why)) {
    return;
  }
  if (c.trace.empty()) {
    why = trace_text.empty() ? "traceID is missing" : "traceID is all zeros";
    return;
  }
  if (!idtext::SpanIdFromText("spanID", s.span_id, kNonHex, &c.id, &c.span_hashed, &why)) {
    return;
  }
  if (c.id == 0) {
    why = s.span_id.empty() ? "spanID is missing" : "spanID is all zeros";
    return;
  }
  int32_t follows_from = -1;
  for (uint32_t r = s.ref_begin; r < s.ref_end; ++r) {
    Ref& ref = refs_[r];
    bool hashed = false;
    ref.trace = c.trace;
    if (!ref.trace_id.empty() && !idtext::TraceIdFromText("references.traceID", ref.trace_id,
                                                          kNonHex, &ref.trace, &hashed, &why)) {
      return;
    }
    if (!idtext::SpanIdFromText("references.spanID", ref.span_id, kNonHex, &ref.span, &hashed,
                                &why)) {
      return;
    }
    if (ref.trace != c.trace || ref.span == 0) continue;
    if (IsChildOf(ref.ref_type) && c.parent_ref < 0) c.parent_ref = static_cast<int32_t>(r);
    if (IsFollowsFrom(ref.ref_type) && follows_from < 0) follows_from = static_cast<int32_t>(r);
  }
  if (c.parent_ref < 0) c.parent_ref = follows_from;
  if (c.parent_ref >= 0) {
    c.parent = refs_[c.parent_ref].span;
  } else {
    bool hashed = false;
    if (!idtext::SpanIdFromText("parentSpanID", s.parent_span_id, kNonHex, &c.parent, &hashed,
                                &why)) {
      return;
    }
  }
  if (c.parent == c.id) {
    why = fmt::format("span is its own parent (spanID {} == parent)", json::Hex16(c.id));
    return;
  }
  if (!s.start_time.present()) {
    why = "startTime is missing";
    return;
  }
  if (!json::MicrosToNanos(s.start_time, &c.start_ns)) {
    why = fmt::format("startTime must be microseconds since the epoch, got \"{}\"",
                      json::Excerpt(json::ScalarText(s.start_time)));
    return;
  }
  c.end_ns = c.start_ns;
  int64_t duration = 0;
  if (s.duration.present() && json::MicrosToNanos(s.duration, &duration)) {
    if (duration > INT64_MAX - c.start_ns) {
      why = "startTime + duration overflows";
      return;
    }
    c.end_ns = c.start_ns + duration;
  } else if (s.duration.present() && json::ScalarText(s.duration).substr(0, 1) != "-") {
    why = fmt::format("duration must be microseconds, got \"{}\"",
                      json::Excerpt(json::ScalarText(s.duration)));
    return;
  } else {
    s.fixed = true;  // missing or negative: end = start
  }
  if (c.trace_hashed || c.span_hashed) s.fixed = true;
  c.ok = true;
}

// Rejects the second and later spans with the same (trace, span id).
void Decoder::MarkDuplicates() {
  struct Key {
    TraceId trace;
    SpanId id;
    uint32_t index;
  };
  std::vector<Key> keys;
  keys.reserve(spans_.size());
  for (uint32_t i = 0; i < spans_.size(); ++i) {
    if (checked_[i].ok) keys.push_back(Key{checked_[i].trace, checked_[i].id, i});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.trace != b.trace) return a.trace < b.trace;
    if (a.id != b.id) return a.id < b.id;
    return a.index < b.index;
  });
  size_t first = 0;
  for (size_t k = 1; k < keys.size(); ++k) {
    if (keys[k].trace != keys[first].trace || keys[k].id != keys[first].id) {
      first = k;
      continue;
    }
    Checked& c = checked_[keys[k].index];
    c.ok = false;
    c.reason = fmt::format("duplicate span id {} in trace {} (first at byte {})", json::Hex16(c.id),
                           TraceIdToHex(c.trace), doc_.OffsetOf(spans_[keys[first].index].at));
  }
}

Status Decoder::Commit(size_t* committed) {
  // Index each trace object's processes by id.
  std::stable_sort(processes_.begin(), processes_.end(), [](const Process& a, const Process& b) {
    return a.trace != b.trace ? a.trace < b.trace : a.id < b.id;
  });
  for (uint32_t p = 0; p < processes_.size();) {
    uint32_t q = p;
    while (q < processes_.size() && processes_[q].trace == processes_[p].trace) ++q;
    traces_[processes_[p].trace].process_begin = p;
    traces_[processes_[p].trace].process_end = q;
    p = q;
  }
  checked_.assign(spans_.size(), Checked());
  for (uint32_t i = 0; i < spans_.size(); ++i) Check(i);
  MarkDuplicates();
  for (uint32_t i = 0; i < spans_.size(); ++i) {
    if (!checked_[i].ok) {
      Reject(spans_[i].at, std::move(checked_[i].reason));
      continue;
    }
    CommitSpan(i);
    ++*committed;
    if ((i + 1) % kFlushCheckEvery == 0) {
      size_t before = batch_.size();
      DDBG_RETURN_IF_ERROR(ctx_.MaybeFlush());
      if (batch_.size() < before) {  // flushed: indices into the old batch are gone
        ++generation_;
        resource_ids_.clear();
        scope_ids_.clear();
      }
    }
  }
  return Status::Ok();
}

void Decoder::CommitSpan(uint32_t i) {
  const Span& s = spans_[i];
  const Checked& c = checked_[i];
  StringDict& dict = batch_.dict;
  bool fixed = s.fixed;
  SpanRow row;
  row.trace_id = c.trace;
  row.span_id = c.id;
  row.parent_span_id = c.parent;
  row.start_ns = c.start_ns;
  row.end_ns = c.end_ns;
  row.name = dict.Intern(s.operation_name);
  row.resource = ResourceOf(s, &fixed);
  int64_t flags = 0;
  if (s.flags.present()) {
    if (json::ToInt64(s.flags, &flags) && flags >= 0 && flags <= UINT32_MAX) {
      row.flags = static_cast<uint32_t>(flags);
    } else {
      fixed = true;
    }
  }

  bool error_tag = false;
  std::string_view status_code, status_text, scope_name, scope_version, trace_state;
  for (uint32_t t = s.tag_begin; t < s.tag_end; ++t) {
    const Tag& tag = tags_[t];
    std::string_view key = tag.key;
    bool text = tag.value.kind == Kind::kString;
    if (key == "span.kind" && text && KindFromName(tag.value.text, &row.kind)) continue;
    if (key == "error" && IsTrue(tag.value)) {
      error_tag = true;
      continue;
    }
    std::string_view* slot = nullptr;
    if (key == "otel.status_code") slot = &status_code;
    if (key == "otel.status_description") slot = &status_text;
    if (key == "otel.scope.name" || key == "otel.library.name") slot = &scope_name;
    if (key == "otel.scope.version" || key == "otel.library.version") slot = &scope_version;
    if (key == "w3c.tracestate") slot = &trace_state;
    if (slot != nullptr && text) {
      *slot = tag.value.text;
      continue;
    }
    AddTag(tag, &batch_.attrs, &fixed);
  }
  if (error_tag || json::EqualsIgnoreCase(status_code, "ERROR")) {
    row.status = SpanStatus::kError;
  } else if (json::EqualsIgnoreCase(status_code, "OK")) {
    row.status = SpanStatus::kOk;
  } else if (!status_code.empty() && !json::EqualsIgnoreCase(status_code, "UNSET")) {
    batch_.attrs.AddString(dict.Intern("otel.status_code"), dict.Intern(status_code));
  }
  row.status_message = dict.Intern(status_text);
  row.scope = ScopeOf(scope_name, scope_version);
  row.trace_state = dict.Intern(trace_state);
  if (c.trace_hashed) {
    std::string_view trace_text = s.trace_id.empty() ? traces_[s.trace].trace_id : s.trace_id;
    batch_.attrs.AddString(dict.Intern("jaeger.trace_id"), dict.Intern(trace_text));
  }
  if (c.span_hashed) batch_.attrs.AddString(dict.Intern("jaeger.span_id"), dict.Intern(s.span_id));

  for (uint32_t l = s.log_begin; l < s.log_end; ++l) {
    const Log& log = logs_[l];
    int64_t time_ns = row.start_ns;
    if (!json::MicrosToNanos(log.timestamp, &time_ns)) {
      time_ns = row.start_ns;
      fixed = true;
    }
    std::string_view name;
    bool named = false;
    for (uint32_t f = log.field_begin; f < log.field_end; ++f) {
      const Tag& field = tags_[f];
      if (!named && field.key == "event" && field.value.kind == Kind::kString) {
        name = field.value.text;
        named = true;
        continue;
      }
      AddTag(field, &batch_.event_attrs, &fixed);
    }
    batch_.CommitEvent(time_ns, dict.Intern(name));
  }

  for (uint32_t r = s.ref_begin; r < s.ref_end; ++r) {
    const Ref& ref = refs_[r];
    if (static_cast<int32_t>(r) == c.parent_ref && IsChildOf(ref.ref_type)) continue;
    if (ref.span == 0) {
      fixed = true;
      continue;
    }
    batch_.link_attrs.AddString(dict.Intern("opentracing.ref_type"),
                                dict.Intern(RefTypeName(ref.ref_type)));
    batch_.CommitLink(ref.trace, ref.span, kEmptyStr);
  }
  batch_.CommitSpan(row);
  if (fixed) ctx_.Warn();
}

// The resource of the span's process (by processID in its trace object, else its inline
// process), committed once per distinct (service, tags) and per flush generation. A span
// without a known process gets an unknown_service resource and counts a warning.
uint32_t Decoder::ResourceOf(const Span& s, bool* fixed) {
  Process* process = nullptr;
  if (!s.process_id.empty()) {
    const TraceObject& trace = traces_[s.trace];
    auto first = processes_.begin() + trace.process_begin;
    auto last = processes_.begin() + trace.process_end;
    auto it = std::lower_bound(first, last, s.process_id,
                               [](const Process& p, std::string_view id) { return p.id < id; });
    if (it != last && it->id == s.process_id) process = &*it;
  }
  if (process == nullptr && s.inline_process >= 0) process = &inline_processes_[s.inline_process];
  if (process == nullptr) {
    *fixed = true;
    process = &unknown_process_;
  }
  if (process->generation == generation_) return process->resource;
  key_.assign(process->service);
  for (uint32_t t = process->tag_begin; t < process->tag_end; ++t) {
    const Tag& tag = tags_[t];
    key_ += '\x1f';
    key_ += tag.key;
    key_ += '\x1e';
    key_ += tag.type;
    key_ += '\x1e';
    key_ += json::ScalarText(tag.value);
  }
  auto it = resource_ids_.find(key_);
  if (it != resource_ids_.end()) {
    process->resource = it->second;
  } else {
    StringDict& dict = batch_.dict;
    if (!process->service.empty()) {
      batch_.resources.attrs.AddString(dict.Intern(otlp::kServiceNameKey),
                                       dict.Intern(process->service));
    }
    for (uint32_t t = process->tag_begin; t < process->tag_end; ++t) {
      AddTag(tags_[t], &batch_.resources.attrs, fixed);
    }
    process->resource = batch_.CommitResource(
        dict.Intern(process->service.empty() ? otlp::kUnknownService : process->service));
    resource_ids_.emplace(key_, process->resource);
  }
  process->generation = generation_;
  return process->resource;
}

uint32_t Decoder::ScopeOf(std::string_view name, std::string_view version) {
  key_.assign(name);
  key_ += '\0';
  key_ += version;
  auto it = scope_ids_.find(key_);
  if (it != scope_ids_.end()) return it->second;
  uint32_t id = batch_.CommitScope(batch_.dict.Intern(name), batch_.dict.Intern(version));
  scope_ids_.emplace(key_, id);
  return id;
}

// A tag as a typed attribute. A value that does not fit its declared type is kept as text
// and sets *fixed; a tag without a type takes the type of its JSON value.
void Decoder::AddTag(const Tag& tag, AttrColumns* cols, bool* fixed) {
  StringDict& dict = batch_.dict;
  StrId key = dict.Intern(tag.key);
  const RawValue& v = tag.value;
  std::string_view type = tag.type;
  int64_t i = 0;
  double d = 0;
  if (json::EqualsIgnoreCase(type, "string") && v.present()) {
    cols->AddString(key, dict.Intern(json::ScalarText(v)));
    return;
  }
  if (json::EqualsIgnoreCase(type, "bool")) {
    if (v.kind == Kind::kBool ||
        (v.kind == Kind::kString &&
         (json::EqualsIgnoreCase(v.text, "true") || json::EqualsIgnoreCase(v.text, "false")))) {
      cols->AddBool(key, IsTrue(v));
      return;
    }
  } else if (json::EqualsIgnoreCase(type, "int64")) {
    if (json::ToInt64(v, &i)) {
      cols->AddInt(key, i);
      return;
    }
  } else if (json::EqualsIgnoreCase(type, "float64")) {
    if (json::ToDouble(v, &d)) {
      cols->AddDouble(key, d);
      return;
    }
  } else if (json::EqualsIgnoreCase(type, "binary")) {
    bytes_.clear();
    if (v.kind == Kind::kString && otlp::DecodeBase64(v.text, &bytes_)) {
      cols->Add(key, AttrType::kBytes, dict.Intern(bytes_));
      return;
    }
  } else if (!type.empty()) {
    *fixed = true;  // an unknown type: fall through to the JSON type
  }
  if (!type.empty() && !json::EqualsIgnoreCase(type, "string")) *fixed = true;
  switch (v.kind) {
    case Kind::kBool:
      cols->AddBool(key, v.boolean);
      return;
    case Kind::kNumber:
      if (v.text.find_first_of(".eE") == std::string_view::npos && json::ToInt64(v, &i)) {
        cols->AddInt(key, i);
      } else if (json::ToDouble(v, &d)) {
        cols->AddDouble(key, d);
      } else {
        cols->AddString(key, dict.Intern(v.text));
      }
      return;
    case Kind::kString:
      cols->AddString(key, dict.Intern(v.text));
      return;
    case Kind::kArray:
      cols->Add(key, AttrType::kArray, dict.Intern(v.text));
      return;
    case Kind::kObject:
      cols->Add(key, AttrType::kKvList, dict.Intern(v.text));
      return;
    default:
      cols->Add(key, AttrType::kEmpty, 0);
      return;
  }
}

}  // namespace ddbg::jaeger

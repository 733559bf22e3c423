// Jaeger JSON: the query API shape {"data":[{traceID, spans, processes}]} ("data" may also be
// a single object), a bare trace object {traceID, spans, processes}, or a bare list of spans
// each carrying an inline "process" (the Jaeger UI and anonymizer shape).
//
// The document is read with simdjson's on-demand parser into views (no copies), then every
// span is validated and committed in document order. Mapping to the model, as Jaeger's own
// OTLP translator maps the other way:
// - startTime/duration are µs (fractions kept to the ns); a missing or negative duration
//   gives end = start and counts a warning.
// - Tags become typed attributes (string|bool|int64|float64|binary, base64 for binary; a tag
//   without a type takes its JSON type). These tags are mapped into the model and not kept
//   as attributes: span.kind -> kind; error=true -> status error (error=false stays an
//   attribute); otel.status_code OK|ERROR -> status when error is not true;
//   otel.status_description -> status message; otel.scope.name|otel.library.name and
//   otel.scope.version|otel.library.version -> scope; w3c.tracestate -> trace state.
// - References: the parent is the first CHILD_OF reference to the same trace, or else the
//   first FOLLOWS_FROM one (Jaeger's Span.ParentSpanID rule); without references the legacy
//   parentSpanID field. Every other reference becomes a link, and a FOLLOWS_FROM parent is
//   also kept as a link, so the reference type is never lost: links carry the attribute
//   opentracing.ref_type = child_of|follows_from (the OpenTelemetry convention Jaeger's
//   translator writes, chosen over a jaeger.* key so both directions agree).
// - Logs become span events: the "event" field is the event name, the other fields are the
//   event's attributes. Processes become resources: serviceName -> service.name, process
//   tags -> resource attributes. "warnings" and UI-only fields are ignored.
// Ids are hex of 1-16 (span) or 1-32 (trace) digits, shorter ones left-padded. Documents the
// Jaeger UI accepts but Jaeger's backend would not (its own test fixtures use "span-A" and
// "trace-123") are kept: a non-hex id maps to a stable XXH3 hash of its text, the text is kept
// in the attribute jaeger.span_id / jaeger.trace_id, and the span counts a warning. Empty ids,
// all-hex ids that are too long and ids with control characters are rejected, as are a span
// that is its own parent and the second and later copies of a span id within a trace.
#include <fmt/format.h>
#include <simdjson.h>

#include <string>
#include <string_view>

#include "ddbg/decode.h"
#include "decode/jaeger_document.h"

namespace ddbg {
namespace jaeger {
namespace {

bool IsNull(od::value value) {
  bool is_null = false;
  return !value.is_null().get(is_null) && is_null;
}

}  // namespace

uint32_t Decoder::NewTrace() {
  traces_.emplace_back();
  return static_cast<uint32_t>(traces_.size() - 1);
}

// An element of "data" or of a root array, or the root object itself: a trace object (it has
// "spans" or "processes"), or else a span of a bare span list. Fields may come in any order,
// so span fields are gathered alongside and dropped when the object turns out to be a trace.
bool Decoder::ParseObject(od::object object, const char* at, bool root) {
  uint32_t trace = NewTrace();
  Span span;
  span.at = at;
  span.trace = trace;
  bool is_trace = false;
  for (auto item : object) {
    od::field field;
    if (auto e = std::move(item).get(field)) return Fail(e, at);
    od::raw_json_string key = field.key();
    if (key == "spans") {
      is_trace = true;
      if (!ParseSpans(field.value(), trace)) return false;
    } else if (key == "processes") {
      is_trace = true;
      if (!ParseProcesses(field.value(), trace)) return false;
    } else if (key == "traceID") {
      std::string_view id;
      if (!Soft(json::ReadString(field.value(), &id), at, "traceID", &span.bad_field)) {
        return false;
      }
      traces_[trace].trace_id = span.trace_id = id;
    } else if (root && key == "data") {
      is_trace = true;
      if (!ParseData(field.value(), at)) return false;
    } else if (!ParseSpanField(key, field.value(), &span)) {
      return false;
    }
  }
  if (is_trace) return true;
  if (span.any_field) {
    spans_.push_back(span);
  } else if (root) {
    not_jaeger_ = true;
  } else {
    Reject(at, "object is neither a trace (no \"spans\") nor a span (no \"spanID\")");
  }
  return true;
}

// "data": an array of trace objects, a single trace object, or null.
bool Decoder::ParseData(od::value value, const char* at) {
  od::json_type type;
  if (auto e = value.type().get(type)) return Fail(e, at);
  if (type == od::json_type::object) {
    const char* inner_at = value.raw_json_token().data();
    od::object inner;
    if (auto e = value.get_object().get(inner)) return Fail(e, inner_at);
    return ParseObject(inner, inner_at, false);
  }
  if (type != od::json_type::array) return true;
  od::array elements;
  if (auto e = value.get_array().get(elements)) return Fail(e, at);
  for (auto element : elements) {
    od::value v;
    if (auto e = element.get(v)) return Fail(e, at);
    const char* element_at = v.raw_json_token().data();
    od::object inner;
    auto e = v.get_object().get(inner);
    if (e == simdjson::INCORRECT_TYPE) {
      Reject(element_at, "an element of \"data\" must be a trace object");
      continue;
    }
    if (e) return Fail(e, element_at);
    if (!ParseObject(inner, element_at, false)) return false;
  }
  return true;
}

bool Decoder::ParseSpans(od::value value, uint32_t trace) {
  const char* at = value.raw_json_token().data();
  od::array array;
  auto e = value.get_array().get(array);
  if (e == simdjson::INCORRECT_TYPE) {
    if (!IsNull(value)) Reject(at, "\"spans\" must be an array");
    return true;
  }
  if (e) return Fail(e, at);
  for (auto element : array) {
    od::value v;
    if (auto err = element.get(v)) return Fail(err, at);
    if (!ParseSpan(v, trace)) return false;
  }
  return true;
}

bool Decoder::ParseSpan(od::value value, uint32_t trace) {
  Span span;
  span.at = value.raw_json_token().data();
  span.trace = trace;
  od::object object;
  auto e = value.get_object().get(object);
  if (e == simdjson::INCORRECT_TYPE) {
    Reject(span.at, "a span must be a JSON object");
    return true;
  }
  if (e) return Fail(e, span.at);
  for (auto item : object) {
    od::field field;
    if (auto err = std::move(item).get(field)) return Fail(err, span.at);
    if (!ParseSpanField(field.key(), field.value(), &span)) return false;
  }
  spans_.push_back(span);
  return true;
}

bool Decoder::ParseSpanField(od::raw_json_string key, od::value value, Span* span) {
  const char* at = span->at;
  auto str = [&](const char* name, std::string_view* out) {
    return Soft(json::ReadString(value, out), at, name, &span->bad_field);
  };
  auto raw = [&](const char* name, RawValue* out) {
    return Soft(json::ReadRaw(value, out), at, name, &span->bad_field);
  };
  if (key == "traceID") return str("traceID", &span->trace_id);
  if (key == "processID") return str("processID", &span->process_id);
  // The fields below make an object a span.
  bool known = true;
  bool ok = true;
  if (key == "spanID") {
    ok = str("spanID", &span->span_id);
  } else if (key == "operationName") {
    ok = str("operationName", &span->operation_name);
  } else if (key == "parentSpanID") {
    ok = str("parentSpanID", &span->parent_span_id);
  } else if (key == "startTime") {
    ok = raw("startTime", &span->start_time);
  } else if (key == "duration") {
    ok = raw("duration", &span->duration);
  } else if (key == "flags") {
    ok = raw("flags", &span->flags);
  } else if (key == "tags") {
    ok = ParseTags(value, &span->tag_begin, &span->tag_end, &span->fixed);
  } else if (key == "references") {
    ok = ParseRefs(value, span);
  } else if (key == "logs") {
    ok = ParseLogs(value, span);
  } else if (key == "process") {
    Process process;
    process.trace = span->trace;
    ok = ParseProcess(value, &process, &span->fixed);
    inline_processes_.push_back(process);
    span->inline_process = static_cast<int32_t>(inline_processes_.size() - 1);
  } else {
    known = false;  // warnings, and the UI's relativeStartTime, depth, hasChildren…
  }
  span->any_field |= known;
  return ok;
}

// An array of {key, type, value}; null is no tags. A malformed tag is dropped and sets *fixed.
bool Decoder::ParseTags(od::value value, uint32_t* begin, uint32_t* end, bool* fixed) {
  const char* at = value.raw_json_token().data();
  *begin = *end = static_cast<uint32_t>(tags_.size());
  od::array array;
  auto e = value.get_array().get(array);
  if (e == simdjson::INCORRECT_TYPE) {
    if (!IsNull(value)) *fixed = true;
    return true;
  }
  if (e) return Fail(e, at);
  for (auto element : array) {
    od::object object;
    if (auto err = element.get_object().get(object)) {
      if (json::Fatal(err)) return Fail(err, at);
      *fixed = true;
      continue;
    }
    Tag tag;
    const char* bad = nullptr;
    for (auto item : object) {
      od::field field;
      if (auto err = std::move(item).get(field)) return Fail(err, at);
      od::raw_json_string key = field.key();
      if (key == "key") {
        if (!Soft(json::ReadString(field.value(), &tag.key), at, "key", &bad)) return false;
      } else if (key == "type") {
        if (!Soft(json::ReadString(field.value(), &tag.type), at, "type", &bad)) return false;
      } else if (key == "value") {
        if (!Soft(json::ReadRaw(field.value(), &tag.value), at, "value", &bad)) return false;
      }
    }
    if (tag.key.empty() || bad != nullptr) {
      *fixed = true;
      continue;
    }
    tags_.push_back(tag);
  }
  *end = static_cast<uint32_t>(tags_.size());
  return true;
}

bool Decoder::ParseRefs(od::value value, Span* span) {
  span->ref_begin = span->ref_end = static_cast<uint32_t>(refs_.size());
  od::array array;
  auto e = value.get_array().get(array);
  if (e == simdjson::INCORRECT_TYPE) return true;  // null
  if (e) return Fail(e, span->at);
  for (auto element : array) {
    od::object object;
    if (auto err = element.get_object().get(object)) {
      if (json::Fatal(err)) return Fail(err, span->at);
      span->fixed = true;
      continue;
    }
    Ref ref;
    for (auto item : object) {
      od::field field;
      if (auto err = std::move(item).get(field)) return Fail(err, span->at);
      od::raw_json_string key = field.key();
      std::string_view* out = key == "refType"   ? &ref.ref_type
                              : key == "traceID" ? &ref.trace_id
                              : key == "spanID"  ? &ref.span_id
                                                 : nullptr;
      if (out == nullptr) continue;  // e.g. the UI's nested copy of the referenced "span"
      if (!Soft(json::ReadString(field.value(), out), span->at, "references", &span->bad_field)) {
        return false;
      }
    }
    refs_.push_back(ref);
  }
  span->ref_end = static_cast<uint32_t>(refs_.size());
  return true;
}

bool Decoder::ParseLogs(od::value value, Span* span) {
  span->log_begin = span->log_end = static_cast<uint32_t>(logs_.size());
  od::array array;
  auto e = value.get_array().get(array);
  if (e == simdjson::INCORRECT_TYPE) return true;  // null
  if (e) return Fail(e, span->at);
  for (auto element : array) {
    od::object object;
    if (auto err = element.get_object().get(object)) {
      if (json::Fatal(err)) return Fail(err, span->at);
      span->fixed = true;
      continue;
    }
    Log log;
    for (auto item : object) {
      od::field field;
      if (auto err = std::move(item).get(field)) return Fail(err, span->at);
      od::raw_json_string key = field.key();
      if (key == "timestamp") {
        if (!Soft(json::ReadRaw(field.value(), &log.timestamp), span->at, "logs",
                  &span->bad_field)) {
          return false;
        }
      } else if (key == "fields") {
        if (!ParseTags(field.value(), &log.field_begin, &log.field_end, &span->fixed)) {
          return false;
        }
      }
    }
    logs_.push_back(log);
  }
  span->log_end = static_cast<uint32_t>(logs_.size());
  return true;
}

bool Decoder::ParseProcesses(od::value value, uint32_t trace) {
  const char* at = value.raw_json_token().data();
  od::object object;
  auto e = value.get_object().get(object);
  if (e == simdjson::INCORRECT_TYPE) return true;  // null: spans may carry inline processes
  if (e) return Fail(e, at);
  for (auto item : object) {
    od::field field;
    if (auto err = std::move(item).get(field)) return Fail(err, at);
    Process process;
    process.trace = trace;
    if (auto err = field.unescaped_key().get(process.id)) return Fail(err, at);
    bool fixed = false;
    if (!ParseProcess(field.value(), &process, &fixed)) return false;
    processes_.push_back(process);
  }
  return true;
}

bool Decoder::ParseProcess(od::value value, Process* process, bool* fixed) {
  const char* at = value.raw_json_token().data();
  od::object object;
  auto e = value.get_object().get(object);
  if (e) {
    *fixed = true;
    return !json::Fatal(e) || Fail(e, at);
  }
  for (auto item : object) {
    od::field field;
    if (auto err = std::move(item).get(field)) return Fail(err, at);
    od::raw_json_string key = field.key();
    if (key == "serviceName") {
      const char* bad = nullptr;
      if (!Soft(json::ReadString(field.value(), &process->service), at, "", &bad)) return false;
      if (bad != nullptr) *fixed = true;
    } else if (key == "tags") {
      if (!ParseTags(field.value(), &process->tag_begin, &process->tag_end, fixed)) return false;
    }
  }
  return true;
}

Status Decoder::Decode(std::string_view data) {
  doc_.Load(data);
  // Typical spans take 500-1500 bytes of JSON: reserving avoids most regrowth copies.
  spans_.reserve(data.size() / 1024);
  tags_.reserve(data.size() / 128);
  od::document doc;
  od::json_type root_type;
  simdjson::error_code err = doc_.Start(parser_, &doc, &root_type);
  if (err) {
    return Status::InvalidArgument(fmt::format("{}: not a Jaeger JSON document: {}", ctx_.source(),
                                               simdjson::error_message(err)));
  }
  const char* root_at = doc_.begin();
  if (root_type == od::json_type::object) {
    od::object root;
    if (!(err = doc.get_object().get(root))) ParseObject(root, root_at, true);
  } else if (root_type == od::json_type::array) {
    od::array root;
    if (!(err = doc.get_array().get(root))) {
      for (auto element : root) {
        od::value v;
        if (auto e = element.get(v)) {
          Fail(e, root_at);
          break;
        }
        const char* at = v.raw_json_token().data();
        od::object object;
        auto e = v.get_object().get(object);
        if (e == simdjson::INCORRECT_TYPE) {
          Reject(at, "expected a span or trace object");
          continue;
        }
        if (e) {
          Fail(e, at);
          break;
        }
        if (!ParseObject(object, at, false)) break;
      }
    }
  } else {
    return Status::InvalidArgument(fmt::format(
        "{}: not a Jaeger JSON document: expected {{\"data\": [...]}}, a trace object or a "
        "list of spans",
        ctx_.source()));
  }
  if (err) Fail(err, root_at);
  if (not_jaeger_) {
    return Status::InvalidArgument(
        fmt::format("{}: not a Jaeger JSON document: the root object has no \"data\", \"spans\" or "
                    "\"spanID\"",
                    ctx_.source()));
  }
  if (fatal_ != simdjson::SUCCESS && spans_.empty()) {
    uint64_t offset = doc_.OffsetOf(fatal_at_);
    return Status::InvalidArgument(fmt::format("{}:{}: malformed JSON (byte {}): {}", ctx_.source(),
                                               doc_.LineOf(offset), offset,
                                               simdjson::error_message(fatal_)));
  }
  size_t committed = 0;
  DDBG_RETURN_IF_ERROR(Commit(&committed));
  DDBG_RETURN_IF_ERROR(json::FinishSpanDocument(
      doc_, data.size(), {fatal_, fatal_at_, truncation_reported_}, committed, ctx_.source(),
      "Jaeger JSON", [this](const char* at, std::string reason) { Reject(at, std::move(reason)); }));
  for (size_t i = 0; i < doc_.utf8_replacements(); ++i) ctx_.Warn();
  return Status::Ok();
}

}  // namespace jaeger

Status DecodeJaegerJson(std::string_view data, DecodeContext& ctx) {
  jaeger::Decoder decoder(ctx);
  return decoder.Decode(data);
}

}  // namespace ddbg

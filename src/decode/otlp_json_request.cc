#include "decode/otlp_json_request.h"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "decode/otlp_json_keys.h"

namespace ddbg::otlp {

using Element = JsonElement;

JsonRequestDecoder::JsonRequestDecoder(DecodeContext& ctx)
    : ctx_(ctx),
      span_text_(&ctx.spans.dict),
      log_text_(&ctx.logs.dict),
      request_keys_(kRequestTable),
      resource_block_keys_(kResourceBlockTable),
      scope_block_keys_(kScopeBlockTable),
      resource_keys_(kResourceTable),
      scope_keys_(kScopeTable),
      span_keys_(kSpanTable),
      event_keys_(kEventTable),
      link_keys_(kLinkTable),
      status_keys_(kStatusTable),
      log_keys_(kLogTable) {}

void JsonRequestDecoder::set_repair_mode(bool on) {
  span_text_.set_repair_mode(on);
  log_text_.set_repair_mode(on);
}

Status JsonRequestDecoder::Decode(Element root, const DocPlace& place, bool* is_otlp,
                                  std::string* why) {
  place_ = place;
  cursor_ = 0;
  cursor_line_ = 0;
  *is_otlp = false;
  simdjson::dom::array requests;
  if (root.get_array().get(requests) == simdjson::SUCCESS) {
    // A JSON array of requests, as some tools write several exports to one file.
    // The first element decides whether the document is OTLP; later odd ones are rejected.
    for (Element request : requests) {
      bool one = false;
      std::string one_why;
      DDBG_RETURN_IF_ERROR(DecodeRequest(request, &one, &one_why));
      if (one) {
        *is_otlp = true;
      } else if (!*is_otlp) {
        *why = std::move(one_why);
        return Status::Ok();
      } else {
        RejectRecord(std::move(one_why));
      }
    }
    if (!*is_otlp) *why = "an empty JSON array, not an OTLP export request";
    return Status::Ok();
  }
  return DecodeRequest(root, is_otlp, why);
}

Status JsonRequestDecoder::DecodeRequest(Element root, bool* is_otlp, std::string* why) {
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    *why = fmt::format("not an OTLP export request: the document is {}, not an object",
                       JsonTypeName(root));
    return Status::Ok();
  }
  std::string first_key;
  bool empty = true;
  for (auto field : obj) {
    if (empty) first_key = std::string(field.key.substr(0, 40));
    empty = false;
    switch (request_keys_.Find(field.key)) {
      case kResourceSpans:
        *is_otlp = true;
        DDBG_RETURN_IF_ERROR(DecodeResourceBlocks(field.value, false));
        break;
      case kResourceLogs:
        *is_otlp = true;
        DDBG_RETURN_IF_ERROR(DecodeResourceBlocks(field.value, true));
        break;
      case kResourceOther:
        *is_otlp = true;
        RejectRecord(fmt::format("{}: only OTLP traces and logs are supported", field.key));
        break;
      default:
        break;
    }
  }
  if (empty) {
    *is_otlp = true;  // {} is a valid, empty export request
  } else if (!*is_otlp) {
    *why = fmt::format(
        "not an OTLP export request: no resourceSpans or resourceLogs (first member \"{}\")",
        first_key);
  }
  return Status::Ok();
}

Status JsonRequestDecoder::DecodeResourceBlocks(Element blocks, bool logs) {
  std::string why;
  simdjson::dom::array arr;
  if (IsNull(blocks)) return Status::Ok();
  if (!GetArray(blocks, logs ? "resourceLogs" : "resourceSpans", &arr, &why)) {
    RejectRecord(std::move(why));
    return Status::Ok();
  }
  for (Element block : arr) {
    has_resource_ = false;
    resource_index_ = kNoIndex;
    simdjson::dom::object obj;
    if (!GetObject(block, logs ? "resourceLogs[]" : "resourceSpans[]", &obj, &why)) {
      RejectRecord(std::move(why));
      continue;
    }
    // The resource may follow its scope blocks in the text, so find it first.
    for (auto field : obj) {
      if (resource_block_keys_.Find(field.key) == kResource) {
        cur_resource_ = field.value;
        has_resource_ = true;
      }
    }
    for (auto field : obj) {
      uint8_t key = resource_block_keys_.Find(field.key);
      if (key != kScopeSpans && key != kScopeLogs) continue;
      simdjson::dom::array scope_blocks;
      if (IsNull(field.value)) continue;
      if (!GetArray(field.value, field.key, &scope_blocks, &why)) {
        RejectRecord(std::move(why));
        continue;
      }
      for (Element scope_block : scope_blocks) {
        Status st =
            key == kScopeSpans ? DecodeScopeSpans(scope_block) : DecodeScopeLogs(scope_block);
        DDBG_RETURN_IF_ERROR(st);
      }
    }
  }
  return Status::Ok();
}

template <typename Batch>
bool JsonRequestDecoder::EnsureBlock(Batch& batch, TextInterner& text, std::string* why) {
  if (resource_index_ == kNoIndex || resource_index_ >= batch.resources.size()) {
    if (!CommitResource(batch, text, why)) return false;
    scope_index_ = kNoIndex;
  }
  if (scope_index_ == kNoIndex || scope_index_ >= batch.scopes.size()) {
    if (!CommitScope(batch, text, why)) return false;
  }
  return true;
}

template <typename Batch>
bool JsonRequestDecoder::CommitResource(Batch& batch, TextInterner& text, std::string* why) {
  AttrColumns& attrs = batch.resources.attrs;
  size_t mark = attrs.size();
  simdjson::dom::object obj;
  if (has_resource_ && !IsNull(cur_resource_)) {
    if (!GetObject(cur_resource_, "resource", &obj, why)) {
      *why = "resource: " + *why;
      return false;
    }
    for (auto field : obj) {
      if (resource_keys_.Find(field.key) == 1 &&
          !values_.ReadAttributes(field.value, &attrs, text, why)) {
        attrs.Truncate(mark);
        *why = "resource " + *why;
        return false;
      }
    }
  }
  StrId service = kEmptyStr;
  int64_t key = batch.dict.Find(kServiceNameKey);
  for (size_t i = mark; key >= 0 && i < attrs.size(); ++i) {
    if (attrs.key[i] == static_cast<StrId>(key) && attrs.type[i] == AttrType::kString) {
      service = static_cast<StrId>(attrs.value[i]);
    }
  }
  if (service == kEmptyStr) service = text.Text(kUnknownService);
  if (text.TakeTouched()) ctx_.Warn();
  resource_index_ = batch.CommitResource(service);
  return true;
}

template <typename Batch>
bool JsonRequestDecoder::CommitScope(Batch& batch, TextInterner& text, std::string* why) {
  AttrColumns& attrs = batch.scopes.attrs;
  size_t mark = attrs.size();
  StrId name = kEmptyStr, version = kEmptyStr;
  simdjson::dom::object obj;
  if (has_scope_ && !IsNull(cur_scope_)) {
    if (!GetObject(cur_scope_, "scope", &obj, why)) {
      *why = "scope: " + *why;
      return false;
    }
    for (auto field : obj) {
      std::string_view s;
      bool ok = true;
      switch (scope_keys_.Find(field.key)) {
        case kScopeName:
          ok = ReadString(field.value, "scope.name", &s, why);
          name = text.Text(s);
          break;
        case kScopeVersion:
          ok = ReadString(field.value, "scope.version", &s, why);
          version = text.Text(s);
          break;
        case kScopeAttributes:
          ok = values_.ReadAttributes(field.value, &attrs, text, why);
          if (!ok) *why = "scope " + *why;
          break;
        default:
          break;
      }
      if (!ok) {
        attrs.Truncate(mark);
        return false;
      }
    }
  }
  if (text.TakeTouched()) ctx_.Warn();
  scope_index_ = batch.CommitScope(name, version);
  return true;
}

Status JsonRequestDecoder::AfterRecord() {
  if (++since_flush_check_ < kRecordsPerFlushCheck) return Status::Ok();
  since_flush_check_ = 0;
  return ctx_.MaybeFlush();
}

bool JsonRequestDecoder::ReadScopeBlock(Element scope_block, uint8_t records_key,
                                        std::string_view records_name,
                                        simdjson::dom::array* records) {
  std::string why;
  simdjson::dom::object obj;
  if (!GetObject(scope_block, "scope block", &obj, &why)) {
    RejectRecord(std::move(why));
    return false;
  }
  has_scope_ = false;
  scope_index_ = kNoIndex;
  Element list;
  bool has_list = false;
  for (auto field : obj) {
    uint8_t key = scope_block_keys_.Find(field.key);
    if (key == kScope) {
      cur_scope_ = field.value;
      has_scope_ = true;
    } else if (key == records_key) {
      list = field.value;
      has_list = true;
    }
  }
  if (!has_list || IsNull(list)) return false;
  if (!GetArray(list, records_name, records, &why)) {
    RejectRecord(std::move(why));
    return false;
  }
  return true;
}

Status JsonRequestDecoder::DecodeScopeSpans(Element scope_block) {
  simdjson::dom::array arr;
  if (!ReadScopeBlock(scope_block, kSpans, "spans", &arr)) return Status::Ok();
  std::string why;
  SpanBatch& batch = ctx_.spans;
  for (Element span : arr) {
    if (!EnsureBlock(batch, span_text_, &why)) {
      NoteHint(span);
      RejectRecord(why);
      continue;
    }
    SpanRow row;
    row.resource = resource_index_;
    row.scope = scope_index_;
    bool fixed = false;
    span_text_.TakeTouched();
    if (!DecodeSpan(span, &row, &fixed, &why) || !CheckSpan(&row, &fixed, &why)) {
      batch.DiscardPending();
      NoteHint(span);
      RejectRecord(std::move(why));
      continue;
    }
    if (span_text_.TakeTouched()) fixed = true;
    if (fixed) ctx_.Warn();
    batch.CommitSpan(row);
    DDBG_RETURN_IF_ERROR(AfterRecord());
  }
  return Status::Ok();
}

Status JsonRequestDecoder::DecodeScopeLogs(Element scope_block) {
  simdjson::dom::array arr;
  if (!ReadScopeBlock(scope_block, kLogRecords, "logRecords", &arr)) return Status::Ok();
  std::string why;
  LogBatch& batch = ctx_.logs;
  for (Element log : arr) {
    if (!EnsureBlock(batch, log_text_, &why)) {
      NoteHint(log);
      RejectRecord(why);
      continue;
    }
    LogRow row;
    row.resource = resource_index_;
    row.scope = scope_index_;
    bool fixed = false;
    log_text_.TakeTouched();
    if (!DecodeLog(log, &row, &fixed, &why)) {
      batch.DiscardPending();
      NoteHint(log);
      RejectRecord(std::move(why));
      continue;
    }
    if (log_text_.TakeTouched()) fixed = true;
    if (fixed) ctx_.Warn();
    batch.CommitLog(row);
    DDBG_RETURN_IF_ERROR(AfterRecord());
  }
  return Status::Ok();
}

bool JsonRequestDecoder::DecodeSpan(Element span, SpanRow* row, bool* fixed, std::string* why) {
  simdjson::dom::object obj;
  if (!GetObject(span, "span", &obj, why)) return false;
  std::string_view trace_hex, span_hex, parent_hex, s;
  SpanBatch& batch = ctx_.spans;
  for (auto field : obj) {
    Element v = field.value;
    switch (span_keys_.Find(field.key)) {
      case kTraceId:
        if (!ReadString(v, "traceId", &trace_hex, why)) return false;
        break;
      case kSpanId:
        if (!ReadString(v, "spanId", &span_hex, why)) return false;
        break;
      case kParentSpanId:
        if (!ReadString(v, "parentSpanId", &parent_hex, why)) return false;
        break;
      case kName:
        if (!ReadString(v, "name", &s, why)) return false;
        row->name = span_text_.Text(s);
        break;
      case kKind: {
        int64_t kind = 0;
        if (!ReadEnum(v, "kind", SpanKindFromName, &kind, why)) return false;
        row->kind = SpanKindFromNumber(kind, fixed);
        break;
      }
      case kStart:
        if (!ReadTime(v, "startTimeUnixNano", &row->start_ns, why)) return false;
        break;
      case kEnd:
        if (!ReadTime(v, "endTimeUnixNano", &row->end_ns, why)) return false;
        break;
      case kAttributes:
        if (!values_.ReadAttributes(v, &batch.attrs, span_text_, why)) return false;
        break;
      case kEvents:
        if (!DecodeEvents(v, why)) return false;
        break;
      case kLinks:
        if (!DecodeLinks(v, why)) return false;
        break;
      case kStatus:
        if (!DecodeStatus(v, row, fixed, why)) return false;
        break;
      case kFlags: {
        uint64_t flags = 0;
        if (!ReadUnsigned(v, "flags", UINT32_MAX, &flags, why)) return false;
        row->flags = static_cast<uint32_t>(flags);
        break;
      }
      case kTraceState:
        if (!ReadString(v, "traceState", &s, why)) return false;
        row->trace_state = span_text_.Text(s);
        break;
      default:
        break;
    }
  }
  return TraceIdFromHex("traceId", trace_hex, IdRule::kRequired, &row->trace_id, why) &&
         SpanIdFromHex("spanId", span_hex, IdRule::kRequired, &row->span_id, why) &&
         SpanIdFromHex("parentSpanId", parent_hex, IdRule::kOptional, &row->parent_span_id, why);
}

bool JsonRequestDecoder::DecodeEvents(Element events, std::string* why) {
  simdjson::dom::array arr;
  if (IsNull(events)) return true;
  if (!GetArray(events, "events", &arr, why)) return false;
  SpanBatch& batch = ctx_.spans;
  for (Element event : arr) {
    simdjson::dom::object obj;
    if (!GetObject(event, "events[]", &obj, why)) return false;
    int64_t time = 0;
    StrId name = kEmptyStr;
    for (auto field : obj) {
      std::string_view s;
      switch (event_keys_.Find(field.key)) {
        case kEventTime:
          if (!ReadTime(field.value, "events[].timeUnixNano", &time, why)) return false;
          break;
        case kEventName:
          if (!ReadString(field.value, "events[].name", &s, why)) return false;
          name = span_text_.Text(s);
          break;
        case kEventAttributes:
          if (!values_.ReadAttributes(field.value, &batch.event_attrs, span_text_, why)) {
            *why = "event " + *why;
            return false;
          }
          break;
        default:
          break;
      }
    }
    batch.CommitEvent(time, name);
  }
  return true;
}

bool JsonRequestDecoder::DecodeLinks(Element links, std::string* why) {
  simdjson::dom::array arr;
  if (IsNull(links)) return true;
  if (!GetArray(links, "links", &arr, why)) return false;
  SpanBatch& batch = ctx_.spans;
  for (Element link : arr) {
    simdjson::dom::object obj;
    if (!GetObject(link, "links[]", &obj, why)) return false;
    std::string_view trace_hex, span_hex, state;
    for (auto field : obj) {
      switch (link_keys_.Find(field.key)) {
        case kTraceId:
          if (!ReadString(field.value, "links[].traceId", &trace_hex, why)) return false;
          break;
        case kSpanId:
          if (!ReadString(field.value, "links[].spanId", &span_hex, why)) return false;
          break;
        case kTraceState:
          if (!ReadString(field.value, "links[].traceState", &state, why)) return false;
          break;
        case kAttributes:
          if (!values_.ReadAttributes(field.value, &batch.link_attrs, span_text_, why)) {
            *why = "link " + *why;
            return false;
          }
          break;
        default:
          break;
      }
    }
    TraceId trace;
    SpanId span = 0;
    if (!TraceIdFromHex("links[].traceId", trace_hex, IdRule::kRequired, &trace, why) ||
        !SpanIdFromHex("links[].spanId", span_hex, IdRule::kRequired, &span, why)) {
      return false;
    }
    batch.CommitLink(trace, span, span_text_.Text(state));
  }
  return true;
}

bool JsonRequestDecoder::DecodeStatus(Element status, SpanRow* row, bool* fixed, std::string* why) {
  if (IsNull(status)) return true;
  simdjson::dom::object obj;
  if (!GetObject(status, "status", &obj, why)) return false;
  for (auto field : obj) {
    switch (status_keys_.Find(field.key)) {
      case kCode: {
        int64_t code = 0;
        if (!ReadEnum(field.value, "status.code", StatusCodeFromName, &code, why)) return false;
        row->status = SpanStatusFromNumber(code, fixed);
        break;
      }
      case kMessage: {
        std::string_view s;
        if (!ReadString(field.value, "status.message", &s, why)) return false;
        row->status_message = span_text_.Text(s);
        break;
      }
      default:
        break;
    }
  }
  return true;
}

bool JsonRequestDecoder::DecodeLog(Element log, LogRow* row, bool* fixed, std::string* why) {
  simdjson::dom::object obj;
  if (!GetObject(log, "logRecord", &obj, why)) return false;
  std::string_view trace_hex, span_hex, s;
  LogBatch& batch = ctx_.logs;
  for (auto field : obj) {
    Element v = field.value;
    switch (log_keys_.Find(field.key)) {
      case kTime:
        if (!ReadOptionalTime(v, "timeUnixNano", &row->time_ns, fixed, why)) return false;
        break;
      case kObserved:
        if (!ReadOptionalTime(v, "observedTimeUnixNano", &row->observed_ns, fixed, why)) {
          return false;
        }
        break;
      case kSeverityNumber: {
        int64_t sev = 0;
        if (!ReadEnum(v, "severityNumber", SeverityFromName, &sev, why)) return false;
        row->severity_number = SeverityFromNumber(sev, fixed);
        break;
      }
      case kSeverityText:
        if (!ReadString(v, "severityText", &s, why)) return false;
        row->severity_text = log_text_.Text(s);
        break;
      case kBody: {
        AttrType type = AttrType::kEmpty;
        uint64_t bits = 0;
        if (!values_.ReadAnyValue(v, log_text_, &type, &bits, why)) {
          *why = "body: " + *why;
          return false;
        }
        if (type == AttrType::kInt || type == AttrType::kDouble || type == AttrType::kBool) {
          row->body = log_text_.Text(ScalarText(type, bits));
        } else if (type == AttrType::kEmpty) {
          type = AttrType::kString;
          row->body = kEmptyStr;
        } else {
          row->body = static_cast<StrId>(bits);
        }
        row->body_type = type;
        break;
      }
      case kLogAttributes:
        if (!values_.ReadAttributes(v, &batch.attrs, log_text_, why)) return false;
        break;
      case kLogFlags: {
        uint64_t flags = 0;
        if (!ReadUnsigned(v, "flags", UINT32_MAX, &flags, why)) return false;
        row->flags = static_cast<uint32_t>(flags);
        break;
      }
      case kLogTraceId:
        if (!ReadString(v, "traceId", &trace_hex, why)) return false;
        break;
      case kLogSpanId:
        if (!ReadString(v, "spanId", &span_hex, why)) return false;
        break;
      case kEventNameKey:
        if (!ReadString(v, "eventName", &s, why)) return false;
        row->event_name = log_text_.Text(s);
        break;
      default:
        break;
    }
  }
  if (row->time_ns == 0) row->time_ns = row->observed_ns;
  if (row->severity_number == 0 && row->severity_text != kEmptyStr) {
    row->severity_number = SeverityFromText(batch.dict.Get(row->severity_text));
  }
  return TraceIdFromHex("traceId", trace_hex, IdRule::kOptional, &row->trace_id, why) &&
         SpanIdFromHex("spanId", span_hex, IdRule::kOptional, &row->span_id, why);
}

void JsonRequestDecoder::NoteHint(Element record) {
  hint_ = {};
  simdjson::dom::object obj;
  if (record.get_object().get(obj) != simdjson::SUCCESS) return;
  std::string_view trace, name;
  for (auto field : obj) {
    std::string_view s;
    if (field.value.get_string().get(s) != simdjson::SUCCESS || s.empty()) continue;
    if (field.key == "spanId" || field.key == "span_id") {
      hint_ = s;
      return;
    }
    if (field.key == "traceId" || field.key == "trace_id") trace = s;
    if (field.key == "name" && s.size() >= 8) name = s;
  }
  hint_ = !trace.empty() ? trace : name;
}

void JsonRequestDecoder::RejectRecord(std::string reason) {
  uint64_t line = place_.line;
  uint64_t offset = place_.offset;
  if (!hint_.empty() && !place_.text.empty()) {
    std::string needle(1, '"');
    needle.append(hint_);
    needle.push_back('"');
    size_t pos = place_.text.find(needle, cursor_);
    if (pos != std::string_view::npos) {
      ++pos;  // at the value, past its quote
      for (size_t i = cursor_; i < pos; ++i) cursor_line_ += place_.text[i] == '\n';
      cursor_ = pos;
      line += cursor_line_;
      offset += pos;
    }
  }
  hint_ = {};
  ctx_.Reject(line, offset, std::move(reason));
}

}  // namespace ddbg::otlp

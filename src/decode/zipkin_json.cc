// Zipkin v2 JSON: an array of spans (what POST /api/v2/spans takes), or an array of traces
// that are arrays of spans (what GET /api/v2/traces returns). The document is read with
// simdjson's on-demand parser into views, spans are validated and given unique ids
// (zipkin_ids.cc: shared client/server ids, missing timestamps), then committed in document
// order. Mapping to the model, as the OpenTelemetry Collector's Zipkin receiver maps it:
// - timestamp/duration are µs and may be fractional (1736935200180601.5): kept to the ns.
// - kind CLIENT|SERVER|PRODUCER|CONSUMER; an absent kind is internal, since Zipkin defines
//   it as a local span and OpenTelemetry exporters write internal spans without a kind; an
//   unknown kind is unspecified and counts a warning.
// - localEndpoint -> one resource per distinct (serviceName, ipv4, ipv6, port): service.name,
//   net.host.ip (ipv4, else ipv6), net.host.ipv6 (when both are given), net.host.port.
//   Without a serviceName the service is unknown_service.
// - remoteEndpoint -> span attributes peer.service (a Zipkin serviceName names a service, not
//   a host, so not net.peer.name), net.peer.ip, net.peer.ipv6 (when both), net.peer.port.
// - tags -> string attributes, except these, mapped into the model: error -> status error
//   with the tag's value as message (unless it is empty or "true"; otel.status_description
//   wins); otel.status_code OK|ERROR -> status; otel.status_description -> message;
//   otel.scope.name|otel.library.name and their .version -> scope.
// - annotations -> span events named by their value; "debug" is ignored.
#include <fmt/format.h>
#include <simdjson.h>

#include <string>
#include <string_view>

#include "ddbg/decode.h"
#include "decode/otlp_common.h"
#include "decode/zipkin_document.h"

namespace ddbg {
namespace zipkin {
namespace {

constexpr uint32_t kFlushCheckEvery = 256;

}  // namespace

// The elements of the root array: spans, or (not nested) traces that are arrays of spans.
bool Decoder::ParseList(od::array list, const char* at, bool nested) {
  for (auto element : list) {
    od::value value;
    if (auto e = element.get(value)) return Fail(e, at);
    const char* element_at = value.raw_json_token().data();
    od::json_type type;
    if (auto e = value.type().get(type)) return Fail(e, element_at);
    if (type == od::json_type::object) {
      if (!ParseSpan(value)) return false;
    } else if (type == od::json_type::array && !nested) {
      od::array inner;
      if (auto e = value.get_array().get(inner)) return Fail(e, element_at);
      if (!ParseList(inner, element_at, true)) return false;
    } else {
      Reject(element_at, "expected a Zipkin span object");
    }
  }
  return true;
}

bool Decoder::ParseSpan(od::value value) {
  Span span;
  span.at = value.raw_json_token().data();
  const char* at = span.at;
  od::object object;
  if (auto e = value.get_object().get(object)) return Fail(e, at);
  for (auto item : object) {
    od::field field;
    if (auto e = std::move(item).get(field)) return Fail(e, at);
    od::raw_json_string key = field.key();
    od::value v = field.value();
    auto str = [&](const char* name, std::string_view* out) {
      return Soft(json::ReadString(v, out), at, name, &span.bad_field);
    };
    auto raw = [&](const char* name, RawValue* out) {
      return Soft(json::ReadRaw(v, out), at, name, &span.bad_field);
    };
    bool ok = true;
    if (key == "traceId") {
      ok = str("traceId", &span.trace_id);
    } else if (key == "id") {
      ok = str("id", &span.id);
    } else if (key == "parentId") {
      RawValue parent;  // null is a root
      ok = raw("parentId", &parent);
      if (parent.kind == RawValue::Kind::kString) {
        span.parent_id = parent.text;
      } else if (parent.present() && span.bad_field == nullptr) {
        span.bad_field = "parentId";
      }
    } else if (key == "name") {
      ok = str("name", &span.name);
    } else if (key == "kind") {
      ok = str("kind", &span.kind);
    } else if (key == "timestamp") {
      ok = raw("timestamp", &span.timestamp);
    } else if (key == "duration") {
      ok = raw("duration", &span.duration);
    } else if (key == "localEndpoint") {
      ok = ParseEndpoint(v, &span.local, &span);
    } else if (key == "remoteEndpoint") {
      ok = ParseEndpoint(v, &span.remote, &span);
    } else if (key == "tags") {
      ok = ParseTags(v, &span);
    } else if (key == "annotations") {
      ok = ParseAnnotations(v, &span);
    } else if (key == "shared") {
      RawValue shared;
      ok = raw("shared", &shared);
      span.shared = shared.kind == RawValue::Kind::kBool && shared.boolean;
    }
    if (!ok) return false;
  }
  spans_.push_back(span);
  return true;
}

bool Decoder::ParseEndpoint(od::value value, Endpoint* endpoint, Span* span) {
  od::object object;
  auto e = value.get_object().get(object);
  if (e) return !json::Fatal(e) || Fail(e, span->at);  // null: no endpoint
  endpoint->present = true;
  for (auto item : object) {
    od::field field;
    if (auto err = std::move(item).get(field)) return Fail(err, span->at);
    od::raw_json_string key = field.key();
    std::string_view* out = key == "serviceName" ? &endpoint->service
                            : key == "ipv4"      ? &endpoint->ipv4
                            : key == "ipv6"      ? &endpoint->ipv6
                                                 : nullptr;
    RawValue v;
    if (!Soft(json::ReadRaw(field.value(), &v), span->at, "endpoint", &span->bad_field)) {
      return false;
    }
    if (out != nullptr && v.kind == RawValue::Kind::kString) {
      *out = v.text;
    } else if (key == "port" && v.present()) {
      if (!json::ToInt64(v, &endpoint->port) || endpoint->port < 0 || endpoint->port > 65535) {
        endpoint->port = 0;
        span->fixed = true;
      }
    } else if (out != nullptr && v.present()) {
      span->fixed = true;
    }
  }
  return true;
}

bool Decoder::ParseTags(od::value value, Span* span) {
  span->tag_begin = span->tag_end = static_cast<uint32_t>(tags_.size());
  od::object object;
  auto e = value.get_object().get(object);
  if (e) return !json::Fatal(e) || Fail(e, span->at);  // null: no tags
  for (auto item : object) {
    od::field field;
    if (auto err = std::move(item).get(field)) return Fail(err, span->at);
    Tag tag;
    if (auto err = field.unescaped_key().get(tag.key)) {
      if (json::Fatal(err)) return Fail(err, span->at);
      span->fixed = true;
      continue;
    }
    if (!Soft(json::ReadRaw(field.value(), &tag.value), span->at, "tags", &span->bad_field)) {
      return false;
    }
    tags_.push_back(tag);
  }
  span->tag_end = static_cast<uint32_t>(tags_.size());
  return true;
}

bool Decoder::ParseAnnotations(od::value value, Span* span) {
  span->ann_begin = span->ann_end = static_cast<uint32_t>(annotations_.size());
  od::array array;
  auto e = value.get_array().get(array);
  if (e) return !json::Fatal(e) || Fail(e, span->at);  // null: no annotations
  for (auto element : array) {
    od::object object;
    if (auto err = element.get_object().get(object)) {
      if (json::Fatal(err)) return Fail(err, span->at);
      span->fixed = true;
      continue;
    }
    Annotation annotation;
    for (auto item : object) {
      od::field field;
      if (auto err = std::move(item).get(field)) return Fail(err, span->at);
      od::raw_json_string key = field.key();
      const char* bad = nullptr;
      if (key == "timestamp") {
        if (!Soft(json::ReadRaw(field.value(), &annotation.timestamp), span->at, "", &bad)) {
          return false;
        }
      } else if (key == "value") {
        if (!Soft(json::ReadString(field.value(), &annotation.value), span->at, "", &bad)) {
          return false;
        }
      }
      span->fixed |= bad != nullptr;
    }
    annotations_.push_back(annotation);
  }
  span->ann_end = static_cast<uint32_t>(annotations_.size());
  return true;
}

void Decoder::Reject(const char* at, std::string reason) {
  uint64_t offset = doc_.OffsetOf(at);
  ctx_.Reject(doc_.LineOf(offset), offset, std::move(reason));
}

Status Decoder::Decode(std::string_view data) {
  doc_.Load(data);
  // Typical spans take 300-700 bytes of JSON: reserving avoids most regrowth copies.
  spans_.reserve(data.size() / 512);
  tags_.reserve(data.size() / 128);
  od::document doc;
  od::json_type root_type;
  simdjson::error_code err = doc_.Start(parser_, &doc, &root_type);
  if (err) {
    return Status::InvalidArgument(fmt::format("{}: not a Zipkin v2 JSON document: {}",
                                               ctx_.source(), simdjson::error_message(err)));
  }
  if (root_type == od::json_type::array) {
    od::array root;
    if ((err = doc.get_array().get(root))) {
      Fail(err, doc_.begin());
    } else {
      ParseList(root, doc_.begin(), false);
    }
  } else if (root_type == od::json_type::object) {
    // A lone span, as some tools write a single one.
    od::value root;
    if ((err = doc.get_value().get(root))) {
      Fail(err, doc_.begin());
    } else if (ParseSpan(root) && spans_.back().trace_id.empty() && spans_.back().id.empty()) {
      return Status::InvalidArgument(fmt::format(
          "{}: not a Zipkin v2 JSON document: expected an array of spans", ctx_.source()));
    }
  } else {
    return Status::InvalidArgument(fmt::format(
        "{}: not a Zipkin v2 JSON document: expected an array of spans", ctx_.source()));
  }
  if (fatal_ != simdjson::SUCCESS && spans_.empty()) {
    uint64_t offset = doc_.OffsetOf(fatal_at_);
    return Status::InvalidArgument(fmt::format("{}:{}: malformed JSON (byte {}): {}", ctx_.source(),
                                               doc_.LineOf(offset), offset,
                                               simdjson::error_message(fatal_)));
  }
  AssignIds();
  size_t committed = 0;
  DDBG_RETURN_IF_ERROR(Commit(&committed));
  DDBG_RETURN_IF_ERROR(json::FinishSpanDocument(
      doc_, data.size(), {fatal_, fatal_at_, truncation_reported_}, committed, ctx_.source(),
      "Zipkin v2 JSON", [this](const char* at, std::string reason) { Reject(at, std::move(reason)); }));
  for (size_t i = 0; i < doc_.utf8_replacements(); ++i) ctx_.Warn();
  return Status::Ok();
}

Status Decoder::Commit(size_t* committed) {
  for (uint32_t i = 0; i < spans_.size(); ++i) {
    Span& s = spans_[i];
    if (!s.ok) {
      Reject(s.at, std::move(reasons_[s.reason]));
      continue;
    }
    CommitSpan(s);
    ++*committed;
    if ((i + 1) % kFlushCheckEvery == 0) {
      size_t before = batch_.size();
      DDBG_RETURN_IF_ERROR(ctx_.MaybeFlush());
      if (batch_.size() < before) {  // flushed: indices into the old batch are gone
        resource_ids_.clear();
        scope_ids_.clear();
      }
    }
  }
  return Status::Ok();
}

void Decoder::CommitSpan(const Span& s) {
  StringDict& dict = batch_.dict;
  AttrColumns& attrs = batch_.attrs;
  bool fixed = s.fixed;
  SpanRow row;
  row.trace_id = s.trace;
  row.span_id = s.out_id;
  row.parent_span_id = s.out_parent;
  row.kind = s.span_kind;
  row.name = dict.Intern(s.name);
  row.start_ns = s.start_ns;
  row.end_ns = s.duration_missing ? s.start_ns : s.start_ns + s.duration_ns;
  row.resource = ResourceOf(s.local);

  bool error_tag = false;
  std::string_view error_text, status_code, status_text, scope_name, scope_version;
  for (uint32_t t = s.tag_begin; t < s.tag_end; ++t) {
    const Tag& tag = tags_[t];
    std::string_view value = json::ScalarText(tag.value);
    std::string_view* slot = nullptr;
    if (tag.key == "error") {
      error_tag = true;
      slot = &error_text;
    } else if (tag.key == "otel.status_code") {
      slot = &status_code;
    } else if (tag.key == "otel.status_description") {
      slot = &status_text;
    } else if (tag.key == "otel.scope.name" || tag.key == "otel.library.name") {
      slot = &scope_name;
    } else if (tag.key == "otel.scope.version" || tag.key == "otel.library.version") {
      slot = &scope_version;
    }
    if (slot != nullptr) {
      *slot = value;
      continue;
    }
    if (tag.value.kind != RawValue::Kind::kString) fixed = true;
    attrs.AddString(dict.Intern(tag.key), dict.Intern(value));
  }
  if (error_tag || json::EqualsIgnoreCase(status_code, "ERROR")) {
    row.status = SpanStatus::kError;
    if (status_text.empty() && !json::EqualsIgnoreCase(error_text, "true"))
      status_text = error_text;
  } else if (json::EqualsIgnoreCase(status_code, "OK")) {
    row.status = SpanStatus::kOk;
  } else if (!status_code.empty() && !json::EqualsIgnoreCase(status_code, "UNSET")) {
    attrs.AddString(dict.Intern("otel.status_code"), dict.Intern(status_code));
  }
  row.status_message = dict.Intern(status_text);
  row.scope = ScopeOf(scope_name, scope_version);

  const Endpoint& remote = s.remote;
  if (!remote.service.empty()) {
    attrs.AddString(dict.Intern("peer.service"), dict.Intern(remote.service));
  }
  if (!remote.ipv4.empty() || !remote.ipv6.empty()) {
    attrs.AddString(dict.Intern("net.peer.ip"),
                    dict.Intern(remote.ipv4.empty() ? remote.ipv6 : remote.ipv4));
  }
  if (!remote.ipv4.empty() && !remote.ipv6.empty()) {
    attrs.AddString(dict.Intern("net.peer.ipv6"), dict.Intern(remote.ipv6));
  }
  if (remote.port > 0) attrs.AddInt(dict.Intern("net.peer.port"), remote.port);
  if (s.derived) {
    attrs.AddString(dict.Intern("zipkin.shared_span_id"), dict.Intern(json::Hex16(s.span_id)));
  }
  if (s.start_missing) attrs.AddBool(dict.Intern("zipkin.timestamp_missing"), true);
  if (s.duration_missing) attrs.AddBool(dict.Intern("zipkin.duration_missing"), true);

  for (uint32_t a = s.ann_begin; a < s.ann_end; ++a) {
    const Annotation& annotation = annotations_[a];
    int64_t time_ns = row.start_ns;
    if (!json::MicrosToNanos(annotation.timestamp, &time_ns)) {
      time_ns = row.start_ns;
      fixed = true;
    }
    batch_.CommitEvent(time_ns, dict.Intern(annotation.value));
  }
  batch_.CommitSpan(row);
  if (fixed) ctx_.Warn();
}

// One resource per distinct local endpoint (service, ipv4, ipv6, port).
uint32_t Decoder::ResourceOf(const Endpoint& local) {
  key_.assign(local.service);
  key_ += '\0';
  key_ += local.ipv4;
  key_ += '\0';
  key_ += local.ipv6;
  key_ += '\0';
  key_ += std::to_string(local.port);
  auto it = resource_ids_.find(key_);
  if (it != resource_ids_.end()) return it->second;
  StringDict& dict = batch_.dict;
  AttrColumns& attrs = batch_.resources.attrs;
  if (!local.service.empty()) {
    attrs.AddString(dict.Intern(otlp::kServiceNameKey), dict.Intern(local.service));
  }
  if (!local.ipv4.empty() || !local.ipv6.empty()) {
    attrs.AddString(dict.Intern("net.host.ip"),
                    dict.Intern(local.ipv4.empty() ? local.ipv6 : local.ipv4));
  }
  if (!local.ipv4.empty() && !local.ipv6.empty()) {
    attrs.AddString(dict.Intern("net.host.ipv6"), dict.Intern(local.ipv6));
  }
  if (local.port > 0) attrs.AddInt(dict.Intern("net.host.port"), local.port);
  uint32_t id = batch_.CommitResource(
      dict.Intern(local.service.empty() ? otlp::kUnknownService : local.service));
  resource_ids_.emplace(key_, id);
  return id;
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

}  // namespace zipkin

Status DecodeZipkinJson(std::string_view data, DecodeContext& ctx) {
  zipkin::Decoder decoder(ctx);
  return decoder.Decode(data);
}

}  // namespace ddbg

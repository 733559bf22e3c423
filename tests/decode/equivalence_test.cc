// The same spans written in different formats decode to the same model:
// - Jaeger's own OTLP -> Jaeger conversions (jaeger-testdata and jaeger-ui fixtures): every
//   field compares equal, times at µs precision (Jaeger JSON holds µs). Jaeger writes the scope,
//   kind and status as tags (otel.scope.name, otel.library.name/version, span.kind,
//   otel.status_code, error); the decoder maps them back, so no key has to be ignored.
// - The OpenTelemetry JS SDK's Zipkin exporter vs its OTLP/JSON exporter (same spans, same
//   seed): Zipkin keeps µs (the exporter prints them through a double, e.g. …150125.8 for
//   …150125732 ns), so times compare to within 1 µs; its tags are strings (arrays joined
//   with ","), every resource attribute is copied into the tags (ignored here), event
//   attributes are dropped, and status is carried by otel.status_code and error.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdlib>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "ddbg/decode.h"
#include "decode/span_lookup.h"

namespace ddbg {
namespace {

using testing::ReadFile;
using testing::Rejections;
using testing::SharedData;

using AttrMap = std::map<std::string, std::string>;  // key -> "type:value"

struct Event {
  int64_t time_ns;
  std::string name;
  AttrMap attrs;
  bool operator==(const Event&) const = default;
};

// One span with every string resolved, for comparing decodes of different formats.
struct SpanView {
  std::string parent, name, service, status_message, scope_name, scope_version, trace_state;
  int64_t start_ns = 0, end_ns = 0;
  SpanKind kind = SpanKind::kUnspecified;
  SpanStatus status = SpanStatus::kUnset;
  AttrMap attrs, resource;
  std::vector<Event> events;
  std::vector<std::string> links;  // "trace/span"
};
using SpanKey = std::pair<std::string, std::string>;  // trace id, span id

AttrMap Attrs(const StringDict& dict, const AttrColumns& c, uint32_t begin, uint32_t end) {
  AttrMap out;
  for (uint32_t a = begin; a < end; ++a) {
    out[std::string(dict.Get(c.key[a]))] =
        std::string(AttrTypeName(c.type[a])) + ":" + c.ValueText(dict, a);
  }
  return out;
}

// The first span decoded for each (trace, span id).
std::map<SpanKey, SpanView> Views(const SpanBatch& b) {
  std::map<SpanKey, SpanView> out;
  for (size_t i = 0; i < b.size(); ++i) {
    SpanKey key{TraceIdToHex(b.trace_id[i]), SpanIdToHex(b.span_id[i])};
    if (out.count(key)) continue;
    SpanView& v = out[key];
    v.parent = b.parent_span_id[i] ? SpanIdToHex(b.parent_span_id[i]) : "";
    v.name = b.dict.Get(b.name[i]);
    v.service = b.dict.Get(b.service[i]);
    v.status_message = b.dict.Get(b.status_message[i]);
    v.trace_state = b.dict.Get(b.trace_state[i]);
    if (b.scope[i] < b.scopes.size()) {
      v.scope_name = b.dict.Get(b.scopes.name[b.scope[i]]);
      v.scope_version = b.dict.Get(b.scopes.version[b.scope[i]]);
    }
    v.start_ns = b.start_ns[i];
    v.end_ns = b.end_ns[i];
    v.kind = b.kind[i];
    v.status = b.status[i];
    v.attrs = Attrs(b.dict, b.attrs, b.attr_off.begin(i), b.attr_off.end(i));
    uint32_t r = b.resource[i];
    v.resource = Attrs(b.dict, b.resources.attrs, b.resources.attr_off.begin(r),
                       b.resources.attr_off.end(r));
    for (uint32_t e = b.event_off.begin(i); e < b.event_off.end(i); ++e) {
      v.events.push_back(
          Event{b.event_time_ns[e], std::string(b.dict.Get(b.event_name[e])),
                Attrs(b.dict, b.event_attrs, b.event_attr_off.begin(e), b.event_attr_off.end(e))});
    }
    for (uint32_t l = b.link_off.begin(i); l < b.link_off.end(i); ++l) {
      v.links.push_back(TraceIdToHex(b.link_trace_id[l]) + "/" + SpanIdToHex(b.link_span_id[l]));
    }
  }
  return out;
}

void ExpectSameSpans(const SpanBatch& otlp, const SpanBatch& jaeger) {
  std::map<SpanKey, SpanView> a = Views(otlp), b = Views(jaeger);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [key, x] : a) {
    SCOPED_TRACE(key.second);
    ASSERT_TRUE(b.count(key));
    const SpanView& y = b.at(key);
    EXPECT_EQ(x.parent, y.parent);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.service, y.service);
    EXPECT_EQ(x.start_ns / 1000, y.start_ns / 1000);  // Jaeger JSON holds µs
    EXPECT_EQ(x.end_ns / 1000, y.end_ns / 1000);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.status, y.status);
    EXPECT_EQ(x.status_message, y.status_message);
    EXPECT_EQ(x.scope_name, y.scope_name);
    EXPECT_EQ(x.scope_version, y.scope_version);
    EXPECT_EQ(x.trace_state, y.trace_state);
    EXPECT_EQ(x.attrs, y.attrs);
    EXPECT_EQ(x.resource, y.resource);
    EXPECT_EQ(x.events, y.events);
    EXPECT_EQ(x.links, y.links);
  }
}

TEST(FormatEquivalence, JaegerConversionOfAnOtlpTraceDecodesToTheSameSpans) {
  std::string otlp = ReadFile(SharedData("traces/jaeger-testdata/formats/otlp2jaeger-in.json"));
  std::string jaeger = ReadFile(SharedData("traces/jaeger-testdata/formats/otlp2jaeger-out.json"));
  DecodeContext a("otlp2jaeger-in.json"), b("otlp2jaeger-out.json");
  ASSERT_TRUE(DecodeOtlpJson(otlp, a).ok());
  ASSERT_TRUE(DecodeJaegerJson(jaeger, b).ok());
  EXPECT_EQ(b.spans.size(), 1u);  // the repeated span is rejected
  ExpectSameSpans(a.spans, b.spans);
}

TEST(FormatEquivalence, JaegerConversionOfOtlpJsonLinesDecodesToTheSameSpans) {
  std::string otlp = ReadFile(SharedData("traces/jaeger-ui/formats/otlp2jaeger-multi-in.json.txt"));
  std::string combined =
      ReadFile(SharedData("traces/jaeger-ui/formats/otlp2jaeger-multi-in-combined.json"));
  std::string jaeger = ReadFile(SharedData("traces/jaeger-ui/formats/oltp2jaeger-multi-out.json"));
  DecodeContext a("multi-in"), c("multi-in-combined"), b("multi-out");
  ASSERT_TRUE(DecodeOtlpJson(otlp, a).ok());
  ASSERT_TRUE(DecodeOtlpJson(combined, c).ok());
  ASSERT_TRUE(DecodeJaegerJson(jaeger, b).ok());
  EXPECT_EQ(b.spans.size(), 4u) << Rejections(b);
  EXPECT_EQ(b.stats.rejected, 0u);
  ExpectSameSpans(a.spans, b.spans);
  ExpectSameSpans(c.spans, b.spans);
}

// Zipkin tag text of an OTLP attribute value: scalars as they are, arrays joined with ","
// (the JS exporter's String(array)).
std::string ZipkinText(const std::string& typed) {
  size_t colon = typed.find(':');
  std::string type = typed.substr(0, colon), value = typed.substr(colon + 1);
  if (type != "array") return value;
  simdjson::dom::parser parser;
  std::string out;
  for (simdjson::dom::element e : parser.parse(value).get_array()) {
    if (!out.empty()) out += ",";
    out += e.is_string() ? std::string(std::string_view(e)) : simdjson::minify(e);
  }
  return out;
}

TEST(FormatEquivalence, ZipkinAndOtlpExportsOfTheSameSpansAgree) {
  DecodeContext zipkin("zipkin"), otlp("otlp");
  for (int n = 1; n <= 5; ++n) {
    std::string z =
        ReadFile(SharedData("otlp-captured/proto/000" + std::to_string(n) + "-zipkin.json"));
    std::string o =
        ReadFile(SharedData("otlp-captured/json/000" + std::to_string(n) + "-traces.json"));
    ASSERT_TRUE(DecodeZipkinJson(z, zipkin).ok());
    ASSERT_TRUE(DecodeOtlpJson(o, otlp).ok());
  }
  EXPECT_EQ(zipkin.stats.rejected, 0u) << Rejections(zipkin);
  EXPECT_EQ(zipkin.spans.size(), 104u);
  std::map<SpanKey, SpanView> a = Views(otlp.spans), b = Views(zipkin.spans);
  ASSERT_EQ(a.size(), 104u);
  ASSERT_EQ(b.size(), 104u);
  size_t errors = 0, events = 0;
  for (const auto& [key, x] : a) {
    SCOPED_TRACE(key.second);
    ASSERT_TRUE(b.count(key));
    const SpanView& y = b.at(key);
    EXPECT_EQ(x.parent, y.parent);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.service, y.service);
    EXPECT_LT(std::llabs(x.start_ns - y.start_ns), 1000);
    EXPECT_LT(std::llabs(x.end_ns - y.end_ns), 1000);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.status == SpanStatus::kError, y.status == SpanStatus::kError);
    EXPECT_EQ(x.status_message, y.status_message);
    errors += y.status == SpanStatus::kError;
    // Every OTLP attribute is a tag with the same text; the other tags are resource copies.
    for (const auto& [k, typed] : x.attrs) {
      ASSERT_TRUE(y.attrs.count(k)) << k;
      EXPECT_EQ("string:" + ZipkinText(typed), y.attrs.at(k)) << k;
    }
    for (const auto& [k, typed] : y.attrs) {
      if (!x.attrs.count(k)) {
        EXPECT_TRUE(x.resource.count(k)) << k;
      }
    }
    ASSERT_EQ(x.events.size(), y.events.size());
    for (size_t e = 0; e < x.events.size(); ++e) {
      EXPECT_EQ(x.events[e].name, y.events[e].name);
      EXPECT_LT(std::llabs(x.events[e].time_ns - y.events[e].time_ns), 1000);
      ++events;
    }
  }
  EXPECT_EQ(errors, 14u);  // OTLP status code 2 (jq); 10 of them also carry an "error" tag
  EXPECT_EQ(events, 19u);  // the annotations
}

}  // namespace
}  // namespace ddbg

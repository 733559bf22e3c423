// The JSON form of the trace view (RenderWaterfallJson): the tree in pre-order with the
// computed self times and skew shifts. Escaping is JsonWriter's, so any span text is safe.
#include <simdjson.h>

#include <cmath>
#include <string_view>

#include "ddbg/waterfall.h"
#include "util/json_writer.h"

namespace ddbg {
namespace {

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(in[i])); };
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i < in.size()) {
    uint32_t v = byte(i) << 16 | (i + 1 < in.size() ? byte(i + 1) << 8 : 0);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Attribute rows [begin, end) as an object with typed values. Arrays and maps are embedded
// as JSON when their stored text parses, else given as strings; bytes as base64.
void Attributes(JsonWriter& w, simdjson::dom::parser& parser, const StringDict& dict,
                const AttrColumns& a, uint32_t begin, uint32_t end) {
  w.Key("attributes").BeginObject();
  for (uint32_t i = begin; i < end; ++i) {
    w.Key(dict.Get(a.key[i]));
    auto text = [&] { return dict.Get(static_cast<StrId>(a.value[i])); };
    switch (a.type[i]) {
      case AttrType::kInt:
        w.Int(a.IntAt(i));
        break;
      case AttrType::kBool:
        w.Bool(a.value[i] != 0);
        break;
      case AttrType::kDouble:
        w.Double(a.DoubleAt(i));
        break;
      case AttrType::kEmpty:
        w.Null();
        break;
      case AttrType::kBytes:
        w.String(Base64(text()));
        break;
      case AttrType::kArray:
      case AttrType::kKvList: {
        std::string_view json = text();
        simdjson::dom::element parsed;
        if (parser.parse(json.data(), json.size()).get(parsed) == simdjson::SUCCESS) {
          w.Raw(json);
        } else {
          w.String(json);
        }
        break;
      }
      default:
        w.String(text());
        break;
    }
  }
  w.EndObject();
}

void Span(JsonWriter& w, simdjson::dom::parser& parser, const TraceTree& tree, uint32_t i) {
  const SpanBatch& b = tree.batch();
  const TraceTree::Node& n = tree.node(i);
  uint32_t r = n.row;
  bool orphan = n.parent != TraceTree::kNone && tree.node(n.parent).is_placeholder();
  SpanId parent =
      (n.parent == TraceTree::kNone || orphan) ? b.parent_span_id[r] : tree.node(n.parent).span_id;
  w.BeginObject();
  w.Key("spanID").String(SpanIdToHex(n.span_id));
  w.Key("parentSpanID").String(parent ? SpanIdToHex(parent) : "");
  w.Key("service").String(b.dict.Get(b.service[r]));
  w.Key("operation").String(b.dict.Get(b.name[r]));
  w.Key("kind").String(SpanKindName(b.kind[r]));
  w.Key("startUnixNano").Int(n.start_ns);
  w.Key("durationNs").Int(n.duration_ns());
  w.Key("selfNs").Int(n.self_ns);
  w.Key("depth").Uint(n.depth);
  w.Key("status").String(SpanStatusName(b.status[r]));
  w.Key("statusMessage").String(b.dict.Get(b.status_message[r]));
  Attributes(w, parser, b.dict, b.attrs, b.attr_off.begin(r), b.attr_off.end(r));
  w.Key("events").BeginArray();
  for (uint32_t e = b.event_off.begin(r); e < b.event_off.end(r); ++e) {
    int64_t t = b.event_time_ns[e] + n.skew_ns;
    w.BeginObject();
    w.Key("name").String(b.dict.Get(b.event_name[e]));
    w.Key("timeUnixNano").Int(t);
    w.Key("offsetNs").Int(t - tree.start_ns());
    Attributes(w, parser, b.dict, b.event_attrs, b.event_attr_off.begin(e),
               b.event_attr_off.end(e));
    w.EndObject();
  }
  w.EndArray();
  w.Key("adjustedNs").Int(n.skew_ns);
  w.Key("orphan").Bool(orphan);
  if (n.shared_server) w.Key("sharedServer").Bool(true);
  w.EndObject();
}

}  // namespace

std::string RenderWaterfallJson(const TraceTree& tree) {
  const SpanBatch& b = tree.batch();
  simdjson::dom::parser parser;
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("traceID").String(TraceIdToHex(tree.trace_id()));
  w.Key("services").BeginArray();
  for (std::string_view s : tree.Services()) w.String(s);
  w.EndArray();
  w.Key("spanCount").Uint(tree.span_count());
  w.Key("durationNs").Int(tree.duration_ns());
  w.Key("startUnixNano").Int(tree.start_ns());
  w.Key("skewAdjustments").BeginArray();
  for (const SkewAdjustment& s : tree.skew_adjustments()) {
    const TraceTree::Node& n = tree.node(s.node);
    w.BeginObject();
    w.Key("spanID").String(SpanIdToHex(n.span_id));
    w.Key("service").String(b.dict.Get(b.service[n.row]));
    w.Key("operation").String(b.dict.Get(b.name[n.row]));
    w.Key("deltaNs").Int(s.delta_ns);
    w.Key("applied").Bool(s.applied);
    w.Key("reason").String(s.reason);
    w.EndObject();
  }
  w.EndArray();
  w.Key("issues").BeginArray();
  for (const TraceIssue& is : tree.issues()) {
    w.BeginObject();
    w.Key("kind").String(TraceIssueKindName(is.kind));
    w.Key("spanID").String(SpanIdToHex(is.span_id));
    w.Key("parentSpanID").String(is.parent_span_id ? SpanIdToHex(is.parent_span_id) : "");
    if (!is.cycle.empty()) {
      w.Key("cycle").BeginArray();
      for (SpanId id : is.cycle) w.String(SpanIdToHex(id));
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  w.Key("spans").BeginArray();
  for (uint32_t i : tree.preorder()) {
    if (!tree.node(i).is_placeholder()) Span(w, parser, tree, i);
  }
  w.EndArray();
  w.EndObject();
  out += '\n';
  return out;
}

}  // namespace ddbg

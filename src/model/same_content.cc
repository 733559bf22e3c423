// Value equality of batches, independent of dictionary ids and attribute order.
#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "ddbg/model.h"

namespace ddbg {
namespace {

using AttrSet = std::vector<std::tuple<std::string, int, std::string>>;

AttrSet Attrs(const StringDict& dict, const AttrColumns& c, uint32_t begin, uint32_t end) {
  AttrSet out;
  for (uint32_t a = begin; a < end; ++a) {
    out.emplace_back(std::string(dict.Get(c.key[a])), static_cast<int>(c.type[a]),
                     c.ValueText(dict, a));
  }
  std::sort(out.begin(), out.end());
  return out;
}

template <typename Batch>
AttrSet ResourceAttrs(const Batch& b, uint32_t r) {
  return Attrs(b.dict, b.resources.attrs, b.resources.attr_off.begin(r),
               b.resources.attr_off.end(r));
}

template <typename Batch>
std::string ScopeText(const Batch& b, uint32_t s) {
  if (s >= b.scopes.size()) return "";
  return fmt::format("{}@{}", b.dict.Get(b.scopes.name[s]), b.dict.Get(b.scopes.version[s]));
}

bool Fail(std::string* why, std::string msg) {
  if (why) *why = std::move(msg);
  return false;
}

}  // namespace

bool SameContent(const SpanBatch& a, const SpanBatch& b, std::string* why) {
  if (a.size() != b.size()) return Fail(why, fmt::format("{} vs {} spans", a.size(), b.size()));
  for (size_t i = 0; i < a.size(); ++i) {
    auto at = [&](const char* field) {
      return fmt::format("span {} ({}): {} differs", i, SpanIdToHex(a.span_id[i]), field);
    };
    if (a.trace_id[i] != b.trace_id[i]) return Fail(why, at("trace_id"));
    if (a.span_id[i] != b.span_id[i]) return Fail(why, at("span_id"));
    if (a.parent_span_id[i] != b.parent_span_id[i]) return Fail(why, at("parent_span_id"));
    if (a.dict.Get(a.service[i]) != b.dict.Get(b.service[i])) return Fail(why, at("service"));
    if (a.dict.Get(a.name[i]) != b.dict.Get(b.name[i])) return Fail(why, at("name"));
    if (a.kind[i] != b.kind[i]) return Fail(why, at("kind"));
    if (a.start_ns[i] != b.start_ns[i]) return Fail(why, at("start_ns"));
    if (a.end_ns[i] != b.end_ns[i]) return Fail(why, at("end_ns"));
    if (a.status[i] != b.status[i]) return Fail(why, at("status"));
    if (a.dict.Get(a.status_message[i]) != b.dict.Get(b.status_message[i])) {
      return Fail(why, at("status_message"));
    }
    if (a.flags[i] != b.flags[i]) return Fail(why, at("flags"));
    if (a.dict.Get(a.trace_state[i]) != b.dict.Get(b.trace_state[i])) {
      return Fail(why, at("trace_state"));
    }
    if (Attrs(a.dict, a.attrs, a.attr_off.begin(i), a.attr_off.end(i)) !=
        Attrs(b.dict, b.attrs, b.attr_off.begin(i), b.attr_off.end(i))) {
      return Fail(why, at("attributes"));
    }
    if (ResourceAttrs(a, a.resource[i]) != ResourceAttrs(b, b.resource[i])) {
      return Fail(why, at("resource attributes"));
    }
    if (ScopeText(a, a.scope[i]) != ScopeText(b, b.scope[i])) return Fail(why, at("scope"));
    uint32_t ea = a.event_off.begin(i), eb = b.event_off.begin(i);
    if (a.event_off.end(i) - ea != b.event_off.end(i) - eb) return Fail(why, at("event count"));
    for (; ea < a.event_off.end(i); ++ea, ++eb) {
      if (a.event_time_ns[ea] != b.event_time_ns[eb] ||
          a.dict.Get(a.event_name[ea]) != b.dict.Get(b.event_name[eb]) ||
          Attrs(a.dict, a.event_attrs, a.event_attr_off.begin(ea), a.event_attr_off.end(ea)) !=
              Attrs(b.dict, b.event_attrs, b.event_attr_off.begin(eb), b.event_attr_off.end(eb))) {
        return Fail(why, at("event"));
      }
    }
    uint32_t la = a.link_off.begin(i), lb = b.link_off.begin(i);
    if (a.link_off.end(i) - la != b.link_off.end(i) - lb) return Fail(why, at("link count"));
    for (; la < a.link_off.end(i); ++la, ++lb) {
      if (a.link_trace_id[la] != b.link_trace_id[lb] || a.link_span_id[la] != b.link_span_id[lb] ||
          Attrs(a.dict, a.link_attrs, a.link_attr_off.begin(la), a.link_attr_off.end(la)) !=
              Attrs(b.dict, b.link_attrs, b.link_attr_off.begin(lb), b.link_attr_off.end(lb))) {
        return Fail(why, at("link"));
      }
    }
  }
  return true;
}

bool SameContent(const LogBatch& a, const LogBatch& b, std::string* why) {
  if (a.size() != b.size()) return Fail(why, fmt::format("{} vs {} logs", a.size(), b.size()));
  for (size_t i = 0; i < a.size(); ++i) {
    auto at = [&](const char* field) { return fmt::format("log {}: {} differs", i, field); };
    if (a.time_ns[i] != b.time_ns[i]) return Fail(why, at("time_ns"));
    if (a.observed_ns[i] != b.observed_ns[i]) return Fail(why, at("observed_ns"));
    if (a.severity_number[i] != b.severity_number[i]) return Fail(why, at("severity_number"));
    if (a.dict.Get(a.severity_text[i]) != b.dict.Get(b.severity_text[i])) {
      return Fail(why, at("severity_text"));
    }
    if (a.dict.Get(a.service[i]) != b.dict.Get(b.service[i])) return Fail(why, at("service"));
    if (a.dict.Get(a.body[i]) != b.dict.Get(b.body[i]) || a.body_type[i] != b.body_type[i]) {
      return Fail(why, at("body"));
    }
    if (a.trace_id[i] != b.trace_id[i]) return Fail(why, at("trace_id"));
    if (a.span_id[i] != b.span_id[i]) return Fail(why, at("span_id"));
    if (a.flags[i] != b.flags[i]) return Fail(why, at("flags"));
    if (a.dict.Get(a.event_name[i]) != b.dict.Get(b.event_name[i])) {
      return Fail(why, at("event_name"));
    }
    if (Attrs(a.dict, a.attrs, a.attr_off.begin(i), a.attr_off.end(i)) !=
        Attrs(b.dict, b.attrs, b.attr_off.begin(i), b.attr_off.end(i))) {
      return Fail(why, at("attributes"));
    }
    if (ResourceAttrs(a, a.resource[i]) != ResourceAttrs(b, b.resource[i])) {
      return Fail(why, at("resource attributes"));
    }
    if (ScopeText(a, a.scope[i]) != ScopeText(b, b.scope[i])) return Fail(why, at("scope"));
  }
  return true;
}

bool SameContent(const EventBatch& a, const EventBatch& b, std::string* why) {
  if (a.size() != b.size()) return Fail(why, fmt::format("{} vs {} events", a.size(), b.size()));
  for (size_t i = 0; i < a.size(); ++i) {
    EventRow x = a.Row(i), y = b.Row(i);
    auto s = [](const EventBatch& e, StrId id) { return e.dict.Get(id); };
    if (s(a, x.stream) != s(b, y.stream) || x.version != y.version ||
        s(a, x.event_id) != s(b, y.event_id) || s(a, x.event_type) != s(b, y.event_type) ||
        x.time_ns != y.time_ns || s(a, x.payload) != s(b, y.payload) ||
        s(a, x.metadata) != s(b, y.metadata) || s(a, x.correlation_id) != s(b, y.correlation_id) ||
        s(a, x.causation_id) != s(b, y.causation_id) || s(a, x.service) != s(b, y.service)) {
      return Fail(why, fmt::format("event {} differs", i));
    }
  }
  return true;
}

}  // namespace ddbg

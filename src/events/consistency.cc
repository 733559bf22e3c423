// Cross-service consistency: the streams that carry one entity (by a payload key such as
// order_id) are folded side by side in time order; after every event the services' views
// are compared on the configured field groups and on the status outcome, so each
// disagreement still standing at T is reported with the time it began.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <set>

#include "ddbg/events.h"
#include "events/consistency_internal.h"
#include "model/metadata_trace.h"

namespace ddbg {
namespace events {

std::string EntityOf(simdjson::dom::parser& parser, std::string_view payload,
                     const std::string& key) {
  if (payload.empty() || payload.front() != '{') return "";
  simdjson::dom::element doc;
  if (parser.parse(payload.data(), payload.size()).get(doc)) return "";
  std::string out;
  AppendEntity(doc, key, &out);
  return out;
}

void AppendEntity(simdjson::dom::element doc, const std::string& key, std::string* out) {
  simdjson::dom::element v;
  if (doc[key].get(v)) return;
  if (v.is_string()) {
    out->append(v.get_string().value_unsafe());
  } else if (v.is_int64()) {
    out->append(std::to_string(v.get_int64().value_unsafe()));
  } else if (v.is_uint64()) {
    out->append(std::to_string(v.get_uint64().value_unsafe()));
  }
}

}  // namespace events

namespace {

bool SameValue(const JsonValue& a, const JsonValue& b) {
  if (a.kind() == JsonValue::Kind::kNumber && b.kind() == JsonValue::Kind::kNumber) {
    double x = a.as_number(), y = b.as_number();
    return std::fabs(x - y) <= 1e-9 * std::max({1.0, std::fabs(x), std::fabs(y)});
  }
  return a == b;
}

bool Contains(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// The value view `v` gives for a field group: its first field present and not null.
const JsonValue* GroupValue(const ServiceView& v, const ConsistencyRules::FieldGroup& group) {
  for (const std::string& f : group.fields) {
    const JsonValue* x = v.state.Find(f);
    if (x != nullptr && !x->is_null()) return x;
  }
  return nullptr;
}

const JsonValue* StatusValue(const ServiceView& v, const ConsistencyRules& rules) {
  const JsonValue* s = v.state.Find(rules.status_field);
  return s != nullptr && s->kind() == JsonValue::Kind::kString ? s : nullptr;
}

// Disagreements between the current views, keyed by field name, with the values seen. The
// values are written out only for a disagreement (this runs after every event folded).
std::map<std::string, Disagreement> Compare(const std::vector<ServiceView>& views,
                                            const ConsistencyRules& rules) {
  std::map<std::string, Disagreement> out;
  for (const auto& group : rules.compare) {
    const JsonValue* first = nullptr;
    bool differ = false;
    for (const ServiceView& v : views) {
      const JsonValue* x = GroupValue(v, group);
      if (x == nullptr) continue;
      if (first == nullptr) {
        first = x;
      } else if (!SameValue(*first, *x)) {
        differ = true;
      }
    }
    if (!differ) continue;
    Disagreement d;
    d.field = group.name;
    for (const ServiceView& v : views) {
      if (const JsonValue* x = GroupValue(v, group)) d.values.emplace_back(v.service, x->ToText());
    }
    out[d.field] = std::move(d);
  }
  bool completed = false, aborted = false;
  for (const ServiceView& v : views) {
    const JsonValue* s = StatusValue(v, rules);
    if (s == nullptr) continue;
    completed = completed || Contains(rules.completed, s->as_string());
    aborted = aborted || Contains(rules.aborted, s->as_string());
  }
  if (completed && aborted) {
    Disagreement status;
    status.field = rules.status_field;
    for (const ServiceView& v : views) {
      if (const JsonValue* s = StatusValue(v, rules)) status.values.emplace_back(v.service, s->as_string());
    }
    out[status.field] = std::move(status);
  }
  return out;
}

}  // namespace

namespace events {

Result<ConsistencyReport> Evaluate(const std::string& entity, std::vector<StreamEvent> events,
                                   int64_t at_ns, const ConsistencyRules& rules,
                                   Reducer& reducer) {
  ConsistencyReport report;
  report.entity = entity;
  report.at_ns = at_ns;
  std::stable_sort(events.begin(), events.end(), [](const StreamEvent& a, const StreamEvent& b) {
    if (a.time_ns != b.time_ns) return a.time_ns < b.time_ns;
    if (a.stream != b.stream) return a.stream < b.stream;
    return a.version < b.version;
  });
  std::map<std::string, size_t> view_of;  // stream -> index in report.views
  std::map<std::string, int64_t> since;
  for (const StreamEvent& e : events) {
    if (e.time_ns > at_ns) break;
    auto [it, added] = view_of.emplace(e.stream, report.views.size());
    if (added) {
      report.views.push_back(
          {e.service.empty() ? e.stream : e.service, e.stream, JsonValue::Object()});
    }
    DDBG_RETURN_IF_ERROR(reducer.Apply(e, &report.views[it->second].state));
    TraceId trace = MetadataTrace(e.metadata);
    if (!trace.empty() && std::find(report.trace_ids.begin(), report.trace_ids.end(), trace) == report.trace_ids.end()) {
      report.trace_ids.push_back(trace);
    }
    std::map<std::string, Disagreement> now = Compare(report.views, rules);
    for (auto s = since.begin(); s != since.end();) {
      s = now.count(s->first) ? std::next(s) : since.erase(s);
    }
    for (const auto& [field, d] : now) since.emplace(field, e.time_ns);
    report.disagreements.clear();
    for (auto& [field, d] : now) {
      d.since_ns = since[field];
      report.disagreements.push_back(std::move(d));
    }
  }
  return report;
}

}  // namespace events

using events::EntityOf;
using events::Evaluate;

Result<ConsistencyReport> CheckConsistency(Store& store, const std::string& entity,
                                           int64_t at_ns, const ConsistencyRules& rules,
                                           Reducer& reducer) {
  // Pass 1: the streams with an event naming the entity; pass 2: all their events (later
  // events of a stream need not repeat the entity key).
  std::set<std::string> streams;
  simdjson::dom::parser parser;
  DDBG_RETURN_IF_ERROR(store.ScanEvents({}, [&](const EventBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      std::string_view payload = b.dict.Get(b.payload[i]);
      if (payload.find(entity) == std::string_view::npos) continue;
      if (EntityOf(parser, payload, rules.entity_key) == entity) {
        streams.emplace(b.dict.Get(b.stream[i]));
      }
    }
    return Status::Ok();
  }));
  if (streams.empty()) {
    return Status::NotFound(
        fmt::format("no event has {} = '{}' in its payload", rules.entity_key, entity));
  }
  std::vector<StreamEvent> events;
  for (const std::string& stream : streams) {
    Result<std::vector<StreamEvent>> one = LoadStream(store, stream);
    if (!one.ok()) return one.status();
    for (StreamEvent& e : *one) events.push_back(std::move(e));
  }
  return Evaluate(entity, std::move(events), at_ns, rules, reducer);
}

Result<std::vector<ConsistencyReport>> CheckAllConsistency(Store& store,
                                                           const ConsistencyRules& rules,
                                                           Reducer& reducer) {
  std::map<std::string, std::vector<StreamEvent>> by_stream;
  std::map<std::string, std::string> entity_of;  // stream -> entity
  simdjson::dom::parser parser;
  Status st = store.ScanEvents({}, [&](const EventBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      StreamEvent e = StreamEventAt(b, i);
      std::string entity = EntityOf(parser, e.payload, rules.entity_key);
      if (!entity.empty()) entity_of.emplace(e.stream, std::move(entity));
      by_stream[e.stream].push_back(std::move(e));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::map<std::string, std::vector<std::string>> streams_of;
  for (const auto& [stream, entity] : entity_of) streams_of[entity].push_back(stream);
  std::vector<ConsistencyReport> out;
  for (const auto& [entity, streams] : streams_of) {
    if (streams.size() < 2) continue;
    std::vector<StreamEvent> events;
    for (const std::string& s : streams) {
      for (StreamEvent& e : by_stream[s]) events.push_back(std::move(e));
    }
    int64_t last = INT64_MIN;
    for (const StreamEvent& e : events) last = std::max(last, e.time_ns);
    // Checked at the end of its events: at_ns is the entity's last event, not "forever".
    Result<ConsistencyReport> r = Evaluate(entity, std::move(events), last, rules, reducer);
    if (!r.ok()) return r.status();
    if (!r->disagreements.empty()) out.push_back(std::move(*r));
  }
  return out;
}

namespace events {

StreamEvent StreamEventOf(const EventColumns& c, size_t i) {
  StreamEvent e;
  e.stream = c.dict[c.stream[i]];
  e.version = c.version[i];
  e.event_id = c.dict[c.event_id[i]];
  e.type = c.dict[c.event_type[i]];
  e.time_ns = c.time_ns[i];
  e.payload = c.dict[c.payload[i]];
  e.metadata = c.dict[c.metadata[i]];
  e.correlation_id = c.dict[c.correlation_id[i]];
  e.causation_id = c.dict[c.causation_id[i]];
  e.service = c.dict[c.service[i]];
  return e;
}

Result<std::map<std::string, std::vector<StreamEvent>>> EventsOfStreams(
    Store& store, const std::set<std::string, std::less<>>& streams) {
  EventColumnScan scan;
  scan.threads = 2;
  std::mutex mu;
  std::map<size_t, std::vector<StreamEvent>> found;  // by segment ordinal
  DDBG_RETURN_IF_ERROR(store.ScanEventColumns({}, scan, [&](EventColumns& c) {
    std::vector<int8_t> wanted(c.dict.size(), -1);
    std::vector<StreamEvent> part;
    for (size_t i = 0; i < c.rows; ++i) {
      int8_t& w = wanted[c.stream[i]];
      if (w < 0) w = streams.count(std::string(c.dict[c.stream[i]])) ? 1 : 0;
      if (w == 1) part.push_back(StreamEventOf(c, i));
    }
    std::lock_guard<std::mutex> lock(mu);
    found.emplace(c.ordinal, std::move(part));
    return Status::Ok();
  }));
  std::map<std::string, std::vector<StreamEvent>> by_stream;
  for (auto& [ordinal, part] : found) {
    for (StreamEvent& e : part) by_stream[e.stream].push_back(std::move(e));
  }
  return by_stream;
}

}  // namespace events

Result<ConsistencyRules> ParseConsistencyRules(std::string_view json) {
  Result<JsonValue> doc = JsonValue::Parse(json);
  if (!doc.ok()) return Status::InvalidArgument("rules: " + doc.status().message());
  if (!doc->is_object()) return Status::InvalidArgument("rules: must be a JSON object");
  ConsistencyRules rules;
  auto text_list = [](const JsonValue& v, const char* what,
                      std::vector<std::string>* out) -> Status {
    if (!v.is_array()) return Status::InvalidArgument(fmt::format("rules: {} must be an array", what));
    out->clear();
    for (const JsonValue& s : v.items()) {
      if (s.kind() != JsonValue::Kind::kString) {
        return Status::InvalidArgument(fmt::format("rules: {} must hold strings", what));
      }
      out->push_back(s.as_string());
    }
    return Status::Ok();
  };
  for (const auto& [key, v] : doc->members()) {
    if (key == "entity_key" || key == "status_field") {
      if (v.kind() != JsonValue::Kind::kString) {
        return Status::InvalidArgument(fmt::format("rules: {} must be a string", key));
      }
      (key == "entity_key" ? rules.entity_key : rules.status_field) = v.as_string();
    } else if (key == "completed" || key == "aborted") {
      DDBG_RETURN_IF_ERROR(
          text_list(v, key.c_str(), key == "completed" ? &rules.completed : &rules.aborted));
    } else if (key == "compare") {
      if (!v.is_array()) return Status::InvalidArgument("rules: compare must be an array");
      rules.compare.clear();
      for (const JsonValue& g : v.items()) {
        const JsonValue* name = g.Find("name");
        const JsonValue* fields = g.Find("fields");
        if (name == nullptr || name->kind() != JsonValue::Kind::kString || fields == nullptr) {
          return Status::InvalidArgument("rules: each compare entry needs name and fields");
        }
        ConsistencyRules::FieldGroup group{name->as_string(), {}};
        DDBG_RETURN_IF_ERROR(text_list(*fields, "compare.fields", &group.fields));
        rules.compare.push_back(std::move(group));
      }
    } else {
      return Status::InvalidArgument(fmt::format(
          "rules: unknown member '{}' (known: entity_key, compare, status_field, completed, "
          "aborted)",
          key));
    }
  }
  return rules;
}

}  // namespace ddbg

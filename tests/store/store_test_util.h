// Helpers of the store tests: hand-built batches touching every column, a batch comparison
// written independently of the segment schema, and a scratch directory. BitDiff compares
// every vector with == and the dictionaries string by string, id by id; ContentDiff
// compares every string column through its dictionary (the strings of every row, in
// order) and every other vector with ==, so it accepts renumbered string ids.
#pragma once

#include "common/scratch_dir.h"

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ddbg/model.h"

namespace ddbg::store_test {

using ::ddbg::test::ScratchDir;

// Replaces the file at `path` by `bytes`; false on failure.
inline bool OverwriteFile(const std::string& path, const std::string& bytes) {
  std::filesystem::remove(path);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

// Calls check(i, bad_path) with a copy of the file at `good_path` whose byte i has one bit
// flipped, written to `bad_path`, for every byte of the file.
template <typename Check>
void ForEachFlippedByte(const std::string& good_path, const std::string& bad_path, Check check) {
  std::ifstream in(good_path, std::ios::binary);
  std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(good.empty()) << good_path;
  for (size_t i = 0; i < good.size(); ++i) {
    std::string bad = good;
    bad[i] ^= 0x20;
    ASSERT_TRUE(OverwriteFile(bad_path, bad));
    check(i, bad_path);
  }
}

// First difference between two dictionaries, or "".
inline std::string DictDiff(const StringDict& a, const StringDict& b) {
  if (a.size() != b.size()) {
    return "dict size " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a.Get(static_cast<StrId>(i)) != b.Get(static_cast<StrId>(i))) {
      return "dict string " + std::to_string(i) + " differs";
    }
  }
  return "";
}

// Collects the names of differing vectors. With dictionaries, string columns are compared
// by the strings they name; without, by id.
class Diff {
 public:
  Diff() = default;
  Diff(const StringDict& a, const StringDict& b) : da_(&a), db_(&b) {}

  void Strs(const char* name, const std::vector<StrId>& a, const std::vector<StrId>& b) {
    if (da_ == nullptr || a.size() != b.size()) return Vec(name, a, b);
    for (size_t i = 0; i < a.size(); ++i) {
      if (da_->Get(a[i]) != db_->Get(b[i])) {
        return Add(std::string(name) + " row " + std::to_string(i));
      }
    }
  }
  template <typename T>
  void Vec(const char* name, const std::vector<T>& a, const std::vector<T>& b) {
    if (!(a == b))
      Add(std::string(name) + " (" + std::to_string(a.size()) + " vs " + std::to_string(b.size()) +
          " values)");
  }
  void Attrs(const char* name, const AttrColumns& a, const AttrColumns& b) {
    std::string n(name);
    Strs((n + ".key").c_str(), a.key, b.key);
    Vec((n + ".type").c_str(), a.type, b.type);
    if (da_ == nullptr || a.type != b.type) return Vec((n + ".value").c_str(), a.value, b.value);
    for (size_t i = 0; i < a.size(); ++i) {
      bool same = a.type[i] == AttrType::kString || a.type[i] == AttrType::kBytes ||
                          a.type[i] == AttrType::kArray || a.type[i] == AttrType::kKvList
                      ? da_->Get(static_cast<StrId>(a.value[i])) ==
                            db_->Get(static_cast<StrId>(b.value[i]))
                      : a.value[i] == b.value[i];
      if (!same) return Add(n + ".value row " + std::to_string(i));
    }
  }
  void Offs(const char* name, const Offsets& a, const Offsets& b) { Vec(name, a.off, b.off); }
  void Dict(const StringDict& a, const StringDict& b) {
    if (da_ != nullptr) return;
    std::string d = DictDiff(a, b);
    if (!d.empty()) Add(d);
  }
  template <typename Table>
  void Resources(const Table& a, const Table& b) {
    Strs("resources.service", a.service, b.service);
    Offs("resources.attr_off", a.attr_off, b.attr_off);
    Attrs("resources.attrs", a.attrs, b.attrs);
  }
  template <typename Table>
  void Scopes(const Table& a, const Table& b) {
    Strs("scopes.name", a.name, b.name);
    Strs("scopes.version", a.version, b.version);
    Offs("scopes.attr_off", a.attr_off, b.attr_off);
    Attrs("scopes.attrs", a.attrs, b.attrs);
  }
  void Add(const std::string& s) { out_ += (out_.empty() ? "" : "; ") + s; }
  const std::string& str() const { return out_; }

 private:
  const StringDict* da_ = nullptr;
  const StringDict* db_ = nullptr;
  std::string out_;
};

inline std::string BatchDiff(const SpanBatch& a, const SpanBatch& b, Diff d) {
  d.Dict(a.dict, b.dict);
  d.Resources(a.resources, b.resources);
  d.Scopes(a.scopes, b.scopes);
  d.Vec("trace_id", a.trace_id, b.trace_id);
  d.Vec("span_id", a.span_id, b.span_id);
  d.Vec("parent_span_id", a.parent_span_id, b.parent_span_id);
  d.Vec("resource", a.resource, b.resource);
  d.Vec("scope", a.scope, b.scope);
  d.Strs("service", a.service, b.service);
  d.Strs("name", a.name, b.name);
  d.Vec("kind", a.kind, b.kind);
  d.Vec("start_ns", a.start_ns, b.start_ns);
  d.Vec("end_ns", a.end_ns, b.end_ns);
  d.Vec("status", a.status, b.status);
  d.Strs("status_message", a.status_message, b.status_message);
  d.Vec("flags", a.flags, b.flags);
  d.Strs("trace_state", a.trace_state, b.trace_state);
  d.Offs("attr_off", a.attr_off, b.attr_off);
  d.Attrs("attrs", a.attrs, b.attrs);
  d.Offs("event_off", a.event_off, b.event_off);
  d.Vec("event_time_ns", a.event_time_ns, b.event_time_ns);
  d.Strs("event_name", a.event_name, b.event_name);
  d.Offs("event_attr_off", a.event_attr_off, b.event_attr_off);
  d.Attrs("event_attrs", a.event_attrs, b.event_attrs);
  d.Offs("link_off", a.link_off, b.link_off);
  d.Vec("link_trace_id", a.link_trace_id, b.link_trace_id);
  d.Vec("link_span_id", a.link_span_id, b.link_span_id);
  d.Strs("link_trace_state", a.link_trace_state, b.link_trace_state);
  d.Offs("link_attr_off", a.link_attr_off, b.link_attr_off);
  d.Attrs("link_attrs", a.link_attrs, b.link_attrs);
  return d.str();
}

inline std::string BatchDiff(const LogBatch& a, const LogBatch& b, Diff d) {
  d.Dict(a.dict, b.dict);
  d.Resources(a.resources, b.resources);
  d.Scopes(a.scopes, b.scopes);
  d.Vec("time_ns", a.time_ns, b.time_ns);
  d.Vec("observed_ns", a.observed_ns, b.observed_ns);
  d.Vec("severity_number", a.severity_number, b.severity_number);
  d.Strs("severity_text", a.severity_text, b.severity_text);
  d.Vec("resource", a.resource, b.resource);
  d.Vec("scope", a.scope, b.scope);
  d.Strs("service", a.service, b.service);
  d.Strs("body", a.body, b.body);
  d.Vec("body_type", a.body_type, b.body_type);
  d.Vec("trace_id", a.trace_id, b.trace_id);
  d.Vec("span_id", a.span_id, b.span_id);
  d.Vec("flags", a.flags, b.flags);
  d.Strs("event_name", a.event_name, b.event_name);
  d.Offs("attr_off", a.attr_off, b.attr_off);
  d.Attrs("attrs", a.attrs, b.attrs);
  d.Vec("template_id", a.template_id, b.template_id);
  d.Offs("param_off", a.param_off, b.param_off);
  d.Strs("params", a.params, b.params);
  return d.str();
}

inline std::string BatchDiff(const EventBatch& a, const EventBatch& b, Diff d) {
  d.Dict(a.dict, b.dict);
  d.Strs("stream", a.stream, b.stream);
  d.Vec("version", a.version, b.version);
  d.Strs("event_id", a.event_id, b.event_id);
  d.Strs("event_type", a.event_type, b.event_type);
  d.Vec("time_ns", a.time_ns, b.time_ns);
  d.Strs("payload", a.payload, b.payload);
  d.Strs("metadata", a.metadata, b.metadata);
  d.Strs("correlation_id", a.correlation_id, b.correlation_id);
  d.Strs("causation_id", a.causation_id, b.causation_id);
  d.Strs("service", a.service, b.service);
  return d.str();
}

template <typename Batch>
std::string BitDiff(const Batch& a, const Batch& b) {
  return BatchDiff(a, b, Diff());
}
template <typename Batch>
std::string ContentDiff(const Batch& a, const Batch& b) {
  return BatchDiff(a, b, Diff(a.dict, b.dict));
}

// Attributes of every type on `attrs`, with values derived from `seed`.
inline void AddAllAttrTypes(StringDict& dict, AttrColumns& attrs, int seed) {
  attrs.AddString(dict.Intern("http.method"), dict.Intern(seed % 2 ? "GET" : "POST"));
  attrs.AddInt(dict.Intern("http.status_code"), seed % 3 ? 200 : -500);
  attrs.AddDouble(dict.Intern("ratio"), 0.1 * seed - 3.5);
  attrs.AddBool(dict.Intern("retry"), seed % 2 == 0);
  attrs.Add(dict.Intern("blob"), AttrType::kBytes,
            dict.Intern(std::string("\x00\xff\x01", 3) + std::to_string(seed)));
  attrs.Add(dict.Intern("list"), AttrType::kArray, dict.Intern("[1,\"a\"]"));
  attrs.Add(dict.Intern("map"), AttrType::kKvList,
            dict.Intern("{\"k\":" + std::to_string(seed) + "}"));
  attrs.Add(dict.Intern("nothing"), AttrType::kEmpty, 0);
}

// One resource per service, each with attributes, and two scopes.
template <typename Batch>
void AddResourcesAndScopes(Batch& b, const std::vector<std::string>& services) {
  for (const std::string& s : services) {
    b.resources.attrs.AddString(b.dict.Intern("service.name"), b.dict.Intern(s));
    b.resources.attrs.AddString(b.dict.Intern("host.name"), b.dict.Intern("host-" + s));
    b.CommitResource(b.dict.Intern(s));
  }
  b.CommitScope(b.dict.Intern("io.opentelemetry.http"), b.dict.Intern("1.2.3"));
  b.scopes.attrs.AddInt(b.dict.Intern("scope.level"), 7);
  b.CommitScope(b.dict.Intern("custom"), kEmptyStr);
}

// `n` spans in traces of `spans_per_trace` spans; trace ids start at trace_base; start
// times run from t0 in steps of 1 ms (deliberately not sorted within a trace).
inline SpanBatch MakeSpans(size_t n, uint64_t trace_base, int64_t t0, size_t spans_per_trace = 3,
                           std::vector<std::string> services = {"frontend", "checkout"}) {
  SpanBatch b;
  AddResourcesAndScopes(b, services);
  for (size_t i = 0; i < n; ++i) {
    int seed = static_cast<int>(i);
    AddAllAttrTypes(b.dict, b.attrs, seed);
    if (i % 2 == 0) {
      b.event_attrs.AddString(b.dict.Intern("exception.type"), b.dict.Intern("Timeout"));
      b.CommitEvent(t0 + seed * 1000000 + 17, b.dict.Intern("exception"));
      b.CommitEvent(t0 + seed * 1000000 + 5, b.dict.Intern("retry"));
    }
    if (i % 3 == 0) {
      b.link_attrs.AddInt(b.dict.Intern("link.n"), seed);
      b.CommitLink(TraceId{0xabc, 0x1000u + i}, 0x77 + i, b.dict.Intern("ts=1"));
    }
    SpanRow r;
    r.trace_id = TraceId{trace_base >> 8, trace_base + i / spans_per_trace};
    r.span_id = 0x1000000000000000ull + i;
    r.parent_span_id = i % spans_per_trace == 0 ? 0 : r.span_id - 1;
    r.resource = static_cast<uint32_t>(i % services.size());
    r.scope = static_cast<uint32_t>(i % 2);
    r.name = b.dict.Intern("op-" + std::to_string(i % 5));
    r.kind = static_cast<SpanKind>(i % 6);
    r.start_ns = t0 + static_cast<int64_t>((i * 7919) % (n + 1)) * 1000000;
    r.end_ns = r.start_ns + 1000 + seed * 13;
    r.status = static_cast<SpanStatus>(i % 3);
    r.status_message = i % 3 == 2 ? b.dict.Intern("boom") : kEmptyStr;
    r.flags = static_cast<uint32_t>(i % 2 ? 0x101 : 0);
    r.trace_state = i % 4 == 0 ? b.dict.Intern("vendor=x") : kEmptyStr;
    b.CommitSpan(r);
  }
  return b;
}

inline LogBatch MakeLogs(size_t n, uint64_t trace_base, int64_t t0) {
  LogBatch b;
  AddResourcesAndScopes(b, {"frontend", "payments"});
  for (size_t i = 0; i < n; ++i) {
    int seed = static_cast<int>(i);
    AddAllAttrTypes(b.dict, b.attrs, seed);
    LogRow r;
    r.time_ns = t0 + seed * 1000;
    r.observed_ns = i % 2 ? r.time_ns + 55 : 0;
    r.severity_number = static_cast<uint8_t>(1 + i % 24);
    r.severity_text = b.dict.Intern(SeverityShortName(r.severity_number));
    r.resource = static_cast<uint32_t>(i % 2);
    r.scope = static_cast<uint32_t>((i / 2) % 2);
    r.body = b.dict.Intern(i % 4 == 3 ? "{\"structured\":true}"
                                      : "user " + std::to_string(i) + " logged in");
    r.body_type = i % 4 == 3 ? AttrType::kKvList : AttrType::kString;
    r.trace_id = i % 3 == 0 ? TraceId{} : TraceId{trace_base >> 8, trace_base + i / 3};
    r.span_id = i % 3 == 0 ? 0 : 0x2000 + i;
    r.flags = static_cast<uint32_t>(i % 2);
    r.event_name = i % 5 == 0 ? b.dict.Intern("login") : kEmptyStr;
    b.CommitLog(r);
    b.template_id.back() = static_cast<uint32_t>(i % 4);
    b.param_off.Truncate(i);
    for (size_t p = 0; p < i % 3; ++p) b.params.push_back(b.dict.Intern("p" + std::to_string(p)));
    b.param_off.Close(b.params.size());
  }
  return b;
}

inline EventBatch MakeEvents(size_t n, int64_t t0, const std::string& stream_prefix = "order-") {
  EventBatch b;
  for (size_t i = 0; i < n; ++i) {
    EventRow r;
    r.stream = b.dict.Intern(stream_prefix + std::to_string(i % 4));
    r.version = 1 + i / 4;
    r.event_id = b.dict.Intern("ev-" + std::to_string(i));
    r.event_type = b.dict.Intern(i % 2 ? "OrderPlaced" : "OrderPaid");
    r.time_ns = t0 + static_cast<int64_t>(i) * 500;
    r.payload = b.dict.Intern("{\"amount\":" + std::to_string(i * 3) + ",\"note\":\"x\\ny\"}");
    r.metadata = i % 2 ? b.dict.Intern("{\"user\":\"u1\"}") : kEmptyStr;
    r.correlation_id = b.dict.Intern("corr-" + std::to_string(i % 2));
    r.causation_id = i > 0 ? b.dict.Intern("ev-" + std::to_string(i - 1)) : kEmptyStr;
    r.service = i % 3 ? b.dict.Intern("orders") : kEmptyStr;
    b.CommitEvent(r);
  }
  return b;
}

}  // namespace ddbg::store_test

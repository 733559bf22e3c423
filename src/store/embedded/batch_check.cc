#include "store/embedded/batch_check.h"

#include <vector>

namespace ddbg::store {
namespace {

// Accumulates the first problem found; later checks are skipped once one failed.
class Checker {
 public:
  explicit Checker(size_t dict_size) : dict_size_(dict_size) {}

  template <typename T>
  void Rows(const char* name, const std::vector<T>& v, size_t rows) {
    if (!why_.empty() || v.size() == rows) return;
    why_ = std::string(name) + " has " + std::to_string(v.size()) + " values for " +
           std::to_string(rows) + " rows";
  }

  void Strs(const char* name, const std::vector<StrId>& v) {
    if (!why_.empty()) return;
    StrId max = 0;
    for (StrId id : v) max = id > max ? id : max;
    if (!v.empty() && max >= dict_size_) Bad(name, max);
  }

  // `owners` owners, each with a range of the `children` child rows.
  void Offs(const char* name, const Offsets& o, size_t owners, size_t children) {
    if (!why_.empty()) return;
    if (o.off.size() != owners + 1) {
      why_ = std::string(name) + " has " + std::to_string(o.off.size()) + " entries for " +
             std::to_string(owners) + " owners";
      return;
    }
    for (size_t i = 1; i < o.off.size(); ++i) {
      if (o.off[i] < o.off[i - 1]) {
        why_ = std::string(name) + " decreases at " + std::to_string(i);
        return;
      }
    }
    if (o.off.back() > children) {
      why_ = std::string(name) + " ends at " + std::to_string(o.off.back()) + " past " +
             std::to_string(children) + " child rows";
    }
  }

  void Attrs(const char* name, const AttrColumns& a) {
    if (!why_.empty()) return;
    Rows(name, a.type, a.key.size());
    Rows(name, a.value, a.key.size());
    Strs(name, a.key);
    if (!why_.empty()) return;
    for (size_t i = 0; i < a.key.size(); ++i) {
      AttrType t = a.type[i];
      bool is_str = t == AttrType::kString || t == AttrType::kBytes || t == AttrType::kArray ||
                    t == AttrType::kKvList;
      if (is_str && a.value[i] >= dict_size_) {
        Bad(name, a.value[i]);
        return;
      }
    }
  }

  template <typename Table>
  void Resources(const Table& r) {
    Strs("resources.service", r.service);
    Offs("resources.attr_off", r.attr_off, r.service.size(), r.attrs.size());
    Attrs("resources.attrs", r.attrs);
  }

  template <typename Table>
  void Scopes(const Table& s) {
    Rows("scopes.version", s.version, s.name.size());
    Strs("scopes.name", s.name);
    Strs("scopes.version", s.version);
    Offs("scopes.attr_off", s.attr_off, s.name.size(), s.attrs.size());
    Attrs("scopes.attrs", s.attrs);
  }

  std::string why() const { return why_; }

 private:
  void Bad(const char* name, uint64_t id) {
    why_ = std::string(name) + " refers to string id " + std::to_string(id) +
           " outside the dictionary of " + std::to_string(dict_size_);
  }

  size_t dict_size_;
  std::string why_;
};

}  // namespace

std::string CheckBatch(const SpanBatch& b) {
  Checker c(b.dict.size());
  size_t n = b.span_id.size();
  c.Rows("trace_id", b.trace_id, n);
  c.Rows("parent_span_id", b.parent_span_id, n);
  c.Rows("resource", b.resource, n);
  c.Rows("scope", b.scope, n);
  c.Rows("service", b.service, n);
  c.Rows("name", b.name, n);
  c.Rows("kind", b.kind, n);
  c.Rows("start_ns", b.start_ns, n);
  c.Rows("end_ns", b.end_ns, n);
  c.Rows("status", b.status, n);
  c.Rows("status_message", b.status_message, n);
  c.Rows("flags", b.flags, n);
  c.Rows("trace_state", b.trace_state, n);
  c.Strs("service", b.service);
  c.Strs("name", b.name);
  c.Strs("status_message", b.status_message);
  c.Strs("trace_state", b.trace_state);
  c.Resources(b.resources);
  c.Scopes(b.scopes);
  c.Offs("attr_off", b.attr_off, n, b.attrs.size());
  c.Attrs("attrs", b.attrs);
  size_t events = b.event_time_ns.size();
  c.Offs("event_off", b.event_off, n, events);
  c.Rows("event_name", b.event_name, events);
  c.Strs("event_name", b.event_name);
  c.Offs("event_attr_off", b.event_attr_off, events, b.event_attrs.size());
  c.Attrs("event_attrs", b.event_attrs);
  size_t links = b.link_span_id.size();
  c.Offs("link_off", b.link_off, n, links);
  c.Rows("link_trace_id", b.link_trace_id, links);
  c.Rows("link_trace_state", b.link_trace_state, links);
  c.Strs("link_trace_state", b.link_trace_state);
  c.Offs("link_attr_off", b.link_attr_off, links, b.link_attrs.size());
  c.Attrs("link_attrs", b.link_attrs);
  return c.why();
}

std::string CheckBatch(const LogBatch& b) {
  Checker c(b.dict.size());
  size_t n = b.time_ns.size();
  c.Rows("observed_ns", b.observed_ns, n);
  c.Rows("severity_number", b.severity_number, n);
  c.Rows("severity_text", b.severity_text, n);
  c.Rows("resource", b.resource, n);
  c.Rows("scope", b.scope, n);
  c.Rows("service", b.service, n);
  c.Rows("body", b.body, n);
  c.Rows("body_type", b.body_type, n);
  c.Rows("trace_id", b.trace_id, n);
  c.Rows("span_id", b.span_id, n);
  c.Rows("flags", b.flags, n);
  c.Rows("event_name", b.event_name, n);
  c.Rows("template_id", b.template_id, n);
  c.Strs("severity_text", b.severity_text);
  c.Strs("service", b.service);
  c.Strs("body", b.body);
  c.Strs("event_name", b.event_name);
  c.Strs("params", b.params);
  c.Resources(b.resources);
  c.Scopes(b.scopes);
  c.Offs("attr_off", b.attr_off, n, b.attrs.size());
  c.Attrs("attrs", b.attrs);
  c.Offs("param_off", b.param_off, n, b.params.size());
  return c.why();
}

std::string CheckBatch(const EventBatch& b) {
  Checker c(b.dict.size());
  size_t n = b.stream.size();
  c.Rows("version", b.version, n);
  c.Rows("event_id", b.event_id, n);
  c.Rows("event_type", b.event_type, n);
  c.Rows("time_ns", b.time_ns, n);
  c.Rows("payload", b.payload, n);
  c.Rows("metadata", b.metadata, n);
  c.Rows("correlation_id", b.correlation_id, n);
  c.Rows("causation_id", b.causation_id, n);
  c.Rows("service", b.service, n);
  c.Strs("stream", b.stream);
  c.Strs("event_id", b.event_id);
  c.Strs("event_type", b.event_type);
  c.Strs("payload", b.payload);
  c.Strs("metadata", b.metadata);
  c.Strs("correlation_id", b.correlation_id);
  c.Strs("causation_id", b.causation_id);
  c.Strs("service", b.service);
  return c.why();
}

}  // namespace ddbg::store

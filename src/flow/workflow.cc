// AnalyzeWorkflow: the traces carrying a workflow id (and those of up to N other workflows
// of the same kind, to learn from) are found in one span scan; their entry spans (a second
// span scan) and the events naming those traces (one event scan) become steps. Expected
// steps are given or learned from the completed workflows of the same kind: the steps most
// of them have, their usual order, and their usual duration.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "ddbg/flow.h"
#include "model/metadata_trace.h"

namespace ddbg {
namespace {


// "checkout-ord-100123" -> "checkout-ord-": the id up to its first digit.
std::string KindOf(const std::string& id) {
  size_t digit = id.find_first_of("0123456789");
  return digit == std::string::npos ? id : id.substr(0, digit);
}

using Steps = std::vector<WorkflowStep>;

class WorkflowScan {
 public:
  WorkflowScan(Store& store, const std::string& id, const WorkflowOptions& options)
      : store_(store), id_(id), kind_(KindOf(id)), options_(options) {}

  Status Run() {
    DDBG_RETURN_IF_ERROR(FindTraces());
    DDBG_RETURN_IF_ERROR(CollectSpanSteps());
    DDBG_RETURN_IF_ERROR(CollectEventSteps());
    for (auto& [w, steps] : steps_) {
      std::stable_sort(steps.begin(), steps.end(), [](const WorkflowStep& a, const WorkflowStep& b) {
        return a.start_ns < b.start_ns;
      });
    }
    return Status::Ok();
  }

  const std::string& kind() const { return kind_; }
  std::map<std::string, Steps>& steps() { return steps_; }
  std::vector<std::string> TargetTraces() const {
    std::vector<std::string> out;
    for (const auto& [t, w] : workflow_of_) {
      if (w == id_) out.push_back(TraceIdToHex(t));
    }
    return out;
  }

 private:
  // Span scan 1: which traces belong to which workflow of this kind.
  Status FindTraces() {
    std::set<std::string> learned;
    ScanFilter filter;
    filter.span_columns = SpanColumns::kAttributes;
    return store_.ScanSpans(filter, [&](const SpanBatch& b) {
      std::vector<StrId> keys;
      for (const auto& k : options_.workflow_keys) {
        int64_t id = b.dict.Find(k);
        if (id >= 0) keys.push_back(static_cast<StrId>(id));
      }
      if (keys.empty()) return Status::Ok();
      for (size_t i = 0; i < b.size(); ++i) {
        for (uint32_t a = b.attr_off.begin(i); a < b.attr_off.end(i); ++a) {
          if (b.attrs.type[a] != AttrType::kString ||
              std::find(keys.begin(), keys.end(), b.attrs.key[a]) == keys.end()) {
            continue;
          }
          std::string w(b.dict.Get(static_cast<StrId>(b.attrs.value[a])));
          bool target = w == id_;
          if (!target && (KindOf(w) != kind_ || !options_.steps.empty())) continue;
          if (!target && !learned.count(w)) {
            if (learned.size() >= options_.learn_from) continue;
            learned.insert(w);
          }
          workflow_of_.emplace(b.trace_id[i], std::move(w));
        }
      }
      return Status::Ok();
    });
  }

  // Span scan 2: the entry spans of those traces.
  Status CollectSpanSteps() {
    if (workflow_of_.empty()) return Status::Ok();
    ScanFilter filter;
    for (const auto& [t, w] : workflow_of_) filter.trace_ids.push_back(t);
    filter.span_columns = SpanColumns::kStructure;
    return store_.ScanSpans(filter, [&](const SpanBatch& b) {
      for (size_t i = 0; i < b.size(); ++i) {
        SpanKind k = b.kind[i];
        if (k != SpanKind::kServer && k != SpanKind::kConsumer && b.parent_span_id[i] != 0) {
          continue;
        }
        auto it = workflow_of_.find(b.trace_id[i]);
        if (it == workflow_of_.end()) continue;
        steps_[it->second].push_back({std::string(b.dict.Get(b.name[i])),
                                      std::string(b.dict.Get(b.service[i])), b.start_ns[i],
                                      b.end_ns[i], b.status[i] == SpanStatus::kError, false});
      }
      return Status::Ok();
    });
  }

  Status CollectEventSteps() {
    if (workflow_of_.empty()) return Status::Ok();
    return store_.ScanEvents({}, [&](const EventBatch& b) {
      for (size_t i = 0; i < b.size(); ++i) {
        auto it = workflow_of_.find(MetadataTrace(b.dict.Get(b.metadata[i])));
        if (it == workflow_of_.end()) continue;
        std::string type(b.dict.Get(b.event_type[i]));
        bool failed = type.find("Failed") != std::string::npos;
        steps_[it->second].push_back({std::move(type), std::string(b.dict.Get(b.service[i])),
                                      b.time_ns[i], b.time_ns[i], failed, false});
      }
      return Status::Ok();
    });
  }

  Store& store_;
  std::string id_;
  std::string kind_;
  const WorkflowOptions& options_;
  std::map<TraceId, std::string> workflow_of_;
  std::map<std::string, Steps> steps_;
};

bool Completed(const Steps& steps) {
  return std::none_of(steps.begin(), steps.end(), [](const WorkflowStep& s) { return s.failed; });
}

bool Matches(const WorkflowStep& s, const std::string& expected) {
  return s.name == expected || (s.service + " " + s.name).find(expected) != std::string::npos;
}

// The index of the first step matching `expected`, or -1.
long FirstMatch(const Steps& steps, const std::string& expected) {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (Matches(steps[i], expected)) return static_cast<long>(i);
  }
  return -1;
}

// Durations are learned per service and step: two consumers of one topic share a span name.
std::string StepKey(const WorkflowStep& s) { return s.service + " " + s.name; }

struct Learned {
  std::vector<std::string> expected;
  std::map<std::pair<std::string, std::string>, double> precedes;  // share of a before b
  std::map<std::string, int64_t> median_ns;  // by StepKey
  size_t workflows = 0;
};

Learned Learn(const std::map<std::string, Steps>& all, const std::string& target) {
  Learned out;
  std::map<std::string, size_t> have;
  std::map<std::string, std::vector<double>> positions;
  std::map<std::string, std::vector<int64_t>> durations;
  std::vector<const Steps*> done;
  for (const auto& [w, steps] : all) {
    if (w == target || !Completed(steps)) continue;
    done.push_back(&steps);
    std::set<std::string> names;
    for (size_t i = 0; i < steps.size(); ++i) {
      durations[StepKey(steps[i])].push_back(steps[i].end_ns - steps[i].start_ns);
      if (names.insert(steps[i].name).second) positions[steps[i].name].push_back(i);
    }
    for (const auto& n : names) ++have[n];
  }
  out.workflows = done.size();
  if (done.empty()) return out;
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [name, n] : have) {
    if (n * 5 >= done.size() * 4) {  // in at least 80% of completed workflows
      std::vector<double>& p = positions[name];
      std::nth_element(p.begin(), p.begin() + p.size() / 2, p.end());
      ranked.emplace_back(p[p.size() / 2], name);
    }
  }
  std::sort(ranked.begin(), ranked.end());
  for (auto& [pos, name] : ranked) out.expected.push_back(name);
  for (const auto& a : out.expected) {
    for (const auto& b : out.expected) {
      if (a == b) continue;
      size_t before = 0, both = 0;
      for (const Steps* s : done) {
        long ia = FirstMatch(*s, a), ib = FirstMatch(*s, b);
        if (ia < 0 || ib < 0) continue;
        ++both;
        before += (*s)[ia].start_ns < (*s)[ib].start_ns;
      }
      out.precedes[{a, b}] = both ? static_cast<double>(before) / both : 0;
    }
  }
  for (auto& [name, d] : durations) {
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    out.median_ns[name] = d[d.size() / 2];
  }
  return out;
}

void Judge(const Steps& steps, const std::vector<std::string>& expected,
           const std::function<bool(const std::string&, const std::string&)>& must_precede,
           WorkflowReport* report) {
  for (const std::string& e : expected) {
    if (FirstMatch(steps, e) < 0) report->missing.push_back(e);
  }
  for (size_t j = 0; j < expected.size(); ++j) {
    long ij = FirstMatch(steps, expected[j]);
    if (ij < 0) continue;
    for (size_t i = 0; i < j; ++i) {
      long ii = FirstMatch(steps, expected[i]);
      if (ii < 0 || !must_precede(expected[i], expected[j])) continue;
      if (steps[ij].start_ns < steps[ii].start_ns) {
        report->out_of_order.push_back(fmt::format("{} before {}", expected[j], expected[i]));
      }
    }
  }
}

}  // namespace

Result<WorkflowReport> AnalyzeWorkflow(Store& store, const std::string& workflow_id,
                                       const WorkflowOptions& options) {
  WorkflowScan scan(store, workflow_id, options);
  DDBG_RETURN_IF_ERROR(scan.Run());
  auto it = scan.steps().find(workflow_id);
  if (it == scan.steps().end()) {
    return Status::NotFound(fmt::format("no span carries workflow id '{}'", workflow_id));
  }
  WorkflowReport report;
  report.id = workflow_id;
  report.kind = scan.kind();
  report.trace_ids = scan.TargetTraces();
  Steps steps = it->second;
  Learned learned = Learn(scan.steps(), workflow_id);
  if (!options.steps.empty()) {
    report.expected = options.steps;
    report.expected_source = "given";
    Judge(steps, report.expected, [](const std::string&, const std::string&) { return true; },
          &report);
  } else if (learned.workflows > 0) {
    report.expected = learned.expected;
    report.expected_source = fmt::format("learned from {} completed workflow(s) of kind '{}'",
                                         learned.workflows, report.kind);
    Judge(steps, report.expected,
          [&](const std::string& a, const std::string& b) {
            return learned.precedes[{a, b}] >= 0.95;
          },
          &report);
  } else {
    report.expected_source = "none (give --steps, or ingest completed workflows of this kind)";
  }
  for (WorkflowStep& s : steps) {
    int64_t d = s.end_ns - s.start_ns;
    auto median = learned.median_ns.find(StepKey(s));
    s.slow = options.slow_ns > 0 ? d > options.slow_ns
                                 : median != learned.median_ns.end() && median->second > 0 &&
                                       d > 3 * median->second && d > 1'000'000;
    std::string label = fmt::format("{} ({})", s.name, s.service);
    if (s.failed) report.failed.push_back(label);
    if (s.slow) report.slow.push_back(label);
  }
  report.steps = std::move(steps);
  return report;
}

}  // namespace ddbg

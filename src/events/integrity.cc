// CheckIntegrity: the event segments are decoded on two threads, each extracting a compact
// part per segment (stream, version, time, event-id hash per event; payload and timestamp
// issues); then the parts are merged: streams get global ids, events are grouped by stream
// with a counting sort (stable, so arrival order breaks version ties) and each stream read
// in version order reveals gaps, duplicates and time going backwards, while duplicate event
// ids are found on another thread (duplicate_ids.h).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <numeric>

#include "ddbg/events.h"
#include "events/duplicate_ids.h"
#include "events/integrity_part.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

constexpr int kScanThreads = 2;
constexpr int kKinds = 8;

// Counts every issue and keeps, per kind, the first max_examples in (stream, version) order.
class IssueCollector {
  struct Example {
    uint32_t stream;
    uint64_t version;
    std::string detail;
  };

 public:
  IssueCollector(const std::vector<std::string_view>& names, size_t max_examples,
                 IntegrityReport* report)
      : names_(names), max_(max_examples), report_(report), affected_(names.size(), 0) {}

  // `detail` is called only when the issue becomes an example.
  template <typename DetailFn>
  void Add(IntegrityIssueKind kind, uint32_t stream, uint64_t version, DetailFn&& detail) {
    int k = static_cast<int>(kind);
    ++report_->counts[k];
    affected_[stream] = 1;
    std::vector<Example>& heap = heaps_[k];
    Example e{stream, version, {}};
    if (max_ == 0 || (heap.size() == max_ && !Less(e, heap.front()))) return;
    e.detail = detail();
    if (heap.size() == max_) {
      std::pop_heap(heap.begin(), heap.end(), Cmp());
      heap.pop_back();
    }
    heap.push_back(std::move(e));
    std::push_heap(heap.begin(), heap.end(), Cmp());
  }

  void Finish() {
    for (int k = 0; k < kKinds; ++k) {
      std::sort(heaps_[k].begin(), heaps_[k].end(), Cmp());
      for (Example& e : heaps_[k]) {
        report_->examples.push_back({static_cast<IntegrityIssueKind>(k),
                                     std::string(names_[e.stream]), e.version,
                                     std::move(e.detail)});
      }
    }
    std::stable_sort(report_->examples.begin(), report_->examples.end(),
                     [](const IntegrityIssue& a, const IntegrityIssue& b) {
                       return a.stream != b.stream ? a.stream < b.stream : a.version < b.version;
                     });
    for (size_t s = 0; s < affected_.size(); ++s) {
      if (affected_[s] != 0) report_->affected_streams.emplace_back(names_[s]);
    }
    std::sort(report_->affected_streams.begin(), report_->affected_streams.end());
  }

 private:
  bool Less(const Example& a, const Example& b) const {
    if (a.stream != b.stream) return names_[a.stream] < names_[b.stream];
    return a.version < b.version;
  }
  struct ByStreamVersion {
    const IssueCollector* self;
    bool operator()(const Example& a, const Example& b) const { return self->Less(a, b); }
  };
  ByStreamVersion Cmp() const { return ByStreamVersion{this}; }

  const std::vector<std::string_view>& names_;
  size_t max_;
  IntegrityReport* report_;
  std::vector<Example> heaps_[kKinds];  // max-heaps: the worst kept example on top
  std::vector<char> affected_;
};

// The merged view of every part: global stream ids and the events in arrival order.
class IntegrityMerge {
 public:
  // Global ids in order of first appearance after "" (id 0), as a StringDict gives them;
  // the names are views into the parts.
  explicit IntegrityMerge(std::vector<events::IntegrityPart> parts) : parts_(std::move(parts)) {
    size_t locals = 0;
    for (const events::IntegrityPart& p : parts_) locals += p.streams.size();
    size_t slots = 16;
    while (slots < 2 * locals) slots *= 2;
    std::vector<uint32_t> table(slots, 0);  // global id + 1; 0: empty
    names_.assign(1, std::string_view());
    std::vector<uint64_t> hashes(1, 0);
    for (events::IntegrityPart& p : parts_) {
      std::vector<uint32_t>& global = part_streams_.emplace_back();
      global.reserve(p.streams.size());
      for (size_t i = 0; i < p.streams.size(); ++i) {
        std::string_view s = p.streams[i];
        empty_stream_used_ |= s.empty();
        global.push_back(s.empty() ? 0 : Intern(s, p.stream_hashes[i], table, hashes));
      }
    }
  }

  const std::vector<std::string_view>& names() const { return names_; }
  // Streams with events (the dictionary always holds "", a stream only when used).
  uint64_t streams() const { return names_.size() - (empty_stream_used_ ? 0 : 1); }
  std::vector<events::IntegrityPart>& parts() { return parts_; }
  uint32_t GlobalStream(size_t part, uint32_t row) const {
    return part_streams_[part][parts_[part].row_stream[row]];
  }
  // The part and row of an event by its arrival position.
  std::pair<size_t, uint32_t> Locate(uint64_t seq) const {
    size_t p = 0;
    while (seq >= parts_[p].rows()) seq -= parts_[p++].rows();
    return {p, static_cast<uint32_t>(seq)};
  }
  uint64_t events() const {
    uint64_t n = 0;
    for (const auto& p : parts_) n += p.rows();
    return n;
  }

  // Calls fn(stream, versions, times) per stream with its events ordered by version.
  template <typename Fn>
  void ForEachStream(Fn&& fn) const {
    std::vector<uint64_t> start(names_.size() + 1, 0);
    for (size_t p = 0; p < parts_.size(); ++p) {
      for (uint32_t r = 0; r < parts_[p].rows(); ++r) ++start[GlobalStream(p, r) + 1];
    }
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<uint64_t> version(start.back());
    std::vector<int64_t> time(start.back());
    std::vector<uint64_t> fill(start.begin(), start.end() - 1);
    for (size_t p = 0; p < parts_.size(); ++p) {
      for (uint32_t r = 0; r < parts_[p].rows(); ++r) {
        uint64_t at = fill[GlobalStream(p, r)]++;
        version[at] = parts_[p].version[r];
        time[at] = parts_[p].time_ns[r];
      }
    }
    for (uint32_t s = 0; s < names_.size(); ++s) {
      size_t b = start[s], n = start[s + 1] - b;
      if (n == 0) continue;
      SortByVersion(&version[b], &time[b], n);
      fn(s, &version[b], &time[b], n);
    }
  }

 private:
  uint32_t Intern(std::string_view s, uint64_t h, std::vector<uint32_t>& table,
                  std::vector<uint64_t>& hashes) {
    size_t mask = table.size() - 1;
    for (size_t at = h & mask;; at = (at + 1) & mask) {
      uint32_t id = table[at];
      if (id == 0) {
        table[at] = static_cast<uint32_t>(names_.size()) + 1;
        names_.push_back(s);
        hashes.push_back(h);
        return static_cast<uint32_t>(names_.size() - 1);
      }
      if (hashes[id - 1] == h && names_[id - 1] == s) return id - 1;
    }
  }

  static void SortByVersion(uint64_t* v, int64_t* t, size_t n) {
    if (std::is_sorted(v, v + n)) return;
    std::vector<std::pair<uint64_t, int64_t>> rows(n);
    for (size_t i = 0; i < n; ++i) rows[i] = {v[i], t[i]};
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < n; ++i) std::tie(v[i], t[i]) = rows[i];
  }

  std::vector<events::IntegrityPart> parts_;
  std::vector<std::vector<uint32_t>> part_streams_;  // per part: local -> global stream
  std::vector<std::string_view> names_;  // by global id
  bool empty_stream_used_ = false;
};

void CheckStream(uint32_t s, const uint64_t* v, const int64_t* t, size_t n, IssueCollector& out) {
  for (size_t i = 0; i < n; ++i) {
    if (v[i] == 0) {
      out.Add(IntegrityIssueKind::kMissingVersion, s, 0,
              [] { return std::string("event has no version number"); });
      continue;
    }
    bool has_prev = i > 0 && v[i - 1] != 0;
    uint64_t expected = has_prev ? v[i - 1] + 1 : 1;
    if (has_prev && v[i - 1] == v[i]) {
      out.Add(IntegrityIssueKind::kDuplicateVersion, s, v[i],
              [&] { return fmt::format("version {} appears more than once", v[i]); });
      continue;
    }
    if (v[i] > expected) {
      out.Add(IntegrityIssueKind::kVersionGap, s, v[i], [&] {
        return v[i] == expected + 1 ? fmt::format("version {} missing", expected)
                                    : fmt::format("versions {}..{} missing", expected, v[i] - 1);
      });
    }
    if (has_prev && t[i] < t[i - 1]) {
      out.Add(IntegrityIssueKind::kTimeBackwards, s, v[i], [&] {
        return fmt::format("version {} at {} is {} earlier than version {}", v[i],
                           FormatRfc3339(t[i]), FormatDuration(t[i - 1] - t[i]), v[i - 1]);
      });
    }
  }
}

// The text of the ids of duplicate examples: a second, pruned read of the streams involved.
Status FillDuplicateIdText(Store& store, IntegrityReport* report) {
  std::map<std::pair<std::string, uint64_t>, IntegrityIssue*> wanted;
  ScanFilter filter;
  for (IntegrityIssue& e : report->examples) {
    if (e.kind != IntegrityIssueKind::kDuplicateEventId) continue;
    wanted[{e.stream, e.version}] = &e;
    filter.streams.push_back(e.stream);
  }
  if (wanted.empty()) return Status::Ok();
  EventColumnScan scan;
  scan.columns = kEventColStream | kEventColVersion | kEventColId;
  return store.ScanEventColumns(filter, scan, [&](EventColumns& c) {
    for (size_t i = 0; i < c.rows; ++i) {
      auto it = wanted.find({std::string(c.dict[c.stream[i]]), c.version[i]});
      if (it != wanted.end() && it->second->detail.starts_with("event id was")) {
        it->second->detail.insert(9, std::string(c.dict[c.event_id[i]]) + " ");
      }
    }
    return Status::Ok();
  });
}

}  // namespace

const char* IntegrityIssueKindName(IntegrityIssueKind kind) {
  switch (kind) {
    case IntegrityIssueKind::kVersionGap:
      return "version-gap";
    case IntegrityIssueKind::kDuplicateVersion:
      return "duplicate-version";
    case IntegrityIssueKind::kDuplicateEventId:
      return "duplicate-event-id";
    case IntegrityIssueKind::kInvalidPayload:
      return "invalid-payload";
    case IntegrityIssueKind::kFutureTimestamp:
      return "future-timestamp";
    case IntegrityIssueKind::kAncientTimestamp:
      return "ancient-timestamp";
    case IntegrityIssueKind::kTimeBackwards:
      return "time-backwards";
    case IntegrityIssueKind::kMissingVersion:
      return "missing-version";
  }
  return "unknown";
}

uint64_t IntegrityReport::total() const {
  uint64_t n = 0;
  for (uint64_t c : counts) n += c;
  return n;
}

struct IntegrityScan::Impl {
  IntegrityOptions options;
  std::vector<std::string> wanted;  // sorted
  events::PartOptions part_options;
  std::mutex mu;
  std::map<size_t, events::IntegrityPart> parts;  // by segment ordinal
};

IntegrityScan::IntegrityScan(const IntegrityOptions& options) : impl_(std::make_unique<Impl>()) {
  int64_t now = options.now_ns != 0 ? options.now_ns
                                    : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count();
  impl_->options = options;
  impl_->wanted = options.streams;
  std::sort(impl_->wanted.begin(), impl_->wanted.end());
  impl_->part_options = {&impl_->wanted, now + options.future_slack_ns, now - options.max_age_ns};
}

IntegrityScan::~IntegrityScan() = default;

uint32_t IntegrityScan::columns() const { return events::kIntegrityColumns; }

Status IntegrityScan::Consume(const EventColumns& segment, SegmentFacts& facts) {
  events::IntegrityPart part = events::ExtractIntegrityPart(segment, impl_->part_options, facts);
  std::lock_guard<std::mutex> l(impl_->mu);
  impl_->parts.emplace(segment.ordinal, std::move(part));
  return Status::Ok();
}

Result<IntegrityReport> IntegrityScan::Finish(Store& store) {
  std::vector<events::IntegrityPart> parts;
  parts.reserve(impl_->parts.size());
  for (auto& [ordinal, part] : impl_->parts) parts.push_back(std::move(part));
  impl_->parts.clear();
  IntegrityMerge merge(std::move(parts));
  std::vector<const std::vector<uint64_t>*> hashes;
  for (const auto& p : merge.parts()) hashes.push_back(&p.id_hash);
  auto duplicates = std::async(std::launch::async, [&] { return events::FindDuplicateIds(hashes); });

  IntegrityReport report;
  report.events = merge.events();
  report.streams = merge.streams();
  IssueCollector issues(merge.names(), impl_->options.max_examples, &report);
  merge.ForEachStream([&](uint32_t s, const uint64_t* v, const int64_t* t, size_t n) {
    CheckStream(s, v, t, n, issues);
  });
  for (size_t p = 0; p < merge.parts().size(); ++p) {
    for (events::PartIssue& i : merge.parts()[p].issues) {
      issues.Add(i.kind, merge.GlobalStream(p, i.row), merge.parts()[p].version[i.row],
                 [&] { return std::move(i.detail); });
    }
  }
  for (const events::DuplicateId& d : duplicates.get()) {
    auto [p, r] = merge.Locate(d.seq);
    auto [fp, fr] = merge.Locate(d.first);
    issues.Add(IntegrityIssueKind::kDuplicateEventId, merge.GlobalStream(p, r),
               merge.parts()[p].version[r], [&] {
                 return fmt::format("event id was already used by {} v{}",
                                    merge.names()[merge.GlobalStream(fp, fr)],
                                    merge.parts()[fp].version[fr]);
               });
  }
  issues.Finish();
  DDBG_RETURN_IF_ERROR(FillDuplicateIdText(store, &report));
  return report;
}

Result<IntegrityReport> CheckIntegrity(Store& store, const IntegrityOptions& options) {
  IntegrityScan scan(options);
  ScanFilter filter;
  filter.streams = options.streams;
  DDBG_RETURN_IF_ERROR(ScanEventsShared(store, filter, kScanThreads, {&scan}));
  return scan.Finish(store);
}

}  // namespace ddbg

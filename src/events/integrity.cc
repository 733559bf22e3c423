// CheckIntegrity: one pass over the event segments collecting a compact record per event
// (stream, version, time), payload validity and event-id duplicates on the way; then each
// stream's records sorted by version reveal gaps, duplicates and time going backwards.
#include <fmt/format.h>
#include <simdjson.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "ddbg/events.h"
#include "events/hash_set.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

struct Record {
  uint32_t stream;
  uint64_t version;
  int64_t time_ns;
  uint64_t seq;  // arrival order, to keep sorting stable
};

class IntegrityScan {
 public:
  IntegrityScan(const IntegrityOptions& options, IntegrityReport* report)
      : options_(options), report_(report) {
    now_ns_ = options.now_ns != 0 ? options.now_ns
                                   : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count();
  }

  Status Batch(const EventBatch& b) {
    stream_map_.assign(b.dict.size(), UINT32_MAX);
    payload_ok_.assign(b.dict.size(), -1);
    for (size_t i = 0; i < b.size(); ++i) {
      std::string_view stream = b.dict.Get(b.stream[i]);
      if (!wanted_.empty() && !std::binary_search(wanted_.begin(), wanted_.end(), stream)) {
        continue;
      }
      uint32_t gid = StreamId(b, b.stream[i]);
      records_.push_back({gid, b.version[i], b.time_ns[i], records_.size()});
      CheckEvent(b, i, gid);
    }
    return Status::Ok();
  }

  void Finish() {
    // Streams in name order, so the report reads in a stable order.
    std::vector<uint32_t> order(names_.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&](uint32_t a, uint32_t b) { return names_[a] < names_[b]; });
    std::vector<uint32_t> rank(names_.size());
    for (uint32_t i = 0; i < order.size(); ++i) rank[order[i]] = i;
    std::sort(records_.begin(), records_.end(), [&](const Record& a, const Record& b) {
      if (a.stream != b.stream) return rank[a.stream] < rank[b.stream];
      if (a.version != b.version) return a.version < b.version;
      return a.seq < b.seq;
    });
    report_->events = records_.size();
    report_->streams = names_.size();
    for (size_t i = 0; i < records_.size(); ++i) {
      bool first = i == 0 || records_[i - 1].stream != records_[i].stream;
      CheckOrder(first ? nullptr : &records_[i - 1], records_[i]);
    }
    std::sort(affected_.begin(), affected_.end());
    affected_.erase(std::unique(affected_.begin(), affected_.end()), affected_.end());
    for (uint32_t s : affected_) report_->affected_streams.push_back(names_[s]);
    std::sort(report_->affected_streams.begin(), report_->affected_streams.end());
    std::stable_sort(report_->examples.begin(), report_->examples.end(),
                     [](const IntegrityIssue& a, const IntegrityIssue& b) {
                       return a.stream != b.stream ? a.stream < b.stream : a.version < b.version;
                     });
  }

  void SetStreams(std::vector<std::string> streams) {
    wanted_ = std::move(streams);
    std::sort(wanted_.begin(), wanted_.end());
  }

 private:
  uint32_t StreamId(const EventBatch& b, StrId id) {
    if (stream_map_[id] != UINT32_MAX) return stream_map_[id];
    std::string name(b.dict.Get(id));
    auto [it, added] = stream_ids_.emplace(name, static_cast<uint32_t>(names_.size()));
    if (added) names_.push_back(std::move(name));
    return stream_map_[id] = it->second;
  }

  void Issue(IntegrityIssueKind kind, uint32_t stream, uint64_t version, std::string detail) {
    int k = static_cast<int>(kind);
    if (report_->counts[k]++ < options_.max_examples) {
      report_->examples.push_back({kind, names_[stream], version, std::move(detail)});
    }
    affected_.push_back(stream);
  }

  bool PayloadValid(const EventBatch& b, StrId payload) {
    if (payload == kEmptyStr) return true;
    if (payload_ok_[payload] < 0) {
      std::string_view text = b.dict.Get(payload);
      simdjson::dom::element ignored;
      payload_ok_[payload] = parser_.parse(text.data(), text.size()).get(ignored) ? 0 : 1;
    }
    return payload_ok_[payload] == 1;
  }

  void CheckEvent(const EventBatch& b, size_t i, uint32_t gid) {
    uint64_t v = b.version[i];
    if (!PayloadValid(b, b.payload[i])) {
      std::string_view text = b.dict.Get(b.payload[i]);
      Issue(IntegrityIssueKind::kInvalidPayload, gid, v,
            fmt::format("payload is not valid JSON: {}",
                        text.size() > 60 ? std::string(text.substr(0, 60)) + "…" : text));
    }
    int64_t t = b.time_ns[i];
    if (t > now_ns_ + options_.future_slack_ns) {
      Issue(IntegrityIssueKind::kFutureTimestamp, gid, v,
            fmt::format("timestamp {} is {} in the future", FormatRfc3339(t),
                        FormatDuration(t - now_ns_)));
    } else if (t < now_ns_ - options_.max_age_ns) {
      Issue(IntegrityIssueKind::kAncientTimestamp, gid, v,
            fmt::format("timestamp {} is more than 10 years old", FormatRfc3339(t)));
    }
    std::string_view id = b.dict.Get(b.event_id[i]);
    if (!id.empty() && !event_ids_.Insert(XXH3_64bits(id.data(), id.size()))) {
      Issue(IntegrityIssueKind::kDuplicateEventId, gid, v,
            fmt::format("event id {} was already used by an earlier event", id));
    }
  }

  void CheckOrder(const Record* prev, const Record& r) {
    if (r.version == 0) {
      Issue(IntegrityIssueKind::kMissingVersion, r.stream, 0, "event has no version number");
      return;
    }
    uint64_t expected = prev == nullptr || prev->version == 0 ? 1 : prev->version + 1;
    if (prev != nullptr && prev->version == r.version) {
      Issue(IntegrityIssueKind::kDuplicateVersion, r.stream, r.version,
            fmt::format("version {} appears more than once", r.version));
      return;
    }
    if (r.version > expected) {
      Issue(IntegrityIssueKind::kVersionGap, r.stream, r.version,
            r.version == expected + 1
                ? fmt::format("version {} missing", expected)
                : fmt::format("versions {}..{} missing", expected, r.version - 1));
    }
    if (prev != nullptr && prev->version != 0 && r.time_ns < prev->time_ns) {
      Issue(IntegrityIssueKind::kTimeBackwards, r.stream, r.version,
            fmt::format("version {} at {} is {} earlier than version {}", r.version,
                        FormatRfc3339(r.time_ns), FormatDuration(prev->time_ns - r.time_ns),
                        prev->version));
    }
  }

  const IntegrityOptions& options_;
  IntegrityReport* report_;
  int64_t now_ns_ = 0;
  std::vector<std::string> wanted_;
  std::vector<Record> records_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> stream_ids_;
  std::vector<uint32_t> stream_map_;  // batch StrId -> global stream id
  std::vector<int8_t> payload_ok_;    // batch StrId -> -1 unknown, 0 bad, 1 good
  std::vector<uint32_t> affected_;
  events::HashSet64 event_ids_;
  simdjson::dom::parser parser_;
};

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

Result<IntegrityReport> CheckIntegrity(Store& store, const IntegrityOptions& options) {
  IntegrityReport report;
  IntegrityScan scan(options, &report);
  scan.SetStreams(options.streams);
  ScanFilter filter;
  filter.streams = options.streams;
  DDBG_RETURN_IF_ERROR(
      store.ScanEvents(filter, [&](const EventBatch& b) { return scan.Batch(b); }));
  scan.Finish();
  return report;
}

}  // namespace ddbg

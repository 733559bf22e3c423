// The persisted-snapshot blob: summaries of a stream per segment, snapshots, staleness.
#include "events/snapshot_blob.h"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <charconv>

namespace ddbg::events {
namespace {

constexpr std::string_view kMagic = "ddbg-snapshots 2\n";

uint64_t Mix(std::string_view s, uint64_t seed) {
  return XXH3_64bits_withSeed(s.data(), s.size(), seed);
}

std::string Header(const std::string& stream, const std::string& reducer_id) {
  return fmt::format("{}stream {}\nreducer {}\n", kMagic, stream, reducer_id);
}

// Reads space-separated decimal fields of one line; false unless all parse and the line ends.
class LineFields {
 public:
  explicit LineFields(std::string_view line) : rest_(line) {}
  template <typename T>
  bool Next(T* v) {
    while (!rest_.empty() && rest_.front() == ' ') rest_.remove_prefix(1);
    auto [end, ec] = std::from_chars(rest_.data(), rest_.data() + rest_.size(), *v);
    if (ec != std::errc() || end == rest_.data()) return false;
    rest_.remove_prefix(static_cast<size_t>(end - rest_.data()));
    return true;
  }
  bool Done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

bool TakeLine(std::string_view* text, std::string_view* line) {
  size_t nl = text->find('\n');
  if (nl == std::string_view::npos) return false;
  *line = text->substr(0, nl);
  text->remove_prefix(nl + 1);
  return true;
}

bool ParseSegmentLine(std::string_view line, SnapshotBlob* out) {
  LineFields f(line);
  uint64_t seq = 0;
  SegmentSummary s;
  if (!f.Next(&seq) || !f.Next(&s.events) || !f.Next(&s.min_version) || !f.Next(&s.max_version) ||
      !f.Next(&s.min_time) || !f.Next(&s.max_time) || !f.Done()) {
    return false;
  }
  out->segments[seq] = s;
  return true;
}

// "snap <count> <last version> <max time> <built through> <bytes>" then the state and '\n'.
bool ParseSnapshot(std::string_view line, std::string_view* text, SnapshotBlob* out) {
  LineFields f(line);
  uint64_t count = 0, bytes = 0;
  PersistedSnapshot s;
  if (!f.Next(&count) || !f.Next(&s.last_version) || !f.Next(&s.max_time) ||
      !f.Next(&s.built_through) || !f.Next(&bytes) || !f.Done() || bytes + 1 > text->size() ||
      (*text)[bytes] != '\n') {
    return false;
  }
  s.state = std::string(text->substr(0, bytes));
  text->remove_prefix(bytes + 1);
  out->snapshots[count] = std::move(s);
  return true;
}

}  // namespace

void SegmentSummary::Add(uint64_t version, int64_t time) {
  if (events == 0) {
    min_version = max_version = version;
    min_time = max_time = time;
  }
  ++events;
  min_version = std::min(min_version, version);
  max_version = std::max(max_version, version);
  min_time = std::min(min_time, time);
  max_time = std::max(max_time, time);
}

bool SnapshotBlob::Stale(const PersistedSnapshot& s) const {
  for (auto it = segments.upper_bound(s.built_through); it != segments.end(); ++it) {
    if (it->second.min_version <= s.last_version) return true;
  }
  return false;
}

void SnapshotBlob::Merge(SnapshotBlob other) {
  summarized_through = std::max(summarized_through, other.summarized_through);
  for (auto& [seq, s] : other.segments) segments[seq] = s;
  for (auto& [count, s] : other.snapshots) snapshots[count] = std::move(s);
  for (auto it = snapshots.begin(); it != snapshots.end();) {
    it = Stale(it->second) ? snapshots.erase(it) : std::next(it);
  }
}

std::string SnapshotBlobName(const std::string& stream, const std::string& reducer_id) {
  return fmt::format("snap-{:016x}", Mix(stream, Mix(reducer_id, 7)));
}

SnapshotBlob ParseSnapshotBlob(std::string_view text, const std::string& stream,
                               const std::string& reducer_id) {
  SnapshotBlob out;
  std::string header = Header(stream, reducer_id);
  if (!text.starts_with(header)) return {};
  text.remove_prefix(header.size());
  std::string_view line;
  if (!TakeLine(&text, &line) || !line.starts_with("segments ")) return {};
  LineFields f(line.substr(9));
  if (!f.Next(&out.summarized_through) || !f.Done()) return {};
  while (TakeLine(&text, &line)) {
    bool ok = line.starts_with("seg ")    ? ParseSegmentLine(line.substr(4), &out)
              : line.starts_with("snap ") ? ParseSnapshot(line.substr(5), &text, &out)
                                          : false;
    if (!ok) return {};
  }
  return text.empty() ? out : SnapshotBlob();
}

std::string FormatSnapshotBlob(const SnapshotBlob& blob, const std::string& stream,
                               const std::string& reducer_id) {
  std::string out = Header(stream, reducer_id);
  out += fmt::format("segments {}\n", blob.summarized_through);
  for (const auto& [seq, s] : blob.segments) {
    out += fmt::format("seg {} {} {} {} {} {}\n", seq, s.events, s.min_version, s.max_version,
                       s.min_time, s.max_time);
  }
  for (const auto& [count, s] : blob.snapshots) {
    out += fmt::format("snap {} {} {} {} {}\n", count, s.last_version, s.max_time, s.built_through,
                       s.state.size());
    out += s.state;
    out += '\n';
  }
  return out;
}

}  // namespace ddbg::events

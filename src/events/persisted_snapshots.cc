// StateAtPersisted: the state of a stream at T from the store, starting from the latest
// persisted snapshot still valid (events/snapshot_blob.h) and reading only the events after
// it that a fold up to T can reach (events/stream_segments.h). Nothing before the snapshot
// is read: what changed since it was built is decided from per-segment summaries.
#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "ddbg/events.h"
#include "events/snapshot_blob.h"
#include "events/stream_segments.h"

namespace ddbg {
namespace {

using events::PersistedSnapshot;
using events::SnapshotBlob;

// The longest version-ordered prefix at or before t, folded from the first event.
Result<JsonValue> FoldWhole(Store& store, const std::string& stream, int64_t t, Reducer& reducer,
                            SnapshotUse* use) {
  Result<std::vector<StreamEvent>> events = LoadStream(store, stream);
  if (!events.ok()) return events.status();
  use->events = events->size();
  while (use->applied < events->size() && (*events)[use->applied].time_ns <= t) ++use->applied;
  use->folded = use->applied;
  return FoldUntil(*events, t, reducer);
}

// The latest snapshot in effect at t (all its events at or before t) that is not stale.
const std::pair<const uint64_t, PersistedSnapshot>* PickSnapshot(const SnapshotBlob& known,
                                                                 int64_t t) {
  for (auto it = known.snapshots.rbegin(); it != known.snapshots.rend(); ++it) {
    if (it->second.max_time <= t && !known.Stale(it->second)) return &*it;
  }
  return nullptr;
}

// Whether no event after tail.events[i] in the stream's order has its version (a snapshot
// must end at a version boundary: every event after it then has a higher version).
bool VersionBoundary(const events::FoldTail& tail, size_t i) {
  uint64_t v = tail.events[i].version;
  if (v == tail.version_bound) return false;  // an unread event may have it too
  return i + 1 == tail.events.size() || tail.events[i + 1].version != v;
}

// Where a fold starts: after `events` events (0: from the empty state).
struct FoldStart {
  size_t events = 0;
  uint64_t last_version = 0;
  int64_t max_time = INT64_MIN;
};

// Folds the tail after `start` up to t; the snapshots due (every `every` events, at a
// version boundary, not already in `known`) go to *added.
Status FoldTailInto(const events::FoldTail& tail, const FoldStart& start, int64_t t,
                    Reducer& reducer, const SnapshotOptions& options, const SnapshotBlob& known,
                    JsonValue* state, SnapshotUse* use, SnapshotBlob* added) {
  const std::vector<StreamEvent>& ev = tail.events;
  int64_t max_time = start.max_time;
  size_t i = 0;
  for (; i < ev.size() && ev[i].time_ns <= t && ev[i].version <= tail.version_bound; ++i) {
    DDBG_RETURN_IF_ERROR(reducer.Apply(ev[i], state));
    max_time = std::max(max_time, ev[i].time_ns);
    size_t count = start.events + i + 1;
    if (count % options.every != 0 || known.snapshots.count(count) != 0 ||
        !VersionBoundary(tail, i)) {
      continue;
    }
    added->snapshots[count] = {ev[i].version, max_time, known.summarized_through,
                               state->ToJson()};
  }
  use->folded = i;
  use->applied = start.events + i;
  return Status::Ok();
}

// Merges what this call knows (summaries, snapshots) into the stored blob.
void WriteBlob(Store& store, const std::string& stream, const SnapshotOptions& options,
               const SnapshotBlob& known, SnapshotUse* use, size_t added_snapshots) {
  Status st = store.UpdateBlob(
      events::SnapshotBlobName(stream, options.reducer_id), [&](std::string* text) {
        SnapshotBlob current = events::ParseSnapshotBlob(*text, stream, options.reducer_id);
        current.Merge(known);
        *text = events::FormatSnapshotBlob(current, stream, options.reducer_id);
        return Status::Ok();
      });
  if (st.ok()) use->written = added_snapshots;
}

}  // namespace

Result<JsonValue> StateAtPersisted(Store& store, const std::string& stream, int64_t t,
                                   Reducer& reducer, const SnapshotOptions& options,
                                   SnapshotUse* use) {
  *use = SnapshotUse();
  if (options.every == 0) return FoldWhole(store, stream, t, reducer, use);
  Result<std::string> text =
      store.ReadBlob(events::SnapshotBlobName(stream, options.reducer_id));
  SnapshotBlob known = text.ok() ? events::ParseSnapshotBlob(*text, stream, options.reducer_id)
                                 : SnapshotBlob();
  // Summaries of the segments committed since the blob was written.
  SnapshotBlob added;
  bool numbered = true;
  DDBG_RETURN_IF_ERROR(events::SummarizeSegments(store, stream, known.summarized_through,
                                                 &added.segments, &numbered));
  for (const auto& [seq, s] : added.segments) {
    added.summarized_through = std::max(added.summarized_through, seq);
  }
  size_t stored_snapshots = known.snapshots.size();
  known.Merge(added);  // a copy: `added` collects what is new
  bool dropped_stale = known.snapshots.size() < stored_snapshots;
  bool unversioned = false;
  for (const auto& [seq, s] : known.segments) {
    use->events += s.events;
    unversioned = unversioned || s.min_version == 0;
  }
  if (known.segments.empty()) {
    return Status::NotFound(fmt::format("stream '{}' has no events", stream));
  }
  if (!numbered || unversioned) {
    *use = SnapshotUse();
    return FoldWhole(store, stream, t, reducer, use);
  }
  JsonValue state = JsonValue::Object();
  FoldStart from;
  if (const auto* snap = PickSnapshot(known, t)) {
    Result<JsonValue> parsed = JsonValue::Parse(snap->second.state);
    if (parsed.ok()) {
      state = std::move(parsed).value();
      from = {snap->first, snap->second.last_version, snap->second.max_time};
    }
  }
  use->from_snapshot = from.events;
  Result<events::FoldTail> tail =
      events::ReadFoldTail(store, stream, known.segments, from.last_version, t);
  if (!tail.ok()) return tail.status();
  use->segments_read = tail->segments_read;
  DDBG_RETURN_IF_ERROR(
      FoldTailInto(*tail, from, t, reducer, options, known, &state, use, &added));
  if (options.write && (!added.segments.empty() || !added.snapshots.empty() || dropped_stale)) {
    size_t added_snapshots = added.snapshots.size();
    known.Merge(std::move(added));
    WriteBlob(store, stream, options, known, use, added_snapshots);
  }
  return state;
}

Result<std::string> ReducerId(const std::string& reducers_dir) {
  if (reducers_dir.empty()) return std::string("merge-patch");
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(reducers_dir, ec)) {
    if (entry.path().extension() == ".lua") files.push_back(entry.path());
  }
  if (ec) return Status::InvalidArgument(fmt::format("{}: {}", reducers_dir, ec.message()));
  std::sort(files.begin(), files.end());
  uint64_t h = 0;
  auto mix = [](std::string_view s, uint64_t seed) {
    return XXH3_64bits_withSeed(s.data(), s.size(), seed);
  };
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    h = mix(text, mix(f.filename().string(), h));
  }
  return fmt::format("lua-{:016x}", h);
}

}  // namespace ddbg

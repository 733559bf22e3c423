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

// Where a fold starts: after `events` events (0: from the empty state).
struct FoldStart {
  size_t events = 0;
  uint64_t last_version = 0;
  int64_t max_time = INT64_MIN;
};

// The latest snapshot in effect at t (all its events at or before t) that is not stale,
// its state in *state; the empty start when there is none.
FoldStart PickSnapshot(const SnapshotBlob& known, int64_t t, JsonValue* state) {
  for (auto it = known.snapshots.rbegin(); it != known.snapshots.rend(); ++it) {
    const PersistedSnapshot& s = it->second;
    if (s.max_time > t || known.Stale(s)) continue;
    Result<JsonValue> parsed = JsonValue::Parse(s.state);
    if (!parsed.ok()) continue;
    *state = std::move(parsed).value();
    return {it->first, s.last_version, s.max_time};
  }
  return {};
}

// Whether no event after tail.events[i] in the stream's order has its version (a snapshot
// must end at a version boundary: every event after it then has a higher version).
bool VersionBoundary(const events::FoldTail& tail, size_t i) {
  uint64_t v = tail.events[i].version;
  if (v == tail.version_bound) return false;  // an unread event may have it too
  return i + 1 == tail.events.size() || tail.events[i + 1].version != v;
}

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
    added->snapshots[count] = {ev[i].version, max_time, known.summarized_through, state->ToJson()};
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

// The stored blob brought up to date with the segments committed since it was written.
struct KnownStream {
  SnapshotBlob blob;   // stored summaries and snapshots plus the new summaries, stale dropped
  SnapshotBlob added;  // what is new (to write back)
  bool numbered = true;
  bool unversioned = false;  // some event of the stream has no version
  bool dropped_stale = false;
};

Status CatchUp(Store& store, const std::string& stream, const SnapshotOptions& options,
               KnownStream* known) {
  Result<std::string> text = store.ReadBlob(events::SnapshotBlobName(stream, options.reducer_id));
  if (text.ok()) known->blob = events::ParseSnapshotBlob(*text, stream, options.reducer_id);
  SnapshotBlob& added = known->added;
  DDBG_RETURN_IF_ERROR(events::SummarizeSegments(store, stream, known->blob.summarized_through,
                                                 &added.segments, &known->numbered));
  for (const auto& [seq, s] : added.segments) {
    added.summarized_through = std::max(added.summarized_through, seq);
  }
  size_t stored_snapshots = known->blob.snapshots.size();
  known->blob.Merge(added);
  known->dropped_stale = known->blob.snapshots.size() < stored_snapshots;
  for (const auto& [seq, s] : known->blob.segments) {
    known->unversioned = known->unversioned || s.min_version == 0;
  }
  return Status::Ok();
}

}  // namespace

Result<JsonValue> StateAtPersisted(Store& store, const std::string& stream, int64_t t,
                                   Reducer& reducer, const SnapshotOptions& options,
                                   SnapshotUse* use) {
  *use = SnapshotUse();
  if (options.every == 0) return FoldWhole(store, stream, t, reducer, use);
  KnownStream known;
  DDBG_RETURN_IF_ERROR(CatchUp(store, stream, options, &known));
  if (known.blob.segments.empty()) {
    return Status::NotFound(fmt::format("stream '{}' has no events", stream));
  }
  for (const auto& [seq, s] : known.blob.segments) use->events += s.events;
  if (!known.numbered || known.unversioned) {
    *use = SnapshotUse();
    return FoldWhole(store, stream, t, reducer, use);
  }
  JsonValue state = JsonValue::Object();
  FoldStart from = PickSnapshot(known.blob, t, &state);
  use->from_snapshot = from.events;
  Result<events::FoldTail> tail =
      events::ReadFoldTail(store, stream, known.blob.segments, from.last_version, t);
  if (!tail.ok()) return tail.status();
  if (!tail->complete) {  // the blob knows segments this store's snapshot does not
    *use = SnapshotUse();
    return FoldWhole(store, stream, t, reducer, use);
  }
  use->segments_read = tail->segments_read;
  SnapshotBlob& added = known.added;
  DDBG_RETURN_IF_ERROR(
      FoldTailInto(*tail, from, t, reducer, options, known.blob, &state, use, &added));
  if (options.write &&
      (!added.segments.empty() || !added.snapshots.empty() || known.dropped_stale)) {
    size_t added_snapshots = added.snapshots.size();
    known.blob.Merge(std::move(added));
    WriteBlob(store, stream, options, known.blob, use, added_snapshots);
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

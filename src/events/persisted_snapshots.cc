// Persisted snapshots: the state of a stream after every N events, kept in a named blob of
// the store per (stream, reducer), so `state at` folds at most N events once the blob
// exists. Each snapshot records a digest of the events before it; a snapshot whose digest
// no longer matches the stream (events inserted or changed since) is ignored and dropped on
// the next write. Blob text:
//   ddbg-snapshots 1\n stream <name>\n reducer <id>\n
//   then per snapshot: "<events> <digest hex> <state bytes>\n<state JSON>\n"
#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ddbg/events.h"

namespace ddbg {
namespace {

constexpr std::string_view kMagic = "ddbg-snapshots 1\n";

uint64_t Mix(std::string_view s, uint64_t seed) { return XXH3_64bits_withSeed(s.data(), s.size(), seed); }

uint64_t EventDigest(const StreamEvent& e, uint64_t seed) {
  int64_t nums[2] = {static_cast<int64_t>(e.version), e.time_ns};
  seed = XXH3_64bits_withSeed(nums, sizeof(nums), seed);
  seed = Mix(e.event_id, seed);
  seed = Mix(e.type, seed);
  return Mix(e.payload, seed);
}

std::string BlobName(const std::string& stream, const std::string& reducer_id) {
  return fmt::format("snap-{:016x}", Mix(stream, Mix(reducer_id, 7)));
}

// Snapshots by event count: (digest, state JSON).
using SnapMap = std::map<size_t, std::pair<uint64_t, std::string>>;

std::string Header(const std::string& stream, const std::string& reducer_id) {
  return fmt::format("{}stream {}\nreducer {}\n", kMagic, stream, reducer_id);
}

// Parses a blob of this stream and reducer; anything else (another stream with the same
// hash, damage) gives no snapshots.
SnapMap ParseBlob(std::string_view text, const std::string& header) {
  SnapMap out;
  if (!text.starts_with(header)) return out;
  text.remove_prefix(header.size());
  while (!text.empty()) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return {};
    std::istringstream line{std::string(text.substr(0, nl))};
    size_t count = 0, bytes = 0;
    std::string digest_hex;
    if (!(line >> count >> digest_hex >> bytes) || nl + 1 + bytes + 1 > text.size()) return {};
    uint64_t digest = 0;
    std::from_chars(digest_hex.data(), digest_hex.data() + digest_hex.size(), digest, 16);
    out[count] = {digest, std::string(text.substr(nl + 1, bytes))};
    text.remove_prefix(nl + 1 + bytes + 1);
  }
  return out;
}

std::string FormatBlob(const SnapMap& snaps, const std::string& header) {
  std::string out = header;
  for (const auto& [count, snap] : snaps) {
    out += fmt::format("{} {:016x} {}\n", count, snap.first, snap.second.size());
    out += snap.second;
    out += '\n';
  }
  return out;
}

}  // namespace

Result<JsonValue> StateAtPersisted(Store& store, const std::vector<StreamEvent>& events, int64_t t,
                                   Reducer& reducer, const SnapshotOptions& options,
                                   SnapshotUse* use) {
  *use = SnapshotUse();
  size_t applied = 0;
  while (applied < events.size() && events[applied].time_ns <= t) ++applied;
  use->applied = applied;
  std::vector<uint64_t> digest(applied + 1, 0);  // digest[k]: of the first k events
  for (size_t i = 0; i < applied; ++i) digest[i + 1] = EventDigest(events[i], digest[i]);

  const std::string& stream = events.empty() ? std::string() : events[0].stream;
  std::string name = BlobName(stream, options.reducer_id);
  std::string header = Header(stream, options.reducer_id);
  Result<std::string> blob = store.ReadBlob(name);
  SnapMap snaps = blob.ok() ? ParseBlob(*blob, header) : SnapMap();

  JsonValue state = JsonValue::Object();
  size_t start = 0;
  for (auto it = snaps.upper_bound(applied); it != snaps.begin();) {
    --it;
    if (it->second.first != digest[it->first]) continue;
    Result<JsonValue> parsed = JsonValue::Parse(it->second.second);
    if (!parsed.ok()) continue;
    state = std::move(parsed).value();
    start = it->first;
    break;
  }
  use->from_snapshot = start;
  SnapMap added;
  size_t every = std::max<size_t>(options.every, 1);
  for (size_t i = start; i < applied; ++i) {
    DDBG_RETURN_IF_ERROR(reducer.Apply(events[i], &state));
    size_t count = i + 1;
    auto known = snaps.find(count);
    bool missing = known == snaps.end() || known->second.first != digest[count];
    if (count % every == 0 && missing) added[count] = {digest[count], state.ToJson()};
  }
  use->folded = applied - start;
  if (!options.write || added.empty()) return state;
  Status st = store.UpdateBlob(name, [&](std::string* text) {
    SnapMap current = ParseBlob(*text, header);
    // Drop the snapshots this fold proved stale, then add the new ones.
    for (auto it = current.begin(); it != current.end();) {
      bool stale = it->first <= applied && it->second.first != digest[it->first];
      it = stale ? current.erase(it) : std::next(it);
    }
    for (auto& [count, snap] : added) current[count] = std::move(snap);
    *text = FormatBlob(current, header);
    return Status::Ok();
  });
  if (st.ok()) use->written = added.size();
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
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    h = Mix(text, Mix(f.filename().string(), h));
  }
  return fmt::format("lua-{:016x}", h);
}

}  // namespace ddbg

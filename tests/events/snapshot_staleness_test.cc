// Persisted snapshots against late, out-of-order events: a snapshot is dropped exactly when
// a later-committed event sorts into its prefix, and `state at` from the store equals a full
// fold (LoadStream + FoldUntil) at any T, however the stream's events arrived.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ddbg/events.h"
#include "events/events_test_util.h"

namespace ddbg {
namespace {

using events_test::ScratchStore;

constexpr int64_t kSecond = 1000000000;
constexpr int64_t kT0 = 1714564800LL * kSecond;  // 2024-05-01T12:00:00Z

struct E {
  std::string stream;
  uint64_t version;
  int64_t time_ns;
};

void Append(Store& store, const std::vector<E>& events) {
  EventBatch b;
  for (const E& e : events) {
    EventRow r;
    r.stream = b.dict.Intern(e.stream);
    r.version = e.version;
    r.time_ns = e.time_ns;
    r.event_type = b.dict.Intern("Set");
    r.payload = b.dict.Intern(fmt::format("{{\"v\":{},\"t\":{},\"k{}\":{}}}", e.version,
                                          e.time_ns / kSecond % 100000, e.version % 7, e.version));
    b.CommitEvent(r);
  }
  ASSERT_TRUE(store.AppendEvents(b).ok());
}

// Versions first..last of "acc-1", one a minute from 12:01 (version v at 12:00 + v min).
std::vector<E> Minutes(uint64_t first, uint64_t last) {
  std::vector<E> out;
  for (uint64_t v = first; v <= last; ++v) {
    out.push_back({"acc-1", v, kT0 + static_cast<int64_t>(v) * 60 * kSecond});
  }
  return out;
}

int64_t At(int minutes, int seconds = 0) { return kT0 + (minutes * 60 + seconds) * kSecond; }

std::string FullFold(Store& store, const std::string& stream, int64_t t) {
  auto events = LoadStream(store, stream);
  auto reducer = NewMergePatchReducer();
  return FoldUntil(*events, t, *reducer).value().ToJson();
}

class SnapshotStaleness : public ::testing::Test {
 protected:
  SnapshotStaleness() : s_({.max_rows_per_event_segment = 5}) { o_.every = 10; }
  std::string StateAt(int64_t t) {
    auto state = StateAtPersisted(s_.store(), "acc-1", t, *reducer_, o_, &use_);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? state->ToJson() : "";
  }
  ScratchStore s_;
  std::unique_ptr<Reducer> reducer_ = NewMergePatchReducer();
  SnapshotOptions o_;
  SnapshotUse use_;
};

TEST_F(SnapshotStaleness, LateEventAfterTheSnapshotTimeButInsideItsPrefix) {
  Append(s_.store(), Minutes(1, 25));
  StateAt(At(60));
  ASSERT_EQ(use_.written, 2u);  // after 10 and 20 events
  // A duplicate of version 5 written later, stamped 13:30, after every other event: its time is
  // later than both snapshots', yet it sorts into both prefixes.
  Append(s_.store(), {{"acc-1", 5, At(90)}});
  EXPECT_EQ(StateAt(At(20)), FullFold(s_.store(), "acc-1", At(20)));
  EXPECT_EQ(use_.applied, 5u);  // the prefix stops before the late duplicate
  EXPECT_EQ(use_.from_snapshot, 0u);
  EXPECT_EQ(StateAt(At(120)), FullFold(s_.store(), "acc-1", At(120)));
  EXPECT_EQ(use_.applied, 26u);
  EXPECT_EQ(use_.from_snapshot, 0u);
  EXPECT_EQ(use_.written, 2u);  // rebuilt
  EXPECT_EQ(StateAt(At(120)), FullFold(s_.store(), "acc-1", At(120)));
  EXPECT_EQ(use_.from_snapshot, 20u);
  EXPECT_EQ(use_.folded, 6u);
}

TEST_F(SnapshotStaleness, LateHigherVersionWithAnEarlierTimeKeepsSnapshots) {
  Append(s_.store(), Minutes(1, 25));
  StateAt(At(60));
  Append(s_.store(), {{"acc-1", 26, At(10, 30)}});  // time goes backwards
  EXPECT_EQ(StateAt(At(30)), FullFold(s_.store(), "acc-1", At(30)));
  EXPECT_EQ(use_.from_snapshot, 20u);
  EXPECT_EQ(use_.applied, 26u);
  EXPECT_EQ(StateAt(At(15, 30)), FullFold(s_.store(), "acc-1", At(15, 30)));
  EXPECT_EQ(use_.from_snapshot, 10u);
  EXPECT_EQ(use_.applied, 15u);
}

TEST_F(SnapshotStaleness, LateGapFillerStopsTheFoldWithoutBeingRead) {
  std::vector<E> stream = Minutes(1, 25);
  stream.erase(stream.begin() + 12);  // version 13 arrives late
  Append(s_.store(), stream);
  StateAt(At(60));  // snapshots after 10 (v10) and 20 (v21) events
  Append(s_.store(), {{"acc-1", 13, At(90)}});
  EXPECT_EQ(StateAt(At(20)), FullFold(s_.store(), "acc-1", At(20)));
  EXPECT_EQ(use_.from_snapshot, 10u);  // still valid: version 13 comes after it
  EXPECT_EQ(use_.applied, 12u);        // v11, v12, then v13 (at 13:30) is not yet in effect
  EXPECT_EQ(StateAt(At(120)), FullFold(s_.store(), "acc-1", At(120)));
  EXPECT_EQ(use_.applied, 25u);
}

TEST_F(SnapshotStaleness, OrderedStreamReadsOnlyTheSegmentsNearT) {
  Append(s_.store(), Minutes(1, 400));  // 80 segments of 5 events
  StateAt(INT64_MAX);
  EXPECT_EQ(use_.segments_read, 80u);
  EXPECT_EQ(use_.written, 40u);
  for (int minute : {7, 133, 250, 399}) {
    EXPECT_EQ(StateAt(At(minute, 30)), FullFold(s_.store(), "acc-1", At(minute, 30)));
    EXPECT_EQ(use_.applied, static_cast<size_t>(minute));
    EXPECT_EQ(use_.from_snapshot, static_cast<size_t>(minute / 10 * 10));
    EXPECT_LE(use_.segments_read, 3u);
  }
}

TEST_F(SnapshotStaleness, BlobFromANewerCommitDoesNotMixViews) {
  Append(s_.store(), Minutes(1, 25));
  auto older = OpenEmbeddedStore(s_.dir()).value();  // sees versions 1..25 only
  Append(s_.store(), Minutes(26, 40));
  StateAt(At(60));  // snapshots after 30 and 40 events, summaries of the new segments
  auto state = StateAtPersisted(*older, "acc-1", At(35), *reducer_, o_, &use_);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(state->ToJson(), FullFold(*older, "acc-1", At(35)));
  EXPECT_EQ(use_.applied, 25u);
}

TEST_F(SnapshotStaleness, UnversionedStreamIsFoldedWhole) {
  Append(s_.store(), {{"acc-1", 0, At(2)}, {"acc-1", 0, At(1)}, {"acc-1", 0, At(3)}});
  EXPECT_EQ(StateAt(At(2)), FullFold(s_.store(), "acc-1", At(2)));
  EXPECT_EQ(use_.applied, 2u);
  EXPECT_EQ(use_.written, 0u);
}

// A messy stream — times jittered (some going backwards), duplicates, gaps, another stream
// interleaved — arriving in shuffled batches with stragglers (some stamped late too)
// appended later; after every round of arrivals the state at many random T equals a full
// fold.
TEST(SnapshotStateAt, MatchesAFullFoldAtRandomTimes) {
  ScratchStore s({.max_rows_per_event_segment = 64});
  std::mt19937_64 rng(42);
  std::vector<E> all;
  for (uint64_t v = 1; v <= 900; ++v) {
    if (v % 97 == 0) continue;  // gaps
    int64_t jitter = static_cast<int64_t>(rng() % 40) - 10;
    all.push_back({"acc-1", v, kT0 + static_cast<int64_t>(v) * 30 * kSecond + jitter * kSecond});
    if (v % 61 == 0) all.push_back({"acc-1", v, all.back().time_ns + 5 * kSecond});  // dups
    if (v % 3 == 0) all.push_back({"acc-2", v, kT0 + static_cast<int64_t>(v) * 30 * kSecond});
  }
  std::vector<E> late;
  std::vector<E> first;
  for (E e : all) {
    if (rng() % 20 != 0) {
      first.push_back(e);
      continue;
    }
    // Some stragglers are also stamped late, after much of the rest of the stream.
    if (rng() % 2 == 0) e.time_ns += static_cast<int64_t>(rng() % 9000) * kSecond;
    late.push_back(e);
  }
  std::shuffle(late.begin(), late.end(), rng);
  auto reducer = NewMergePatchReducer();
  SnapshotOptions o;
  o.every = 25;
  int64_t lo = kT0 - 60 * kSecond, span = 900 * 30 * kSecond + 9200 * kSecond;
  size_t used_snapshots = 0;
  auto check_round = [&](int round) {
    std::vector<StreamEvent> events = LoadStream(s.store(), "acc-1").value();
    for (int i = 0; i < 60; ++i) {
      int64_t t = lo + static_cast<int64_t>(rng() % static_cast<uint64_t>(span));
      SnapshotUse use;
      auto state = StateAtPersisted(s.store(), "acc-1", t, *reducer, o, &use);
      ASSERT_TRUE(state.ok()) << state.status().ToString();
      ASSERT_EQ(state->ToJson(), FoldUntil(events, t, *reducer)->ToJson())
          << "round " << round << " t " << t;
      EXPECT_EQ(use.events, events.size());
      used_snapshots += use.from_snapshot > 0;
    }
  };
  for (size_t begin = 0; begin < first.size(); begin += 200) {
    std::vector<E> batch(first.begin() + begin,
                         first.begin() + std::min(first.size(), begin + 200));
    std::shuffle(batch.begin(), batch.end(), rng);
    Append(s.store(), batch);
  }
  check_round(0);
  for (size_t begin = 0; begin < late.size(); begin += 10) {
    Append(s.store(),
           std::vector<E>(late.begin() + begin, late.begin() + std::min(late.size(), begin + 10)));
    check_round(static_cast<int>(begin / 10 + 1));
  }
  EXPECT_GT(used_snapshots, 100u);
}

}  // namespace
}  // namespace ddbg

// Persisted snapshots: written every N events, used by the next call, ignored when the
// stream's history changed, never required (read-only stores still answer).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>

#include <string>

#include "ddbg/events.h"
#include "events/events_test_util.h"

namespace ddbg {
namespace {

using events_test::Ev;
using events_test::ScratchStore;
using events_test::T;

// n events, one a minute from 12:01, each setting "n" and adding key "k<i>".
std::vector<Ev> Counter(int n) {
  static std::deque<std::string> times;  // Ev holds a C string
  std::vector<Ev> out;
  for (int i = 1; i <= n; ++i) {
    const std::string& time = times.emplace_back(fmt::format("2024-05-01T12:{:02d}:00Z", i));
    out.push_back({"acc-1", static_cast<uint64_t>(i), time.c_str(), "Set",
                   fmt::format("{{\"n\":{},\"k{}\":true}}", i, i)});
  }
  return out;
}

JsonValue Expected(Store& store, int64_t t) {
  auto events = LoadStream(store, "acc-1");
  auto reducer = NewMergePatchReducer();
  return FoldUntil(*events, t, *reducer).value();
}

TEST(PersistedSnapshots, WrittenOnceThenUsed) {
  ScratchStore s;
  s.Add(Counter(25));
  auto reducer = NewMergePatchReducer();
  SnapshotOptions o;
  o.every = 10;
  SnapshotUse use;
  int64_t end = T("2024-05-01T13:00:00Z");
  auto first = StateAtPersisted(s.store(), "acc-1", end, *reducer, o, &use);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(use.events, 25u);
  EXPECT_EQ(use.from_snapshot, 0u);
  EXPECT_EQ(use.folded, 25u);
  EXPECT_EQ(use.written, 2u);
  EXPECT_EQ(first->ToJson(), Expected(s.store(), end).ToJson());

  auto again = StateAtPersisted(s.store(), "acc-1", end, *reducer, o, &use);
  EXPECT_EQ(use.from_snapshot, 20u);
  EXPECT_EQ(use.folded, 5u);
  EXPECT_EQ(use.written, 0u);
  EXPECT_EQ(again->ToJson(), first->ToJson());

  int64_t mid = T("2024-05-01T12:15:30Z");  // 15 events in effect
  auto at_mid = StateAtPersisted(s.store(), "acc-1", mid, *reducer, o, &use);
  EXPECT_EQ(use.applied, 15u);
  EXPECT_EQ(use.from_snapshot, 10u);
  EXPECT_EQ(use.folded, 5u);
  EXPECT_EQ(at_mid->ToJson(), Expected(s.store(), mid).ToJson());
}

TEST(PersistedSnapshots, ChangedHistoryInvalidatesLaterSnapshots) {
  ScratchStore s;
  s.Add(Counter(25));
  auto reducer = NewMergePatchReducer();
  SnapshotOptions o;
  o.every = 10;
  SnapshotUse use;
  int64_t end = T("2024-05-01T13:00:00Z");
  ASSERT_TRUE(StateAtPersisted(s.store(), "acc-1", end, *reducer, o, &use).ok());
  // A late write of version 12 (a duplicate) changes the prefix after event 11.
  s.Add({{"acc-1", 12, "2024-05-01T12:12:30Z", "Set", "{\"n\":-1,\"late\":true}"}});
  auto state = StateAtPersisted(s.store(), "acc-1", end, *reducer, o, &use);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(use.from_snapshot, 10u);  // 20 is stale, 10 still matches
  EXPECT_EQ(use.folded, 16u);
  EXPECT_EQ(state->ToJson(), Expected(s.store(), end).ToJson());
  EXPECT_EQ(use.written, 1u);  // the new snapshot at 20 replaces the stale one
}

TEST(PersistedSnapshots, ReadOnlyStoreStillAnswers) {
  ScratchStore s;
  s.Add(Counter(12));
  auto ro = OpenEmbeddedStore(s.dir(), {.create_if_missing = false, .read_only = true}).value();
  auto reducer = NewMergePatchReducer();
  SnapshotOptions o;
  o.every = 5;
  SnapshotUse use;
  auto state = StateAtPersisted(*ro, "acc-1", INT64_MAX, *reducer, o, &use);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(use.written, 0u);
  EXPECT_EQ(state->ToJson(), Expected(*ro, INT64_MAX).ToJson());
}

TEST(PersistedSnapshots, ReducerIdDependsOnScripts) {
  EXPECT_EQ(ReducerId("").value(), "merge-patch");
  char tmpl[] = "/tmp/ddbg-reducers-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/Set.lua";
  FILE* f = fopen(path.c_str(), "w");
  fputs("state.n = 1", f);
  fclose(f);
  std::string a = ReducerId(dir).value();
  f = fopen(path.c_str(), "w");
  fputs("state.n = 2", f);
  fclose(f);
  EXPECT_NE(ReducerId(dir).value(), a);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ddbg

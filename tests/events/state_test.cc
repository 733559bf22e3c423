#include <gtest/gtest.h>

#include <fstream>

#include "ddbg/events.h"
#include "events/events_test_util.h"

namespace ddbg {
namespace {

using events_test::Ev;
using events_test::ScratchStore;
using events_test::T;

JsonValue J(const char* text) { return *JsonValue::Parse(text); }

TEST(MergePatch, FollowsRfc7386Examples) {
  struct Case {
    const char* target;
    const char* patch;
    const char* result;
  } cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", "null", "null"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {"[1,2]", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {"{}", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const Case& c : cases) {
    JsonValue target = J(c.target);
    MergePatch(&target, J(c.patch));
    EXPECT_EQ(target, J(c.result)) << c.target << " + " << c.patch << " = " << target.ToJson();
  }
}

TEST(JsonDiff, ReportsAddedRemovedAndChangedPaths) {
  auto changes = DiffJson(J(R"({"s":"pending","total":10,"items":[{"q":1}],"x":1})"),
                          J(R"({"s":"paid","total":10,"items":[{"q":2},{"q":3}],"y":true})"));
  ASSERT_EQ(changes.size(), 5u);
  EXPECT_EQ(changes[0].path, "s");
  EXPECT_EQ(changes[0].after.ToJson(), "\"paid\"");
  EXPECT_EQ(changes[1].path, "items[0].q");
  EXPECT_EQ(changes[2].path, "items[1]");
  EXPECT_EQ(changes[2].kind, JsonChange::Kind::kAdded);
  EXPECT_EQ(changes[3].path, "x");
  EXPECT_EQ(changes[3].kind, JsonChange::Kind::kRemoved);
  EXPECT_EQ(changes[4].path, "y");
}

std::vector<Ev> OrderStream() {
  return {
      {"order-1", 1, "2024-05-01T12:00:00Z", "OrderPlaced", R"({"status":"pending","total":100,"items":2})"},
      {"order-1", 2, "2024-05-01T12:05:00Z", "OrderPaid", R"({"status":"paid","paid":100})"},
      {"order-1", 3, "2024-05-01T12:10:00Z", "ItemAdded", R"({"total":1500,"items":3})"},
      {"order-1", 4, "2024-05-01T12:20:00Z", "OrderCancelled", R"({"status":"cancelled","paid":null})"},
  };
}

TEST(StateAt, FoldsMergePatchesUpToTime) {
  ScratchStore s;
  s.Add(OrderStream());
  auto events = LoadStream(s.store(), "order-1");
  ASSERT_TRUE(events.ok());
  auto reducer = NewMergePatchReducer();
  EXPECT_EQ(*FoldUntil(*events, T("2024-05-01T11:00:00Z"), *reducer), J("{}"));
  EXPECT_EQ(*FoldUntil(*events, T("2024-05-01T12:07:00Z"), *reducer),
            J(R"({"status":"paid","total":100,"items":2,"paid":100})"));
  EXPECT_EQ(*FoldUntil(*events, T("2024-05-01T13:00:00Z"), *reducer),
            J(R"({"status":"cancelled","total":1500,"items":3})"));
}

TEST(StateHistory, SnapshotsGiveTheSameStatesAsAFullFold) {
  std::vector<StreamEvent> events;
  for (int i = 1; i <= 250; ++i) {
    StreamEvent e;
    e.version = i;
    e.time_ns = i * 1000;
    e.payload = "{\"n\":" + std::to_string(i) + ",\"k" + std::to_string(i % 7) + "\":" +
                std::to_string(i) + "}";
    events.push_back(e);
  }
  auto reducer = NewMergePatchReducer();
  auto history = StateHistory::Build(events, reducer.get(), 16);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->snapshots(), 250u / 16 + 1);
  for (int64_t t : {0, 999, 1000, 16000, 16500, 17000, 123456, 250000, 999999}) {
    EXPECT_EQ(*history->StateAt(t), *FoldUntil(events, t, *reducer)) << t;
  }
  EXPECT_EQ(history->PrefixAt(16500), 16u);
}

TEST(StateAt, BadPayloadErrorNamesTheEvent) {
  std::vector<StreamEvent> events(1);
  events[0].stream = "order-9";
  events[0].version = 4;
  events[0].type = "Broken";
  events[0].payload = "{not json";
  auto reducer = NewMergePatchReducer();
  auto r = FoldUntil(events, INT64_MAX, *reducer);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("order-9 v4 (Broken)"), std::string::npos)
      << r.status().message();
}

class LuaReducerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ddbg-lua-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& code) {
    std::ofstream(dir_ + "/" + name) << code;
  }
  std::string dir_;
};

TEST_F(LuaReducerTest, ScriptsPerTypeAndMergePatchForTheRest) {
  Write("OrderPlaced.lua",
        "state.status = 'pending'\nstate.total = event.payload.total\nstate.count = 1\n");
  Write("ItemAdded.lua",
        "local s = state\ns.total = s.total + event.payload.price\ns.count = s.count + 1\n"
        "s.last_version = event.version\nreturn s\n");
  auto reducer = LoadLuaReducers(dir_);
  ASSERT_TRUE(reducer.ok()) << reducer.status().message();
  std::vector<StreamEvent> events(4);
  const char* types[] = {"OrderPlaced", "ItemAdded", "ItemAdded", "Noted"};
  const char* payloads[] = {R"({"total":10})", R"({"price":2.5})", R"({"price":4})",
                            R"({"note":"gift"})"};
  for (int i = 0; i < 4; ++i) {
    events[i].version = i + 1;
    events[i].type = types[i];
    events[i].payload = payloads[i];
  }
  auto state = FoldUntil(events, INT64_MAX, **reducer);
  ASSERT_TRUE(state.ok()) << state.status().message();
  EXPECT_EQ(state->Find("total")->as_number(), 16.5);
  EXPECT_EQ(state->Find("count")->as_number(), 3);
  EXPECT_EQ(state->Find("last_version")->as_number(), 3);
  EXPECT_EQ(state->Find("note")->as_string(), "gift");
  EXPECT_EQ(state->Find("status")->as_string(), "pending");
}

TEST_F(LuaReducerTest, FailingReducerNamesScriptAndEventVersion) {
  Write("OrderPaid.lua", "state.total = state.total + event.payload.missing.amount\n");
  auto reducer = LoadLuaReducers(dir_);
  ASSERT_TRUE(reducer.ok());
  std::vector<StreamEvent> events(2);
  events[0] = {"order-7", 1, "e1", "OrderPlaced", 1, R"({"total":5})"};
  events[1] = {"order-7", 2, "e2", "OrderPaid", 2, R"({"amount":5})"};
  auto state = FoldUntil(events, INT64_MAX, **reducer);
  ASSERT_FALSE(state.ok());
  const std::string& m = state.status().message();
  EXPECT_NE(m.find("reducer OrderPaid.lua failed at order-7 v2 (OrderPaid)"), std::string::npos) << m;
  EXPECT_NE(m.find("OrderPaid.lua:1"), std::string::npos) << m;
}

TEST_F(LuaReducerTest, EndlessLoopIsStoppedByTheInstructionLimit) {
  Write("Spin.lua", "while true do end\n");
  auto reducer = LoadLuaReducers(dir_, {.max_instructions = 100000});
  ASSERT_TRUE(reducer.ok());
  std::vector<StreamEvent> events(1);
  events[0] = {"s", 3, "e", "Spin", 1, "{}"};
  auto state = FoldUntil(events, INT64_MAX, **reducer);
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.status().message().find("instruction limit"), std::string::npos)
      << state.status().message();
  EXPECT_NE(state.status().message().find("s v3"), std::string::npos);
}

TEST_F(LuaReducerTest, MemoryHogIsStoppedByTheMemoryLimit) {
  Write("Hog.lua", "local t = {}\nfor i = 1, 1e8 do t[i] = string.rep('x', 100) .. i end\n");
  auto reducer = LoadLuaReducers(dir_, {.max_instructions = 1'000'000'000,
                                        .max_memory_bytes = 8 << 20});
  ASSERT_TRUE(reducer.ok());
  std::vector<StreamEvent> events(1);
  events[0] = {"s", 1, "e", "Hog", 1, "{}"};
  auto state = FoldUntil(events, INT64_MAX, **reducer);
  ASSERT_FALSE(state.ok());
  EXPECT_NE(state.status().message().find("memory"), std::string::npos)
      << state.status().message();
}

TEST_F(LuaReducerTest, SandboxHasNoIoOsRequireOrLoad) {
  for (const char* code : {"io.open('/etc/passwd')", "os.execute('true')", "require('os')",
                           "dofile('/etc/passwd')", "load('return 1')()",
                           "string.dump(function() end)"}) {
    Write("Evil.lua", code);
    auto reducer = LoadLuaReducers(dir_);
    ASSERT_TRUE(reducer.ok());
    std::vector<StreamEvent> events(1);
    events[0] = {"s", 1, "e", "Evil", 1, "{}"};
    EXPECT_FALSE(FoldUntil(events, INT64_MAX, **reducer).ok()) << code;
  }
}

TEST_F(LuaReducerTest, SyntaxErrorIsReportedAtLoad) {
  Write("Bad.lua", "state.x = = 1");
  auto reducer = LoadLuaReducers(dir_);
  ASSERT_FALSE(reducer.ok());
  EXPECT_NE(reducer.status().message().find("Bad.lua"), std::string::npos);
}

TEST(Replay, StopsAtTheFirstBreakpointHitAndReportsWatches) {
  ScratchStore s;
  s.Add(OrderStream());
  auto events = LoadStream(s.store(), "order-1");
  ASSERT_TRUE(events.ok());
  auto reducer = NewMergePatchReducer();
  ReplayOptions options;
  options.break_expr = "state.total > 1000";
  options.watches = {"state.status", "state.total"};
  std::vector<uint64_t> seen;
  std::vector<std::string> totals;
  auto hit = Replay(*events, *reducer, options, [&](const ReplayStep& step) {
    seen.push_back(step.event->version);
    totals.push_back(step.watched[1].ToJson());
    return true;
  });
  ASSERT_TRUE(hit.ok());
  EXPECT_TRUE(*hit);
  EXPECT_EQ(seen, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(totals, (std::vector<std::string>{"100", "100", "1500"}));

  options.break_expr = "state.status == 'cancelled'";
  seen.clear();
  hit = Replay(*events, *reducer, options, [&](const ReplayStep& step) {
    seen.push_back(step.event->version);
    return true;
  });
  EXPECT_TRUE(*hit);
  EXPECT_EQ(seen.back(), 4u);

  options.break_expr = "state.status == 'shipped'";
  hit = Replay(*events, *reducer, options, [](const ReplayStep&) { return true; });
  EXPECT_FALSE(*hit);
  options.break_expr = "state.status ==";
  EXPECT_FALSE(Replay(*events, *reducer, options, [](const ReplayStep&) { return true; }).ok());
}

}  // namespace
}  // namespace ddbg

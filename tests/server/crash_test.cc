// Crash safety: while a client streams spans, `ddbg serve` is killed with SIGKILL at random
// moments (20 rounds) and restarted on the same data directory. Afterwards every span the
// client saw acknowledged is in the store exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>

#include "server/server_test_util.h"

namespace ddbg::server_test {
namespace {

constexpr int kRounds = 20;
constexpr uint64_t kSpansPerRequest = 50;

struct SpanKey {
  uint64_t trace_lo;
  uint64_t span;
  auto operator<=>(const SpanKey&) const = default;
};

TEST(CrashSafety, EveryAcknowledgedSpanSurvivesKillNineExactlyOnce) {
  ScratchDir dir;
  std::string data = dir.Sub("data");
  std::mt19937_64 rng(20261125);
  uint64_t acknowledged_requests = 0;
  std::vector<uint64_t> acked_firsts;  // first index of each acknowledged request
  uint64_t next = 0;
  for (int round = 0; round < kRounds; ++round) {
    ServeProcess serve(data);
    ASSERT_TRUE(serve.WaitReady()) << "round " << round;
    std::atomic<bool> stop{false};
    std::vector<uint64_t> round_acked;
    std::thread client([&] {
      auto c = Client(serve.otlp_http());
      c->set_read_timeout(2);
      while (!stop.load()) {
        uint64_t first = next;
        next += kSpansPerRequest;
        auto res = c->Post("/v1/traces", SpanRequest(first, kSpansPerRequest),
                           "application/x-protobuf");
        if (res && res->status == 200) round_acked.push_back(first);
        if (!res) break;  // the server is gone
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng() % 400));
    serve.Kill(SIGKILL);
    stop = true;
    client.join();
    acked_firsts.insert(acked_firsts.end(), round_acked.begin(), round_acked.end());
    acknowledged_requests += round_acked.size();
  }
  ASSERT_GT(acknowledged_requests, static_cast<uint64_t>(kRounds));
  std::printf("crash test: %llu requests (%llu spans) acknowledged over %d kills\n",
              static_cast<unsigned long long>(acknowledged_requests),
              static_cast<unsigned long long>(acknowledged_requests * kSpansPerRequest), kRounds);
  // A last start replays what is left; a graceful stop seals it into the store.
  {
    ServeProcess serve(data);
    ASSERT_TRUE(serve.WaitReady());
    EXPECT_EQ(serve.Kill(SIGTERM), 0);
  }
  std::map<SpanKey, int> seen;
  auto store = OpenEmbeddedStore(data, {.read_only = true});
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->ScanSpans({}, [&](const SpanBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) ++seen[{b.trace_id[i].lo, b.span_id[i]}];
    return Status::Ok();
  }).ok());
  uint64_t missing = 0, duplicated = 0;
  for (const auto& [key, n] : seen) duplicated += n > 1;
  for (uint64_t first : acked_firsts) {
    for (uint64_t n = first; n < first + kSpansPerRequest; ++n) {
      missing += seen.count({n / 4 + 1, n + 1}) == 0;
    }
  }
  EXPECT_EQ(missing, 0u) << "of " << acknowledged_requests * kSpansPerRequest << " acknowledged";
  EXPECT_EQ(duplicated, 0u);
  // Nothing appears that was never sent either.
  EXPECT_LE(seen.size(), next);
}

}  // namespace
}  // namespace ddbg::server_test

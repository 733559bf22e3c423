// The queueing signal on hand-built TraceSets: a service whose callers wait long before it
// starts serving them is blamed (even with a handful of calls), a small uniform change of
// the wait is not, a starved caller's own outgoing calls do not blame its callees, and a rise
// every callee shares blames none. Also
// the exact rank-sum test it relies on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/rca/signal.h"
#include "analysis/rca/stats.h"

namespace ddbg::rca {
namespace {

constexpr int64_t kMs = 1000000;
constexpr int64_t kMin = 60'000 * kMs;

// Traces of chained calls: a client span in the caller, the callee's server span starting
// `wait` later, optionally a further call from the callee.
class CallBuilder {
 public:
  CallBuilder() {
    set_.window = {60 * kMin, 65 * kMin};
    set_.baseline = {0, 60 * kMin - 1};
    set_.resources.push_back({});
  }
  struct Hop {
    std::string service;
    int64_t wait_ns;  // from the caller's span start to this span's start
  };
  // One trace at `t`: the root service "front", then each hop called by the previous one.
  void Trace(int64_t t, const std::vector<Hop>& hops) {
    RcaTrace tr;
    tr.id = {1, static_cast<uint64_t>(set_.traces.size() + 1)};
    tr.start_ns = t;
    tr.in_window = set_.window.Contains(t);
    tr.span_begin = static_cast<uint32_t>(set_.spans.size());
    Add(t, "front", "GET /", -1);
    int64_t start = t;
    for (size_t i = 0; i < hops.size(); ++i) {
      start += hops[i].wait_ns;
      Add(start, hops[i].service, "serve", static_cast<int32_t>(i));
    }
    tr.span_end = static_cast<uint32_t>(set_.spans.size());
    tr.duration_ns = start + 10 * kMs - t;
    set_.traces.push_back(tr);
  }
  TraceSet& set() { return set_; }

 private:
  void Add(int64_t start, const std::string& service, const std::string& op, int32_t parent) {
    RcaSpan sp;
    sp.service = set_.names.Intern(service);
    sp.operation = set_.names.Intern(op);
    sp.parent = parent;
    sp.start_ns = start;
    sp.duration_ns = 10 * kMs;
    set_.spans.push_back(sp);
  }
  TraceSet set_;
};

double StrengthOf(const std::vector<Finding>& fs, const TraceSet& set, const std::string& service) {
  for (const Finding& f : fs) {
    if (set.Name(f.service) == service) return f.strength;
  }
  return 0;
}

// 40 baseline traces a minute apart: front -> auth -> verify, 2 ms waits (with jitter).
CallBuilder Baseline() {
  CallBuilder b;
  for (int i = 0; i < 40; ++i) {
    int64_t jitter = (i % 5) * kMs / 10;
    b.Trace(i * kMin / 2, {{"auth", 2 * kMs + jitter}, {"verify", 2 * kMs + jitter}});
  }
  return b;
}

TEST(RcaQueueing, ACalleeSlowToStartServingIsBlamedFromFourCalls) {
  CallBuilder b = Baseline();
  for (int i = 0; i < 4; ++i) b.Trace(60 * kMin + i * kMin, {{"auth", 2 * kMs}, {"verify", (60 + i) * kMs}});
  std::vector<Finding> fs = QueueingSignal(b.set());
  EXPECT_GT(StrengthOf(fs, b.set(), "verify"), 0.3);
  EXPECT_EQ(StrengthOf(fs, b.set(), "auth"), 0);
  EXPECT_EQ(StrengthOf(fs, b.set(), "front"), 0);
}

TEST(RcaQueueing, ASmallUniformChangeOfTheWaitIsNotBlamed) {
  CallBuilder b = Baseline();
  for (int i = 0; i < 40; ++i) b.Trace(60 * kMin + i * kMin / 10, {{"auth", 3 * kMs}, {"verify", 3 * kMs}});
  std::vector<Finding> fs = QueueingSignal(b.set());
  EXPECT_TRUE(fs.empty());  // x1.4: significant with 40 calls, but no queue
}

TEST(RcaQueueing, AStarvedCallersOwnCallsDoNotBlameItsCallee) {
  // auth is starved: front waits for it, and its own call to verify leaves late too.
  CallBuilder b = Baseline();
  for (int i = 0; i < 6; ++i) b.Trace(60 * kMin + i * kMin / 2, {{"auth", 50 * kMs}, {"verify", 50 * kMs}});
  std::vector<Finding> fs = QueueingSignal(b.set());
  EXPECT_GT(StrengthOf(fs, b.set(), "auth"), 0.3);
  EXPECT_EQ(StrengthOf(fs, b.set(), "verify"), 0);
}

TEST(RcaQueueing, ASlowdownEveryCalleeSharesIsNotBlamedOnOne) {
  // front -> auth -> verify -> store: in the window every call waits x20 (the network).
  CallBuilder b;
  for (int i = 0; i < 40; ++i) b.Trace(i * kMin / 2, {{"auth", 2 * kMs}, {"verify", 2 * kMs}, {"store", 2 * kMs}});
  for (int i = 0; i < 6; ++i) b.Trace(60 * kMin + i * kMin / 2, {{"auth", 40 * kMs}, {"verify", 40 * kMs}, {"store", 40 * kMs}});
  EXPECT_TRUE(QueueingSignal(b.set()).empty());
}

TEST(RcaQueueing, NoCallsInTheWindowNoFinding) {
  CallBuilder b = Baseline();
  EXPECT_TRUE(QueueingSignal(b.set()).empty());
}

TEST(RcaStats, RankSumIsExactForSmallSamples) {
  // 4 values above all 13 others: one arrangement in C(17,4) = 2380.
  std::vector<double> high = {10, 11, 12, 13}, low;
  for (int i = 0; i < 13; ++i) low.push_back(i * 0.5);
  EXPECT_NEAR(RankSumZ(high, low), UpperTailZ(1.0 / 2380), 1e-9);
  EXPECT_NEAR(UpperTailZ(1.0 / 2380), 3.34, 0.01);
  EXPECT_NEAR(RankSumZ(low, high), UpperTailZ(1.0), 1e-9);
  // Interleaved samples: no departure.
  EXPECT_LT(std::abs(RankSumZ({1, 3, 5, 7}, {2, 4, 6, 8})), 1.0);
  EXPECT_EQ(RankSumZ({}, low), 0);
  // Far tails (1 / C(100, 40)) stay finite and large, capped where doubles lose them.
  std::vector<double> many_high, many_low;
  for (int i = 0; i < 60; ++i) many_high.push_back(100 + i);
  for (int i = 0; i < 40; ++i) many_low.push_back(i);
  EXPECT_NEAR(RankSumZ(many_high, many_low), UpperTailZ(kMinExactTail), 1e-9);
  EXPECT_GT(UpperTailZ(kMinExactTail), 7);
}

}  // namespace
}  // namespace ddbg::rca

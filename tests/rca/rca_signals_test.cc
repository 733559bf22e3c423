// rca signals on hand-built TraceSets: the transitions signal's robust baseline (an earlier
// episode of the same change inside the baseline does not hide the window's; a transition
// that wanders from chunk to chunk does not look new), errors naming another service blamed
// as JudgePeers decided, and JudgePeers' own decisions.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/rca/edge_failures.h"
#include "analysis/rca/signal.h"

namespace ddbg::rca {
namespace {

constexpr int64_t kMin = 60LL * 1000000000LL;

// One service "svc" with operation "op"; every span writes log statements in order.
class SetBuilder {
 public:
  SetBuilder() {
    set_.window = {60 * kMin, 65 * kMin};
    set_.baseline = {0, 60 * kMin - 1};
    set_.resources.push_back({});
    service_ = set_.names.Intern("svc");
    op_ = set_.names.Intern("op");
  }
  // A one-span trace at `t` writing `statements`; `error_peer`: an ERROR naming that service.
  void Span(int64_t t, const std::vector<std::string>& statements,
            const std::string& error_peer = "", bool peer_blamed = false) {
    RcaTrace tr;
    tr.id = {1, static_cast<uint64_t>(set_.traces.size() + 1)};
    tr.start_ns = t;
    tr.duration_ns = 1000000;
    tr.in_window = set_.window.Contains(t);
    tr.span_begin = static_cast<uint32_t>(set_.spans.size());
    RcaSpan sp;
    sp.service = service_;
    sp.operation = op_;
    sp.start_ns = t;
    sp.duration_ns = 1000000;
    int64_t at = t;
    for (const std::string& s : statements) {
      RcaLog log;
      log.service = service_;
      log.tmpl = log.statement = set_.names.Intern(s);
      log.time_ns = ++at;
      log.trace = static_cast<int32_t>(set_.traces.size());
      log.span = static_cast<int32_t>(set_.spans.size());
      log.in_window = tr.in_window;
      set_.logs.push_back(log);
    }
    if (!error_peer.empty()) {
      RcaLog log = set_.logs.back();
      log.tmpl = log.statement = set_.names.Intern("No instances available for <*>");
      log.time_ns = ++at;
      log.error = true;
      log.peer = set_.names.Intern(error_peer);
      log.peer_blamed = peer_blamed;
      set_.logs.push_back(log);
      sp.error = true;
      sp.peer_failure = log.peer;
      sp.peer_blamed = peer_blamed;
      tr.error = tr.anomalous = true;
    }
    set_.spans.push_back(sp);
    tr.span_end = static_cast<uint32_t>(set_.spans.size());
    set_.traces.push_back(tr);
  }
  TraceSet& set() { return set_; }

 private:
  TraceSet set_;
  StrId service_ = kEmptyStr, op_ = kEmptyStr;
};

const Finding* FindingOf(const std::vector<Finding>& fs, const TraceSet& set,
                         const std::string& service) {
  for (const Finding& f : fs) {
    if (set.Name(f.service) == service) return &f;
  }
  return nullptr;
}

// 12 baseline chunks of 5 minutes, 10 spans each: "A -> B" normally, "A -> C" (the broken
// path) in `broken_chunks` of them; the window has 10 spans of the broken path.
TraceSet Contaminated(int broken_chunks) {
  SetBuilder b;
  for (int chunk = 0; chunk < 12; ++chunk) {
    for (int i = 0; i < 10; ++i) {
      int64_t t = chunk * 5 * kMin + i * 20 * 1000000000LL;
      b.Span(t, chunk < broken_chunks ? std::vector<std::string>{"A#1", "C#3"}
                                      : std::vector<std::string>{"A#1", "B#2"});
    }
  }
  for (int i = 0; i < 10; ++i) b.Span(60 * kMin + i * 20 * 1000000000LL, {"A#1", "C#3"});
  return std::move(b.set());
}

TEST(RcaTransitions, EarlierEpisodeInTheBaselineDoesNotHideTheWindow) {
  TraceSet clean = Contaminated(0), contaminated = Contaminated(4);
  const Finding* a = FindingOf(TransitionSignal(clean), clean, "svc");
  const Finding* b = FindingOf(TransitionSignal(contaminated), contaminated, "svc");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr) << "4 of 12 baseline chunks hold the same change";
  EXPECT_EQ(a->strength, 1.0);
  EXPECT_EQ(b->strength, 1.0);
  // The new "A -> C" or the vanished "A -> B": measured against the median chunk (share 0
  // or 1), not the contaminated mean (33% / 67%).
  ASSERT_EQ(b->figures[1].first, "baseline_share");
  EXPECT_TRUE(b->figures[1].second == 0.0 || b->figures[1].second == 1.0) << b->summary;
}

TEST(RcaTransitions, AShareThatWandersAcrossChunksIsNotNew) {
  // The "C" path on 10%, 30%, 50% or 70% of a chunk's spans (median 30%, spread 0.3); a
  // window at 70% is within what the baseline shows, though its binomial z alone is 4.3.
  SetBuilder b;
  for (int chunk = 0; chunk < 12; ++chunk) {
    int c_spans = 1 + 2 * (chunk % 4);
    for (int i = 0; i < 10; ++i) {
      b.Span(chunk * 5 * kMin + i * 20 * 1000000000LL,
             i < c_spans ? std::vector<std::string>{"A#1", "C#3"}
                         : std::vector<std::string>{"A#1", "B#2"});
    }
  }
  for (int i = 0; i < 30; ++i) {
    b.Span(60 * kMin + i * 5 * 1000000000LL, i < 21 ? std::vector<std::string>{"A#1", "C#3"}
                                                    : std::vector<std::string>{"A#1", "B#2"});
  }
  std::vector<Finding> fs = TransitionSignal(b.set());
  const Finding* f = FindingOf(fs, b.set(), "svc");
  EXPECT_EQ(f, nullptr) << f->summary;
}

// 40 baseline spans without errors; 20 window spans whose error names "other".
TraceSet PeerErrors(bool blamed) {
  SetBuilder b;
  for (int i = 0; i < 40; ++i) b.Span(i * kMin, {"A#1", "B#2"});
  for (int i = 0; i < 20; ++i) b.Span(60 * kMin + i * 10 * 1000000000LL, {"A#1"}, "other", blamed);
  return std::move(b.set());
}

// Which services the errors and logs signals blame, and whether the writer's path counts.
void ExpectPeerBlame(bool blamed) {
  TraceSet set = PeerErrors(blamed);
  std::vector<Finding> errors = ErrorOriginSignal(set), logs = LogPatternSignal(set);
  EXPECT_EQ(FindingOf(errors, set, "other") != nullptr, blamed);
  EXPECT_EQ(FindingOf(logs, set, "other") != nullptr, blamed);
  EXPECT_EQ(FindingOf(errors, set, "svc"), nullptr);
  EXPECT_EQ(FindingOf(TransitionSignal(set), set, "svc"), nullptr);  // its path is explained
}

TEST(RcaPeers, AnErrorNamingAServiceThatStoppedAnsweringBlamesIt) { ExpectPeerBlame(true); }

TEST(RcaPeers, AnErrorNamingAServiceThatStillAnswersBlamesNoOne) { ExpectPeerBlame(false); }

// Window logs: `writer` reports it cannot reach `peer`; `answering` services have spans.
struct EdgeCase {
  TraceSet set;
  void Service(const std::string& name, int baseline_spans, int window_spans) {
    StrId id = set.names.Intern(name);
    for (int i = 0; i < baseline_spans + window_spans; ++i) {
      RcaTrace tr;
      tr.in_window = i >= baseline_spans;
      tr.span_begin = static_cast<uint32_t>(set.spans.size());
      RcaSpan sp;
      sp.service = id;
      set.spans.push_back(sp);
      tr.span_end = static_cast<uint32_t>(set.spans.size());
      set.traces.push_back(tr);
    }
  }
  size_t Error(const std::string& writer, const std::string& peer) {
    RcaLog log;
    log.service = set.names.Intern(writer);
    log.peer = set.names.Intern(peer);
    log.error = log.in_window = true;
    set.logs.push_back(log);
    return set.logs.size() - 1;
  }
  std::string Blames(size_t log) const {
    const RcaLog& l = set.logs[log];
    if (l.peer == kEmptyStr) return "writer";
    return l.peer_blamed ? "peer" : "no one";
  }
};

TEST(RcaEdgeFailures, AWriterAloneInFailingToReachTwoServicesIsBroken) {
  EdgeCase c;
  for (const char* s : {"a", "b", "c", "w"}) c.Service(s, 40, 10);
  size_t to_a = c.Error("w", "a"), to_b = c.Error("w", "b");
  JudgePeers(&c.set);
  EXPECT_EQ(c.Blames(to_a), "writer");
  EXPECT_EQ(c.Blames(to_b), "writer");
}

TEST(RcaEdgeFailures, FailuresSharedWithAnotherWriterAreNotTheWritersOwn) {
  EdgeCase c;
  for (const char* s : {"a", "b", "w", "v"}) c.Service(s, 40, 10);
  size_t w_a = c.Error("w", "a");
  c.Error("w", "b");
  c.Error("v", "a");  // a is unreachable for v too: w fails on only one service of its own
  JudgePeers(&c.set);
  EXPECT_EQ(c.Blames(w_a), "no one");  // a still answers (10 window spans)
}

TEST(RcaEdgeFailures, AServiceThatAnsweredNoOneTakesTheError) {
  EdgeCase c;
  c.Service("w", 40, 10);
  c.Service("a", 40, 0);     // expected about 5 window spans, saw none
  c.Service("quiet", 1, 0);  // expected 0.1 span: silence says nothing
  size_t to_a = c.Error("w", "a"), to_quiet = c.Error("w2", "quiet");
  JudgePeers(&c.set);
  EXPECT_EQ(c.Blames(to_a), "peer");
  EXPECT_EQ(c.Blames(to_quiet), "no one");
}

}  // namespace
}  // namespace ddbg::rca

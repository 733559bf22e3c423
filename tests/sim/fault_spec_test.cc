// Parsing of --fault specs and simulation durations.
#include <gtest/gtest.h>

#include "ddbg/sim.h"
#include "sim_test_util.h"

namespace ddbg {
namespace {

constexpr int64_t kSec = 1000000000LL;

TEST(FaultSpec, ParsesKindServiceAndKeys) {
  Result<FaultSpec> s = ParseFaultSpec("latency:payment,start=20m,duration=5m,magnitude=4");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->kind, FaultKind::kLatency);
  EXPECT_EQ(s->service, "payment");
  EXPECT_TRUE(s->has_start);
  EXPECT_FALSE(s->start_is_absolute);
  EXPECT_EQ(s->start_ns, 1200 * kSec);
  EXPECT_EQ(s->duration_ns, 300 * kSec);
  EXPECT_DOUBLE_EQ(s->magnitude, 4.0);
  EXPECT_EQ(s->text, "latency:payment,start=20m,duration=5m,magnitude=4");
}

TEST(FaultSpec, LeavesDefaultsUnsetWhenOnlyKindAndService) {
  Result<FaultSpec> s = ParseFaultSpec("cascade:checkout");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->kind, FaultKind::kCascade);
  EXPECT_FALSE(s->has_start);
  EXPECT_EQ(s->duration_ns, 0);
  EXPECT_EQ(s->magnitude, 0);
  EXPECT_EQ(s->count, 0u);
}

TEST(FaultSpec, ParsesAbsoluteStartAndKindSpecificKeys) {
  Result<FaultSpec> s =
      ParseFaultSpec("slow-instance:orders,start=2025-01-15T10:20:00Z,instance=1");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->start_is_absolute);
  EXPECT_EQ(s->start_ns, 1736936400LL * kSec);
  EXPECT_EQ(s->instance, "1");

  Result<FaultSpec> d =
      ParseFaultSpec("bad-deploy:payment,version=2.0.0,error_rate=0.25,magnitude=3x");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->version, "2.0.0");
  EXPECT_DOUBLE_EQ(d->error_rate, 0.25);
  EXPECT_DOUBLE_EQ(d->magnitude, 3.0);

  Result<FaultSpec> g = ParseFaultSpec("version-gap:orders, count = 3");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->count, 3u);
}

TEST(FaultSpec, EveryKindNameRoundTrips) {
  for (FaultKind k : {FaultKind::kLatency, FaultKind::kError, FaultKind::kCascade,
                      FaultKind::kSlowInstance, FaultKind::kInconsistentState,
                      FaultKind::kVersionGap, FaultKind::kRetryStorm, FaultKind::kBadDeploy}) {
    FaultKind back;
    ASSERT_TRUE(ParseFaultKindName(FaultKindName(k), &back)) << FaultKindName(k);
    EXPECT_EQ(back, k);
    Result<FaultSpec> s = ParseFaultSpec(std::string(FaultKindName(k)) + ":orders");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->kind, k);
  }
}

void ExpectRejected(const std::string& spec, const std::string& fragment) {
  Result<FaultSpec> s = ParseFaultSpec(spec);
  ASSERT_FALSE(s.ok()) << spec;
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find(fragment), std::string::npos)
      << spec << " -> " << s.status().message();
  EXPECT_NE(s.status().message().find(spec), std::string::npos) << s.status().message();
}

TEST(FaultSpec, RejectsMalformedSpecsWithClearMessages) {
  ExpectRejected("payment", "expected KIND:SERVICE");
  ExpectRejected("slow:payment", "unknown kind 'slow' (kinds: latency, error, cascade");
  ExpectRejected("latency:", "missing service name");
  ExpectRejected("latency:pay ment", "bad service name");
  ExpectRejected("latency:payment,foo=1", "unknown key 'foo' (keys: start, duration");
  ExpectRejected("latency:payment,instance=0", "key 'instance' does not apply to latency");
  ExpectRejected("error:payment,version=2", "key 'version' does not apply to error");
  ExpectRejected("latency:payment,duration=10 parsecs", "unknown unit");
  ExpectRejected("latency:payment,magnitude=0", "magnitude must be a number > 0");
  ExpectRejected("error:payment,magnitude=1.5", "rate in (0, 1]");
  ExpectRejected("version-gap:orders,count=0", "count must be an integer");
  ExpectRejected("latency:payment,start=", "empty value for 'start'");
  ExpectRejected("latency:payment,start", "expected key=value");
  ExpectRejected("latency:payment,start=2025-13-45T10:00:00Z", "bad start");
  ExpectRejected("bad-deploy:payment,error_rate=2", "error_rate must be in [0, 1]");
}

TEST(SimDuration, ParsesCompoundDurations) {
  EXPECT_EQ(*ParseSimDuration("1h30m"), 5400 * kSec);
  EXPECT_EQ(*ParseSimDuration("90s"), 90 * kSec);
  EXPECT_EQ(*ParseSimDuration("500ms"), 500000000);
  EXPECT_EQ(*ParseSimDuration("2h"), 7200 * kSec);
  EXPECT_EQ(*ParseSimDuration("1.5m"), 90 * kSec);
  EXPECT_FALSE(ParseSimDuration("").ok());
  EXPECT_FALSE(ParseSimDuration("5").ok());
  EXPECT_FALSE(ParseSimDuration("5y").ok());
  EXPECT_FALSE(ParseSimDuration("0s").ok());
  EXPECT_FALSE(ParseSimDuration("m").ok());
}

TEST(SimOptionsCheck, UnknownServiceFailsListingTheServices) {
  sim_test::ScratchDir dir;
  SimOptions o;
  o.out_dir = dir.Sub("out");
  o.traces = 10;
  o.faults.push_back(*ParseFaultSpec("latency:nosuch"));
  SimSummary s;
  Status st = Simulate(o, &s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "fault 'latency:nosuch': no service 'nosuch' in the simulated system; services: "
            "frontend, checkout, payment, inventory, orders, shipping, notification, users");
}

TEST(SimOptionsCheck, RejectsFaultsThatCannotApply) {
  sim_test::ScratchDir dir;
  auto run = [&](const std::string& spec, int services = 8) {
    SimOptions o;
    o.out_dir = dir.Sub("out");
    o.services = services;
    o.traces = 10;
    o.faults.push_back(*ParseFaultSpec(spec));
    SimSummary s;
    return Simulate(o, &s);
  };
  Status gap = run("version-gap:users");
  EXPECT_EQ(gap.message(),
            "fault 'version-gap:users': service 'users' writes no event streams; version-gap "
            "applies to: payment, inventory, orders, shipping");
  Status inst = run("slow-instance:orders,instance=7");
  EXPECT_NE(inst.message().find("no instance '7' of orders; instances (or their index 0..1): "
                                "orders-"),
            std::string::npos)
      << inst.message();
  Status late = run("latency:payment,start=2h");
  EXPECT_NE(late.message().find("starts outside the simulated time range"), std::string::npos);
  Status same = run("bad-deploy:payment,version=1.19.2");
  EXPECT_NE(same.message().find("version 1.19.2 is already running on payment"), std::string::npos)
      << same.message();
  Status many = run("latency:svc-250", 200);
  EXPECT_NE(many.message().find("audit, svc-24 … svc-199"), std::string::npos) << many.message();
}

TEST(SimOptionsCheck, RejectsBadServiceCountsAndEmptyRuns) {
  SimOptions o;
  o.out_dir = "/tmp/unused";
  o.services = 2;
  SimSummary s;
  EXPECT_NE(Simulate(o, &s).message().find("--services must be in 3..500, got 2"),
            std::string::npos);
  o.services = 8;
  o.traces = 0;
  EXPECT_FALSE(Simulate(o, &s).ok());
  o.traces = 1;
  o.out_dir = "";
  EXPECT_FALSE(Simulate(o, &s).ok());
}

}  // namespace
}  // namespace ddbg

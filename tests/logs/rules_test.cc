#include <gtest/gtest.h>

#include <map>

#include "ddbg/log_rules.h"

namespace ddbg::logs {
namespace {

struct Case {
  const char* rule;
  std::vector<const char*> match;
  std::vector<const char*> no_match;
};

// Real-looking lines for every default rule, and near misses that must not match it.
const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"connection_pool_exhaustion",
       {"HikariPool-1 - Connection is not available, connection pool exhausted after 30000ms",
        "FATAL: sorry, too many connections for role \"app\"",
        "pq: remaining connection slots are reserved for non-replication superuser connections"},
       {"connection pool stats: active=3 idle=7 max=10", "opened connection to db-1"}},
      {"command_timeout",
       {"command PlaceOrder timeout after 5000ms", "Execution timed out: query exceeded 30s"},
       {"command PlaceOrder completed in 12ms", "timeout configured to 30s"}},
      {"concurrency_conflict",
       {"concurrency conflict on stream order-1: expected version 3, got 4",
        "WrongExpectedVersion: wrong expected version 7", "optimistic lock failure on Account#9"},
       {"conflict resolution strategy: last-writer-wins"}},
      {"memory_pressure",
       {"java.lang.OutOfMemoryError: Java heap space", "runtime: out of memory: cannot allocate 1048576-byte block",
        "memory limit of 512MB reached", "page allocation failed: order:4"},
       {"memory usage 40% of 2GB", "allocated buffer of 4096 bytes"}},
      {"projection_lag",
       {"projection user-summary is 45000 events behind", "projection lag 12s exceeds threshold"},
       {"projection user-summary rebuilt"}},
      {"oom_killed",
       {"Out of memory: Killed process 1234 (java) total-vm:812345kB",
        "kernel: java invoked oom-killer: gfp_mask=0x100cca", "container app OOMKilled, exit code 137"},
       {"room booked for 3 nights", "process 1234 exited normally"}},
      {"tls_certificate_error",
       {"x509: certificate has expired or is not yet valid",
        "SSL handshake failed: certificate verify failed", "PKIX path building failed",
        "tls handshake timeout to api.example.com:443"},
       {"tls certificate for api.example.com expires in 30 days", "TLS 1.3 negotiated"}},
      {"dns_failure",
       {"dial tcp: lookup payments.internal on 10.0.0.2:53: no such host",
        "getaddrinfo: Temporary failure in name resolution", "java.net.UnknownHostException: db-primary",
        "curl: (6) Could not resolve host: example.org"},
       {"resolved db-primary to 10.0.0.5 in 2ms"}},
      {"connection_refused",
       {"dial tcp 10.0.0.7:5432: connect: connection refused", "Error: connect ECONNREFUSED 127.0.0.1:6379"},
       {"connection accepted from 10.0.0.7:5432"}},
      {"connection_reset",
       {"read tcp 10.0.0.3:443: connection reset by peer", "Error: read ECONNRESET", "write: broken pipe"},
       {"password reset email sent to user-42"}},
      {"deadlock",
       {"ERROR: deadlock detected DETAIL: Process 123 waits for ShareLock on transaction 456",
        "Deadlock found when trying to get lock; try restarting transaction"},
       {"lock acquired on orders table in 3ms"}},
      {"disk_full",
       {"write /var/lib/data/wal.log: no space left on device", "ENOSPC: no space left, write",
        "disk quota exceeded for user postgres", "Filesystem /data is full"},
       {"disk usage 41% on /data", "space left in queue: 12"}},
      {"rate_limited",
       {"HTTP 429 Too Many Requests from api.github.com", "rate limit exceeded for key client-7",
        "request throttled by upstream, retry after 2s"},
       {"GET /orders 200 14ms", "processed 429 records"}},
      {"circuit_breaker_open",
       {"circuit breaker 'payments' is OPEN, rejecting calls", "CircuitBreakerOpenException: inventory",
        "breaker open for downstream shipping"},
       {"circuit breaker 'payments' closed after probe succeeded"}},
      {"retries_exhausted",
       {"retries exhausted after 5 attempts calling payment", "gave up after 3 retries: timeout",
        "max retries exceeded with url: /v1/charge", "retry limit reached for message 77"},
       {"retrying in 200ms (attempt 2 of 5)"}},
  };
  return cases;
}

TEST(LogRules, EveryDefaultRuleMatchesItsLinesAndNotItsNearMisses) {
  auto set = RuleSet::Compile(DefaultLogRules());
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  std::map<std::string, int> index;
  for (size_t i = 0; i < set->rules().size(); ++i) index[set->rules()[i].name] = static_cast<int>(i);
  ASSERT_EQ(index.size(), Cases().size()) << "every default rule needs test lines";
  std::vector<int> hits;
  for (const Case& c : Cases()) {
    ASSERT_TRUE(index.count(c.rule)) << c.rule;
    int want = index[c.rule];
    for (const char* line : c.match) {
      set->Match(line, &hits);
      EXPECT_NE(std::find(hits.begin(), hits.end(), want), hits.end()) << c.rule << ": " << line;
    }
    for (const char* line : c.no_match) {
      set->Match(line, &hits);
      EXPECT_EQ(std::find(hits.begin(), hits.end(), want), hits.end()) << c.rule << " matched: " << line;
    }
  }
}

TEST(LogRules, YamlAndTomlFilesAddAndOverrideRules) {
  const char* yaml = R"(# my rules
rules:
  - name: payment_declined
    regex: "(?i)card declined"   # PSP wording
    severity: warning
    action: 'Check the PSP dashboard'
  - name: deadlock
    severity: critical
  - name: rate_limited
    enabled: false
)";
  auto rules = ParseRulesFile(yaml, "r.yaml");
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0].regex, "(?i)card declined");
  EXPECT_EQ((*rules)[0].action, "Check the PSP dashboard");
  std::vector<LogRule> merged = MergeRules(DefaultLogRules(), *rules);
  EXPECT_EQ(merged.size(), DefaultLogRules().size());  // one added, one disabled
  auto dl = std::find_if(merged.begin(), merged.end(), [](auto& r) { return r.name == "deadlock"; });
  EXPECT_EQ(dl->severity, RuleSeverity::kCritical);
  EXPECT_FALSE(dl->regex.empty());

  auto toml = ParseRulesFile("[[rules]]\nname = \"x\"\nregex = 'a\\d+'\nseverity = \"error\"\n", "r.toml");
  ASSERT_TRUE(toml.ok()) << toml.status().ToString();
  EXPECT_EQ((*toml)[0].regex, "a\\d+");
  EXPECT_EQ((*toml)[0].severity, RuleSeverity::kError);
}

TEST(LogRules, BadFilesAndRegexesGiveErrorsWithTheirPlace) {
  auto bad = ParseRulesFile("rules:\n  - name: a\n    severity: huge\n", "r.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("r.yaml:3"), std::string::npos) << bad.status().message();
  auto quote = ParseRulesFile("[[rules]]\nname = \"a\n", "r.toml");
  ASSERT_FALSE(quote.ok());
  EXPECT_NE(quote.status().message().find("r.toml:2"), std::string::npos);
  auto regex = RuleSet::Compile({{"broken", "(unclosed", RuleSeverity::kError, "x"}});
  ASSERT_FALSE(regex.ok());
  EXPECT_NE(regex.status().message().find("broken"), std::string::npos);
}

}  // namespace
}  // namespace ddbg::logs

// The default log rules: those of the EventCore troubleshooting guide (connection pool
// exhaustion, command timeout, concurrency conflict, memory pressure, projection lag) and
// the failures an SRE looks for first. Regexes are case-insensitive and anchored on words
// that rarely appear in healthy logs.
#include "ddbg/log_rules.h"

namespace ddbg::logs {

std::vector<LogRule> DefaultLogRules() {
  using S = RuleSeverity;
  return {
      {"connection_pool_exhaustion",
       R"((?i)connection.*pool.*(exhausted|timed? ?out|full)|too many connections|remaining connection slots are reserved)",
       S::kCritical, "Scale up the connection pool or look for connection leaks"},
      {"command_timeout", R"((?i)command.*time(d)? ?out|execution.*time(d)? ?out)", S::kError,
       "Check database performance and query plans of the command's reads and writes"},
      {"concurrency_conflict",
       R"((?i)concurrency.*conflict|version.*conflict|optimistic.?lock|wrong expected version)",
       S::kWarning, "Reduce contention on the streams or add retries with backoff"},
      {"memory_pressure",
       R"((?i)out of memory|memory.*limit|allocation.*failed|cannot allocate memory|OutOfMemoryError|heap space)",
       S::kCritical, "Scale up memory or look for memory leaks"},
      {"projection_lag", R"((?i)projection.*(lag|behind))", S::kWarning,
       "Check projection throughput and consider scaling or rebuilding the projection"},
      {"oom_killed", R"((?i)oom.?kill|killed process \d+|out of memory: kill|\boom-killer\b)",
       S::kCritical, "Raise the memory limit of the killed process or cut its memory use"},
      {"tls_certificate_error",
       R"((?i)x509:|certificate (has )?expired|certificate verify failed|(ssl|tls) handshake (error|fail|timeout)|self[- ]signed certificate|unknown (ca|certificate authority)|PKIX path)",
       S::kError, "Renew or fix the certificate chain; check clocks and trusted CAs"},
      {"dns_failure",
       R"((?i)no such host|name or service not known|temporary failure in name resolution|NXDOMAIN|could not resolve host|UnknownHostException|dns (lookup|resolution) fail)",
       S::kError, "Check DNS records, resolver configuration and service discovery"},
      {"connection_refused", R"((?i)connection refused|ECONNREFUSED)", S::kError,
       "Check that the target service is up and listening on the expected port"},
      {"connection_reset", R"((?i)connection reset|ECONNRESET|reset by peer|broken pipe)",
       S::kWarning, "Look for crashes, restarts or idle-timeout mismatches on the peer or proxy"},
      {"deadlock", R"((?i)deadlock)", S::kError,
       "Make transactions take locks in one order and keep them short"},
      {"disk_full",
       R"((?i)no space left on device|ENOSPC|disk (is )?full|disk quota exceeded|file ?system.* full)",
       S::kCritical, "Free or add disk space; check log rotation and retention"},
      {"rate_limited", R"((?i)rate.?limit(ed)?|too many requests|\bHTTP[ /]?\d?\.?\d? ?429\b|status[ =:]+429\b|throttl)",
       S::kWarning, "Slow the caller down, add backoff, or raise the quota"},
      {"circuit_breaker_open",
       R"((?i)circuit.?breaker.*(open|tripped)|breaker (is )?open|CircuitBreakerOpen)", S::kError,
       "Find why the downstream dependency fails; the breaker only protects the caller"},
      {"retries_exhausted",
       R"((?i)retries exhausted|exhausted.*retries|max(imum)? retr(y|ies) (reached|exceeded|attempts)|gave up after \d+ (retries|attempts)|retry limit (reached|exceeded)|all retries failed)",
       S::kError, "Fix the failing dependency; retries only hide it"},
  };
}

}  // namespace ddbg::logs

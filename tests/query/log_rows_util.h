// Hand-built log records for tests of log queries and tailing: one LogBatch from
// (service, severity text, body) triples, times 1s apart from `t0_ns`.
#pragma once

#include <string>
#include <vector>

#include "ddbg/model.h"

namespace ddbg::test {

struct TestLog {
  std::string service;
  std::string level;  // "INFO", "ERROR" …
  std::string body;
};

inline LogBatch MakeLogBatch(const std::vector<TestLog>& logs, int64_t t0_ns = 1'000'000'000) {
  LogBatch b;
  for (size_t i = 0; i < logs.size(); ++i) {
    LogRow r;
    r.resource = b.CommitResource(b.dict.Intern(logs[i].service));
    r.time_ns = t0_ns + static_cast<int64_t>(i) * 1'000'000'000;
    r.severity_number = SeverityFromText(logs[i].level);
    r.severity_text = b.dict.Intern(logs[i].level);
    r.body = b.dict.Intern(logs[i].body);
    b.CommitLog(r);
  }
  return b;
}

}  // namespace ddbg::test

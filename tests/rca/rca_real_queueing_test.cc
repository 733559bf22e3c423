// The queueing signal on the real TrainTicket day (../shared/data/rca, traces only: no logs,
// so the other signals weigh less and the queueing evidence is what ranks): each labelled
// CPU hog is in the top 3 with queueing evidence on its own service, and no other labelled
// fault's window has queueing evidence on any service (windows: injection .. +5 min, the
// published protocol).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "ddbg/ingest.h"
#include "ddbg/rca.h"
#include "ddbg/store.h"

namespace ddbg {
namespace {

constexpr int64_t kFiveMin = 5LL * 60 * 1000000000LL;
const std::string kDay = std::string(DDBG_SHARED_DATA) + "/rca/trainticket-2023-01-29/";

struct Label {
  int64_t inject_ns = 0;
  std::string service, type;
};

std::vector<Label> Labels() {
  std::ifstream in(kDay + "labels.json");
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  std::regex one(R"re("inject_unix_nano":\s*(\d+),\s*"pod":\s*"[^"]*",\s*"service":\s*"([^"]+)",\s*"type":\s*"([^"]+)")re");
  std::vector<Label> out;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), one); it != std::sregex_iterator(); ++it) {
    out.push_back({std::stoll((*it)[1]), (*it)[2], (*it)[3]});
  }
  return out;
}

class RealQueueing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/ddbg-rca-real-XXXXXX";
    dir_ = new std::string(::mkdtemp(tmpl));
    auto store = OpenEmbeddedStore(*dir_ + "/store");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = store->release();
    Result<IngestReport> r = Ingest({kDay + "traces.otlp.jsonl.gz"}, *store_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  static void TearDownTestSuite() {
    delete store_;
    std::error_code ec;
    std::filesystem::remove_all(*dir_, ec);
    delete dir_;
  }
  static RcaReport Rank(int64_t inject_ns) {
    RcaOptions o;
    o.has_window = true;
    o.window = {inject_ns, inject_ns + kFiveMin};
    o.top = 50;
    Result<RcaReport> r = RunRca(*store_, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : RcaReport{};
  }
  static std::string* dir_;
  static Store* store_;
};
std::string* RealQueueing::dir_ = nullptr;
Store* RealQueueing::store_ = nullptr;

bool HasQueueing(const RcaSuspect& s) {
  for (const RcaEvidence& e : s.evidence) {
    if (e.signal == "queueing") return true;
  }
  return false;
}

TEST_F(RealQueueing, CpuHogsAreInTheTopThreeAndNothingElseQueues) {
  std::vector<Label> labels = Labels();
  ASSERT_EQ(labels.size(), 28u);
  int hogs = 0;
  for (const Label& l : labels) {
    RcaReport report = Rank(l.inject_ns);
    if (l.type == "cpu_contention") {
      ++hogs;
      std::vector<std::string> services;
      bool queues = false;
      for (const RcaSuspect& s : report.suspects) {
        if (s.kind != "service") continue;
        if (services.size() < 3) services.push_back(s.service);
        if (s.service == l.service) queues = HasQueueing(s);
      }
      EXPECT_NE(std::find(services.begin(), services.end(), l.service), services.end())
          << l.service << " at " << l.inject_ns << "\n" << RcaReportTable(report);
      EXPECT_TRUE(queues) << l.service << " at " << l.inject_ns;
    } else {
      for (const RcaSuspect& s : report.suspects) {
        EXPECT_FALSE(HasQueueing(s)) << s.service << " in the window of the " << l.type
                                     << " fault of " << l.service << " at " << l.inject_ns;
      }
    }
  }
  EXPECT_EQ(hogs, 4);
}

}  // namespace
}  // namespace ddbg

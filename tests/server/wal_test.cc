// The write-ahead log: records come back in order after reopening, a torn tail is cut (and
// never invents records), concurrent appends share group commits.
#include "server/wal.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "server/server_test_util.h"

namespace ddbg::server {
namespace {

using server_test::ScratchDir;

std::vector<std::pair<uint64_t, std::string>> ReplayAll(Wal& wal, uint64_t after = 0) {
  std::vector<std::pair<uint64_t, std::string>> got;
  EXPECT_TRUE(wal.Replay(after, [&](uint64_t lsn, WalRecordType, std::string_view body) {
                   got.emplace_back(lsn, std::string(body));
                   return Status::Ok();
                 }).ok());
  return got;
}

TEST(Wal, RecordsAreReplayedInOrderAfterReopen) {
  ScratchDir dir;
  {
    auto wal = Wal::Open(dir.path(), 1 << 20);
    ASSERT_TRUE(wal.ok());
    EXPECT_TRUE(ReplayAll(**wal).empty());
    for (int i = 0; i < 5; ++i) {
      auto lsn = (*wal)->Append(WalRecordType::kTracesJson, "body-" + std::to_string(i));
      ASSERT_TRUE(lsn.ok());
      EXPECT_EQ(*lsn, static_cast<uint64_t>(i + 1));
    }
  }
  auto wal = Wal::Open(dir.path(), 1 << 20);
  auto got = ReplayAll(**wal, 2);  // the store holds 1 and 2
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], std::make_pair(uint64_t{3}, std::string("body-2")));
  EXPECT_EQ(got[2], std::make_pair(uint64_t{5}, std::string("body-4")));
  EXPECT_EQ(*(*wal)->Append(WalRecordType::kLogsProto, "next"), 6u);
}

TEST(Wal, TornTailIsCutAndNothingIsInvented) {
  ScratchDir dir;
  {
    auto wal = Wal::Open(dir.path(), 1 << 20);
    ReplayAll(**wal);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*wal)->Append(WalRecordType::kTracesProto, "x" + std::to_string(i)).ok());
  }
  std::string file;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) file = e.path();
  std::filesystem::resize_file(file, std::filesystem::file_size(file) - 3);  // cut record 3
  auto wal = Wal::Open(dir.path(), 1 << 20);
  auto got = ReplayAll(**wal);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].second, "x1");
  EXPECT_EQ(*(*wal)->Append(WalRecordType::kTracesProto, "again"), 3u);
}

TEST(Wal, ConcurrentAppendsShareGroupCommitsAndReleaseDeletesOldFiles) {
  ScratchDir dir;
  auto wal = Wal::Open(dir.path(), 4096);  // small files: many rotations
  ReplayAll(**wal);
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> lsns;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        auto lsn = (*wal)->Append(WalRecordType::kTracesJson, std::string(300, 'a'));
        ASSERT_TRUE(lsn.ok());
        std::lock_guard<std::mutex> l(mu);
        lsns.insert(*lsn);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(lsns.size(), 320u);
  EXPECT_EQ(*lsns.rbegin(), 320u);
  WalStats st = (*wal)->Stats();
  EXPECT_LT(st.syncs, 320u);
  EXPECT_GT(st.files, 2u);
  (*wal)->ReleaseUpTo(320);
  EXPECT_EQ((*wal)->Stats().files, 1u);  // the file being written stays
}

}  // namespace
}  // namespace ddbg::server

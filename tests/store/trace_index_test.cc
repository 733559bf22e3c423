// Distinct counts and unions over the segments' sorted index lists (Stats()).
#include <gtest/gtest.h>

#include "store/embedded/trace_index.h"

namespace ddbg::store {
namespace {

TEST(TraceIndexUnion, CountsDistinctTraceIdsAcrossOverlappingLists) {
  std::vector<TraceId> a = {{0, 1}, {0, 3}, {1, 0}}, b = {{0, 2}, {0, 3}, {2, 0}}, empty;
  EXPECT_EQ(CountDistinctTraceIds({&a, &b, &empty}), 5u);
  EXPECT_EQ(CountDistinctTraceIds({&a}), 3u);
  EXPECT_EQ(CountDistinctTraceIds({}), 0u);
}

TEST(TraceIndexUnion, UnsortedOrRepeatingListsAreSortedFirst) {
  std::vector<TraceId> unsorted = {{0, 9}, {0, 1}, {0, 9}, {0, 4}}, sorted = {{0, 1}, {0, 5}};
  EXPECT_EQ(CountDistinctTraceIds({&unsorted, &sorted}), 4u);
  std::vector<std::string> s1 = {"b", "a", "b"}, s2 = {"a", "c"};
  EXPECT_EQ(UnionStrings({&s1, &s2}), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(TraceIndexUnion, UnionKeepsTheSmallestStringsAndCountsAll) {
  std::vector<std::string> s1 = {"orders-1", "orders-3", "pay-2"}, s2 = {"orders-2", "orders-3"},
                           s3 = {"", "zz"};
  std::vector<std::string> first;
  EXPECT_EQ(UnionStrings({&s1, &s2, &s3}, 3, &first), 6u);
  EXPECT_EQ(first, (std::vector<std::string>{"", "orders-1", "orders-2"}));
  EXPECT_EQ(UnionStrings({&s1, &s2, &s3}, 0, &first), 6u);
  EXPECT_TRUE(first.empty());
}

}  // namespace
}  // namespace ddbg::store

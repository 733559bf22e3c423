// The small parts the rca signals rely on: which log statement a template comes from, and
// which other service an error line names.
#include <gtest/gtest.h>

#include <string_view>
#include <unordered_set>

#include "analysis/rca/log_collector.h"

namespace ddbg::rca {
namespace {

TEST(RcaStatement, CodeLocationInTheHeaderIsTheStatement) {
  EXPECT_EQ(
      StatementOf("<*> INFO c.s.ContactsServiceImpl#31 TraceID: <*> FIND CONTACTS BY ID: <*>"),
      "c.s.ContactsServiceImpl#31");
  EXPECT_EQ(StatementOf("[Foo.java:42] started <*> workers"), "Foo.java:42");
  EXPECT_EQ(StatementOf("server.go:7: listening on <*>"), "server.go:7");
}

TEST(RcaStatement, TemplatesWithoutALocationStayWhole) {
  EXPECT_EQ(StatementOf("connection reset by peer <*>"), "connection reset by peer <*>");
  // A ratio or a port is not a code location; a location deep in the message is not the
  // log statement's.
  EXPECT_EQ(StatementOf("retry 3:5 of <*>"), "retry 3:5 of <*>");
  EXPECT_EQ(StatementOf("a b c d e f g Foo.java:42"), "a b c d e f g Foo.java:42");
}

TEST(RcaNamedPeer, FindsAnotherKnownServiceInTheBody) {
  std::unordered_set<std::string_view> services = {"ts-basic-service", "ts-food-service",
                                                   "payment"};
  EXPECT_EQ(NamedPeer("IllegalStateException: No instances available for ts-basic-service]",
                      "ts-food-service", services),
            "ts-basic-service");
  EXPECT_EQ(NamedPeer("dial tcp: lookup payment:8080: connection refused", "checkout", services),
            "payment");
  // Its own name, a longer word containing a name, or no name: nothing.
  EXPECT_EQ(NamedPeer("ts-food-service failed", "ts-food-service", services), "");
  EXPECT_EQ(NamedPeer("paymentgateway timed out", "checkout", services), "");
  EXPECT_EQ(NamedPeer("", "checkout", services), "");
}

}  // namespace
}  // namespace ddbg::rca

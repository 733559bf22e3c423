#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "ddbg/events.h"
#include "ddbg/postgres_source.h"
#include "e2e/cli_util.h"
#include "events/events_test_util.h"
#include "events/postgres_server.h"

namespace ddbg {
namespace {

using events_test::ScratchStore;

// One real PostgreSQL 15 for every test of this file.
class PostgresSource : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new testing::PostgresServer();
    ASSERT_TRUE(server_->running()) << server_->error();
    ASSERT_EQ(server_->Exec(R"(
      CREATE TABLE events (
        id bigserial PRIMARY KEY, stream_id text NOT NULL, version int, event_id uuid,
        event_type text, created_at timestamptz NOT NULL, payload jsonb, metadata jsonb,
        correlation_id text, causation_id text, service text);
      INSERT INTO events (stream_id, version, event_id, event_type, created_at, payload,
                          correlation_id, service)
      SELECT 'order-' || (g % 100), g / 100 + 1, md5(g::text)::uuid,
             CASE WHEN g / 100 = 0 THEN 'OrderPlaced' ELSE 'ItemAdded' END,
             timestamptz '2025-01-15 10:00:00+00' + g * interval '1 second',
             jsonb_build_object('n', g, 'status', 'open'), 'corr-' || (g % 100), 'orders'
      FROM generate_series(0, 2499) g;
      CREATE SCHEMA legacy;
      CREATE TABLE legacy.domain_events (aggregate text, seq text, kind text, at text, body text);
      INSERT INTO legacy.domain_events VALUES
        ('acct-1', '1', 'Opened', '2025-01-15T10:00:00Z', '{"balance":0}'),
        ('acct-1', '2', 'Deposited', '2025-01-15T10:01:00Z', '{"balance":50}'),
        ('acct-1', 'x', 'Broken', '2025-01-15T10:02:00Z', '{}'),
        ('acct-1', '4', 'Late', 'not a time', '{}');
      CREATE SCHEMA proj;
      CREATE TABLE proj.checkpoints (projection_name text PRIMARY KEY,
        last_processed_at timestamptz, last_event_id text, position bigint);
      INSERT INTO proj.checkpoints VALUES
        ('orders_view', timestamptz '2025-01-15 10:39:39+00', 'e-2379', 2380),
        ('billing', timestamptz '2025-01-15 12:31:39+02', 'e-1899', 1900),
        ('audit', timestamptz '2025-01-15 09:56:39+00', NULL, 0),
        ('search', NULL, NULL, NULL);
    )"),
              "");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static testing::PostgresServer* server_;
};
testing::PostgresServer* PostgresSource::server_ = nullptr;

TEST_F(PostgresSource, IngestsEveryRowInBatchesWithProgress) {
  ScratchStore s;
  PostgresIngestOptions options;
  options.batch_rows = 700;
  std::vector<uint64_t> progress;
  options.on_progress = [&](uint64_t rows) { progress.push_back(rows); };
  auto stats = IngestPostgresEvents(server_->url(), options, s.store());
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->events, 2500u);
  EXPECT_EQ(stats->rejected, 0u);
  EXPECT_EQ(progress, (std::vector<uint64_t>{700, 1400, 2100, 2500}));
  auto st = s.store().Stats();
  EXPECT_EQ(st->events, 2500u);
  EXPECT_EQ(st->streams, 100u);
  auto stream = LoadStream(s.store(), "order-7");
  ASSERT_TRUE(stream.ok());
  ASSERT_EQ(stream->size(), 25u);
  EXPECT_EQ((*stream)[0].type, "OrderPlaced");
  EXPECT_EQ((*stream)[0].correlation_id, "corr-7");
  EXPECT_EQ((*stream)[24].version, 25u);
  auto r = CheckIntegrity(s.store(), {.now_ns = stream->back().time_ns});
  EXPECT_EQ(r->total(), 0u);
}

TEST_F(PostgresSource, ColumnMappingAndRejectedRows) {
  ScratchStore s;
  PostgresIngestOptions options;
  options.table = "legacy.domain_events";
  ASSERT_TRUE(ParsePostgresMapping("stream=aggregate,version=seq,type=kind,time=at,payload=body,"
                                   "event_id=,metadata=,correlation_id=,causation_id=,service=",
                                   &options.mapping)
                  .ok());
  auto stats = IngestPostgresEvents(server_->url(), options, s.store());
  ASSERT_TRUE(stats.ok()) << stats.status().message();
  EXPECT_EQ(stats->events, 2u);
  EXPECT_EQ(stats->rejected, 2u);
  auto state = FoldUntil(*LoadStream(s.store(), "acct-1"), INT64_MAX, *NewMergePatchReducer());
  EXPECT_EQ(state->ToJson(), R"({"balance":50})");
}

TEST_F(PostgresSource, ClearErrorsForBadMappingTableAndServer) {
  PostgresEventMapping m;
  EXPECT_FALSE(ParsePostgresMapping("colour=x", &m).ok());
  EXPECT_FALSE(ParsePostgresMapping("stream", &m).ok());
  ScratchStore s;
  PostgresIngestOptions options;
  options.table = "no_such_table";
  auto r = IngestPostgresEvents(server_->url(), options, s.store());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_table"), std::string::npos);
  r = IngestPostgresEvents("postgresql://postgres@/postgres?host=/nonexistent", {}, s.store());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("cannot connect"), std::string::npos);
}

TEST_F(PostgresSource, CliIngestsFromAPostgresUrl) {
  std::string data = ddbg_e2e::TempDir("pg-cli");
  auto r = ddbg_e2e::Ddbg("ingest --data " + data + " '" + server_->url() +
                          "' --events-table events -q");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2500 events; 0 rejected"), std::string::npos) << r.out;
  r = ddbg_e2e::Ddbg("state at order-3 --data " + data + " --format json");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"events_applied\":25"), std::string::npos) << r.out;
  std::filesystem::remove_all(data);
}

// Projection checkpoints read from a table: the 2500 events run from 10:00:00 to 10:41:39,
// one a second.
TEST_F(PostgresSource, ProjectionLagFromACheckpointTable) {
  ScratchStore s;
  ASSERT_TRUE(IngestPostgresEvents(server_->url(), {}, s.store()).ok());
  auto rows = ReadPostgresRowsAsJson(server_->url(), "proj.checkpoints");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  auto cps = ParseCheckpoints(*rows, "table proj.checkpoints");
  ASSERT_TRUE(cps.ok()) << cps.status().message();
  auto r = ComputeProjectionLag(s.store(), *cps);
  ASSERT_TRUE(r.ok());
  std::map<std::string, std::tuple<int64_t, uint64_t, ProjectionHealth>> got;
  for (const auto& p : r->projections) {
    got[p.checkpoint.projection] = {p.lag_ns, p.events_behind, p.health};
  }
  constexpr int64_t kMin = 60'000'000'000;
  EXPECT_EQ(got["orders_view"], std::make_tuple(2 * kMin, uint64_t{120}, ProjectionHealth::kHealthy));
  EXPECT_EQ(got["billing"], std::make_tuple(10 * kMin, uint64_t{600}, ProjectionHealth::kWarning));
  EXPECT_EQ(got["audit"], std::make_tuple(45 * kMin, uint64_t{2500}, ProjectionHealth::kCritical));
  EXPECT_EQ(std::get<2>(got["search"]), ProjectionHealth::kCritical);
  EXPECT_EQ(got.size(), 4u);
}

TEST_F(PostgresSource, CliProjectionLagFromATable) {
  std::string data = ddbg_e2e::TempDir("pg-proj");
  auto r = ddbg_e2e::Ddbg("ingest --data " + data + " '" + server_->url() +
                          "' --events-table events -q");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = ddbg_e2e::Ddbg("projections lag --data " + data + " --checkpoints '" + server_->url() +
                     "' --table proj.checkpoints");
  EXPECT_EQ(r.exit_code, 2) << r.out;  // audit and search are critical
  EXPECT_NE(r.out.find("billing"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning"), std::string::npos) << r.out;
  r = ddbg_e2e::Ddbg("projections lag --data " + data + " --checkpoints '" + server_->url() +
                     "' --table proj.missing");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("proj"), std::string::npos) << r.out;
  std::filesystem::remove_all(data);
}

}  // namespace
}  // namespace ddbg

// PostgreSQL as an event source: reads an events table through libpq with a server-side
// cursor, in batches, mapping its columns to the domain-event model (the mapping names the
// column of each field; absent fields are left empty), and appends the events to a Store.
// Thread-safety: one call per connection; nothing is shared.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ddbg/decode.h"
#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg {

// Column of each event field; an empty name means the table has no such column.
struct PostgresEventMapping {
  std::string stream = "stream_id";
  std::string version = "version";
  std::string event_id = "event_id";
  std::string type = "event_type";
  std::string time = "created_at";
  std::string payload = "payload";
  std::string metadata = "metadata";
  std::string correlation_id = "correlation_id";
  std::string causation_id = "causation_id";
  std::string service = "service";
};

// Applies "field=column,…" (fields: stream, version, event_id, type, time, payload, metadata,
// correlation_id, causation_id, service; an empty column drops the field) to `mapping`.
Status ParsePostgresMapping(std::string_view text, PostgresEventMapping* mapping);

struct PostgresIngestOptions {
  std::string table = "events";  // "table" or "schema.table"
  PostgresEventMapping mapping;
  size_t batch_rows = 10000;
  std::function<void(uint64_t rows)> on_progress;  // after each fetched batch
};

// True for "postgres://…" and "postgresql://…".
bool IsPostgresUrl(std::string_view s);

// Reads every row of the table (ordered by time, then version) into the store. Rows that do
// not map (no stream, unreadable time or version) are rejected in stats with their row
// number. IOError when the server cannot be reached or the query fails.
Result<DecodeStats> IngestPostgresEvents(const std::string& url,
                                         const PostgresIngestOptions& options, Store& store);

// Every row of `table` ("table" or "schema.table") as one JSON object per line, keyed by
// column name (row_to_json; times in UTC with an offset), e.g. a table of projection
// checkpoints for ParseCheckpoints. IOError when the server or the query fails.
Result<std::string> ReadPostgresRowsAsJson(const std::string& url, const std::string& table);

}  // namespace ddbg

// IngestPostgresEvents: libpq, a read-only transaction with a NO SCROLL cursor over the
// mapped columns (all cast to text so jsonb, timestamptz and numbers arrive uniformly), and
// FETCH in batches; each batch is decoded into an EventBatch and appended to the store.
#include "ddbg/postgres_source.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <memory>
#include <vector>

#include "util/time_parse.h"

namespace ddbg {
namespace {

enum Field { kStream, kVersion, kEventId, kType, kTime, kPayload, kMetadata, kCorr, kCause, kService, kFields };
constexpr const char* kFieldNames[kFields] = {"stream",   "version",        "event_id",
                                              "type",     "time",           "payload",
                                              "metadata", "correlation_id", "causation_id",
                                              "service"};

std::string* FieldOf(PostgresEventMapping* m, int f) {
  std::string* fields[kFields] = {&m->stream,   &m->version,        &m->event_id,
                                  &m->type,     &m->time,           &m->payload,
                                  &m->metadata, &m->correlation_id, &m->causation_id,
                                  &m->service};
  return fields[f];
}

struct PgDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
  void operator()(PGresult* r) const { PQclear(r); }
};
using Conn = std::unique_ptr<PGconn, PgDeleter>;
using Res = std::unique_ptr<PGresult, PgDeleter>;

std::string Quoted(PGconn* conn, std::string_view name) {
  char* q = PQescapeIdentifier(conn, name.data(), name.size());
  std::string out = q != nullptr ? q : "";
  PQfreemem(q);
  return out;
}

// "schema.table" -> "\"schema\".\"table\"".
std::string QuotedTable(PGconn* conn, const std::string& table) {
  size_t dot = table.find('.');
  if (dot == std::string::npos) return Quoted(conn, table);
  return Quoted(conn, table.substr(0, dot)) + "." + Quoted(conn, table.substr(dot + 1));
}

Status Exec(PGconn* conn, const std::string& sql, Res* out = nullptr) {
  Res r(PQexec(conn, sql.c_str()));
  ExecStatusType st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    return Status::IOError(fmt::format("postgres: {}", PQerrorMessage(conn)));
  }
  if (out != nullptr) *out = std::move(r);
  return Status::Ok();
}

class RowDecoder {
 public:
  RowDecoder(const std::string& table, DecodeStats* stats) : table_(table), stats_(stats) {}

  void Decode(PGresult* r, int row, uint64_t number, EventBatch* batch) {
    auto text = [&](int f) -> std::string_view {
      return PQgetisnull(r, row, f) ? std::string_view() : std::string_view(PQgetvalue(r, row, f), PQgetlength(r, row, f));
    };
    auto intern = [&](int f) { return batch->dict.Intern(text(f)); };
    EventRow e;
    e.stream = intern(kStream);
    if (e.stream == kEmptyStr) return Reject(number, "no stream id");
    std::string_view v = text(kVersion);
    if (!v.empty()) {
      auto res = std::from_chars(v.data(), v.data() + v.size(), e.version);
      if (res.ec != std::errc() || res.ptr != v.data() + v.size()) {
        return Reject(number, fmt::format("version must be a non-negative integer, got '{}'", v));
      }
    }
    std::string_view t = text(kTime);
    if (t.empty() || !ParseTimestampText(t, &e.time_ns)) {
      return Reject(number, fmt::format("cannot read time '{}'", t));
    }
    e.event_id = intern(kEventId);
    e.event_type = intern(kType);
    e.payload = intern(kPayload);
    e.metadata = intern(kMetadata);
    e.correlation_id = intern(kCorr);
    e.causation_id = intern(kCause);
    e.service = intern(kService);
    batch->CommitEvent(e);
    ++stats_->events;
  }

 private:
  void Reject(uint64_t number, std::string reason) {
    ++stats_->rejected;
    if (stats_->rejections.size() < DecodeStats::kMaxKeptRejections) {
      stats_->rejections.push_back({"table " + table_, number, 0, std::move(reason)});
    } else {
      ++stats_->rejections_dropped;
    }
  }
  std::string table_;
  DecodeStats* stats_;
};

}  // namespace

Status ParsePostgresMapping(std::string_view text, PostgresEventMapping* mapping) {
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("mapping '{}' must be field=column", item));
    }
    std::string_view field = item.substr(0, eq);
    int f = 0;
    while (f < kFields && field != kFieldNames[f]) ++f;
    if (f == kFields) {
      return Status::InvalidArgument(fmt::format(
          "unknown field '{}' in mapping (fields: stream, version, event_id, type, time, payload, "
          "metadata, correlation_id, causation_id, service)",
          field));
    }
    *FieldOf(mapping, f) = std::string(item.substr(eq + 1));
  }
  if (mapping->stream.empty() || mapping->time.empty()) {
    return Status::InvalidArgument("the mapping needs a stream and a time column");
  }
  return Status::Ok();
}

bool IsPostgresUrl(std::string_view s) {
  return s.rfind("postgres://", 0) == 0 || s.rfind("postgresql://", 0) == 0;
}

namespace {

// Connects, with the session in UTC so that times print with an explicit offset.
Status Connect(const std::string& url, Conn* conn) {
  conn->reset(PQconnectdb(url.c_str()));
  if (PQstatus(conn->get()) != CONNECTION_OK) {
    return Status::IOError(
        fmt::format("cannot connect to PostgreSQL: {}", PQerrorMessage(conn->get())));
  }
  return Exec(conn->get(), "SET TIME ZONE 'UTC'");
}

}  // namespace

Result<DecodeStats> IngestPostgresEvents(const std::string& url,
                                         const PostgresIngestOptions& options, Store& store) {
  Conn conn;
  DDBG_RETURN_IF_ERROR(Connect(url, &conn));
  PGconn* c = conn.get();
  PostgresEventMapping m = options.mapping;
  std::string columns;
  for (int f = 0; f < kFields; ++f) {
    if (f > 0) columns += ", ";
    const std::string& col = *FieldOf(&m, f);
    columns += col.empty() ? "NULL::text" : Quoted(c, col) + "::text";
  }
  std::string order = Quoted(c, m.time) + (m.version.empty() ? "" : ", " + Quoted(c, m.version));
  DDBG_RETURN_IF_ERROR(Exec(c, "BEGIN READ ONLY"));
  DDBG_RETURN_IF_ERROR(Exec(c, fmt::format("DECLARE ddbg_events NO SCROLL CURSOR FOR SELECT {} "
                                           "FROM {} ORDER BY {}",
                                           columns, QuotedTable(c, options.table), order)));
  DecodeStats stats;
  RowDecoder decoder(options.table, &stats);
  EventBatch batch;
  uint64_t rows = 0;
  std::string fetch = fmt::format("FETCH {} FROM ddbg_events", std::max<size_t>(options.batch_rows, 1));
  for (;;) {
    Res r;
    DDBG_RETURN_IF_ERROR(Exec(c, fetch, &r));
    int n = PQntuples(r.get());
    if (n == 0) break;
    batch.Clear();
    for (int i = 0; i < n; ++i) decoder.Decode(r.get(), i, ++rows, &batch);
    DDBG_RETURN_IF_ERROR(store.AppendEvents(batch));
    if (options.on_progress) options.on_progress(rows);
  }
  DDBG_RETURN_IF_ERROR(Exec(c, "COMMIT"));
  return stats;
}

Result<std::string> ReadPostgresRowsAsJson(const std::string& url, const std::string& table) {
  Conn conn;
  DDBG_RETURN_IF_ERROR(Connect(url, &conn));
  Res r;
  DDBG_RETURN_IF_ERROR(Exec(conn.get(),
                            fmt::format("SELECT row_to_json(t)::text FROM {} t",
                                        QuotedTable(conn.get(), table)),
                            &r));
  std::string out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    out.append(PQgetvalue(r.get(), i, 0), PQgetlength(r.get(), i, 0));
    out += '\n';
  }
  return out;
}

}  // namespace ddbg

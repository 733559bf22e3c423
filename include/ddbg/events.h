// Event-sourcing analyses over the domain events of a Store: stream integrity, the state of
// an aggregate at a time T (JSON merge-patch fold, or Lua reducers run in a sandbox), step-by-
// step replay with breakpoints and watches, state diffs, cross-service consistency of one
// entity, projection lag from checkpoints, and workflow timelines.
// Thread-safety: functions are reentrant; a Reducer or StateHistory belongs to one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "ddbg/json_value.h"
#include "ddbg/status.h"
#include "ddbg/store.h"

namespace ddbg {

// One event of a stream, copied out of the store's batches.
struct StreamEvent {
  std::string stream;
  uint64_t version = 0;
  std::string event_id;
  std::string type;
  int64_t time_ns = 0;
  std::string payload;   // JSON text as stored
  std::string metadata;  // JSON text as stored
  std::string correlation_id;
  std::string causation_id;
  std::string service;
};

// Row `row` of a stored event batch as a StreamEvent.
StreamEvent StreamEventAt(const EventBatch& batch, size_t row);

// Every event of `stream` (optionally only those in `time`), in version order (events
// without a version by time). NotFound when the stream has no event.
Result<std::vector<StreamEvent>> LoadStream(Store& store, const std::string& stream,
                                            TimeRange time = {});

// ---------------------------------------------------------------------------------------
// Integrity

enum class IntegrityIssueKind : uint8_t {
  kVersionGap,        // versions missing between two events (or before the first)
  kDuplicateVersion,  // two events with the same version in one stream
  kDuplicateEventId,  // an event id seen before (in any stream)
  kInvalidPayload,    // payload is not valid JSON
  kFutureTimestamp,   // more than 5 minutes after `now`
  kAncientTimestamp,  // more than 10 years before `now`
  kTimeBackwards,     // a version whose time is earlier than the previous version's
  kMissingVersion,    // an event without a version number
};
const char* IntegrityIssueKindName(IntegrityIssueKind kind);  // "version-gap", …

struct IntegrityIssue {
  IntegrityIssueKind kind = IntegrityIssueKind::kVersionGap;
  std::string stream;
  uint64_t version = 0;  // the event where the issue shows (for a gap: the one after it)
  std::string detail;    // "versions 2..3 missing", "event id e7 also at order-1 v2" …
};

struct IntegrityOptions {
  std::vector<std::string> streams = {};  // empty: every stream
  int64_t now_ns = 0;                // 0: the wall clock
  int64_t future_slack_ns = 5LL * 60 * 1000000000;
  int64_t max_age_ns = 10LL * 365 * 24 * 3600 * 1000000000;
  size_t max_examples = 20;  // examples kept per issue kind
};

struct IntegrityReport {
  uint64_t events = 0;
  uint64_t streams = 0;
  uint64_t counts[8] = {};  // per IntegrityIssueKind
  std::vector<IntegrityIssue> examples;  // up to max_examples per kind, in stream order
  std::vector<std::string> affected_streams;  // sorted, distinct
  uint64_t total() const;
  uint64_t count(IntegrityIssueKind k) const { return counts[static_cast<int>(k)]; }
};

Result<IntegrityReport> CheckIntegrity(Store& store, const IntegrityOptions& options = {});

// ---------------------------------------------------------------------------------------
// State: reducers and folds

// Folds one event into a state. A reducer error names the event (stream, version, type).
class Reducer {
 public:
  virtual ~Reducer() = default;
  virtual Status Apply(const StreamEvent& event, JsonValue* state) = 0;
};

// RFC 7386 merge patch of each payload into the state. A payload that is not valid JSON is
// an InvalidArgument error naming the event.
std::unique_ptr<Reducer> NewMergePatchReducer();

struct LuaLimits {
  uint64_t max_instructions = 10'000'000;  // per event
  size_t max_memory_bytes = 64 << 20;      // per reducer state (all scripts together)
};

// Lua 5.4 reducers from `dir`: `<EventType>.lua` handles that type, `_default.lua` (when
// present) every other type, and types without a script fall back to merge patch. A script
// runs with globals `state` (the state so far, a table) and `event` (type, version, stream,
// id, time, payload, metadata, correlation_id, causation_id, service); it returns the new
// state, or returns nothing to keep `state` as it modified it. Scripts run in a sandbox: no
// io, os, require, dofile, loadfile or bytecode; an instruction limit and a memory limit.
Result<std::unique_ptr<Reducer>> LoadLuaReducers(const std::string& dir,
                                                 const LuaLimits& limits = {});

// An evaluator of small Lua expressions over `state` and `event` (breakpoints, watches),
// with the same sandbox and limits.
class StateExpression {
 public:
  virtual ~StateExpression() = default;
  // The value of the expression (nil becomes null). A runtime error is an error Status.
  virtual Result<JsonValue> Eval(const JsonValue& state, const StreamEvent& event) = 0;
  virtual const std::string& text() const = 0;
};
// Compiles `expr` ("state.status == 'cancelled'", "state.total > 1000"); InvalidArgument
// with Lua's message when it does not compile.
Result<std::unique_ptr<StateExpression>> CompileStateExpression(const std::string& expr,
                                                                 const LuaLimits& limits = {});

// The history of one stream with states snapshotted every `snapshot_every` events, so the
// state after any prefix (and at any time) costs at most snapshot_every folds.
class StateHistory {
 public:
  // Folds the whole stream once. Fails with the reducer's error.
  static Result<StateHistory> Build(std::vector<StreamEvent> events, Reducer* reducer,
                                    size_t snapshot_every = 1000);
  const std::vector<StreamEvent>& events() const { return events_; }
  // The number of events in effect at time t: the longest version-ordered prefix whose
  // events all happened at or before t.
  size_t PrefixAt(int64_t t) const;
  // The state after the first `count` events.
  Result<JsonValue> StateAfter(size_t count) const;
  Result<JsonValue> StateAt(int64_t t) const { return StateAfter(PrefixAt(t)); }
  size_t snapshots() const { return snapshot_states_.size(); }

 private:
  std::vector<StreamEvent> events_;
  std::vector<int64_t> prefix_max_time_;
  size_t every_ = 1000;
  std::vector<JsonValue> snapshot_states_;  // state after k*every_ events, k = 0, 1, …
  Reducer* reducer_ = nullptr;
};

// Folds `events` (in order) up to and including the last one at or before `t`.
Result<JsonValue> FoldUntil(const std::vector<StreamEvent>& events, int64_t t, Reducer& reducer);

// Persisted snapshots (store named blobs "snap-<hash>", one per stream and reducer): the
// state after every `every` events of the stream, each recorded with the version and time
// of the last event folded and the store segment the stream was read through, and a
// summary of the stream's events per store segment. A later call starts from the latest
// snapshot in effect at T that no later-committed event invalidates (decided from the
// summaries, without reading the events before it) and reads only the segments that can
// hold events between it and T, so it folds at most about `every` events.
struct SnapshotOptions {
  size_t every = 1000;  // 0: no snapshots (fold from the first event, write nothing)
  std::string reducer_id = "merge-patch";  // ReducerId(): states of different reducers differ
  bool write = true;                       // add missing snapshots (needs a writable store)
};
struct SnapshotUse {
  size_t events = 0;         // events of the stream
  size_t applied = 0;        // events in effect at t
  size_t from_snapshot = 0;  // events covered by the snapshot started from (0: none)
  size_t folded = 0;         // events folded on top of it
  size_t written = 0;        // snapshots added to the store
  size_t segments_read = 0;  // store segments whose events were read for the fold
};
// The state of `stream` at t, with FoldUntil's semantics over LoadStream's order, from the
// store. NotFound when the stream has no events. A failed snapshot write (read-only store)
// is not an error: use->written stays 0. Streams with unversioned events, and stores that
// do not number their segments, are folded from the first event without snapshots.
Result<JsonValue> StateAtPersisted(Store& store, const std::string& stream, int64_t t,
                                   Reducer& reducer, const SnapshotOptions& options,
                                   SnapshotUse* use);
// "merge-patch", or "lua-<hash of the directory's .lua files>".
Result<std::string> ReducerId(const std::string& reducers_dir);

// ---------------------------------------------------------------------------------------
// Replay

struct ReplayOptions {
  TimeRange time;                      // events outside are skipped (those before still fold)
  std::string break_expr;              // stop after the first event where it is true
  std::vector<std::string> watches;    // expressions printed after each event
  LuaLimits limits;
};

struct ReplayStep {
  const StreamEvent* event = nullptr;
  JsonValue state;                  // after the event
  std::vector<JsonValue> watched;   // one per watch
  bool breakpoint_hit = false;
};

// Replays the stream, calling `on_step` after each event in the range; stops at the first
// breakpoint hit (after reporting it) or when on_step returns false. Returns whether a
// breakpoint was hit.
Result<bool> Replay(const std::vector<StreamEvent>& events, Reducer& reducer,
                    const ReplayOptions& options,
                    const std::function<bool(const ReplayStep&)>& on_step);

// ---------------------------------------------------------------------------------------
// Cross-service consistency

struct ConsistencyRules {
  std::string entity_key = "order_id";  // payload field naming the entity
  // Groups of payload fields that must agree across services (e.g. total/amount/value).
  struct FieldGroup {
    std::string name;
    std::vector<std::string> fields;
  };
  std::vector<FieldGroup> compare = {{"amount", {"total", "amount", "declared_value"}},
                                     {"currency", {"currency"}}};
  // The status field and the terminal outcomes its values mean; services whose outcomes
  // differ (one completed, one aborted) disagree. Other values (in progress) never do.
  std::string status_field = "status";
  std::vector<std::string> completed = {"confirmed", "committed", "captured", "scheduled",
                                        "executed",  "shipped",   "delivered", "paid",
                                        "completed", "succeeded"};
  std::vector<std::string> aborted = {"cancelled", "canceled", "released", "declined",
                                      "failed",    "rejected", "refunded", "aborted"};
};
// Reads rules from JSON: {"entity_key":…, "compare":[{"name":…,"fields":[…]}],
// "status_field":…, "completed":[…], "aborted":[…]}; missing members keep the defaults.
Result<ConsistencyRules> ParseConsistencyRules(std::string_view json);

struct ServiceView {
  std::string service;
  std::string stream;
  JsonValue state;  // at the requested time
};
struct Disagreement {
  std::string field;  // group name, or "status" (outcome)
  std::vector<std::pair<std::string, std::string>> values;  // (service, value as text)
  int64_t since_ns = 0;  // since when the views have disagreed on it without interruption
};
struct ConsistencyReport {
  std::string entity;
  int64_t at_ns = 0;
  std::vector<ServiceView> views;
  std::vector<Disagreement> disagreements;
  // The traces named in the metadata (trace_id) of the events folded, distinct, in order of
  // first appearance: the requests that wrote the views.
  std::vector<TraceId> trace_ids;
};

// Reconstructs each service's view of `entity` at `at_ns` and reports disagreements.
Result<ConsistencyReport> CheckConsistency(Store& store, const std::string& entity,
                                           int64_t at_ns, const ConsistencyRules& rules,
                                           Reducer& reducer);
// Every entity of `rules.entity_key` seen by two or more services, checked at the end of
// its events; returns the inconsistent ones, sorted by entity.
Result<std::vector<ConsistencyReport>> CheckAllConsistency(Store& store,
                                                           const ConsistencyRules& rules,
                                                           Reducer& reducer);
// CheckAllConsistency over at most `max_entities` of the entities seen by two or more
// services (all of them when they fit; else those with the smallest hash of their value, a
// deterministic even sample), without holding every event: one column pass finds each
// stream's entity, a second copies only the events of the chosen entities' streams.
struct ConsistencySample {
  uint64_t entities = 0;  // entities seen by two or more services
  uint64_t checked = 0;   // of those, checked
};
Result<std::vector<ConsistencyReport>> CheckConsistencySample(Store& store,
                                                              const ConsistencyRules& rules,
                                                              Reducer& reducer, size_t max_entities,
                                                              ConsistencySample* sample);

// ---------------------------------------------------------------------------------------
// One event scan feeding several analyses

// What the consumers of one shared scan would each compute from a segment, computed once
// between them, each fact when first asked: the XXH3 hash of a stream id, whether a payload
// is valid JSON and the value of the entity key in it (one parse per distinct payload
// gives both). Thread-safety: one object per segment, used by one thread.
class SegmentFacts {
 public:
  // `entity_key`: the payload member Entity reads ("": none).
  SegmentFacts(const EventColumns& segment, std::string entity_key);
  ~SegmentFacts();
  const std::string& entity_key() const { return key_; }
  uint64_t StreamHash(StrId stream);  // XXH3_64bits of the stream id's text
  bool PayloadValid(StrId payload);   // the empty payload is valid
  // The entity key's value in the payload object (a string, or an integer as text); "" when
  // the payload is not an object, not JSON, or lacks the key as a string or integer. Valid
  // until the next call.
  std::string_view Entity(StrId payload);

 private:
  struct Payload;
  const Payload& Parsed(StrId payload);
  const EventColumns& segment_;
  std::string key_, quoted_key_;
  std::vector<uint64_t> stream_hash_;  // 0: not computed yet
  std::vector<Payload> payloads_;
  std::string entities_;  // the entity texts, back to back
};

// A consumer of a shared event scan (ScanEventsShared): the columns it reads (EventColumn
// bits) and what it takes from one segment's. Consume runs on several threads at once, each
// call with a different segment; EventColumns::ordinal gives the segment's scan position.
// `facts` is shared by the consumers of the segment (called one after the other).
class EventScanConsumer {
 public:
  virtual ~EventScanConsumer() = default;
  virtual uint32_t columns() const = 0;
  // The payload member whose value the consumer asks SegmentFacts::Entity for ("": none).
  virtual std::string entity_key() const { return ""; }
  virtual Status Consume(const EventColumns& segment, SegmentFacts& facts) = 0;
};

// One Store::ScanEventColumns pass over `filter` on `threads` threads: the union of the
// consumers' columns is decoded once per segment and each segment handed to every consumer.
Status ScanEventsShared(Store& store, const ScanFilter& filter, int threads,
                        const std::vector<EventScanConsumer*>& consumers);

// CheckIntegrity split around a shared scan (it must cover every event of the streams
// checked): Finish gives what CheckIntegrity gives, reading the store again only for the
// text of duplicate-id examples. Thread-safety: Consume concurrently; Finish once, after.
class IntegrityScan : public EventScanConsumer {
 public:
  explicit IntegrityScan(const IntegrityOptions& options = {});
  ~IntegrityScan() override;
  uint32_t columns() const override;
  Status Consume(const EventColumns& segment, SegmentFacts& facts) override;
  Result<IntegrityReport> Finish(Store& store);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// CheckConsistencySample split around a shared scan of every event: while scanning it finds
// each stream's entity and keeps the events of the streams whose entity hash is among the
// 1.25 x max_entities smallest seen, so Finish usually folds without reading the store again
// (it does one more pass when the entities chosen are not all among those kept).
class ConsistencyScan : public EventScanConsumer {
 public:
  ConsistencyScan(const ConsistencyRules& rules, size_t max_entities);
  ~ConsistencyScan() override;
  uint32_t columns() const override;
  std::string entity_key() const override;
  Status Consume(const EventColumns& segment, SegmentFacts& facts) override;
  Result<std::vector<ConsistencyReport>> Finish(Store& store, Reducer& reducer,
                                                ConsistencySample* sample);
  // Whether Finish had to read the events of the chosen streams again (tests, timings).
  bool reread() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---------------------------------------------------------------------------------------
// Projections

enum class ProjectionHealth : uint8_t { kHealthy, kWarning, kCritical };
const char* ProjectionHealthName(ProjectionHealth h);  // "healthy", "warning", "critical"

struct ProjectionCheckpoint {
  std::string projection;
  int64_t last_processed_ns = 0;  // 0: never processed
  std::string last_event_id;
  uint64_t position = 0;  // events processed, when known
};
// Reads checkpoints as JSON lines or a JSON array of objects with `projection` (or `name`,
// `projection_name`), `last_processed_at` (or `time`, `checkpoint_time`), `last_event_id`,
// `position` (or `events_processed`); or CSV with a header naming those columns.
Result<std::vector<ProjectionCheckpoint>> ParseCheckpoints(std::string_view text,
                                                           const std::string& source);

struct ProjectionLag {
  ProjectionCheckpoint checkpoint;
  int64_t lag_ns = 0;          // head time - last processed (INT64_MAX when never)
  uint64_t events_behind = 0;  // events after the checkpoint time
  ProjectionHealth health = ProjectionHealth::kHealthy;
};
struct ProjectionLagOptions {
  int64_t warning_ns = 5LL * 60 * 1000000000;
  int64_t critical_ns = 30LL * 60 * 1000000000;
};
struct ProjectionLagReport {
  int64_t head_ns = 0;  // the latest event time in the store
  uint64_t head_events = 0;
  std::vector<ProjectionLag> projections;
};
Result<ProjectionLagReport> ComputeProjectionLag(Store& store,
                                                 const std::vector<ProjectionCheckpoint>& cps,
                                                 const ProjectionLagOptions& options = {});

}  // namespace ddbg

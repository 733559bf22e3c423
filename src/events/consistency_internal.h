// The pieces of the cross-service consistency check shared by its one-entity, every-entity
// and sampled forms (consistency.cc, consistency_scan.cc).
// Thread-safety: reentrant; a parser belongs to one thread.
#pragma once

#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ddbg/events.h"

namespace ddbg::events {

// The entity value of a payload ("" when absent or not JSON).
std::string EntityOf(simdjson::dom::parser& parser, std::string_view payload,
                     const std::string& key);
// Appends the entity value of a parsed payload (nothing when absent).
void AppendEntity(simdjson::dom::element doc, const std::string& key, std::string* out);

// Folds the entity's streams side by side up to at_ns.
Result<ConsistencyReport> Evaluate(const std::string& entity, std::vector<StreamEvent> events,
                                   int64_t at_ns, const ConsistencyRules& rules,
                                   Reducer& reducer);

// Row i of the columns as a StreamEvent (every column must have been decoded).
StreamEvent StreamEventOf(const EventColumns& c, size_t i);

// The events of `streams` (each stream's in scan order), decoded by columns on two threads.
Result<std::map<std::string, std::vector<StreamEvent>>> EventsOfStreams(
    Store& store, const std::set<std::string, std::less<>>& streams);

}  // namespace ddbg::events

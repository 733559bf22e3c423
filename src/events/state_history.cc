// StateHistory and FoldUntil: folding a stream into state, with snapshots every N events so
// the state at any prefix costs at most N folds.
#include <algorithm>

#include "ddbg/events.h"

namespace ddbg {

Result<StateHistory> StateHistory::Build(std::vector<StreamEvent> events, Reducer* reducer,
                                         size_t snapshot_every) {
  StateHistory h;
  h.events_ = std::move(events);
  h.reducer_ = reducer;
  h.every_ = std::max<size_t>(snapshot_every, 1);
  h.prefix_max_time_.reserve(h.events_.size());
  int64_t max_time = INT64_MIN;
  JsonValue state = JsonValue::Object();
  h.snapshot_states_.push_back(state);
  for (size_t i = 0; i < h.events_.size(); ++i) {
    max_time = std::max(max_time, h.events_[i].time_ns);
    h.prefix_max_time_.push_back(max_time);
    DDBG_RETURN_IF_ERROR(reducer->Apply(h.events_[i], &state));
    if ((i + 1) % h.every_ == 0) h.snapshot_states_.push_back(state);
  }
  return h;
}

size_t StateHistory::PrefixAt(int64_t t) const {
  return std::upper_bound(prefix_max_time_.begin(), prefix_max_time_.end(), t) -
         prefix_max_time_.begin();
}

Result<JsonValue> StateHistory::StateAfter(size_t count) const {
  count = std::min(count, events_.size());
  size_t k = std::min(count / every_, snapshot_states_.size() - 1);
  JsonValue state = snapshot_states_[k];
  for (size_t i = k * every_; i < count; ++i) {
    DDBG_RETURN_IF_ERROR(reducer_->Apply(events_[i], &state));
  }
  return state;
}

Result<JsonValue> FoldUntil(const std::vector<StreamEvent>& events, int64_t t, Reducer& reducer) {
  JsonValue state = JsonValue::Object();
  for (const StreamEvent& e : events) {
    if (e.time_ns > t) break;
    DDBG_RETURN_IF_ERROR(reducer.Apply(e, &state));
  }
  return state;
}

}  // namespace ddbg

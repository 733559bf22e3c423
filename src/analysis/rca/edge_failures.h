// Errors that name another service ("No instances available for payment", "dial tcp
// payment:8080: connection refused", found by NamedPeer in log_collector.h) are failures on
// the edge between their writer and that service; JudgePeers decides which side, if any,
// they blame. Thread-safety: a pure function of the set it updates.
#pragma once

#include "analysis/rca/trace_set.h"

namespace ddbg::rca {

// Sets RcaLog::peer_blamed, or clears RcaLog::peer, for every log naming another service:
// - a writer failing to reach two or more services that no other writer on its side
//   (window / baseline) fails to reach is itself broken (a starved pod, a stale service
//   registry: failures only one client sees point at the client): the error stays the
//   writer's (peer cleared);
// - else, when the named service stopped answering (no span of it in the window while its
//   baseline share of the traffic predicts kMinExpectedSpans or more), the error is that
//   service's (peer_blamed);
// - else neither side is shown to be at fault: the error blames no one (peer kept, not
//   blamed), and the writer's path change in that trace is explained.
void JudgePeers(TraceSet* set);

inline constexpr double kMinExpectedSpans = 3;

}  // namespace ddbg::rca

// ground_truth.json: what the simulator injected, for judging analyses against it: each
// fault with its kind, service, instance, window, affected stream and entity (null where
// they do not apply), plus magnitudes and how much data it changed. Pure rendering.
#pragma once

#include <string>

#include "ddbg/sim.h"

namespace ddbg::sim {

// Renders the ground truth of a finished simulation (`summary` filled except its files).
std::string RenderGroundTruth(const SimOptions& options, const SimSummary& summary);

}  // namespace ddbg::sim

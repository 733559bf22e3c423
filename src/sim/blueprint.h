// The blueprint of the named services of the simulated shop (frontend, checkout, payment,
// …): their operations and the calls between them, with callees named as "service/Op".
// BuildTopology keeps the services a topology has and resolves the names to indices.
// Immutable data; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "sim/topology.h"

namespace ddbg::sim {

struct TopicBlueprint {
  std::string name;
  std::vector<std::string> consumers;  // "service/OperationKey"
};

// The named services in their stable order (index i is the i-th service of a topology).
const std::vector<Service>& NamedServiceBlueprints();
const std::vector<TopicBlueprint>& NamedTopicBlueprints();

}  // namespace ddbg::sim

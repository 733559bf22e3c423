// A simple log template: the body with variable tokens masked, so records of one log
// statement group together. Stand-in for the shared Drain miner: numbers, hex and uuid-like
// ids, long mixed tokens and key=value values become <*>; words and class#line stay.
// Also reads a severity word (ERROR, WARN …) near the start of a body for records whose
// severity field is unset. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ddbg::rca {

// At most `max_tokens` tokens of the body are kept.
std::string MaskLogBody(std::string_view body, int max_tokens = 16);

// The OpenTelemetry severity number of the first level word among the body's first six
// tokens ("ERROR" → 17, "WARN" → 13, "INFO" → 9 …); 0 when none.
uint8_t SeverityFromBody(std::string_view body);

}  // namespace ddbg::rca

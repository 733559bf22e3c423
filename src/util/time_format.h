// Printing times and durations for people and for JSON: RFC 3339 UTC timestamps and short
// human durations ("1.25s", "340ms", "12.5µs", "1h02m"). Pure functions.
#pragma once

#include <cstdint>
#include <string>

namespace ddbg {

// "2025-01-15T10:00:00.123456789Z"; `digits` fractional digits (0, 3, 6 or 9).
std::string FormatRfc3339(int64_t unix_ns, int digits = 3);
// A duration in the largest unit that keeps it readable: "850ns", "12.5µs", "340ms",
// "1.25s", "3m20s", "1h02m". Negative durations get a leading '-'.
std::string FormatDuration(int64_t ns);

}  // namespace ddbg

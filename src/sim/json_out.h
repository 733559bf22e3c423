// Appending the pieces of the simulator's output to a reusable buffer without a DOM or
// per-value allocation: integers, fixed-point decimals, hex ids, UUIDs, RFC 3339 times and
// escaped JSON strings. Pure functions except TimeText, which caches the current day.
// Thread-safety: a TimeText belongs to one thread; the free functions are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/json_writer.h"

namespace ddbg::sim {

using ddbg::AppendJsonString;

void AppendUint(std::string& out, uint64_t v);
void AppendInt(std::string& out, int64_t v);
// `scaled` / 10^decimals with exactly `decimals` digits after the point: (12345, 2) → 123.45.
void AppendDecimal(std::string& out, int64_t scaled, int decimals);
// A duration in milliseconds with one decimal and the unit: 12345678 → "12.3ms".
void AppendMillis(std::string& out, int64_t ns);
// `route` with "{id}" replaced by `id`: ("/orders/{id}/confirm", "ord-7") → /orders/ord-7/confirm.
void AppendRoutePath(std::string& out, std::string_view route, std::string_view id);
// 16 lowercase hex digits.
void AppendHex64(std::string& out, uint64_t v);
// 32 lowercase hex digits (hi then lo).
void AppendHex128(std::string& out, uint64_t hi, uint64_t lo);
// A version-4 UUID built from 128 random bits: xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx.
void AppendUuid(std::string& out, uint64_t hi, uint64_t lo);
// `s` with a leading capital letter (ASCII).
void AppendCapitalized(std::string& out, std::string_view s);

// Formats nanosecond Unix times as RFC 3339 UTC ("2025-01-15T10:00:01.123Z"), computing the
// calendar date only when the day changes.
class TimeText {
 public:
  // `digits`: fractional digits, 0, 3, 6 or 9.
  void Append(std::string& out, int64_t unix_ns, int digits);

 private:
  int64_t day_ = INT64_MIN;
  char date_[11] = {};  // "YYYY-MM-DD"
};

}  // namespace ddbg::sim

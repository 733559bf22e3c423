// Timestamp parsing shared by the decoders: ISO-8601 / RFC 3339 text and epoch numbers of
// unknown unit, to nanoseconds since the Unix epoch (UTC). Times without a zone are taken as
// UTC. All functions are pure and thread-safe; none allocates.
#pragma once

#include <cstdint>
#include <string_view>

namespace ddbg {

// Days from 1970-01-01 to the given proleptic Gregorian date (month 1-12, day 1-31).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
// True when day is a valid day of that month and year.
bool ValidDate(int64_t year, unsigned month, unsigned day);
// 1..12 for the English month abbreviation ("Jan", "jan", "JAN"), 0 otherwise.
int MonthFromAbbrev(std::string_view abbrev);

// Parses an ISO-8601 date-time at the start of `s`: "2024-05-01T12:00:00Z",
// "2024-05-01 12:00:00,123", "2024/05/01 12:00:00.123456789+02:00", "2024-05-01T12:00Z".
// Date separators '-' or '/'; date/time separator 'T', 't' or one space; seconds optional;
// a fraction of any length after '.' or ',' (digits past nanoseconds are dropped); a zone
// of Z, ±HH:MM, ±HHMM or ±HH directly after the time, else UTC. On success sets *ns and
// *consumed (characters used) and returns true; the text after *consumed is not checked.
bool ParseIsoPrefix(std::string_view s, int64_t* ns, size_t* consumed);
// As ParseIsoPrefix, but the whole of `s` must be the timestamp.
bool ParseRfc3339(std::string_view s, int64_t* ns);

// The unit of an epoch number is decided by its magnitude, so that any date from 1973 to
// 5138 is read right in every unit: below 1e11 seconds, below 1e14 milliseconds, below 1e17
// microseconds, otherwise nanoseconds. False when the result does not fit in int64 ns
// (after 2262).
bool EpochIntToNanos(int64_t value, int64_t* ns);
// Doubles carry about 16 significant digits, so seconds and milliseconds are rounded to the
// microsecond and microseconds to the nanosecond; no noise digits are invented.
bool EpochDoubleToNanos(double value, int64_t* ns);
// Decimal text of an epoch number ("1714564800", "1714564800.123", "1714564800123"), read
// exactly (no floating point) with the unit decided as above; exponent forms are accepted.
bool ParseEpochText(std::string_view s, int64_t* ns);
// An RFC 3339 / ISO-8601 string or the decimal text of an epoch number.
bool ParseTimestampText(std::string_view s, int64_t* ns);

// A duration: one or more number+unit pairs ("250ms", "1h30m", "1.5s", "2d"), units ns, us,
// µs, ms, s, m, min, h, d, w. False on anything else, a negative number or more than ~292
// years; *bad_unit (when given) receives the first unit that is not one of these.
bool ParseDurationText(std::string_view text, int64_t* ns, std::string_view* bad_unit = nullptr);

}  // namespace ddbg

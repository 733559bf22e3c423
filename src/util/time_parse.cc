#include "util/time_parse.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace ddbg {
namespace {

constexpr int64_t kNanosPerSecond = 1000000000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at s[*pos]; advances *pos.
bool Digits(std::string_view s, size_t* pos, int n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

// Parses "Z", "±HH", "±HHMM" or "±HH:MM" at s[*pos] into an offset in seconds east of UTC.
// Leaves *pos unchanged and the offset 0 when no zone follows.
bool ParseZone(std::string_view s, size_t* pos, int64_t* offset_s) {
  *offset_s = 0;
  if (*pos >= s.size()) return true;
  char c = s[*pos];
  if (c == 'Z' || c == 'z') {
    ++*pos;
    return true;
  }
  if (c != '+' && c != '-') return true;
  size_t p = *pos + 1;
  int hh = 0;
  int mm = 0;
  if (!Digits(s, &p, 2, &hh)) return true;  // "-" not followed by an offset: not a zone
  if (p < s.size() && s[p] == ':') {
    size_t q = p + 1;
    if (Digits(s, &q, 2, &mm)) p = q;
  } else {
    size_t q = p;
    if (Digits(s, &q, 2, &mm)) p = q;
  }
  if (hh > 23 || mm > 59) return false;
  *offset_s = (hh * 3600 + mm * 60) * (c == '-' ? -1 : 1);
  *pos = p;
  return true;
}

bool MulAdd(int64_t a, int64_t mult, int64_t add, int64_t* out) {
  int64_t m = 0;
  if (__builtin_mul_overflow(a, mult, &m)) return false;
  return !__builtin_add_overflow(m, add, out);
}

int64_t Pow10(int n) {
  int64_t v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

// Digits of the integer part that select each unit (see EpochIntToNanos).
int64_t EpochMultiplier(double magnitude) {
  if (magnitude < 1e11) return kNanosPerSecond;
  if (magnitude < 1e14) return 1000000;
  if (magnitude < 1e17) return 1000;
  return 1;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ValidDate(int64_t year, unsigned month, unsigned day) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  unsigned max = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  return day <= max;
}

int MonthFromAbbrev(std::string_view a) {
  static constexpr const char* kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
  if (a.size() != 3) return 0;
  char l[3];
  for (int i = 0; i < 3; ++i) l[i] = static_cast<char>(a[i] | 0x20);
  for (int i = 0; i < 12; ++i) {
    if (l[0] == kMonths[i][0] && l[1] == kMonths[i][1] && l[2] == kMonths[i][2]) return i + 1;
  }
  return 0;
}

bool ParseIsoPrefix(std::string_view s, int64_t* ns, size_t* consumed) {
  size_t p = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!Digits(s, &p, 4, &year)) return false;
  if (p >= s.size() || (s[p] != '-' && s[p] != '/')) return false;
  char date_sep = s[p++];
  if (!Digits(s, &p, 2, &month)) return false;
  if (p >= s.size() || s[p] != date_sep) return false;
  ++p;
  if (!Digits(s, &p, 2, &day)) return false;
  if (!ValidDate(year, month, day)) return false;
  if (p >= s.size() || (s[p] != 'T' && s[p] != 't' && s[p] != ' ')) return false;
  ++p;
  if (!Digits(s, &p, 2, &hour) || p >= s.size() || s[p] != ':') return false;
  ++p;
  if (!Digits(s, &p, 2, &minute)) return false;
  if (p < s.size() && s[p] == ':') {
    size_t q = p + 1;
    if (!Digits(s, &q, 2, &second)) return false;
    p = q;
  }
  if (hour > 24 || minute > 59 || second > 60) return false;
  int64_t frac_ns = 0;
  if (p + 1 < s.size() && (s[p] == '.' || s[p] == ',') && IsDigit(s[p + 1])) {
    ++p;
    int n = 0;
    while (p < s.size() && IsDigit(s[p])) {
      if (n < 9) {
        frac_ns = frac_ns * 10 + (s[p] - '0');
        ++n;
      }
      ++p;
    }
    frac_ns *= Pow10(9 - n);
  }
  int64_t offset_s = 0;
  if (!ParseZone(s, &p, &offset_s)) return false;
  int64_t secs =
      DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  if (!MulAdd(secs, kNanosPerSecond, frac_ns, ns)) return false;
  *consumed = p;
  return true;
}

bool ParseRfc3339(std::string_view s, int64_t* ns) {
  size_t used = 0;
  return ParseIsoPrefix(s, ns, &used) && used == s.size();
}

bool EpochIntToNanos(int64_t value, int64_t* ns) {
  double magnitude = std::fabs(static_cast<double>(value));
  return MulAdd(value, EpochMultiplier(magnitude), 0, ns);
}

bool EpochDoubleToNanos(double value, int64_t* ns) {
  if (!std::isfinite(value)) return false;
  const int64_t mult = EpochMultiplier(std::fabs(value));
  const double ip = std::floor(value);
  const double frac = value - ip;  // exact for doubles
  const double limit = static_cast<double>(std::numeric_limits<int64_t>::max()) / mult;
  if (ip >= limit || ip <= -limit) return false;
  int64_t frac_ns = 0;
  if (mult == kNanosPerSecond) {
    frac_ns = std::llround(frac * 1e6) * 1000;
  } else if (mult == 1000000) {
    frac_ns = std::llround(frac * 1e3) * 1000;
  } else if (mult == 1000) {
    frac_ns = std::llround(frac * 1e3);
  }
  return MulAdd(static_cast<int64_t>(ip), mult, frac_ns, ns);
}

bool ParseEpochText(std::string_view s, int64_t* ns) {
  size_t p = 0;
  bool negative = false;
  if (p < s.size() && (s[p] == '-' || s[p] == '+')) negative = s[p++] == '-';
  size_t int_begin = p;
  while (p < s.size() && IsDigit(s[p])) ++p;
  size_t int_end = p;
  size_t frac_begin = p;
  size_t frac_end = p;
  if (p < s.size() && s[p] == '.') {
    frac_begin = ++p;
    while (p < s.size() && IsDigit(s[p])) ++p;
    frac_end = p;
  }
  if (int_end == int_begin && frac_end == frac_begin) return false;
  if (p != s.size()) {
    // Exponent or other forms: fall back to floating point.
    if (p < s.size() && (s[p] == 'e' || s[p] == 'E')) {
      double v = 0;
      const char* first = s.data() + (s[0] == '+' ? 1 : 0);
      auto [ptr, ec] = std::from_chars(first, s.data() + s.size(), v);
      if (ec != std::errc() || ptr != s.data() + s.size()) return false;
      return EpochDoubleToNanos(v, ns);
    }
    return false;
  }
  // Skip leading zeros so the digit count reflects the magnitude.
  while (int_begin < int_end && s[int_begin] == '0') ++int_begin;
  size_t int_digits = int_end - int_begin;
  if (int_digits > 19) return false;
  uint64_t ip = 0;
  for (size_t i = int_begin; i < int_end; ++i) ip = ip * 10 + static_cast<uint64_t>(s[i] - '0');
  if (ip > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  const int64_t mult = EpochMultiplier(static_cast<double>(ip));
  int frac_digits = 0;  // digits of the fraction that the unit can hold
  for (int64_t m = mult; m > 1; m /= 10) ++frac_digits;
  int64_t frac = 0;
  int n = 0;
  for (size_t i = frac_begin; i < frac_end && n < frac_digits; ++i, ++n) {
    frac = frac * 10 + (s[i] - '0');
  }
  frac *= Pow10(frac_digits - n);
  int64_t v = 0;
  if (!MulAdd(static_cast<int64_t>(ip), mult, frac, &v)) return false;
  *ns = negative ? -v : v;
  return true;
}

bool ParseTimestampText(std::string_view s, int64_t* ns) {
  if (s.size() >= 10 && IsDigit(s[0]) && IsDigit(s[3]) && (s[4] == '-' || s[4] == '/')) {
    return ParseRfc3339(s, ns);
  }
  return ParseEpochText(s, ns);
}

namespace {

double DurationUnitNanos(std::string_view unit) {
  if (unit == "ns") return 1;
  if (unit == "us" || unit == "µs") return 1e3;
  if (unit == "ms") return 1e6;
  if (unit == "s") return 1e9;
  if (unit == "m" || unit == "min") return 60e9;
  if (unit == "h") return 3600e9;
  if (unit == "d") return 86400e9;
  if (unit == "w") return 7 * 86400e9;
  return 0;
}

bool DurationDigit(char c) { return (c >= '0' && c <= '9') || c == '.'; }

}  // namespace

bool ParseDurationText(std::string_view text, int64_t* ns, std::string_view* bad_unit) {
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = i;
    while (j < text.size() && DurationDigit(text[j])) ++j;
    double number = 0;
    auto r = std::from_chars(text.data() + i, text.data() + j, number);
    if (j == i || r.ec != std::errc() || r.ptr != text.data() + j) return false;
    size_t k = j;
    while (k < text.size() && !DurationDigit(text[k])) ++k;
    double unit = DurationUnitNanos(text.substr(j, k - j));
    if (unit == 0) {
      if (bad_unit != nullptr) *bad_unit = text.substr(j, k - j);
      return false;
    }
    total += number * unit;
    i = k;
  }
  if (i == 0 || total > 9.2e18) return false;
  *ns = static_cast<int64_t>(std::llround(total));
  return true;
}

}  // namespace ddbg

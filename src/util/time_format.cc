#include "util/time_format.h"

#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

namespace ddbg {

std::string FormatRfc3339(int64_t unix_ns, int digits) {
  int64_t secs = unix_ns / 1000000000;
  int64_t frac = unix_ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    secs -= 1;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (digits == 3) out += fmt::format(".{:03}", frac / 1000000);
  if (digits == 6) out += fmt::format(".{:06}", frac / 1000);
  if (digits == 9) out += fmt::format(".{:09}", frac);
  out += 'Z';
  return out;
}

std::string FormatDuration(int64_t ns) {
  if (ns < 0) {
    std::string positive = FormatDuration(-ns);
    positive.insert(positive.begin(), '-');
    return positive;
  }
  double v = static_cast<double>(ns);
  if (ns < 1000) return fmt::format("{}ns", ns);
  if (ns < 1000000) return fmt::format("{:.3g}µs", v / 1e3);
  if (ns < 1000000000) return fmt::format("{:.3g}ms", v / 1e6);
  if (ns < 60LL * 1000000000) return fmt::format("{:.3g}s", v / 1e9);
  int64_t s = ns / 1000000000;
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600);
}

}  // namespace ddbg

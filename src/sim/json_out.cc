#include "sim/json_out.h"

#include <charconv>

namespace ddbg::sim {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void AppendPadded(std::string& out, uint64_t v, int width) {
  char buf[24];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(buf, width);
}

// Howard Hinnant's civil_from_days.
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t year = static_cast<int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = year + (*m <= 2);
}

}  // namespace

void AppendUint(std::string& out, uint64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, res.ptr);
}

void AppendDecimal(std::string& out, int64_t scaled, int decimals) {
  if (scaled < 0) {
    out.push_back('-');
    scaled = -scaled;
  }
  uint64_t pow = 1;
  for (int i = 0; i < decimals; ++i) pow *= 10;
  AppendUint(out, static_cast<uint64_t>(scaled) / pow);
  if (decimals > 0) {
    out.push_back('.');
    AppendPadded(out, static_cast<uint64_t>(scaled) % pow, decimals);
  }
}

void AppendMillis(std::string& out, int64_t ns) {
  AppendDecimal(out, (ns + 50000) / 100000, 1);
  out += "ms";
}

void AppendRoutePath(std::string& out, std::string_view route, std::string_view id) {
  size_t p = route.find("{id}");
  if (p == std::string_view::npos) {
    out += route;
    return;
  }
  out += route.substr(0, p);
  out += id;
  out += route.substr(p + 4);
}

void AppendHex64(std::string& out, uint64_t v) {
  char buf[16];
  for (int i = 15; i >= 0; --i) {
    buf[i] = kHexDigits[v & 0xF];
    v >>= 4;
  }
  out.append(buf, 16);
}

void AppendHex128(std::string& out, uint64_t hi, uint64_t lo) {
  AppendHex64(out, hi);
  AppendHex64(out, lo);
}

void AppendUuid(std::string& out, uint64_t hi, uint64_t lo) {
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  char hex[32];
  for (int i = 15; i >= 0; --i) {
    hex[i] = kHexDigits[hi & 0xF];
    hi >>= 4;
  }
  for (int i = 31; i >= 16; --i) {
    hex[i] = kHexDigits[lo & 0xF];
    lo >>= 4;
  }
  out.append(hex, 8);
  out.push_back('-');
  out.append(hex + 8, 4);
  out.push_back('-');
  out.append(hex + 12, 4);
  out.push_back('-');
  out.append(hex + 16, 4);
  out.push_back('-');
  out.append(hex + 20, 12);
}

void AppendCapitalized(std::string& out, std::string_view s) {
  if (s.empty()) return;
  char c = s[0];
  out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  out.append(s.substr(1));
}

void TimeText::Append(std::string& out, int64_t unix_ns, int digits) {
  constexpr int64_t kNsPerDay = 86400LL * 1000000000LL;
  int64_t day = unix_ns / kNsPerDay;
  int64_t in_day = unix_ns % kNsPerDay;
  if (in_day < 0) {
    in_day += kNsPerDay;
    --day;
  }
  if (day != day_) {
    int64_t y;
    unsigned m, d;
    CivilFromDays(day, &y, &m, &d);
    std::string tmp;
    AppendPadded(tmp, static_cast<uint64_t>(y < 0 ? 0 : y), 4);
    tmp.push_back('-');
    AppendPadded(tmp, m, 2);
    tmp.push_back('-');
    AppendPadded(tmp, d, 2);
    tmp.copy(date_, 10);
    day_ = day;
  }
  out.append(date_, 10);
  out.push_back('T');
  int64_t secs = in_day / 1000000000;
  int64_t frac = in_day % 1000000000;
  AppendPadded(out, static_cast<uint64_t>(secs / 3600), 2);
  out.push_back(':');
  AppendPadded(out, static_cast<uint64_t>(secs / 60 % 60), 2);
  out.push_back(':');
  AppendPadded(out, static_cast<uint64_t>(secs % 60), 2);
  if (digits > 0) {
    out.push_back('.');
    int64_t div = 1;
    for (int i = digits; i < 9; ++i) div *= 10;
    AppendPadded(out, static_cast<uint64_t>(frac / div), digits);
  }
  out.push_back('Z');
}

}  // namespace ddbg::sim

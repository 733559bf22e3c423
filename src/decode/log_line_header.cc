#include "decode/log_line_header.h"

#include <ctime>

#include "ddbg/model.h"
#include "util/time_parse.h"

namespace ddbg {
namespace {

constexpr int64_t kNs = 1000000000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// Reads exactly n digits at s[p].
bool Num(std::string_view s, size_t p, int n, int* out) {
  if (p + n > s.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    if (!IsDigit(s[p + i])) return false;
    v = v * 10 + (s[p + i] - '0');
  }
  *out = v;
  return true;
}

// True when s[p] ends a timestamp: the end of the line or a non-alphanumeric character.
bool Boundary(std::string_view s, size_t p) { return p >= s.size() || !IsAlnum(s[p]); }

// Reads ".123" or ",123" (any number of digits) at s[*p] into nanoseconds.
int64_t Fraction(std::string_view s, size_t* p) {
  if (*p + 1 >= s.size() || (s[*p] != '.' && s[*p] != ',') || !IsDigit(s[*p + 1])) return 0;
  ++*p;
  int64_t v = 0;
  int n = 0;
  while (*p < s.size() && IsDigit(s[*p])) {
    if (n < 9) {
      v = v * 10 + (s[*p] - '0');
      ++n;
    }
    ++*p;
  }
  for (; n < 9; ++n) v *= 10;
  return v;
}

// "HH:MM:SS" at s[p]; sets seconds of the day.
bool Clock(std::string_view s, size_t p, int64_t* secs) {
  int h, m, sec;
  if (!Num(s, p, 2, &h) || p + 2 >= s.size() || s[p + 2] != ':' || !Num(s, p + 3, 2, &m) ||
      p + 5 >= s.size() || s[p + 5] != ':' || !Num(s, p + 6, 2, &sec)) {
    return false;
  }
  if (h > 23 || m > 59 || sec > 60) return false;
  *secs = h * 3600 + m * 60 + sec;
  return true;
}

bool Date(int64_t year, int month, int day, int64_t* days) {
  if (!ValidDate(year, month, day)) return false;
  *days = DaysFromCivil(year, month, day);
  return true;
}

// secs * 1e9 + frac_ns, false past the int64 range (after 2262).
bool ToNanos(int64_t secs, int64_t frac_ns, int64_t* ns) {
  int64_t v = 0;
  if (__builtin_mul_overflow(secs, kNs, &v)) return false;
  return !__builtin_add_overflow(v, frac_ns, ns);
}

// Two-digit years: 70..99 are 19xx, the rest 20xx.
int64_t FullYear(int yy) { return yy >= 70 ? 1900 + yy : 2000 + yy; }

struct Stamp {
  int64_t ns = 0;
  size_t end = 0;
  bool has_date = true;
  uint8_t severity = 0;  // from the layout itself (klog letter, syslog priority)
  std::string_view level;
};

// 2024-05-01T12:00:00.123Z, 2015-10-18 18:01:47,978, 2009/11/10 23:00:00
bool Iso(std::string_view s, size_t p, Stamp* st) {
  size_t used = 0;
  if (!ParseIsoPrefix(s.substr(p), &st->ns, &used) || !Boundary(s, p + used)) return false;
  st->end = p + used;
  return true;
}

// 2005-06-03-15.42.50.675872 (BGL, DB2)
bool DashedIso(std::string_view s, size_t p, Stamp* st) {
  int y, mo, d, h, mi, sec;
  if (!Num(s, p, 4, &y) || s.size() < p + 19 || s[p + 4] != '-' || !Num(s, p + 5, 2, &mo) ||
      s[p + 7] != '-' || !Num(s, p + 8, 2, &d) || s[p + 10] != '-' || !Num(s, p + 11, 2, &h) ||
      s[p + 13] != '.' || !Num(s, p + 14, 2, &mi) || s[p + 16] != '.' || !Num(s, p + 17, 2, &sec) ||
      h > 23 || mi > 59 || sec > 60) {
    return false;
  }
  int64_t days;
  if (!Date(y, mo, d, &days)) return false;
  size_t q = p + 19;
  int64_t frac = Fraction(s, &q);
  if (!Boundary(s, q)) return false;
  if (!ToNanos(days * 86400 + h * 3600 + mi * 60 + sec, frac, &st->ns)) return false;
  st->end = q;
  return true;
}

// [Www ]Mmm dd HH:MM:SS[.frac][ YYYY]: ctime (Apache) with the year, syslog without it.
bool CtimeOrSyslog(std::string_view s, size_t p, int year, Stamp* st) {
  if (p + 3 < s.size() && IsAlpha(s[p]) && IsAlpha(s[p + 1]) && IsAlpha(s[p + 2]) &&
      s[p + 3] == ' ' && MonthFromAbbrev(s.substr(p, 3)) == 0) {
    p += 4;  // weekday
  }
  if (p + 3 >= s.size() || s[p + 3] != ' ') return false;
  int month = MonthFromAbbrev(s.substr(p, 3));
  if (month == 0) return false;
  size_t q = p + 4;
  if (q < s.size() && s[q] == ' ') ++q;  // "Jun  9"
  int day = 0;
  if (Num(s, q, 2, &day)) {
    q += 2;
  } else if (Num(s, q, 1, &day)) {
    q += 1;
  } else {
    return false;
  }
  if (q >= s.size() || s[q] != ' ') return false;
  ++q;
  int64_t secs;
  if (!Clock(s, q, &secs)) return false;
  q += 8;
  int64_t frac = Fraction(s, &q);
  int64_t y = year;
  int yyyy;
  if (q + 5 <= s.size() && s[q] == ' ' && Num(s, q + 1, 4, &yyyy) && Boundary(s, q + 5)) {
    y = yyyy;
    q += 5;
  }
  if (!Boundary(s, q)) return false;
  int64_t days;
  if (!Date(y, month, day, &days)) return false;
  if (!ToNanos(days * 86400 + secs, frac, &st->ns)) return false;
  st->end = q;
  return true;
}

// 17/06/09 20:10:40 (Spark: yy/MM/dd)
bool ShortSlashed(std::string_view s, size_t p, Stamp* st) {
  int yy, mo, d;
  int64_t secs;
  if (!Num(s, p, 2, &yy) || p + 8 >= s.size() || s[p + 2] != '/' || !Num(s, p + 3, 2, &mo) ||
      s[p + 5] != '/' || !Num(s, p + 6, 2, &d) || s[p + 8] != ' ' || !Clock(s, p + 9, &secs)) {
    return false;
  }
  size_t q = p + 17;
  int64_t frac = Fraction(s, &q);
  int64_t days;
  if (!Boundary(s, q) || !Date(FullYear(yy), mo, d, &days)) return false;
  if (!ToNanos(days * 86400 + secs, frac, &st->ns)) return false;
  st->end = q;
  return true;
}

// 081109 203615 (HDFS: yyMMdd HHmmss)
bool Compact(std::string_view s, size_t p, Stamp* st) {
  int yy, mo, d, h, mi, sec;
  if (!Num(s, p, 2, &yy) || !Num(s, p + 2, 2, &mo) || !Num(s, p + 4, 2, &d) || p + 6 >= s.size() ||
      s[p + 6] != ' ' || !Num(s, p + 7, 2, &h) || !Num(s, p + 9, 2, &mi) ||
      !Num(s, p + 11, 2, &sec) || !Boundary(s, p + 13) || h > 23 || mi > 59 || sec > 60) {
    return false;
  }
  int64_t days;
  if (!Date(FullYear(yy), mo, d, &days)) return false;
  if (!ToNanos(days * 86400 + h * 3600 + mi * 60 + sec, 0, &st->ns)) return false;
  st->end = p + 13;
  return true;
}

// I0501 12:00:00.123456 (klog / glog: level letter, MMDD, no year)
bool Klog(std::string_view s, size_t p, int year, Stamp* st) {
  char c = p < s.size() ? s[p] : 0;
  if (c != 'I' && c != 'W' && c != 'E' && c != 'F' && c != 'D') return false;
  int mo, d;
  int64_t secs;
  if (!Num(s, p + 1, 2, &mo) || !Num(s, p + 3, 2, &d) || p + 5 >= s.size() || s[p + 5] != ' ' ||
      !Clock(s, p + 6, &secs)) {
    return false;
  }
  size_t q = p + 14;
  int64_t frac = Fraction(s, &q);
  int64_t days;
  if (!Boundary(s, q) || !Date(year, mo, d, &days)) return false;
  if (!ToNanos(days * 86400 + secs, frac, &st->ns)) return false;
  st->end = q;
  st->level = s.substr(p, 1);
  st->severity = SeverityFromText(st->level);
  return true;
}

// 05-01 12:00:00.123 (Android logcat: MM-DD, no year)
bool MonthDay(std::string_view s, size_t p, int year, Stamp* st) {
  int mo, d;
  int64_t secs;
  if (!Num(s, p, 2, &mo) || p + 5 >= s.size() || s[p + 2] != '-' || !Num(s, p + 3, 2, &d) ||
      s[p + 5] != ' ' || !Clock(s, p + 6, &secs)) {
    return false;
  }
  size_t q = p + 14;
  int64_t frac = Fraction(s, &q);
  int64_t days;
  if (!Boundary(s, q) || !Date(year, mo, d, &days)) return false;
  if (!ToNanos(days * 86400 + secs, frac, &st->ns)) return false;
  st->end = q;
  return true;
}

// 16:42:54.493 (time of day only: counted from 1970-01-01)
bool TimeOfDay(std::string_view s, size_t p, Stamp* st) {
  int64_t secs;
  if (!Clock(s, p, &secs)) return false;
  size_t q = p + 8;
  int64_t frac = Fraction(s, &q);
  if (!Boundary(s, q)) return false;
  st->ns = secs * kNs + frac;
  st->end = q;
  st->has_date = false;
  return true;
}

// 1714564800[.123] or 1714564800123: epoch seconds or milliseconds opening the line.
bool Epoch(std::string_view s, size_t p, Stamp* st) {
  size_t q = p;
  while (q < s.size() && IsDigit(s[q])) ++q;
  size_t digits = q - p;
  if (digits != 10 && digits != 13) return false;
  if (digits == 10 && q + 1 < s.size() && s[q] == '.' && IsDigit(s[q + 1])) {
    ++q;
    while (q < s.size() && IsDigit(s[q])) ++q;
  }
  if (q >= s.size() || !IsSpace(s[q])) return false;
  if (!ParseEpochText(s.substr(p, q - p), &st->ns)) return false;
  st->end = q;
  return true;
}

// - 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 … (BGL): the epoch
// seconds, with the microseconds of the local timestamp when its seconds agree.
bool Bgl(std::string_view s, size_t p, Stamp* st) {
  size_t q = p;
  while (q < s.size() && (IsAlpha(s[q]) || s[q] == '-') && q - p < 16) ++q;
  if (q == p || q >= s.size() || s[q] != ' ') return false;
  size_t e = q + 1;
  int64_t epoch = 0;
  for (int i = 0; i < 10; ++i) {
    if (e + i >= s.size() || !IsDigit(s[e + i])) return false;
    epoch = epoch * 10 + (s[e + i] - '0');
  }
  int y, mo, d;
  size_t dp = e + 11;
  if (e + 10 >= s.size() || s[e + 10] != ' ' || !Num(s, dp, 4, &y) || dp + 10 > s.size() ||
      s[dp + 4] != '.' || !Num(s, dp + 5, 2, &mo) || s[dp + 7] != '.' || !Num(s, dp + 8, 2, &d) ||
      !Boundary(s, dp + 10)) {
    return false;
  }
  if (!ToNanos(epoch, 0, &st->ns)) return false;
  st->end = dp + 10;
  // The node, then the local timestamp.
  size_t node = dp + 11;
  size_t node_end = s.find(' ', node);
  if (node < s.size() && node_end != std::string_view::npos) {
    Stamp local;
    if (DashedIso(s, node_end + 1, &local) && local.ns >= 0 &&
        (local.ns / kNs) % 60 == epoch % 60) {
      st->ns += local.ns % kNs;
      st->end = local.end;
    }
  }
  return true;
}

// time=2024-05-01T12:00:00Z / ts="…" / t=1714564800 opening a logfmt line.
bool Logfmt(std::string_view s, size_t p, Stamp* st) {
  std::string_view rest = s.substr(p);
  size_t eq = 0;
  for (std::string_view key : {"time=", "ts=", "t=", "timestamp="}) {
    if (rest.substr(0, key.size()) == key) eq = p + key.size() - 1;
  }
  if (eq == 0) return false;
  size_t v = eq + 1;
  size_t end;
  if (v < s.size() && s[v] == '"') {
    ++v;
    end = s.find('"', v);
    if (end == std::string_view::npos) return false;
  } else {
    end = v;
    while (end < s.size() && !IsSpace(s[end])) ++end;
  }
  if (!ParseTimestampText(s.substr(v, end - v), &st->ns)) return false;
  st->end = end < s.size() && s[end] == '"' ? end + 1 : end;
  return true;
}

// [10/Oct/2000:13:55:36 -0700] anywhere near the start (Apache/nginx access logs).
bool AccessLog(std::string_view s, Stamp* st) {
  size_t limit = std::min<size_t>(s.size(), 160);
  for (size_t b = s.find('['); b != std::string_view::npos && b < limit; b = s.find('[', b + 1)) {
    size_t p = b + 1;
    int d, y, zh, zm;
    int64_t secs;
    if (!Num(s, p, 2, &d) || p + 26 > s.size() || s[p + 2] != '/' || s[p + 6] != '/') continue;
    int mo = MonthFromAbbrev(s.substr(p + 3, 3));
    if (mo == 0 || !Num(s, p + 7, 4, &y) || s[p + 11] != ':' || !Clock(s, p + 12, &secs)) {
      continue;
    }
    size_t q = p + 20;
    int64_t frac = Fraction(s, &q);
    if (q + 7 > s.size() || s[q] != ' ' || (s[q + 1] != '+' && s[q + 1] != '-') ||
        !Num(s, q + 2, 2, &zh) || !Num(s, q + 4, 2, &zm) || s[q + 6] != ']') {
      continue;
    }
    int64_t days;
    if (!Date(y, mo, d, &days)) continue;
    int64_t offset = (zh * 3600 + zm * 60) * (s[q + 1] == '-' ? -1 : 1);
    if (!ToNanos(days * 86400 + secs - offset, frac, &st->ns)) continue;
    st->end = q + 7;
    return true;
  }
  return false;
}

// Syslog priority "<34>" (and the RFC 5424 version "1 "); returns the position after it.
size_t SyslogPriority(std::string_view s, Stamp* st) {
  if (s.size() < 3 || s[0] != '<') return 0;
  size_t q = 1;
  int pri = 0;
  while (q < s.size() && q < 4 && IsDigit(s[q])) pri = pri * 10 + (s[q++] - '0');
  if (q == 1 || q >= s.size() || s[q] != '>' || pri > 191) return 0;
  ++q;
  if (q + 1 < s.size() && s[q] == '1' && s[q + 1] == ' ') q += 2;
  static constexpr std::string_view kNames[] = {"emerg",   "alert",  "crit", "err",
                                                "warning", "notice", "info", "debug"};
  static constexpr uint8_t kNumbers[] = {21, 19, 18, 17, 13, 10, 9, 5};
  st->level = kNames[pri % 8];
  st->severity = kNumbers[pri % 8];
  return q;
}

bool Timestamp(std::string_view s, size_t p, int year, Stamp* st) {
  if (p >= s.size()) return false;
  char c = s[p];
  if (IsDigit(c)) {
    return Iso(s, p, st) || DashedIso(s, p, st) || ShortSlashed(s, p, st) || Compact(s, p, st) ||
           MonthDay(s, p, year, st) || TimeOfDay(s, p, st) || Epoch(s, p, st);
  }
  if (IsAlpha(c)) {
    return CtimeOrSyslog(s, p, year, st) || Klog(s, p, year, st) || Logfmt(s, p, st);
  }
  return false;
}

// Severity of one header token, or 0. Bracketed words count in any case; bare words only in
// capitals (so message words like "error" are not taken for a level); single letters only in
// brackets or after numeric fields (Android logcat: `1234 1234 I Tag: …`).
uint8_t TokenLevel(std::string_view tok, bool after_numbers, std::string_view* word) {
  bool bracketed = false;
  while (!tok.empty() && (tok.front() == '[' || tok.front() == '<' || tok.front() == '(')) {
    tok.remove_prefix(1);
    bracketed = true;
  }
  while (!tok.empty() && (tok.back() == ']' || tok.back() == '>' || tok.back() == ')' ||
                          tok.back() == ':' || tok.back() == ',' || tok.back() == '|')) {
    bracketed |= tok.back() != ':' && tok.back() != ',' && tok.back() != '|';
    tok.remove_suffix(1);
  }
  size_t eq = tok.find('=');
  if (eq != std::string_view::npos) {
    std::string_view key = tok.substr(0, eq);
    if (key != "level" && key != "lvl" && key != "severity" && key != "loglevel") return 0;
    tok.remove_prefix(eq + 1);
    if (tok.size() >= 2 && tok.front() == '"' && tok.back() == '"')
      tok = tok.substr(1, tok.size() - 2);
    bracketed = true;
  }
  if (tok.empty() || tok.size() > 11) return 0;
  for (char c : tok) {
    if (!IsAlpha(c)) return 0;
    if (!bracketed && !(c >= 'A' && c <= 'Z')) return 0;
  }
  if (tok.size() == 1 && !bracketed && !after_numbers) return 0;
  uint8_t sev = SeverityFromText(tok);
  if (sev != 0) *word = tok;
  return sev;
}

// Looks for the level among the first header tokens after the timestamp. Stops at a token
// ending in ':' (the end of a syslog tag or a logger name), where the message begins.
void FindLevel(std::string_view s, size_t p, LogLineHeader* out) {
  bool after_numbers = true;
  for (int n = 0; n < 6 && p < s.size(); ++n) {
    while (p < s.size() && (IsSpace(s[p]) || (n == 0 && s[p] == ']'))) ++p;
    size_t e = p;
    while (e < s.size() && !IsSpace(s[e])) ++e;
    if (e == p) return;
    std::string_view tok = s.substr(p, e - p);
    std::string_view word;
    uint8_t sev = TokenLevel(tok, after_numbers && n > 0, &word);
    if (sev != 0) {
      out->severity_number = sev;
      out->level = word;
      return;
    }
    if (tok.back() == ':') return;
    bool numeric = true;
    for (char c : tok) numeric &= IsDigit(c);
    after_numbers &= numeric;
    p = e;
  }
}

}  // namespace

bool ParseLogLineHeader(std::string_view line, int year, LogLineHeader* out) {
  Stamp st;
  size_t p = SyslogPriority(line, &st);
  bool found = Bgl(line, p, &st) || Timestamp(line, p, year, &st);
  if (!found && p < line.size() && line[p] == '[') found = Timestamp(line, p + 1, year, &st);
  if (!found) found = AccessLog(line, &st);
  if (!found) return false;
  *out = LogLineHeader();
  out->time_ns = st.ns;
  out->has_date = st.has_date;
  out->severity_number = st.severity;
  out->level = st.level;
  if (out->severity_number == 0) FindLevel(line, st.end, out);
  return true;
}

std::string_view ServiceFromSource(std::string_view source) {
  static constexpr std::string_view kStripped[] = {".gz",   ".zst",   ".zstd",   ".log", ".txt",
                                                   ".json", ".jsonl", ".ndjson", ".out", ".err"};
  size_t slash = source.find_last_of("/\\");
  std::string_view s = slash == std::string_view::npos ? source : source.substr(slash + 1);
  bool stripped = true;
  while (stripped) {
    stripped = false;
    size_t dot = s.rfind('.');
    if (dot == std::string_view::npos || dot == 0) break;
    std::string_view ext = s.substr(dot);
    bool numeric = ext.size() > 1;
    for (size_t i = 1; i < ext.size(); ++i) numeric &= IsDigit(ext[i]);
    for (std::string_view k : kStripped) {
      if (ext.size() == k.size()) {
        bool same = true;
        for (size_t i = 0; i < k.size(); ++i) same &= (ext[i] | 0x20) == k[i];
        numeric |= same;
      }
    }
    if (numeric) {
      s = s.substr(0, dot);
      stripped = true;
    }
  }
  if (s.empty() || s == "-") return "unknown_service";
  return s;
}

int CurrentUtcYear() {
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

}  // namespace ddbg

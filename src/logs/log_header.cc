// StripLogHeader: the header of a raw log line recognised by shape, token by token, with no
// per-source format. Header tokens are bracket groups ([Sun Dec 04 04:47:44 2005], [main],
// [notice]), date, time and number tokens (2015-10-18, 18:01:47,978, 081109, pids), month and
// weekday names before a day number, upper-case levels, ids made of upper-case letters,
// digits and punctuation once a timestamp was seen (BGL node names), "-" and "|"
// separators, upper-case tags before a number (APPREAD 1117869872 …), and
// upper-case words just before a level (RAS KERNEL INFO, which then name the component).
// After the level only bracket groups, separators and a pid followed by a separator
// (INFO 4242 --- [main]) belong to the header: a number there starts the message. Then
// comes an optional component ending in ':' (dfs.FSNamesystem:, sshd[24200]:, or a program
// and its version: syslogd 1.4.1:), preceded by a host name (and maybe "--") when the header
// gave no level (syslog). A header ending in an explicit
// separator ("… INFO [x] - message") or whose component came before the level takes none.
#include <array>

#include "ddbg/logmine.h"
#include "logs/calendar_words.h"

namespace ddbg::logs {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsSpace(char c) { return c == ' ' || c == '\t'; }

constexpr std::array<std::string_view, 15> kLevels = {
    "TRACE", "DEBUG", "INFO",  "NOTICE", "WARN",  "WARNING", "ERROR", "ERR",
    "FATAL", "CRIT",  "CRITICAL", "SEVERE", "ALERT", "EMERG", "FINE"};

char ToUpper(char c) { return IsLower(c) ? static_cast<char>(c - 32) : c; }

bool EqualsUpperCase(std::string_view t, std::string_view upper) {
  if (t.size() != upper.size()) return false;
  for (size_t i = 0; i < t.size(); ++i) {
    if (ToUpper(t[i]) != upper[i]) return false;
  }
  return true;
}

// A level name ("INFO", "WARN:"); in any case when `any_case` ("[error]").
bool IsLevel(std::string_view t, bool any_case = false) {
  if (!t.empty() && t.back() == ':') t.remove_suffix(1);
  if (t.size() < 3 || t.size() > 8 || (!any_case && !IsUpper(t[0]))) return false;
  for (std::string_view l : kLevels) {
    if (any_case ? EqualsUpperCase(t, l) : t == l) return true;
  }
  return false;
}

// Digits with date and time punctuation only, at least one digit: 2005.06.03, 18:01:47,978,
// 081109, 2005-06-03-15.42.50.675872, 2016-09-28T04:30:30Z, +0000.
bool IsDateTimeOrNumber(std::string_view t) {
  bool digit = false;
  for (char c : t) {
    if (IsDigit(c)) {
      digit = true;
    } else if (c != '-' && c != '/' && c != ':' && c != '.' && c != ',' && c != 'T' &&
               c != 'Z' && c != '+') {
      return false;
    }
  }
  return digit;
}

// Upper-case letters, digits and punctuation with a digit: R02-M1-N0-C:J12-U11.
bool IsUpperId(std::string_view t) {
  bool digit = false;
  for (char c : t) {
    if (IsLower(c) || c == '[' || c == '(') return false;
    digit = digit || IsDigit(c);
  }
  return digit;
}

bool IsUpperWord(std::string_view t) {
  if (t.size() < 2) return false;
  for (char c : t) {
    if (!IsUpper(c) && c != '_') return false;
  }
  return true;
}

bool IsComponent(std::string_view t) {
  if (t.size() < 2 || t.back() != ':') return false;
  t.remove_suffix(1);
  for (char c : t) {
    if (IsSpace(c) || c == ':' || c == '=' || c == ',' || c == '"') return false;
  }
  return true;
}

bool IsHost(std::string_view t) {
  for (char c : t) {
    if (!(IsDigit(c) || IsUpper(c) || IsLower(c) || c == '.' || c == '-' || c == '_')) return false;
  }
  return !t.empty();
}

class HeaderScanner {
 public:
  explicit HeaderScanner(std::string_view line) : line_(line) {}

  std::string_view Content() {
    size_t pos = 0;
    for (int n = 0; n < 16; ++n) {
      size_t next = SkipOne(pos);
      if (next == pos) break;
      pos = next;
    }
    if (!timestamp_ && !level_) return line_;
    if (!separator_ && !component_) pos = SkipComponent(pos);
    pos = SkipSpaces(pos);
    return pos >= line_.size() ? line_.substr(line_.size()) : line_.substr(pos);
  }

 private:
  size_t SkipSpaces(size_t p) const {
    while (p < line_.size() && IsSpace(line_[p])) ++p;
    return p;
  }
  std::string_view TokenAt(size_t p, size_t* end) const {
    size_t e = p;
    while (e < line_.size() && !IsSpace(line_[e])) ++e;
    *end = e;
    return line_.substr(p, e - p);
  }

  // Past the bracket group opening at p (nested brackets allowed), or p.
  size_t SkipBrackets(size_t p) {
    if (bracket_level_) return p;  // "[date] [level] [client x] …": the third is content
    int depth = 0;
    for (size_t i = p; i < line_.size() && i < p + 512; ++i) {
      if (line_[i] == '[') ++depth;
      if (line_[i] == ']' && --depth == 0) {
        std::string_view inner = line_.substr(p + 1, i - p - 1);
        if (IsLevel(inner, /*any_case=*/true)) level_ = bracket_level_ = true;
        for (char c : inner) timestamp_ = timestamp_ || (c == ':' && inner.size() >= 8);
        separator_ = false;
        return i + 1;
      }
    }
    return p;
  }

  size_t SkipOne(size_t pos) {
    size_t p = SkipSpaces(pos);
    if (p >= line_.size()) return pos;
    if (line_[p] == '[') {
      size_t e = SkipBrackets(p);
      return e == p ? pos : e;
    }
    size_t end = 0;
    std::string_view t = TokenAt(p, &end);
    if (IsSeparator(t)) {
      separator_ = timestamp_ || level_;
      return end;
    }
    if (IsDateTimeOrNumber(t)) {
      // After the level a number is the message's ("INFO 63543 exceptions"), unless a
      // separator follows it (a pid: "INFO 4242 --- [main]").
      if (level_ && !SeparatorAt(end)) return pos;
      timestamp_ = timestamp_ || t.size() >= 6 || t.find(':') != std::string_view::npos;
      return Accept(end);
    }
    if (IsMonthName(t) || IsWeekdayName(t)) {
      size_t e2 = 0;
      std::string_view next = TokenAt(SkipSpaces(end), &e2);
      if (!next.empty() && IsDigit(next[0])) return Accept(end);
      return pos;
    }
    if (IsLevel(t)) {
      level_ = true;
      return Accept(end);
    }
    if (timestamp_ && !level_ && IsUpperId(t)) return Accept(end);
    // A tag before a timestamp or number: "APPREAD 1117869872 2005.06.04 …".
    if ((p == 0 || timestamp_) && !level_ && IsUpperWord(t) && NumberAt(end)) return Accept(end);
    if (timestamp_ && !level_ && IsUpperWord(t) && LevelWithin(end, 3)) {
      component_ = true;  // "RAS KERNEL INFO": the component came before the level
      return Accept(end);
    }
    return pos;
  }

  size_t Accept(size_t end) {
    separator_ = false;
    return end;
  }

  static bool IsSeparator(std::string_view t) { return t == "-" || t == "|" || t == "---"; }
  bool SeparatorAt(size_t p) const {
    size_t e = 0;
    return IsSeparator(TokenAt(SkipSpaces(p), &e));
  }
  bool NumberAt(size_t p) const {
    size_t e = 0;
    return IsDateTimeOrNumber(TokenAt(SkipSpaces(p), &e));
  }

  bool LevelWithin(size_t p, int tokens) const {
    for (int i = 0; i < tokens; ++i) {
      size_t e = 0;
      std::string_view t = TokenAt(SkipSpaces(p), &e);
      if (t.empty()) return false;
      if (IsLevel(t)) return true;
      if (!IsUpperWord(t)) return false;
      p = e;
    }
    return false;
  }

  size_t SkipComponent(size_t pos) const {
    size_t e0 = 0, e1 = 0;
    std::string_view t0 = TokenAt(SkipSpaces(pos), &e0);
    if (IsComponent(t0)) return e0;
    if (level_ || !IsHost(t0)) return pos;
    std::string_view t1 = TokenAt(SkipSpaces(e0), &e1);
    if (t1 == "--") t1 = TokenAt(SkipSpaces(e1), &e1);  // "host -- root[2421]: …"
    if (IsComponent(t1)) return e1;
    // A program and its version: "host syslogd 1.4.1: restart."
    size_t e2 = 0;
    std::string_view t2 = TokenAt(SkipSpaces(e1), &e2);
    bool version = IsComponent(t2) && IsDateTimeOrNumber(t2.substr(0, t2.size() - 1));
    return IsHost(t1) && version ? e2 : pos;
  }

  std::string_view line_;
  bool timestamp_ = false;
  bool level_ = false;
  bool separator_ = false;
  bool bracket_level_ = false;
  bool component_ = false;
};

}  // namespace

std::string_view StripLogHeader(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  return HeaderScanner(line).Content();
}

}  // namespace ddbg::logs

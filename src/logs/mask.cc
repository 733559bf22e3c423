// Variable detection by token shape. A token is cut into an opening run of brackets and
// quotes, a core, and a closing run of brackets and punctuation; only the core is judged:
//   - key=value: the key stays, the value is judged on its own ("uid=0" -> "uid=<*>");
//   - a core with a digit is variable (numbers, hex, IPs, ids, UUIDs, durations, times),
//     except identifiers whose digits are single and follow letters (ssh2, jk2_init, log4j)
//     and code locations naming the log statement (a.s.ServiceImpl#65, Foo.java:123);
//   - paths and URLs are variable (/var/log/x, ./a, ~/b, C:\x, scheme://…).
// Each character is classified once through a table; the classes seen in the key and in the
// value decide which of the (rarer) detailed checks run.
#include "logs/mask.h"

#include <algorithm>
#include <array>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "ddbg/logmine.h"
#include "logs/calendar_words.h"

namespace ddbg::logs {
namespace {

constexpr std::string_view kWild = "<*>";

enum CharClass : uint8_t {
  kSpace = 1,
  kOpen = 2,
  kClose = 4,
  kDigit = 8,
  kAlpha = 16,
  kColon = 32,
  kEquals = 64,
  kHash = 128,
};

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (unsigned char c : std::string_view(" \t\r\n")) t[c] |= kSpace;
  for (unsigned char c : std::string_view("([{<\"'")) t[c] |= kOpen;
  for (unsigned char c : std::string_view(")]}>\"',;:.!?")) t[c] |= kClose;
  for (int c = '0'; c <= '9'; ++c) t[c] |= kDigit;
  for (int c = 'a'; c <= 'z'; ++c) t[c] |= kAlpha;
  for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kAlpha;
  t[static_cast<unsigned char>(':')] |= kColon;
  t[static_cast<unsigned char>('=')] |= kEquals;
  t[static_cast<unsigned char>('#')] |= kHash;
  return t;
}

constexpr std::array<uint8_t, 256> kClasses = MakeClasses();

uint8_t ClassOf(char c) { return kClasses[static_cast<unsigned char>(c)]; }
bool Is(char c, uint8_t cls) { return (ClassOf(c) & cls) != 0; }

// An identifier whose digits are version-like: every digit run is one digit long, follows a
// letter, and at least two letters come before the first digit (ssh2, ipv4, jk2_init, log4j).
bool IsWordWithDigit(std::string_view s) {
  size_t first = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if (!Is(s[i], kDigit)) continue;
    if (first == s.size()) first = i;
    if (i == 0 || !Is(s[i - 1], kAlpha)) return false;
    if (i + 1 < s.size() && Is(s[i + 1], kDigit)) return false;
  }
  if (first < 2) return false;
  for (size_t i = 0; i < first; ++i) {
    if (!Is(s[i], kAlpha) && s[i] != '_') return false;
  }
  return true;
}

// A source-code location, constant for one log statement: `a.s.AssuranceServiceImpl#65`
// (class#line) or `Foo.java:123`, `server.go:42` (file:line).
bool IsCodeLocation(std::string_view s) {
  size_t sep = s.find_last_of("#:");
  if (sep == std::string_view::npos || sep < 2 || sep + 1 == s.size()) return false;
  for (size_t i = sep + 1; i < s.size(); ++i) {
    if (!Is(s[i], kDigit)) return false;
  }
  std::string_view name = s.substr(0, sep);
  bool letter = false;
  for (char c : name) {
    if (Is(c, kAlpha)) letter = true;
    else if (c != '.' && c != '_' && c != '$') return false;
  }
  if (!letter) return false;
  if (s[sep] == '#') return true;
  static constexpr std::string_view kSourceExt[] = {".java", ".go", ".py", ".cc", ".cpp", ".c",
                                                    ".h", ".js", ".ts", ".rb", ".scala", ".kt",
                                                    ".cs", ".rs", ".php"};
  for (std::string_view ext : kSourceExt) {
    if (name.size() > ext.size() && name.ends_with(ext)) return true;
  }
  return false;
}

bool IsPathOrUrl(std::string_view s, bool has_colon) {
  if (s.size() > 1 && s[0] == '/') return true;
  if (s.size() > 2 && (s.substr(0, 2) == "./" || s.substr(0, 2) == "~/")) return true;
  if (s.size() > 3 && s.substr(0, 3) == "../") return true;
  if (!has_colon) return false;
  if (s.size() > 3 && Is(s[0], kAlpha) && s[1] == ':' && s[2] == '\\') return true;
  size_t scheme = s.find("://");
  return scheme != std::string_view::npos && scheme > 0;
}

// `classes`: the union of the classes of the characters of `s`.
bool IsVariableCore(std::string_view s, uint8_t classes) {
  if (classes & kDigit) {
    return !IsWordWithDigit(s) && !((classes & (kColon | kHash)) && IsCodeLocation(s));
  }
  return IsPathOrUrl(s, (classes & kColon) != 0);
}

uint8_t ClassesOf(std::string_view s) {
  uint8_t classes = 0;
  for (char c : s) classes |= ClassOf(c);
  return classes;
}

// Appends the masked core to `out` and returns true, or returns false when the core is
// constant.
bool MaskCore(std::string_view core, std::string* out) {
  size_t eq = 0;
  uint8_t key_classes = 0;
  while (eq < core.size() && !Is(core[eq], kEquals)) key_classes |= ClassOf(core[eq++]);
  if (eq < core.size()) {
    if (eq > 0 && !IsVariableCore(core.substr(0, eq), key_classes)) {
      std::string_view value = core.substr(eq + 1);
      if (value.empty() || !IsVariableCore(value, ClassesOf(value))) return false;
      out->append(core.substr(0, eq + 1));
      out->append(kWild);
      return true;
    }
    key_classes |= ClassesOf(core.substr(eq));
  }
  if (!IsVariableCore(core, key_classes)) return false;
  out->append(kWild);
  return true;
}

// Units of size that read as part of the number ("16.0 MB"); durations keep their unit as a
// word ("took <*> ms"), as Loghub's templates do.
constexpr std::array<std::string_view, 10> kUnits = {"B",  "KB",  "MB",  "GB",  "TB",
                                                     "PB", "KiB", "MiB", "GiB", "TiB"};

bool IsUnit(std::string_view t) {
  for (std::string_view u : kUnits) {
    if (t == u) return true;
  }
  return false;
}

// Digits only, `min` to `max` of them.
bool IsDigits(std::string_view t, size_t min, size_t max) {
  if (t.size() < min || t.size() > max) return false;
  for (char c : t) {
    if (!Is(c, kDigit)) return false;
  }
  return true;
}

// A time of day: 04:02:17, 4:02, 04:02:17.123.
bool IsClock(std::string_view t) {
  size_t colon = t.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2) return false;
  for (char c : t) {
    if (!Is(c, kDigit) && c != ':' && c != '.' && c != ',') return false;
  }
  return true;
}

// A number with an optional opening bracket: 16.0, (250, -3.
bool IsPlainNumber(std::string_view t) {
  size_t b = 0;
  while (b < t.size() && Is(t[b], kOpen)) ++b;
  if (b < t.size() && (t[b] == '-' || t[b] == '+')) ++b;
  if (b >= t.size() || !Is(t[b], kDigit)) return false;
  for (size_t i = b; i < t.size(); ++i) {
    if (!Is(t[i], kDigit) && t[i] != '.') return false;
  }
  return true;
}

std::string_view TrimClose(std::string_view t) {
  while (!t.empty() && Is(t.back(), kClose)) t.remove_suffix(1);
  return t;
}

// A token of several words (a date, a size with its unit): whitespace inside. Runs start
// with a letter or digit run, so the first whitespace is found within a few characters.
bool IsRun(std::string_view token) {
  for (char c : token) {
    if (Is(c, kSpace)) return true;
    if (!Is(c, kAlpha | kDigit | kOpen | kEquals) && c != '.' && c != '-' && c != '+') return false;
  }
  return false;
}

// The run with its brackets kept around one "<*>": "(16.0 MB)," -> "(<*>),".
std::string_view MaskRun(std::string_view token, size_t b, size_t e, std::string* scratch) {
  scratch->assign(token.substr(0, b));
  scratch->append(kWild);
  scratch->append(token.substr(e));
  return *scratch;
}

}  // namespace

std::string_view MessageTokenizer::Word(size_t* pos) const {
  size_t i = *pos;
  while (i < s_.size() && Is(s_[i], kSpace)) ++i;
  size_t start = i;
  while (i < s_.size() && !Is(s_[i], kSpace)) ++i;
  *pos = i;
  return s_.substr(start, i - start);
}

// The end of "[Weekday] Month Day Time [Year]" starting with `first`, or 0.
size_t MessageTokenizer::DateRunEnd(std::string_view first, size_t after) const {
  size_t pos = after;
  std::string_view month = first;
  if (IsWeekdayName(first)) month = Word(&pos);
  if (!IsMonthName(month)) return 0;
  if (!IsDigits(Word(&pos), 1, 2)) return 0;
  if (!IsClock(TrimClose(Word(&pos)))) return 0;
  size_t end = pos;
  if (IsDigits(TrimClose(Word(&pos)), 4, 4)) end = pos;
  return end;
}

// The end of "Number Unit" starting with `first` ("16.0 MB,"), or 0.
size_t MessageTokenizer::UnitRunEnd(std::string_view first, size_t after) const {
  if (!IsPlainNumber(first)) return 0;
  size_t pos = after;
  return IsUnit(TrimClose(Word(&pos))) ? pos : 0;
}

bool MessageTokenizer::Next(std::string_view* token) {
  std::string_view word = Word(&pos_);
  if (word.empty()) return false;
  size_t end = 0;
  if (word.size() == 3 && Is(word[0], kAlpha)) {
    end = DateRunEnd(word, pos_);
  } else if (Is(word.back(), kDigit)) {
    end = UnitRunEnd(word, pos_);
  }
  if (end != 0) {
    size_t start = static_cast<size_t>(word.data() - s_.data());
    *token = s_.substr(start, end - start);
    pos_ = end;
    return true;
  }
  *token = word;
  return true;
}

std::string_view MaskToken(std::string_view token, std::string* scratch) {
  size_t b = 0, e = token.size();
  while (b < e && Is(token[b], kOpen)) ++b;
  while (e > b && Is(token[e - 1], kClose)) --e;
  if (b == e) return token;
  if (IsRun(token)) return MaskRun(token, b, e, scratch);
  scratch->assign(token.substr(0, b));
  if (!MaskCore(token.substr(b, e - b), scratch)) return token;
  scratch->append(token.substr(e));
  return *scratch;
}

std::string GeneralizeToken(std::string_view a, std::string_view b) {
  if (a == b) return std::string(a);
  constexpr std::string_view kDelimiters = "=:([{<'\"/@,)]}>;";
  auto is_delimiter = [&](char c) { return kDelimiters.find(c) != std::string_view::npos; };
  size_t n = std::min(a.size(), b.size());
  size_t pre = 0;
  while (pre < n && a[pre] == b[pre]) ++pre;
  while (pre > 0 && !is_delimiter(a[pre - 1])) --pre;
  size_t suf = 0;
  while (suf < n - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  while (suf > 0 && !is_delimiter(a[a.size() - suf])) --suf;
  std::string out(a.substr(0, pre));
  if (out.size() < 3 || out.compare(out.size() - 3, 3, kWild) != 0) out.append(kWild);
  std::string_view tail = a.substr(a.size() - suf);
  if (tail.substr(0, 3) == kWild) tail.remove_prefix(3);
  out.append(tail);
  return out;
}

uint64_t TokenHash(std::string_view masked_token) {
  return XXH3_64bits(masked_token.data(), masked_token.size());
}

uint64_t WildcardHash() {
  static const uint64_t h = TokenHash(kWild);
  return h;
}

size_t MaskHashes(std::string_view message, std::vector<uint64_t>* hashes, std::string* scratch) {
  size_t before = hashes->size();
  MessageTokenizer tokens(message);
  std::string_view token;
  while (tokens.Next(&token)) hashes->push_back(TokenHash(MaskToken(token, scratch)));
  return hashes->size() - before;
}

void MaskMessage(std::string_view message, std::vector<std::string>* out) {
  std::string scratch;
  MessageTokenizer tokens(message);
  std::string_view token;
  while (tokens.Next(&token)) out->emplace_back(MaskToken(token, &scratch));
}

}  // namespace ddbg::logs

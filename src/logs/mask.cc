// Variable detection by token shape. A token is cut into an opening run of brackets and
// quotes, a core, and a closing run of brackets and punctuation; only the core is judged:
//   - key=value: the key stays, the value is judged on its own ("uid=0" -> "uid=<*>");
//   - a core with a digit is variable (numbers, hex, IPs, ids, UUIDs, durations, times),
//     except identifiers whose digits are single and follow letters (ssh2, jk2_init, log4j);
//   - paths and URLs are variable (/var/log/x, ./a, ~/b, C:\x, scheme://…).
#include "logs/mask.h"

#include <xxhash.h>

#include "ddbg/logmine.h"

namespace ddbg::logs {
namespace {

constexpr std::string_view kWild = "<*>";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsOpen(char c) { return c == '(' || c == '[' || c == '{' || c == '<' || c == '"' || c == '\''; }
bool IsClose(char c) {
  switch (c) {
    case ')': case ']': case '}': case '>': case '"': case '\'': case ',': case ';': case ':':
    case '.': case '!': case '?':
      return true;
    default:
      return false;
  }
}

// An identifier whose digits are version-like: every digit run is one digit long, follows a
// letter, and at least two letters come before the first digit (ssh2, ipv4, jk2_init, log4j).
bool IsWordWithDigit(std::string_view s) {
  size_t first = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if (!IsDigit(s[i])) continue;
    if (first == s.size()) first = i;
    if (i == 0 || !IsAlpha(s[i - 1])) return false;
    if (i + 1 < s.size() && IsDigit(s[i + 1])) return false;
  }
  if (first < 2) return false;
  for (size_t i = 0; i < first; ++i) {
    if (!IsAlpha(s[i]) && s[i] != '_') return false;
  }
  return true;
}

// A source-code location, constant for one log statement: `a.s.AssuranceServiceImpl#65`
// (class#line) or `Foo.java:123`, `server.go:42` (file:line).
bool IsCodeLocation(std::string_view s) {
  size_t sep = s.find_last_of("#:");
  if (sep == std::string_view::npos || sep < 2 || sep + 1 == s.size()) return false;
  for (size_t i = sep + 1; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
  }
  std::string_view name = s.substr(0, sep);
  bool letter = false;
  for (char c : name) {
    if (IsAlpha(c)) letter = true;
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

bool IsPathOrUrl(std::string_view s) {
  if (s.size() > 1 && s[0] == '/' ) return true;
  if (s.size() > 2 && (s.substr(0, 2) == "./" || s.substr(0, 2) == "~/")) return true;
  if (s.size() > 3 && s.substr(0, 3) == "../") return true;
  if (s.size() > 3 && IsAlpha(s[0]) && s[1] == ':' && s[2] == '\\') return true;
  size_t scheme = s.find("://");
  return scheme != std::string_view::npos && scheme > 0;
}

bool IsVariableCore(std::string_view s) {
  bool digit = false;
  for (char c : s) {
    if (IsDigit(c)) {
      digit = true;
      break;
    }
  }
  if (digit) return !IsWordWithDigit(s) && !IsCodeLocation(s);
  return IsPathOrUrl(s);
}

void AppendCore(std::string_view core, std::string* out) {
  size_t eq = core.find('=');
  if (eq != std::string_view::npos && eq > 0 && !IsVariableCore(core.substr(0, eq))) {
    out->append(core.substr(0, eq + 1));
    std::string_view value = core.substr(eq + 1);
    if (value.empty()) return;
    out->append(IsVariableCore(value) ? kWild : value);
    return;
  }
  out->append(IsVariableCore(core) ? kWild : core);
}

}  // namespace

void AppendMaskedToken(std::string_view token, std::string* out) {
  size_t b = 0, e = token.size();
  while (b < e && IsOpen(token[b])) ++b;
  while (e > b && IsClose(token[e - 1])) --e;
  if (b == e) {
    out->append(token);
    return;
  }
  out->append(token.substr(0, b));
  AppendCore(token.substr(b, e - b), out);
  out->append(token.substr(e));
}

uint64_t TokenHash(std::string_view masked_token) {
  return XXH3_64bits(masked_token.data(), masked_token.size());
}

uint64_t WildcardHash() {
  static const uint64_t h = TokenHash(kWild);
  return h;
}

size_t MaskHashes(std::string_view message, std::vector<uint64_t>* hashes, std::string* scratch) {
  hashes->clear();
  size_t i = 0, n = message.size();
  while (i < n) {
    while (i < n && IsSpace(message[i])) ++i;
    if (i >= n) break;
    size_t start = i;
    while (i < n && !IsSpace(message[i])) ++i;
    scratch->clear();
    AppendMaskedToken(message.substr(start, i - start), scratch);
    hashes->push_back(TokenHash(*scratch));
  }
  return hashes->size();
}

void MaskMessage(std::string_view message, std::vector<std::string>* out) {
  size_t i = 0, n = message.size();
  while (i < n) {
    while (i < n && IsSpace(message[i])) ++i;
    if (i >= n) break;
    size_t start = i;
    while (i < n && !IsSpace(message[i])) ++i;
    std::string token;
    AppendMaskedToken(message.substr(start, i - start), &token);
    out->push_back(std::move(token));
  }
}

}  // namespace ddbg::logs

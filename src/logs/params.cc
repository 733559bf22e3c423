// ExtractParams: the variable parts of a message against its template, token by token. A
// template token "<*>" takes the whole message token; a token with "<*>" inside
// ("uid=<*>", "[<*>]") takes what lies between its constant prefix and suffix.
#include "ddbg/logmine.h"
#include "logs/mask.h"

namespace ddbg::logs {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// Template text: split on whitespace (its tokens never hold spaces).
std::vector<std::string_view> TemplateTokens(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::vector<std::string_view> MessageTokens(std::string_view s) {
  std::vector<std::string_view> out;
  MessageTokenizer tokens(s);
  std::string_view t;
  while (tokens.Next(&t)) out.push_back(t);
  return out;
}

}  // namespace

std::vector<std::string_view> ExtractParams(std::string_view template_text,
                                            std::string_view message) {
  std::vector<std::string_view> tpl = TemplateTokens(template_text), msg = MessageTokens(message),
                                out;
  if (tpl.size() != msg.size()) return out;
  for (size_t i = 0; i < tpl.size(); ++i) {
    size_t w = tpl[i].find("<*>");
    if (w == std::string_view::npos) continue;
    std::string_view prefix = tpl[i].substr(0, w), suffix = tpl[i].substr(w + 3);
    std::string_view m = msg[i];
    if (m.size() >= prefix.size() + suffix.size() && m.substr(0, prefix.size()) == prefix &&
        m.substr(m.size() - suffix.size()) == suffix) {
      out.push_back(m.substr(prefix.size(), m.size() - prefix.size() - suffix.size()));
    } else {
      out.push_back(m);
    }
  }
  return out;
}

}  // namespace ddbg::logs

#include "analysis/rca/log_template.h"

#include <cctype>

#include "ddbg/model.h"

namespace ddbg::rca {
namespace {

bool IsVariable(std::string_view t) {
  int digits = 0, alpha = 0, hex_alpha = 0;
  for (char c : t) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isdigit(u)) ++digits;
    else if (std::isalpha(u)) {
      ++alpha;
      if (std::isxdigit(u)) ++hex_alpha;
    }
  }
  if (digits == 0) return t.size() >= 24 && alpha >= 20 && t.find('.') != std::string_view::npos;
  if (alpha == 0) return true;                       // 42, 12:30:01.5, 1.5ms-less numbers
  if (hex_alpha == alpha && t.size() >= 8) return true;  // hex ids, uuids
  if (t.size() >= 16 && t.find('#') == std::string_view::npos) return true;  // tokens, keys
  // "12ms", "3.2s", "v2": a number with a short unit.
  return alpha <= 2 && digits >= 1 && t.find('#') == std::string_view::npos;
}

// Trims punctuation around a token so "[id:" and "42," are judged by their core.
std::string_view Core(std::string_view t, size_t* lead) {
  size_t b = 0, e = t.size();
  while (b < e && std::ispunct(static_cast<unsigned char>(t[b])) && t[b] != '#') ++b;
  while (e > b && std::ispunct(static_cast<unsigned char>(t[e - 1])) && t[e - 1] != '#') --e;
  *lead = b;
  return t.substr(b, e - b);
}

void AppendToken(std::string_view tok, std::string* out) {
  size_t eq = tok.find('=');
  if (eq != std::string_view::npos && eq + 1 < tok.size()) {  // key=value: mask the value
    out->append(tok.substr(0, eq + 1));
    out->append("<*>");
    return;
  }
  size_t lead = 0;
  std::string_view core = Core(tok, &lead);
  if (core.empty() || !IsVariable(core)) {
    out->append(tok);
    return;
  }
  out->append(tok.substr(0, lead));
  out->append("<*>");
  out->append(tok.substr(lead + core.size()));
}

}  // namespace

std::string MaskLogBody(std::string_view body, int max_tokens) {
  std::string out;
  out.reserve(body.size() < 160 ? body.size() : 160);
  int n = 0;
  size_t i = 0;
  while (i < body.size() && n < max_tokens) {
    while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
    size_t j = i;
    while (j < body.size() && !std::isspace(static_cast<unsigned char>(body[j]))) ++j;
    if (j == i) break;
    if (!out.empty()) out.push_back(' ');
    AppendToken(body.substr(i, j - i), &out);
    ++n;
    i = j;
  }
  return out;
}

uint8_t SeverityFromBody(std::string_view body) {
  size_t i = 0;
  for (int n = 0; n < 6 && i < body.size(); ++n) {
    while (i < body.size() && (std::isspace(static_cast<unsigned char>(body[i])) ||
                               body[i] == '[' || body[i] == '<')) {
      ++i;
    }
    size_t j = i;
    while (j < body.size() && std::isalpha(static_cast<unsigned char>(body[j]))) ++j;
    std::string_view word = body.substr(i, j - i);
    if (word.size() >= 4 && word.size() <= 8) {
      bool upper = true;
      for (char c : word) upper = upper && std::isupper(static_cast<unsigned char>(c));
      if (upper) {
        uint8_t sev = SeverityFromText(word);
        if (sev != 0) return sev;
      }
    }
    while (j < body.size() && !std::isspace(static_cast<unsigned char>(body[j]))) ++j;
    i = j;
  }
  return 0;
}

}  // namespace ddbg::rca

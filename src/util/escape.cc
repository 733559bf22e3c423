#include "util/escape.h"

#include <cstdint>

#include "util/utf8.h"

namespace ddbg {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsControl(uint32_t cp) { return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0); }

// Calls emit(code point, its bytes) for each valid code point; invalid bytes give cp ~0u.
template <typename Emit>
void ForEachCodePoint(std::string_view s, Emit emit) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0) {
      emit(~0u, s.substr(i, 1));
      ++i;
      continue;
    }
    emit(cp, s.substr(i, len));
    i += len;
  }
}

}  // namespace

void AppendHtmlEscaped(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size());
  ForEachCodePoint(s, [&](uint32_t cp, std::string_view bytes) {
    switch (cp) {
      case '&': out += "&amp;"; return;
      case '<': out += "&lt;"; return;
      case '>': out += "&gt;"; return;
      case '"': out += "&quot;"; return;
      case '\'': out += "&#39;"; return;
      case '\t': case '\n': out += static_cast<char>(cp); return;
      default: break;
    }
    if (cp == ~0u || IsControl(cp)) {
      out += kReplacement;
    } else {
      out += bytes;
    }
  });
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  AppendHtmlEscaped(out, s);
  return out;
}

std::string MarkdownEscape(std::string_view s) {
  static constexpr std::string_view kPunctuation = "\\`*_[]|#~!";
  std::string out;
  out.reserve(s.size());
  ForEachCodePoint(s, [&](uint32_t cp, std::string_view bytes) {
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      out += ' ';
    } else if (cp == '&' || cp == '<' || cp == '>' || cp == '"' || cp == '\'') {
      AppendHtmlEscaped(out, bytes);
    } else if (cp < 0x80 && kPunctuation.find(static_cast<char>(cp)) != std::string_view::npos) {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == ~0u || IsControl(cp)) {
      out += kReplacement;
    } else {
      out += bytes;
    }
  });
  return out;
}

std::string TerminalSafe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  ForEachCodePoint(s, [&](uint32_t cp, std::string_view bytes) {
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      out += ' ';
    } else if (cp == ~0u || IsControl(cp)) {
      out += '?';
    } else {
      out += bytes;
    }
  });
  return out;
}

}  // namespace ddbg

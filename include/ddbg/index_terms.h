// The terms of the stores' inverted indexes: a planner asks a segment for the rows holding a
// term (see SegmentCursor in store.h); the embedded store builds one posting list (a
// CRoaring bitmap of row numbers) per distinct term of a segment. A term is the field tag,
// the attribute key, the value's type and the value text, separated by NUL bytes, so equal
// text of different types (the int 123 and the string "123") are different terms.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "ddbg/model.h"

namespace ddbg {

enum class TermField : char {
  kService = 's',       // spans and logs: service name (key empty)
  kSpanName = 'n',      // spans: span name (key empty)
  kStatus = 'c',        // spans: status code name "error" (key empty)
  kKind = 'k',          // spans: kind name "server" (key empty)
  kAttr = 'a',          // span or log record attribute
  kResourceAttr = 'r',  // resource attribute
  kEventAttr = 'e',     // spans: attribute of any span event
  kLinkAttr = 'l',      // spans: attribute of any link
  kScopeAttr = 'i',     // instrumentation scope attribute
  kScopeName = 'm',     // instrumentation scope name (key empty)
  kSeverity = 'v',      // logs: severity short name "ERROR" (key empty)
  kToken = 't',         // logs: a token of the body (maximal run of letters, digits, '_')
};

// The term for `value_text` of type `type` in field `field` under attribute `key`.
std::string IndexTerm(TermField field, std::string_view key, AttrType type,
                      std::string_view value_text);
// The term for a field without a key or type (service, span name, status, kind, severity).
inline std::string IndexTerm(TermField field, std::string_view value_text) {
  return IndexTerm(field, {}, AttrType::kString, value_text);
}

// Calls fn(token) for each token of `text`: maximal runs of ASCII letters, digits and '_',
// and every byte >= 0x80 (so UTF-8 words are tokens too).
template <typename Fn>
void ForEachToken(std::string_view text, Fn&& fn) {
  size_t i = 0;
  while (i < text.size()) {
    auto word = [&](size_t k) {
      unsigned char c = static_cast<unsigned char>(text[k]);
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             c == '_' || c >= 0x80;
    };
    while (i < text.size() && !word(i)) ++i;
    size_t j = i;
    while (j < text.size() && word(j)) ++j;
    if (j > i) fn(text.substr(i, j - i));
    i = j;
  }
}

}  // namespace ddbg

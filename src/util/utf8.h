// Decoding one UTF-8 code point, strictly (no overlongs, no surrogates, nothing past
// U+10FFFF), for the code that sanitises or measures telemetry text. Pure, inline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ddbg {

// Decodes the code point at s[i] into *cp; returns its length, or 0 for an invalid sequence.
inline size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
  if (len == 0 || c > 0xf4 || i + len > s.size()) return 0;
  uint32_t v = c & (0x3f >> (len - 1));
  for (size_t k = 1; k < len; ++k) {
    auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xc0) != 0x80) return 0;
    v = (v << 6) | (d & 0x3f);
  }
  if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)) ||
      (v >= 0xd800 && v <= 0xdfff)) {
    return 0;
  }
  *cp = v;
  return len;
}

}  // namespace ddbg

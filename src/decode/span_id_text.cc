#include "decode/span_id_text.h"

#include <fmt/format.h>
#include <xxhash.h>

#include "decode/json_document.h"

namespace ddbg::idtext {
namespace {

constexpr size_t kMaxHashedIdBytes = 256;

bool AllHex(std::string_view s) {
  for (char c : s) {
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

// Whether a non-hex id may be hashed; sets *why when not.
bool Hashable(std::string_view field, std::string_view text, size_t max_hex, NonHex non_hex,
              std::string* why) {
  bool control = false;
  for (char c : text) control |= static_cast<unsigned char>(c) < 0x20;
  if (non_hex == NonHex::kHash && !control && text.size() <= kMaxHashedIdBytes) return true;
  *why = fmt::format("{} must be 1-{} hex characters, got \"{}\"", field, max_hex,
                     json::Excerpt(text));
  return false;
}

}  // namespace

bool TraceIdFromText(std::string_view field, std::string_view text, NonHex non_hex, TraceId* out,
                     bool* hashed, std::string* why) {
  *out = TraceId();
  *hashed = false;
  if (text.empty()) return true;
  if (AllHex(text)) {
    if (ParseTraceIdHex(text, out)) return true;
    *why = fmt::format("{} must be 1-32 hex characters, got {}: \"{}\"", field, text.size(),
                       json::Excerpt(text));
    return false;
  }
  if (!Hashable(field, text, 32, non_hex, why)) return false;
  XXH128_hash_t h = XXH3_128bits(text.data(), text.size());
  *out = TraceId{h.high64, h.low64 == 0 && h.high64 == 0 ? 1 : h.low64};
  *hashed = true;
  return true;
}

bool SpanIdFromText(std::string_view field, std::string_view text, NonHex non_hex, SpanId* out,
                    bool* hashed, std::string* why) {
  *out = 0;
  *hashed = false;
  if (text.empty()) return true;
  if (AllHex(text)) {
    if (ParseSpanIdHex(text, out)) return true;
    *why = fmt::format("{} must be 1-16 hex characters, got {}: \"{}\"", field, text.size(),
                       json::Excerpt(text));
    return false;
  }
  if (!Hashable(field, text, 16, non_hex, why)) return false;
  uint64_t h = XXH3_64bits(text.data(), text.size());
  *out = h == 0 ? 1 : h;
  *hashed = true;
  return true;
}

}  // namespace ddbg::idtext

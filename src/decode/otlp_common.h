// Pieces shared by the OTLP decoders (JSON and protobuf): id parsing with the reasons a bad id
// is rejected for, the span and log record rules both formats apply, UTF-8 repair, base64,
// and the compact JSON text nested attribute values (arrays, maps) are stored as.
// Stateless functions plus a per-decode string interner; nothing here is shared by threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ddbg/model.h"

namespace ddbg::otlp {

// How an id field treats "no id": a span's own ids must be present and non-zero; a parent
// span id or a log record's ids may be empty (or all zeros), meaning none.
enum class IdRule : uint8_t { kRequired, kOptional };

// Parse an id written as hex (OTLP/JSON): exactly 32 (trace) or 16 (span) hex digits.
// On failure return false and set *why, e.g. "spanId must be 16 hex characters, got 15".
bool TraceIdFromHex(std::string_view field, std::string_view hex, IdRule rule, TraceId* out,
                    std::string* why);
bool SpanIdFromHex(std::string_view field, std::string_view hex, IdRule rule, SpanId* out,
                   std::string* why);
// The same for raw bytes (OTLP/protobuf): exactly 16 or 8 bytes, big-endian.
bool TraceIdFromBytes(std::string_view field, std::string_view bytes, IdRule rule, TraceId* out,
                      std::string* why);
bool SpanIdFromBytes(std::string_view field, std::string_view bytes, IdRule rule, SpanId* out,
                     std::string* why);

// Applies the rules every decoded span must satisfy. Returns false (with *why) when the span
// must be rejected; fixes what can be fixed (end before start becomes end = start) and then
// sets *fixed.
bool CheckSpan(SpanRow* row, bool* fixed, std::string* why);

// OTLP enum values given by name in JSON ("SPAN_KIND_SERVER", "STATUS_CODE_ERROR",
// "SEVERITY_NUMBER_WARN"). Return -1 for an unknown name.
int SpanKindFromName(std::string_view name);
int StatusCodeFromName(std::string_view name);
int SeverityFromName(std::string_view name);

// Maps an OTLP kind / status code number to the model; out-of-range values become
// unspecified / unset and set *fixed.
SpanKind SpanKindFromNumber(int64_t v, bool* fixed);
SpanStatus SpanStatusFromNumber(int64_t v, bool* fixed);
// Severity numbers outside 0..24 become 0 and set *fixed.
uint8_t SeverityFromNumber(int64_t v, bool* fixed);

// Writes `s` with invalid UTF-8 sequences replaced by U+FFFD (one per maximal invalid
// subpart, as Unicode recommends). Returns the number of replacements.
size_t AppendRepairedUtf8(std::string_view s, std::string* out);
// True when s contains U+FFFD (used to count records a repair touched).
bool HasReplacementChar(std::string_view s);

// Standard base64 (with padding) as the protobuf JSON mapping writes bytes.
void AppendBase64(std::string_view bytes, std::string* out);
// Accepts the standard and the URL-safe alphabet, with or without padding.
bool DecodeBase64(std::string_view text, std::string* out);

// Compact JSON text for nested values: strings escaped, doubles in shortest round-trip form
// (non-finite ones as the strings "NaN", "Infinity", "-Infinity").
void AppendJsonString(std::string_view s, std::string* out);
void AppendJsonInt(int64_t v, std::string* out);
void AppendJsonDouble(double v, std::string* out);
// Scalar log bodies are stored as text: 42, 1.5, true.
std::string ScalarText(AttrType type, uint64_t bits);

// Interns text into a batch dictionary. In repair mode (the input's invalid UTF-8 was already
// replaced) it notes whether the current record holds a replacement character, so the caller
// can count the record as fixed. Strings and keys go through Text(), raw bytes through Bytes().
class TextInterner {
 public:
  explicit TextInterner(StringDict* dict) : dict_(dict) {}
  void set_repair_mode(bool on) { repair_mode_ = on; }
  bool repair_mode() const { return repair_mode_; }
  StrId Text(std::string_view s) {
    if (repair_mode_ && !touched_ && HasReplacementChar(s)) touched_ = true;
    return dict_->Intern(s);
  }
  StrId Bytes(std::string_view s) { return dict_->Intern(s); }
  // Whether a string since the last call held U+FFFD; resets the flag.
  bool TakeTouched() {
    bool t = touched_;
    touched_ = false;
    return t;
  }

 private:
  StringDict* dict_;
  bool repair_mode_ = false;
  bool touched_ = false;
};

// The value of the resource attribute service.name, or "unknown_service".
inline constexpr std::string_view kServiceNameKey = "service.name";
inline constexpr std::string_view kUnknownService = "unknown_service";

// Decoders give MaybeFlush a chance after this many records within one scope block.
inline constexpr uint32_t kRecordsPerFlushCheck = 1024;

}  // namespace ddbg::otlp

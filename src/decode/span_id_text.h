// Trace and span ids written as text in Jaeger and Zipkin JSON: hex of up to 32 / 16 digits,
// shorter ids left-padded (both print 64-bit ids that way), with the reason a bad id is
// rejected ("spanID must be 1-16 hex characters, got \"xyz\""). Jaeger documents may also
// carry ids that are not hex at all; those can be mapped to a stable hash of their text.
// Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ddbg/model.h"

namespace ddbg::idtext {

enum class NonHex : uint8_t {
  kReject,  // Zipkin: ids are hex by specification
  kHash,    // Jaeger UI documents: "span-A" -> XXH3 of the text; *hashed is set
};

// Empty text and all-zero ids parse to zero: the caller decides whether that means "none".
// False with *why for over-long hex, and (kReject) any non-hex character or (kHash) control
// characters or more than 256 bytes.
bool TraceIdFromText(std::string_view field, std::string_view text, NonHex non_hex, TraceId* out,
                     bool* hashed, std::string* why);
bool SpanIdFromText(std::string_view field, std::string_view text, NonHex non_hex, SpanId* out,
                    bool* hashed, std::string* why);

}  // namespace ddbg::idtext

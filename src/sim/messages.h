// The words of the simulated system: error classes with their HTTP and gRPC codes, exception
// types and messages per language, stack traces, and the background log lines services
// write without a request. Templates carry variables (ids, numbers, durations, addresses)
// so log mining has something to find. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sim/rng.h"
#include "sim/topology.h"

namespace ddbg::sim {

// Why a span failed.
enum class ErrClass : uint8_t {
  kNone = 0,
  kInternal,           // a bug or an unexpected state in the service itself
  kUnavailable,        // transient: overloaded, restarting, connection reset
  kTimeout,            // the client gave up waiting
  kDeclined,           // business refusal (payment declined)
  kDatabase,           // a database call failed
  kPoolExhausted,      // no pooled connection became free in time (the service hangs)
  kDownstream,         // a call to another service failed
  kDownstreamTimeout,  // a call to another service timed out
};

bool Retryable(ErrClass cls);
int HttpStatus(ErrClass cls);          // 200 for kNone
int GrpcStatus(ErrClass cls);          // 0 (OK) for kNone
const char* GrpcStatusName(int code);  // "UNAVAILABLE"

struct ErrorText {
  const char* type;
  const char* message;
};

// An everyday failure of a service written in `language` (not injected by a fault).
ErrorText BackgroundError(const std::string& language, Rng& rng);
// A transient failure ("upstream connect error …").
const char* TransientMessage(Rng& rng);
// A failure of a database call.
const char* DatabaseMessage(const std::string& system, Rng& rng);
const char* DatabaseExceptionType(const std::string& language);
const char* PoolExceptionType(const std::string& language);
// The exception a caller written in `language` sees when a call over `protocol` fails.
const char* DownstreamExceptionType(const std::string& language, Protocol protocol, bool timeout);
const char* DeclineReason(Rng& rng);
// The exception of a request a service rejects because it is overloaded or restarting.
const char* UnavailableExceptionType(const std::string& language);
const char* DeclineExceptionType(const std::string& language);

// Appends a short stack trace in the style of `language`.
void AppendStackTrace(std::string& out, const Service& service, const Operation& op,
                      std::string_view type, std::string_view message, Rng& rng);

// Appends a background log line of `service` (no request) and returns its severity number.
int AppendBackgroundLog(std::string& out, const Service& service, Rng& rng);

}  // namespace ddbg::sim

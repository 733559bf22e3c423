// Status and Result<T>: the outcome of an operation that can fail in an expected way
// (bad input, a missing file, a full disk). Errors are values, never exceptions across the
// public API. A Status is cheap to copy when OK; an error carries a code and a message that
// names the place ("traces.json:17: spanId must be 16 hex characters, got 15").
// Thread-safety: plain values; no shared state.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ddbg {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,  // the caller gave something malformed (a query, a flag, a record)
  kNotFound,         // a file, trace or stream that does not exist
  kCorruption,       // stored bytes that do not decode
  kIOError,          // the operating system refused (permissions, disk full)
  kUnsupported,      // a valid request this build cannot serve
  kInternal,         // a broken invariant: a bug
};

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Unsupported(std::string msg) { return {StatusCode::kUnsupported, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: <message>", or "ok".
  std::string ToString() const;

 private:
  Status(StatusCode code, std::string msg) : code_(code), message_(std::move(msg)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or an error Status. Access the value only when ok().
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace ddbg

#define DDBG_RETURN_IF_ERROR(expr)          \
  do {                                      \
    ::ddbg::Status _st = (expr);            \
    if (!_st.ok()) return _st;              \
  } while (0)

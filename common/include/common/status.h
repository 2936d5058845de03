// Status and Result<T>: how errors cross module boundaries in Slipway.
//
// A Status is ok, or an error code with a message meant for a person. The code is stable and
// machine-readable ("not_found", "invalid_argument", ...); the orchestrator maps codes to HTTP
// statuses in one place (orchestrator/api/replies.h). Third-party exceptions (yaml-cpp, nlohmann,
// SQLite) are caught where they enter and turned into a Status.
//
// Thread-safety: plain values; safe to copy between threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace slipway {

enum class ErrorCode {
  kOk,
  kInvalidArgument,   // the caller's input is wrong (bad body, bad flag, bad file)
  kNotFound,
  kAlreadyExists,
  kConflict,          // the state forbids it now (stale lease, run already finished)
  kUnauthenticated,   // missing or wrong token or signature
  kPermissionDenied,
  kMethodNotAllowed,  // the resource exists, but not with this method
  kTooLarge,
  kUnavailable,       // a dependency (engine, registry, server) cannot be reached now
  kInternal,
};

// The stable wire name of a code, as in {"error":{"code":"not_found",...}}.
std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {ErrorCode::kConflict, std::move(m)}; }
  static Status Unauthenticated(std::string m) { return {ErrorCode::kUnauthenticated, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
  static Status MethodNotAllowed(std::string m) { return {ErrorCode::kMethodNotAllowed, std::move(m)}; }
  static Status TooLarge(std::string m) { return {ErrorCode::kTooLarge, std::move(m)}; }
  static Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "not_found: run 12 does not exist", or "ok".
  std::string ToString() const;

  // Prefixes the message with context: Status::NotFound("x").Annotate("loading run") gives
  // "loading run: x". Ok stays ok.
  Status Annotate(std::string_view context) const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value or the Status that explains its absence.
//   Result<Run> r = store.GetRun(id);
//   if (!r.ok()) return r.status();
//   Use(*r);
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design
  // REQUIRES: !status.ok() when constructing from a Status.

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace slipway

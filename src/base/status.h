// SPDX-License-Identifier: Apache-2.0
#pragma once

// Status says whether an operation succeeded and, if not, what it was about and why.
// Success holds no allocation, so returning Status::Ok() on a hot path is free. A failure carries a
// code and one message of the form "<subject>: <reason>", where the subject names the thing (a
// file, a sink, a field) the error is about. Status is the only error type that crosses a module
// boundary; exceptions from libraries are caught where the library is called.

#include <memory>
#include <string>
#include <string_view>

namespace logship {

class [[nodiscard]] Status {
 public:
  enum class Code : unsigned char {
    kOk = 0,
    kInvalidArgument,
    kNotFound,
    kCorruption,
    kIoError,
    kUnavailable,
    kResourceExhausted,
    kFailedPrecondition,
    kInternal,
  };

  Status() = default;
  Status(const Status& other) { *this = other; }
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string_view subject, std::string_view reason) {
    return Status(Code::kInvalidArgument, subject, reason);
  }
  static Status NotFound(std::string_view subject, std::string_view reason) {
    return Status(Code::kNotFound, subject, reason);
  }
  static Status Corruption(std::string_view subject, std::string_view reason) {
    return Status(Code::kCorruption, subject, reason);
  }
  static Status IoError(std::string_view subject, std::string_view reason) {
    return Status(Code::kIoError, subject, reason);
  }
  static Status Unavailable(std::string_view subject, std::string_view reason) {
    return Status(Code::kUnavailable, subject, reason);
  }
  static Status ResourceExhausted(std::string_view subject, std::string_view reason) {
    return Status(Code::kResourceExhausted, subject, reason);
  }
  static Status FailedPrecondition(std::string_view subject, std::string_view reason) {
    return Status(Code::kFailedPrecondition, subject, reason);
  }
  static Status Internal(std::string_view subject, std::string_view reason) {
    return Status(Code::kInternal, subject, reason);
  }
  // Maps an errno value: ENOENT to NotFound, EAGAIN/EINTR-like transients to Unavailable,
  // ENOSPC/EMFILE/ENFILE/ENOMEM to ResourceExhausted, the rest to IoError.
  static Status FromErrno(std::string_view subject, int err);

  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  bool IsNotFound() const { return code() == Code::kNotFound; }
  bool IsCorruption() const { return code() == Code::kCorruption; }
  // True for failures that may go away if the operation is tried again later.
  bool retriable() const {
    return code() == Code::kUnavailable || code() == Code::kResourceExhausted;
  }
  // "subject: reason", or "ok".
  std::string_view message() const { return rep_ ? std::string_view(rep_->message) : "ok"; }
  // The message prefixed by the code's name, for logs: "io error: /x: no such file".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>", keeping the code.
  Status WithContext(std::string_view context) const;

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  Status(Code code, std::string_view subject, std::string_view reason);
  std::unique_ptr<Rep> rep_;
};

std::string_view CodeName(Status::Code code);

}  // namespace logship

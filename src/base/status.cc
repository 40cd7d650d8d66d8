// SPDX-License-Identifier: Apache-2.0
#include "src/base/status.h"

#include <cerrno>
#include <cstring>

namespace logship {

Status::Status(Code code, std::string_view subject, std::string_view reason)
    : rep_(std::make_unique<Rep>()) {
  rep_->code = code;
  rep_->message.reserve(subject.size() + reason.size() + 2);
  rep_->message.append(subject);
  if (!subject.empty() && !reason.empty()) rep_->message.append(": ");
  rep_->message.append(reason);
}

Status& Status::operator=(const Status& other) {
  if (this != &other) rep_ = other.rep_ ? std::make_unique<Rep>(*other.rep_) : nullptr;
  return *this;
}

Status Status::FromErrno(std::string_view subject, int err) {
  const char* reason = std::strerror(err);
  switch (err) {
    case ENOENT:
      return NotFound(subject, reason);
    case EAGAIN:
    case EINTR:
    case ETIMEDOUT:
    case ECONNREFUSED:
    case ECONNRESET:
      return Unavailable(subject, reason);
    case ENOSPC:
    case EMFILE:
    case ENFILE:
    case ENOMEM:
    case EDQUOT:
      return ResourceExhausted(subject, reason);
    default:
      return IoError(subject, reason);
  }
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(CodeName(code()));
  out.append(": ");
  out.append(rep_->message);
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return Status();
  return Status(code(), context, rep_->message);
}

std::string_view CodeName(Status::Code code) {
  switch (code) {
    case Status::Code::kOk:
      return "ok";
    case Status::Code::kInvalidArgument:
      return "invalid argument";
    case Status::Code::kNotFound:
      return "not found";
    case Status::Code::kCorruption:
      return "corruption";
    case Status::Code::kIoError:
      return "io error";
    case Status::Code::kUnavailable:
      return "unavailable";
    case Status::Code::kResourceExhausted:
      return "resource exhausted";
    case Status::Code::kFailedPrecondition:
      return "failed precondition";
    case Status::Code::kInternal:
      return "internal";
  }
  return "unknown";
}

}  // namespace logship

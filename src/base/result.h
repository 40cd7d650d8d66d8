// SPDX-License-Identifier: Apache-2.0
#pragma once

// Result<T> holds either a value of T or a non-OK Status. Reading the value of a failed Result
// aborts (a programmer error); check ok() first or use LOGSHIP_ASSIGN_OR_RETURN.

#include <optional>
#include <utility>

#include "src/base/check.h"
#include "src/base/status.h"

namespace logship {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    LOGSHIP_CHECK(!status_.ok()) << "a Result must not hold an OK status without a value";
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    LOGSHIP_CHECK(ok()) << status_.ToString();
    return *value_;
  }
  const T& value() const& {
    LOGSHIP_CHECK(ok()) << status_.ToString();
    return *value_;
  }
  T&& value() && {
    LOGSHIP_CHECK(ok()) << status_.ToString();
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace logship

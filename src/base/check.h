// SPDX-License-Identifier: Apache-2.0
#pragma once

// LOGSHIP_CHECK(cond) << "context": aborts the process, loudly, when a programmer's invariant is
// broken. It is on in every build type: a broken invariant on a data path must never turn into
// silent loss. Bad input and environment failures are Status values, never checks.

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace logship::internal {

class CheckFailure {
 public:
  CheckFailure(const char* file, int line, const char* cond) {
    stream_ << file << ":" << line << ": check failed: " << cond << ": ";
  }
  [[noreturn]] ~CheckFailure() {
    std::string text = stream_.str();
    std::fprintf(stderr, "logship: %s\n", text.c_str());
    std::fflush(stderr);
    std::abort();
  }
  template <class T>
  CheckFailure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

// Lets `LOGSHIP_CHECK(x) << ...` be an expression of type void in both branches.
struct Voidify {
  void operator&(const CheckFailure&) {}
};

}  // namespace logship::internal

#define LOGSHIP_CHECK(cond)                      \
  (__builtin_expect(static_cast<bool>(cond), 1)) \
      ? (void)0                                  \
      : ::logship::internal::Voidify() &         \
            ::logship::internal::CheckFailure(__FILE__, __LINE__, #cond)

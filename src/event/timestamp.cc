// SPDX-License-Identifier: Apache-2.0
#include "src/event/timestamp.h"

#include <chrono>
#include <cstdio>
#include <cstring>

namespace logship {
namespace {

inline char* Put2(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
  return out + 2;
}

inline char* PutDigits(char* out, uint64_t v, int digits) {
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return out + digits;
}

}  // namespace

char* TimestampFormatter::Format(int64_t unix_nanos, TimePrecision precision, char* out) {
  // Floor division, so instants before 1970 format correctly too.
  int64_t second = unix_nanos / 1'000'000'000;
  int64_t frac = unix_nanos % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --second;
  }
  if (second != cached_second_) {
    using namespace std::chrono;
    sys_seconds tp{seconds{second}};
    sys_days day = floor<days>(tp);
    year_month_day ymd{day};
    hh_mm_ss<seconds> hms{tp - day};
    int year = static_cast<int>(ymd.year());
    char* p = cached_;
    if (year >= 0 && year <= 9999) {
      p = PutDigits(p, static_cast<uint64_t>(year), 4);
    } else {
      p += std::snprintf(p, 8, "%+d", year);
    }
    *p++ = '-';
    p = Put2(p, static_cast<unsigned>(ymd.month()));
    *p++ = '-';
    p = Put2(p, static_cast<unsigned>(ymd.day()));
    *p++ = 'T';
    p = Put2(p, static_cast<unsigned>(hms.hours().count()));
    *p++ = ':';
    p = Put2(p, static_cast<unsigned>(hms.minutes().count()));
    *p++ = ':';
    p = Put2(p, static_cast<unsigned>(hms.seconds().count()));
    cached_len_ = static_cast<int>(p - cached_);
    cached_second_ = second;
  }
  std::memcpy(out, cached_, static_cast<size_t>(cached_len_));
  out += cached_len_;
  *out++ = '.';
  switch (precision) {
    case TimePrecision::kMillis:
      out = PutDigits(out, static_cast<uint64_t>(frac / 1'000'000), 3);
      break;
    case TimePrecision::kMicros:
      out = PutDigits(out, static_cast<uint64_t>(frac / 1'000), 6);
      break;
    case TimePrecision::kNanos:
      out = PutDigits(out, static_cast<uint64_t>(frac), 9);
      break;
  }
  *out++ = 'Z';
  return out;
}

}  // namespace logship

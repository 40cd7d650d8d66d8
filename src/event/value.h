// SPDX-License-Identifier: Apache-2.0
#pragma once

// Value is one field value of an event. It owns nothing: strings and JSON text are views into the
// batch's arena (or into static storage), so values are trivially copyable and never allocate.

#include <cstdint>
#include <string_view>

namespace logship {

enum class ValueKind : uint8_t {
  kNull,
  kBool,
  kInt,
  kDouble,
  kString,  // text, escaped when written
  kJson,    // text that is already valid JSON (a number's exact text, an object, an array)
};

struct Value {
  ValueKind kind = ValueKind::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view s;

  static Value Null() { return Value{}; }
  static Value Bool(bool v) { return Value{ValueKind::kBool, v, 0, 0, {}}; }
  static Value Int(int64_t v) { return Value{ValueKind::kInt, false, v, 0, {}}; }
  static Value Double(double v) { return Value{ValueKind::kDouble, false, 0, v, {}}; }
  static Value String(std::string_view v) { return Value{ValueKind::kString, false, 0, 0, v}; }
  static Value Json(std::string_view v) { return Value{ValueKind::kJson, false, 0, 0, v}; }
};

}  // namespace logship

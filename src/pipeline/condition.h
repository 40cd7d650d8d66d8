// SPDX-License-Identifier: Apache-2.0
#pragma once

// Condition is a compiled `when:` clause, usable on any stage and on any sink:
//   {field: level, equals: error}          the field's text equals the value
//   {field: status, in: [500, 502, 503]}   equals one of the values
//   {field: message, matches: "timeout"}   RE2 partial match (compiled at load)
//   {field: error.type, exists: true}      the field is (or is not) set
//   {all: [...]}, {any: [...]}, {not: {...}}
// Values compare as text (GetFieldText): `equals: 500` matches the number 500 and the string
// "500". Immutable and thread-safe once parsed; Matches allocates nothing in steady state.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/event/batch.h"
#include "src/event/field_ref.h"

namespace re2 {
class RE2;
}

namespace logship {

class Condition {
 public:
  // Compiles `node`; every problem goes to `errors` with its position, and nullopt is returned.
  static std::optional<Condition> Parse(const ConfigNode& node, ConfigErrors& errors);

  bool Matches(const Batch& batch, const Event& event) const;

  Condition(Condition&&) noexcept;
  Condition& operator=(Condition&&) noexcept;
  ~Condition();

  struct Node;

 private:
  explicit Condition(std::unique_ptr<Node> root);
  std::unique_ptr<Node> root_;
};

}  // namespace logship

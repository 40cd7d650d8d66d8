// SPDX-License-Identifier: Apache-2.0
#pragma once

// `add_fields` sets fields on the events its `when:` selects, in the order written:
//
//   - type: add_fields
//     fields:                      # required; dotted keys are paths into nested objects
//       env: prod                  # a string
//       replicas: 3                # plain YAML integers and booleans keep their type
//       team: "{{service}}"        # {{field}} templates are rendered per event (always strings)
//       service.owner: "${OWNER}"  # ${ENV} is expanded once, at load
//     overwrite: true              # false: leave a field, or an object, that is already there
//     on_missing: empty            # a template field that is unset renders as ""; skip: the
//                                  # field is not added to that event
//
// Types: only a plain (unquoted) scalar that is a canonical integer ("3", "-12", not "007" or
// "1_000") becomes an Int, and only true/True/TRUE/false/False/FALSE a Bool (YAML 1.2; "yes",
// "on" stay strings). Everything else is a string, floats included: `version: 1.10` must not
// turn into 1.1. Quoting ("3") always gives a string. Typing applies after ${ENV} expansion, as
// if the value had been written out. A null value (`env:`) is a config error: write "" for an
// empty string. Values may name built-ins: `message: x` replaces the message, `host.name: x`
// shadows the host name. A later field's template sees the fields set before it.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/event/field_ref.h"
#include "src/event/value.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"
#include "src/pipeline/template.h"

namespace logship {

struct AddedField {
  FieldRef field;
  std::optional<Template> value_template;  // set when the value references fields
  // Otherwise the literal: a string (`text`), an Int or a Bool.
  ValueKind kind = ValueKind::kString;
  std::string text;  // after ${ENV} expansion
  int64_t int_value = 0;
  bool bool_value = false;

  // The literal as a Value; its string points into `text`.
  Value Literal() const;
};

enum class OnMissing { kEmpty, kSkip };

struct AddFieldsOptions {
  std::vector<AddedField> fields;
  bool overwrite = true;
  OnMissing on_missing = OnMissing::kEmpty;
};

// Reads and validates the options (field names, templates, ${ENV}); every problem goes to
// ctx.errors with its position, and then the result is InvalidArgument(component).
Result<AddFieldsOptions> ParseAddFieldsOptions(const ConfigNode& node, PluginContext& ctx);

// The registry's factory for `type: add_fields`.
Result<std::unique_ptr<Stage>> MakeAddFieldsStage(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship

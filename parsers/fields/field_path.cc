// SPDX-License-Identifier: Apache-2.0
#include "parsers/fields/field_path.h"

namespace logship {

std::optional<std::string> FieldPathProblem(std::string_view path) {
  if (path.empty()) return "a field name must not be empty";
  if (path.front() == '.' || path.back() == '.' || path.find("..") != std::string_view::npos) {
    return "field name '" + std::string(path) +
           "' has an empty segment (dots separate the names of nested objects)";
  }
  return std::nullopt;
}

std::optional<FieldRef> ReadFieldPath(const ConfigNode& at, std::string_view option,
                                      std::string_view path, ConfigErrors& errors) {
  if (std::optional<std::string> problem = FieldPathProblem(path)) {
    errors.Add(at.position(), "option '" + std::string(option) + "': " + *problem);
    return std::nullopt;
  }
  return FieldRef(std::string(path));
}

std::string ReadOnlyBuiltinMessage(std::string_view option, const FieldRef& ref,
                                   std::string_view verb) {
  return "option '" + std::string(option) + "': '" + ref.path() +
         "' is a built-in field that every event has; it cannot be " + std::string(verb) +
         " (copy it with add_fields: {new_name: \"{{" + ref.path() + "}}\"})";
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "parsers/fields/field_path.h"

#include <set>
#include <vector>

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

void ForEachFieldMapEntry(
    const ConfigNode& fields, const FieldMapWording& wording, ConfigErrors& errors,
    const std::function<void(const ConfigNode& key, const ConfigNode& value,
                             const std::string& name, const std::string& option,
                             std::optional<FieldRef> ref)>& each) {
  if (!fields.IsMap()) {
    errors.Add(fields.position(), "option 'fields': expected a map " + std::string(wording.shape) +
                                      ", got " + std::string(fields.KindName()));
    return;
  }
  std::vector<std::pair<ConfigNode, ConfigNode>> entries = fields.Entries();
  if (entries.empty()) {
    errors.Add(fields.position(),
               "option 'fields': names no field to " + std::string(wording.verb));
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& [key, value] : entries) {
    if (!key.IsScalar()) {
      errors.Add(key.position(), "option 'fields': field names must be plain words, got " +
                                     std::string(key.KindName()));
      continue;
    }
    std::string name = key.Scalar();
    std::string option = "fields." + name;
    if (!seen.insert(name).second) {
      errors.Add(key.position(), "option 'fields': field '" + name + "' is " +
                                     std::string(wording.done) + " twice");
      continue;
    }
    std::optional<FieldRef> ref = ReadFieldPath(key, option, name, errors);
    each(key, value, name, option, std::move(ref));
  }
}

}  // namespace logship

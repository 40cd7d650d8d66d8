// SPDX-License-Identifier: Apache-2.0
#pragma once

// CanonicalJson parses JSON text and writes it back with every object's keys sorted, so tests can
// compare what JsonWriter wrote without depending on member order. Invalid JSON, or an object
// that repeats a key (Elasticsearch rejects those), gives a text starting with "INVALID" that
// never equals a canonical form.

#include <simdjson.h>

#include <map>
#include <string>
#include <string_view>

namespace logship::testing {

namespace internal {
inline bool CanonicalElement(simdjson::dom::element e, std::string& out, std::string& error) {
  if (e.type() == simdjson::dom::element_type::ARRAY) {
    out += '[';
    bool first = true;
    for (simdjson::dom::element child : e.get_array()) {
      if (!first) out += ',';
      first = false;
      if (!CanonicalElement(child, out, error)) return false;
    }
    out += ']';
    return true;
  }
  if (e.type() != simdjson::dom::element_type::OBJECT) {
    out += simdjson::minify(e);
    return true;
  }
  std::map<std::string, std::string> members;
  for (simdjson::dom::key_value_pair field : e.get_object()) {
    std::string value;
    if (!CanonicalElement(field.value, value, error)) return false;
    if (!members.emplace(std::string(field.key), std::move(value)).second) {
      error = "duplicate key '" + std::string(field.key) + "'";
      return false;
    }
  }
  out += '{';
  bool first = true;
  for (const auto& [key, value] : members) {
    if (!first) out += ',';
    first = false;
    out += '"';
    out += key;  // test keys need no escaping
    out += "\":";
    out += value;
  }
  out += '}';
  return true;
}
}  // namespace internal

inline std::string CanonicalJson(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    return "INVALID JSON: " + std::string(json);
  }
  std::string out;
  std::string error;
  if (!internal::CanonicalElement(root, out, error)) return "INVALID: " + error;
  return out;
}

}  // namespace logship::testing

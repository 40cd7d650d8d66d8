// SPDX-License-Identifier: Apache-2.0
#pragma once

// ConfigReader reads one map node of the pipeline file into an options struct, the way Fluent
// Bit's config_map and Vector's deny_unknown_fields do: each option is declared once with its
// default, every problem (missing required key, wrong type, bad value, failed check, unknown key)
// goes to the shared ConfigErrors with its position, and Finish() reports the keys nobody read.
// Scalars are expanded for ${ENV} before conversion. Example:
//
//   ConfigReader r(node, ctx.errors());
//   r.Required("path", &o.path);
//   r.Optional("max_file_bytes", &o.max_file_bytes, ByteSize::MiB(64));
//   r.Check(o.max_file_bytes.bytes >= 4096, "max_file_bytes", "must be at least 4KiB");
//   if (!r.Finish()) return Status::InvalidArgument(node.path(), "invalid options");
//
// Supported option types: std::string, bool, int64_t, uint64_t, int, double, ByteSize, Duration,
// std::vector<std::string> (a list, or a single scalar as a one-element list), ConfigNode (taken
// raw).

#include <cstdint>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "src/config/byte_size.h"
#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/config/duration.h"
#include "src/config/env_expand.h"

namespace logship {

// True for option names that hold secrets (password, secret, token, api_key, credentials,
// private_key, in any case and position: "sasl.password", "auth.api_key"). Their values are
// never echoed in messages; sinks use this to redact what they log or report.
bool IsSecretOptionName(std::string_view name);

class ConfigReader {
 public:
  // `node` must be a map (or null, read as an empty map); otherwise an error is recorded at once.
  ConfigReader(const ConfigNode& node, ConfigErrors& errors);
  ConfigReader(const ConfigNode& node, ConfigErrors& errors, EnvLookup env);

  template <class T>
  void Required(std::string_view key, T* out) {
    ConfigNode child = Take(key);
    if (child.IsNull()) {
      Error(node_, "missing required option '" + std::string(key) + "'");
      return;
    }
    Decode(child, out);
  }

  template <class T, class D>
  void Optional(std::string_view key, T* out, D default_value) {
    ConfigNode child = Take(key);
    if (child.IsNull()) {
      *out = T(std::move(default_value));
      return;
    }
    Decode(child, out);
  }

  // Reads a string that must be one of `choices`.
  void OptionalEnum(std::string_view key, std::string* out, std::string_view default_value,
                    std::initializer_list<std::string_view> choices);

  // Marks `key` as known without reading it (e.g. `type`, read by the caller).
  void Ignore(std::string_view key) { Take(key); }

  // Records `message` at the option `key` (or at the map when the key is absent) unless `ok`.
  void Check(bool ok, std::string_view key, std::string_view message);
  // Records an error at the option `key` (or at the map when absent).
  void Error(std::string_view key, std::string_view message);

  // Reports unknown keys. Returns true when this reader recorded no error at all.
  bool Finish();

  const ConfigNode& node() const { return node_; }
  ConfigErrors& errors() { return errors_; }

  // Conversions, public for reuse by plugins that read nested nodes themselves. Each records an
  // error and leaves *out unchanged on failure.
  void Decode(const ConfigNode& n, std::string* out);
  void Decode(const ConfigNode& n, bool* out);
  void Decode(const ConfigNode& n, int64_t* out);
  void Decode(const ConfigNode& n, uint64_t* out);
  void Decode(const ConfigNode& n, int* out);
  void Decode(const ConfigNode& n, double* out);
  void Decode(const ConfigNode& n, ByteSize* out);
  void Decode(const ConfigNode& n, Duration* out);
  void Decode(const ConfigNode& n, std::vector<std::string>* out);
  void Decode(const ConfigNode& n, ConfigNode* out) { *out = n; }

  // Expands ${ENV} in a scalar; records an error and returns false on failure.
  bool ExpandScalar(const ConfigNode& n, std::string* out);

 private:
  ConfigNode Take(std::string_view key);
  void Error(const ConfigNode& at, std::string message);

  ConfigNode node_;
  ConfigErrors& errors_;
  EnvLookup env_;
  std::set<std::string, std::less<>> taken_;
  std::vector<std::string> known_;  // the keys of taken_, in declaration order, for messages
  size_t errors_at_start_;
  bool bad_node_ = false;  // node_ is neither a map nor null: already reported once
};

}  // namespace logship

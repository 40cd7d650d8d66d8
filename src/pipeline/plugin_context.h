// SPDX-License-Identifier: Apache-2.0
#pragma once

// PluginContext is what a factory gets besides its config node: which pipeline and component it
// builds, where relative paths resolve, where to report configuration errors, and the claims
// registry that stops two components from owning one resource (two sinks writing one spool path).
// Factories do no I/O: they validate and build; Start() does the I/O. Single-threaded (load time).

#include <map>
#include <string>
#include <string_view>

#include "src/base/clock.h"
#include "src/config/config_error.h"
#include "src/config/config_node.h"
#include "src/metrics/metrics_registry.h"
#include "src/metrics/sink_stats.h"

namespace logship {

// Exclusive resources claimed while a pipeline file is loaded, with who claimed them first.
class ResourceClaims {
 public:
  // Records `resource` for `owner`; if someone else holds it, adds an error at `at` naming both.
  void Claim(const std::string& resource, const std::string& owner, const ConfigNode& at,
             ConfigErrors& errors);

 private:
  struct Holder {
    std::string owner;
    ConfigPosition where;
  };
  std::map<std::string, Holder> held_;
};

struct PluginContext {
  std::string pipeline;   // the pipeline's name, e.g. "app"
  std::string component;  // e.g. "pipelines.app.sinks[0]"
  std::string base_dir;   // directory of the pipeline file; relative paths resolve against it
  std::string data_dir;   // this pipeline's state directory: <data_dir>/<pipeline> (absolute)
  int sink_index = -1;    // for sinks: its position in the pipeline's sinks (Batch::RoutedTo)
  ConfigErrors* errors = nullptr;
  MetricsRegistry* metrics = nullptr;  // where components register instruments (never null in
                                       // a pipeline; null in tests that do not care)
  SinkStats* sink_stats = nullptr;     // for sinks: their counters and health
  ResourceClaims* claims = nullptr;
  Clock* clock = nullptr;

  // `path` made absolute against base_dir ("." and ".." segments removed lexically).
  std::string ResolvePath(std::string_view path) const;
};

// Lexically normalised absolute path: `path` if absolute, else base_dir/path; "." and ".."
// segments and repeated '/' removed. No file-system access.
std::string MakeAbsolutePath(std::string_view base_dir, std::string_view path);

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#pragma once

// Registry maps a component's `type:` name to its factory: one table each for sources (inputs),
// stages and sinks. The composition root (main.cc) fills it with explicit calls
// (RegisterCoreSources, RegisterBuiltinParsers, RegisterBuiltinSinks), so no plugin depends on
// static initialisation. Registering a name twice aborts: it is a programming error. Filled once
// at start-up, then read-only and safe to share.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/sink.h"
#include "src/pipeline/source.h"
#include "src/pipeline/stage.h"

namespace logship {

// A factory validates `node` (reporting every problem to ctx.errors with its position) and builds
// the component without doing I/O. On any problem it returns a non-OK Status (InvalidArgument,
// "see errors") after recording the details in ctx.errors.
using SourceFactory = Result<std::unique_ptr<Source>> (*)(const ConfigNode& node,
                                                          PluginContext& ctx);
using StageFactory = Result<std::unique_ptr<Stage>> (*)(const ConfigNode& node, PluginContext& ctx);
using SinkFactory = Result<std::unique_ptr<Sink>> (*)(const ConfigNode& node, PluginContext& ctx);

class Registry {
 public:
  void AddSource(const std::string& type, SourceFactory factory);
  void AddStage(const std::string& type, StageFactory factory);
  void AddSink(const std::string& type, SinkFactory factory);

  // nullptr when the type is unknown.
  SourceFactory FindSource(const std::string& type) const;
  StageFactory FindStage(const std::string& type) const;
  SinkFactory FindSink(const std::string& type) const;

  // Registered names, sorted: for --help and "unknown type 'kafak', known: kafka, spool, stdout".
  std::vector<std::string> SourceNames() const;
  std::vector<std::string> StageNames() const;
  std::vector<std::string> SinkNames() const;

 private:
  std::map<std::string, SourceFactory> sources_;
  std::map<std::string, StageFactory> stages_;
  std::map<std::string, SinkFactory> sinks_;
};

// Registers the sources that live in the core: `file` (tailing), `host_metrics` (sampling).
void RegisterCoreSources(Registry& registry);

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "src/replay/file_inputs.h"

#include <unistd.h>

#include <climits>

#include "src/base/file_system.h"
#include "src/config/config_node.h"
#include "src/pipeline/plugin_context.h"

namespace logship {

Result<std::vector<FileInput>> LoadFileInputs(const AgentConfig& config,
                                              const std::string& pipeline, ConfigErrors& errors) {
  Result<ConfigNode> root = ConfigNode::LoadFile(config.file);
  if (!root.ok()) return root.status();
  std::vector<FileInput> out;
  std::string known;
  bool found = pipeline.empty();
  for (const auto& [key, value] : root->Get("pipelines").Entries()) {
    const std::string name = key.Scalar();
    known += (known.empty() ? "" : ", ") + name;
    if (!pipeline.empty() && name != pipeline) continue;
    found = true;
    PluginContext ctx;
    ctx.pipeline = name;
    ctx.base_dir = DirName(config.file);
    ctx.data_dir = JoinPath(config.data_dir, name);
    ctx.errors = &errors;
    int index = -1;
    for (const ConfigNode& in : value.Get("inputs").Elements()) {
      ++index;
      ConfigNode type = in.Get("type");
      if (!type.IsScalar() || type.Scalar() != "file") continue;
      ctx.component = in.path();
      Result<FileInputOptions> options = ParseFileInputOptions(in, ctx, index);
      if (!options.ok()) return options.status();
      out.push_back(FileInput{name, ctx.data_dir, index, std::move(*options)});
    }
  }
  if (!found) {
    return Status::NotFound("pipeline '" + pipeline + "'",
                            "not in " + config.file + " (it has: " + known + ")");
  }
  return out;
}

Result<Glob> CompileFileGlob(const std::string& pattern) {
  std::string text = pattern;
  if (text.find('/') != std::string::npos) {
    char cwd[PATH_MAX];
    text = MakeAbsolutePath(::getcwd(cwd, sizeof(cwd)) != nullptr ? cwd : "/", text);
  }
  Result<Glob> glob = Glob::Compile(text);
  if (!glob.ok()) return glob.status().WithContext("--file '" + pattern + "'");
  return glob;
}

}  // namespace logship

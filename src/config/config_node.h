// SPDX-License-Identifier: Apache-2.0
#pragma once

// ConfigNode is one node of a parsed pipeline file (yaml-cpp underneath) together with where it
// is: its file, line and column, and its path from the root ("pipelines.app.sinks[1]"), so every
// message about it can name both. Copying is cheap (yaml-cpp nodes are handles). No method throws.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "src/base/result.h"
#include "src/config/config_error.h"

namespace logship {

class ConfigNode {
 public:
  ConfigNode() = default;
  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path);
  // yaml-cpp's Node::operator= writes through into the tree the node belongs to (it would turn
  // one option into an alias of another); these rebind the handle instead.
  ConfigNode(const ConfigNode& other) = default;
  ConfigNode(ConfigNode&& other) = default;
  ConfigNode& operator=(const ConfigNode& other);
  ConfigNode& operator=(ConfigNode&& other) {
    return *this = static_cast<const ConfigNode&>(other);
  }

  // Parses YAML text. A syntax error is returned as InvalidArgument "FILE:LINE:COL: reason".
  static Result<ConfigNode> Parse(std::string_view text, const std::string& file_name);
  static Result<ConfigNode> LoadFile(const std::string& file_name);

  bool defined() const { return node_.IsDefined(); }
  bool IsNull() const { return !node_.IsDefined() || node_.IsNull(); }
  bool IsMap() const { return node_.IsMap(); }
  bool IsSequence() const { return node_.IsSequence(); }
  bool IsScalar() const { return node_.IsScalar(); }
  // "a map", "a list", "a value", "null": for "expected a list, got a map".
  std::string_view KindName() const;

  // The value of `key` in a map; an undefined node (positioned at this node) when missing.
  ConfigNode Get(std::string_view key) const;
  // Members of a map, in file order.
  std::vector<std::pair<ConfigNode, ConfigNode>> Entries() const;
  // Elements of a list, in file order.
  std::vector<ConfigNode> Elements() const;
  // The raw scalar text, before environment expansion.
  std::string Scalar() const;

  ConfigPosition position() const;
  const std::string& path() const { return path_; }
  const std::string& file() const;
  const YAML::Node& yaml() const { return node_; }

 private:
  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
  int line_ = 0;  // of this node, or of the parent for an undefined child
  int column_ = 0;
};

}  // namespace logship

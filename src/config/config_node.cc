// SPDX-License-Identifier: Apache-2.0
#include "src/config/config_node.h"

#include <exception>
#include <memory>
#include <string>
#include <utility>

#include "src/base/file_system.h"

namespace logship {
namespace {

std::string ChildPath(const std::string& parent, std::string_view key) {
  std::string path = parent;
  if (!path.empty()) path.push_back('.');
  path.append(key);
  return path;
}

std::string ElementPath(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// "FILE:LINE:COL" from a 0-based yaml-cpp mark, or just "FILE" when the mark is unknown.
std::string MarkPrefix(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return file;
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

const std::string& EmptyString() {
  static const std::string* empty = new std::string();
  return *empty;
}

}  // namespace

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path)
    // Node::IsDefined never throws, and a "zombie" node (a missing key looked up through yaml-cpp)
    // throws from almost every other method, so it is replaced by a valid undefined node.
    : node_(node.IsDefined() ? std::move(node) : YAML::Node(YAML::NodeType::Undefined)),
      file_(std::move(file)),
      path_(std::move(path)) {
  if (!node_.IsDefined()) return;
  try {
    YAML::Mark mark = node_.Mark();
    if (!mark.is_null() && mark.line >= 0) {
      line_ = mark.line + 1;
      column_ = mark.column + 1;
    }
  } catch (const YAML::Exception&) {
    // No position; line_ and column_ stay 0.
  }
}

ConfigNode& ConfigNode::operator=(const ConfigNode& other) {
  if (this == &other) return *this;
  // Rebind rather than assign: see the header.
  std::destroy_at(&node_);
  std::construct_at(&node_, other.node_);
  file_ = other.file_;
  path_ = other.path_;
  line_ = other.line_;
  column_ = other.column_;
  return *this;
}

Result<ConfigNode> ConfigNode::Parse(std::string_view text, const std::string& file_name) {
  auto file = std::make_shared<const std::string>(file_name);
  try {
    YAML::Node root = YAML::Load(std::string(text));
    return ConfigNode(std::move(root), std::move(file), "");
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(MarkPrefix(file_name, e.mark), e.msg);
  } catch (const std::exception& e) {
    // yaml-cpp reads through iostreams, which may throw std::bad_alloc and the like.
    return Status::Internal(file_name, e.what());
  }
}

Result<ConfigNode> ConfigNode::LoadFile(const std::string& file_name) {
  Result<std::string> text = PosixFileSystem().ReadFile(file_name);
  if (!text.ok()) return text.status();
  return Parse(*text, file_name);
}

std::string_view ConfigNode::KindName() const {
  if (!node_.IsDefined()) return "null";
  try {
    switch (node_.Type()) {
      case YAML::NodeType::Map:
        return "a map";
      case YAML::NodeType::Sequence:
        return "a list";
      case YAML::NodeType::Scalar:
        return "a value";
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return "null";
    }
  } catch (const YAML::Exception&) {
  }
  return "null";
}

ConfigNode ConfigNode::Get(std::string_view key) const {
  for (auto& [key_node, value_node] : Entries()) {
    if (key_node.IsScalar() && key_node.Scalar() == key) return std::move(value_node);
  }
  ConfigNode missing(YAML::Node(YAML::NodeType::Undefined), file_, ChildPath(path_, key));
  missing.line_ = line_;
  missing.column_ = column_;
  return missing;
}

std::vector<std::pair<ConfigNode, ConfigNode>> ConfigNode::Entries() const {
  std::vector<std::pair<ConfigNode, ConfigNode>> entries;
  try {
    if (!node_.IsMap()) return entries;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      // Copies: operator-> of a yaml-cpp iterator returns a temporary proxy.
      YAML::Node key = it->first;
      YAML::Node value = it->second;
      std::string path = ChildPath(path_, key.IsScalar() ? key.Scalar() : std::string("?"));
      ConfigNode key_node(key, file_, path);
      ConfigNode value_node(value, file_, std::move(path));
      // yaml-cpp puts an empty value ("key:" then a newline) at the next token, often on a later
      // line; the key's own position is the useful one there.
      if (value_node.IsNull() && (key_node.line_ != value_node.line_ || value_node.line_ == 0)) {
        value_node.line_ = key_node.line_;
        value_node.column_ = key_node.column_;
      }
      entries.emplace_back(std::move(key_node), std::move(value_node));
    }
  } catch (const YAML::Exception&) {
    entries.clear();
  }
  return entries;
}

std::vector<ConfigNode> ConfigNode::Elements() const {
  std::vector<ConfigNode> elements;
  try {
    if (!node_.IsSequence()) return elements;
    size_t index = 0;
    for (auto it = node_.begin(); it != node_.end(); ++it, ++index) {
      elements.emplace_back(*it, file_, ElementPath(path_, index));
    }
  } catch (const YAML::Exception&) {
    elements.clear();
  }
  return elements;
}

std::string ConfigNode::Scalar() const {
  try {
    if (node_.IsScalar()) return node_.Scalar();
  } catch (const YAML::Exception&) {
  }
  return std::string();
}

ConfigPosition ConfigNode::position() const { return ConfigPosition{file(), line_, column_}; }

const std::string& ConfigNode::file() const { return file_ ? *file_ : EmptyString(); }

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/template.h"

namespace logship {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Template> Template::Parse(std::string_view text) {
  Template t;
  t.text_ = std::string(text);
  std::string literal;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      literal.append(text.substr(pos));
      break;
    }
    literal.append(text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("template '" + std::string(text) + "'",
                                     "'{{' at " + std::to_string(open) + " has no closing '}}'");
    }
    std::string_view name = Trim(text.substr(open + 2, close - open - 2));
    if (name.empty()) {
      return Status::InvalidArgument("template '" + std::string(text) + "'",
                                     "'{{}}' names no field");
    }
    // "{{a{{b}}" is a missing "}}", not a field named "a{{b" that would never exist.
    if (name.find("{{") != std::string_view::npos) {
      return Status::InvalidArgument("template '" + std::string(text) + "'",
                                     "'{{' at " + std::to_string(open) + " has no closing '}}'");
    }
    t.parts_.push_back(Part{std::move(literal), static_cast<int>(t.fields_.size())});
    literal.clear();
    t.fields_.emplace_back(std::string(name));
    pos = close + 2;
  }
  t.parts_.push_back(Part{std::move(literal), -1});
  return t;
}

bool Template::Render(const Batch& batch, const Event& event, std::string& out) const {
  thread_local std::string scratch;
  out.clear();
  bool complete = true;
  for (const Part& p : parts_) {
    out.append(p.literal);
    if (p.field < 0) continue;
    std::optional<std::string_view> v =
        GetFieldText(batch, event, fields_[static_cast<size_t>(p.field)], scratch);
    if (v) {
      out.append(*v);
    } else {
      complete = false;
    }
  }
  return complete;
}

}  // namespace logship

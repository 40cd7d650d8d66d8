// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/condition.h"

#include <re2/re2.h>

#include "src/config/config_reader.h"

namespace logship {

struct Condition::Node {
  enum class Op { kEquals, kIn, kMatches, kExists, kAll, kAny, kNot };
  Op op = Op::kEquals;
  FieldRef field;
  std::vector<std::string> values;  // equals (one) / in
  std::unique_ptr<re2::RE2> regex;
  bool exists = true;
  std::vector<std::unique_ptr<Node>> children;  // all / any / not (one)
};

namespace {

using Node = Condition::Node;

std::unique_ptr<Node> ParseNode(const ConfigNode& node, ConfigErrors& errors, int depth);

std::unique_ptr<Node> ParseList(const ConfigNode& list, Node::Op op, ConfigErrors& errors,
                                int depth) {
  auto n = std::make_unique<Node>();
  n->op = op;
  if (!list.IsSequence() || list.Elements().empty()) {
    errors.Add(list.position(), "condition: '" + std::string(op == Node::Op::kAll ? "all" : "any") +
                                    "' needs a non-empty list of conditions");
    return nullptr;
  }
  bool ok = true;
  for (const ConfigNode& c : list.Elements()) {
    std::unique_ptr<Node> child = ParseNode(c, errors, depth + 1);
    if (child == nullptr) ok = false;
    n->children.push_back(std::move(child));
  }
  return ok ? std::move(n) : nullptr;
}

std::unique_ptr<Node> ParseNode(const ConfigNode& node, ConfigErrors& errors, int depth) {
  if (depth > 32) {
    errors.Add(node.position(), "condition: nested more than 32 levels deep");
    return nullptr;
  }
  if (!node.IsMap()) {
    errors.Add(node.position(),
               "condition: expected a map like {field: level, equals: error}, got " +
                   std::string(node.KindName()));
    return nullptr;
  }
  size_t before = errors.size();
  ConfigReader r(node, errors);
  ConfigNode all, any, negated;
  r.Optional("all", &all, ConfigNode());
  r.Optional("any", &any, ConfigNode());
  r.Optional("not", &negated, ConfigNode());
  std::string field;
  r.Optional("field", &field, std::string());
  ConfigNode equals, in, matches, exists;
  r.Optional("equals", &equals, ConfigNode());
  r.Optional("in", &in, ConfigNode());
  r.Optional("matches", &matches, ConfigNode());
  r.Optional("exists", &exists, ConfigNode());
  int combinators = !all.IsNull() + !any.IsNull() + !negated.IsNull();
  int tests = !equals.IsNull() + !in.IsNull() + !matches.IsNull() + !exists.IsNull();
  std::unique_ptr<Node> n;
  if (combinators + (tests > 0 || !field.empty() ? 1 : 0) != 1 || tests > 1) {
    r.Error("",
            "condition: use exactly one of {field: F, equals|in|matches|exists: V}, "
            "{all: [...]}, {any: [...]} or {not: {...}}");
  } else if (!all.IsNull()) {
    n = ParseList(all, Node::Op::kAll, errors, depth);
  } else if (!any.IsNull()) {
    n = ParseList(any, Node::Op::kAny, errors, depth);
  } else if (!negated.IsNull()) {
    std::unique_ptr<Node> child = ParseNode(negated, errors, depth + 1);
    if (child != nullptr) {
      n = std::make_unique<Node>();
      n->op = Node::Op::kNot;
      n->children.push_back(std::move(child));
    }
  } else if (field.empty()) {
    r.Error("field", "condition: 'field' must name a field");
  } else if (tests == 0) {
    r.Error("field", "condition: add one of equals, in, matches or exists");
  } else {
    n = std::make_unique<Node>();
    n->field = FieldRef(field);
    if (!equals.IsNull()) {
      n->op = Node::Op::kEquals;
      std::string v;
      r.Decode(equals, &v);
      n->values.push_back(std::move(v));
    } else if (!in.IsNull()) {
      n->op = Node::Op::kIn;
      r.Decode(in, &n->values);
      if (n->values.empty()) r.Error("in", "condition: 'in' needs at least one value");
    } else if (!matches.IsNull()) {
      n->op = Node::Op::kMatches;
      std::string pattern;
      r.Decode(matches, &pattern);
      RE2::Options options;
      options.set_log_errors(false);
      n->regex = std::make_unique<re2::RE2>(pattern, options);
      if (!n->regex->ok()) {
        r.Error("matches", "condition: invalid regular expression: " + n->regex->error());
      }
    } else {
      n->op = Node::Op::kExists;
      r.Decode(exists, &n->exists);
    }
  }
  r.Finish();
  if (errors.size() != before) return nullptr;
  return n;
}

bool Eval(const Node& n, const Batch& batch, const Event& event, std::string& scratch) {
  switch (n.op) {
    case Node::Op::kAll:
      for (const auto& c : n.children) {
        if (!Eval(*c, batch, event, scratch)) return false;
      }
      return true;
    case Node::Op::kAny:
      for (const auto& c : n.children) {
        if (Eval(*c, batch, event, scratch)) return true;
      }
      return false;
    case Node::Op::kNot:
      return !Eval(*n.children[0], batch, event, scratch);
    case Node::Op::kExists:
      return FieldExists(batch, event, n.field) == n.exists;
    case Node::Op::kEquals:
    case Node::Op::kIn: {
      std::optional<std::string_view> text = GetFieldText(batch, event, n.field, scratch);
      if (!text) return false;
      for (const std::string& v : n.values) {
        if (*text == v) return true;
      }
      return false;
    }
    case Node::Op::kMatches: {
      std::optional<std::string_view> text = GetFieldText(batch, event, n.field, scratch);
      return text && re2::RE2::PartialMatch(*text, *n.regex);
    }
  }
  return false;
}

}  // namespace

Condition::Condition(std::unique_ptr<Node> root) : root_(std::move(root)) {}
Condition::Condition(Condition&&) noexcept = default;
Condition& Condition::operator=(Condition&&) noexcept = default;
Condition::~Condition() = default;

std::optional<Condition> Condition::Parse(const ConfigNode& node, ConfigErrors& errors) {
  std::unique_ptr<Node> root = ParseNode(node, errors, 0);
  if (root == nullptr) return std::nullopt;
  return Condition(std::move(root));
}

bool Condition::Matches(const Batch& batch, const Event& event) const {
  thread_local std::string scratch;
  return Eval(*root_, batch, event, scratch);
}

}  // namespace logship

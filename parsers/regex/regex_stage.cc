// SPDX-License-Identifier: Apache-2.0
#include "parsers/regex/regex_stage.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <optional>
#include <string_view>
#include <utility>

#include "parsers/regex/builtin_patterns.h"
#include "parsers/regex/fast_matcher.h"
#include "src/base/status_macros.h"
#include "src/config/config_reader.h"
#include "src/event/field_ref.h"
#include "src/event/parsed_field.h"

namespace logship {
namespace {

struct TypeName {
  std::string_view name;
  RegexFieldType type;
  std::string_view article;  // for "not an int"
};
constexpr TypeName kTypeNames[] = {
    {"int", RegexFieldType::kInt, "an"},
    {"float", RegexFieldType::kFloat, "a"},
    {"bool", RegexFieldType::kBool, "a"},
    {"string", RegexFieldType::kString, "a"},
};

// Longest part of a value quoted in a conversion error.
constexpr size_t kMaxQuotedValue = 64;

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// `n`'s path relative to the stage's node: "pattern", "patterns[1]", "types.status".
std::string OptionName(const ConfigNode& stage, const ConfigNode& n) {
  const std::string& base = stage.path();
  const std::string& path = n.path();
  if (!base.empty() && path.size() > base.size() && path.compare(0, base.size(), base) == 0) {
    if (path[base.size()] == '.') return path.substr(base.size() + 1);
    if (path[base.size()] == '[') return path.substr(base.size());
  }
  return path;
}

// A shipped pattern is named by a plain word; a regex of word characters only could not hold a
// named group anyway, so such a string is always taken as a name.
bool IsPatternName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool word =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!word) return false;
  }
  return true;
}

std::string ShippedNames() {
  std::string names;
  for (const BuiltinPattern& b : BuiltinPatterns()) {
    if (!names.empty()) names += ", ";
    names += b.name;
  }
  return names;
}

std::optional<RegexFieldType> FindType(std::string_view name) {
  for (const TypeName& t : kTypeNames) {
    if (t.name == name) return t.type;
  }
  return std::nullopt;
}

const TypeName& NameOf(RegexFieldType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t;
  }
  return kTypeNames[3];
}

// Reads a `types:` map (group name -> type name). Records errors in `errors`; `where` gets each
// group's key node, for later messages about it.
void ReadTypes(const ConfigNode& stage, const ConfigNode& types, ConfigErrors& errors,
               std::map<std::string, RegexFieldType>* out,
               std::map<std::string, ConfigNode>* where) {
  if (types.IsNull()) return;
  if (!types.IsMap()) {
    errors.Add(types.position(), "option " + Quote(OptionName(stage, types)) +
                                     ": expected a map of group names to types, got " +
                                     std::string(types.KindName()));
    return;
  }
  for (const auto& [key, value] : types.Entries()) {
    std::string name = key.IsScalar() ? key.Scalar() : std::string();
    std::string option = OptionName(stage, types) + "." + name;
    if (!value.IsScalar()) {
      errors.Add(value.position(), "option " + Quote(option) + ": expected a type name, got " +
                                       std::string(value.KindName()));
      continue;
    }
    std::optional<RegexFieldType> type = FindType(value.Scalar());
    if (!type) {
      errors.Add(value.position(), "option " + Quote(option) + ": unknown type " +
                                       Quote(value.Scalar()) +
                                       " (known: int, float, bool, string)");
      continue;
    }
    (*out)[name] = *type;
    if (where != nullptr) (*where)[name] = key;
  }
}

// Compiles p->regex into p->re2. On failure records, at `at`, RE2's message and where in the
// regex it stopped.
bool CompileRegex(RegexPattern* p, const ConfigNode& at, const std::string& prefix,
                  ConfigErrors& errors) {
  RE2::Options options;
  options.set_log_errors(false);
  if (p->latin1) options.set_encoding(RE2::Options::EncodingLatin1);
  auto re = std::make_shared<RE2>(p->regex, options);
  if (!re->ok()) {
    std::string message = prefix + "invalid regex";
    size_t offset = re->error_arg().empty() ? std::string::npos : p->regex.find(re->error_arg());
    if (offset != std::string::npos) message += " at offset " + std::to_string(offset);
    errors.Add(at.position(), message + ": " + re->error());
    return false;
  }
  p->re2 = std::move(re);
  return true;
}

// Loads the shipped pattern `b` into *p: its YAML is checked like a pipeline file's, with
// positions in parsers/patterns/<name>.yaml.
bool LoadShipped(const BuiltinPattern& b, RegexPattern* p, ConfigErrors& errors) {
  std::string file = "parsers/patterns/" + std::string(b.name) + ".yaml";
  Result<ConfigNode> doc = ConfigNode::Parse(b.yaml, file);
  if (!doc.ok()) {
    errors.Add(ConfigPosition{file, 0, 0}, std::string(doc.status().message()));
    return false;
  }
  // The shipped files are code: no environment expansion.
  ConfigReader r(*doc, errors, [](const std::string&) { return std::optional<std::string>(); });
  std::string description;
  ConfigNode types;
  p->name = std::string(b.name);
  p->latin1 = true;
  r.Required("description", &description);
  r.Required("pattern", &p->regex);
  r.Optional("types", &types, ConfigNode());
  r.Optional("absent", &p->absent, std::vector<std::string>{});
  r.Optional("syslog_priority", &p->syslog_priority, std::string());
  ReadTypes(*doc, types, errors, &p->types, nullptr);
  if (!r.Finish()) return false;
  if (!CompileRegex(p, doc->Get("pattern"), "option 'pattern': ", errors)) return false;
  const std::map<std::string, int>& groups = p->re2->NamedCapturingGroups();
  bool ok = true;
  for (const auto& [name, type] : p->types) {
    if (groups.count(name) == 0) {
      r.Error("types", "no group named " + Quote(name));
      ok = false;
    }
  }
  if (!p->syslog_priority.empty() && groups.count(p->syslog_priority) == 0) {
    r.Error("syslog_priority", "no group named " + Quote(p->syslog_priority));
    ok = false;
  }
  return ok;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != b[i]) return false;
  }
  return true;
}

// Converts `s` to `type`; false when it does not parse (whole) as one.
bool Convert(RegexFieldType type, std::string_view s, Value* out) {
  const char* begin = s.data();
  const char* end = s.data() + s.size();
  switch (type) {
    case RegexFieldType::kString:
      *out = Value::String(s);
      return true;
    case RegexFieldType::kInt: {
      int64_t v = 0;
      auto r = std::from_chars(begin, end, v);
      if (r.ec != std::errc() || r.ptr != end || s.empty()) return false;
      *out = Value::Int(v);
      return true;
    }
    case RegexFieldType::kFloat: {
      double v = 0;
      auto r = std::from_chars(begin, end, v);
      if (r.ec != std::errc() || r.ptr != end || s.empty() || !std::isfinite(v)) return false;
      *out = Value::Double(v);
      return true;
    }
    case RegexFieldType::kBool:
      for (std::string_view yes : {"true", "yes", "1"}) {
        if (EqualsIgnoreCase(s, yes)) {
          *out = Value::Bool(true);
          return true;
        }
      }
      for (std::string_view no : {"false", "no", "0"}) {
        if (EqualsIgnoreCase(s, no)) {
          *out = Value::Bool(false);
          return true;
        }
      }
      return false;
  }
  return false;
}

// Threads: Process runs on one pipeline thread at a time (Stage's contract).
class RegexStage final : public Stage {
 public:
  explicit RegexStage(RegexStageOptions options)
      : options_(std::move(options)), field_(options_.field, options_.keep_original) {
    no_match_message_ = "no pattern matched field " + Quote(options_.field);
    not_set_message_ = "field " + Quote(options_.field) + " is not set";
    not_text_message_ = "field " + Quote(options_.field) + " is not text";
    size_t max_groups = 1;
    for (const RegexPattern& p : options_.patterns) {
      compiled_.push_back(Prepare(p));
      max_groups = std::max(max_groups, static_cast<size_t>(compiled_.back().ngroups));
    }
    views_.resize(max_groups);
    pieces_.resize(max_groups);
    for (const FieldRef& r : refs_) {
      if (field_.Names(r.path())) source_ref_ = &r;  // a group sets the field it matches
    }
  }

  void Process(Batch& batch, const EventSelection& selected) override {
    ForEachSelected(batch, selected, [&](Event& event, size_t) {
      std::string_view problem;
      std::optional<Value> value = GetField(batch, event, field_.ref());
      if (!value) {
        problem = not_set_message_;
      } else if (value->kind != ValueKind::kString && value->kind != ValueKind::kJson) {
        problem = not_text_message_;
      } else {
        std::string_view text = value->s;
        if (text.data() == nullptr) text = std::string_view("", 0);  // spans must be non-null
        for (const Compiled& p : compiled_) {
          if (Match(p, text)) {
            const uint32_t fields_before = static_cast<uint32_t>(batch.fields().size());
            bool wrote_field = false;
            // A capture that did not convert tags the event: the field stays for the operator.
            if (Apply(batch, event, p, &wrote_field)) {
              field_.Consume(batch, event, text, fields_before, wrote_field);
            }
            return;
          }
        }
        problem = no_match_message_;
      }
      if (options_.on_mismatch == RegexStageOptions::OnMismatch::kDrop) {
        event.dropped = true;
      } else {
        TagError(event, "regex", problem);
      }
    });
  }

 private:
  struct Capture {
    int group;            // RE2's group number
    const FieldRef* ref;  // where the value goes (in refs_)
    RegexFieldType type;
  };
  struct Compiled {
    const RegexPattern* pattern;
    std::unique_ptr<FastMatcher> fast;  // null: RE2 alone
    int ngroups = 1;                    // spans to extract: 1 + the highest named group
    std::vector<Capture> captures;      // in group order, so fields come in the line's order
    int priority_group = -1;            // syslog PRI, or -1
  };

  Compiled Prepare(const RegexPattern& p) {
    Compiled c;
    c.pattern = &p;
    c.fast = FastMatcher::Compile(p.regex, p.latin1);
    if (c.fast != nullptr && c.fast->group_count() != p.re2->NumberOfCapturingGroups()) {
      c.fast.reset();  // cannot happen; RE2 decides
    }
    for (const auto& [name, group] : p.re2->NamedCapturingGroups()) {
      RegexFieldType type = RegexFieldType::kString;
      if (auto it = options_.types.find(name); it != options_.types.end()) {
        type = it->second;
      } else if (auto own = p.types.find(name); own != p.types.end()) {
        type = own->second;
      }
      c.captures.push_back(Capture{group, &RefFor(name), type});
      c.ngroups = std::max(c.ngroups, group + 1);
      if (name == p.syslog_priority) c.priority_group = group;
    }
    std::sort(c.captures.begin(), c.captures.end(),
              [](const Capture& a, const Capture& b) { return a.group < b.group; });
    if (c.priority_group >= 0) {
      facility_ = &RefFor("facility");
      severity_ = &RefFor("severity");
    }
    return c;
  }

  const FieldRef& RefFor(const std::string& name) {
    std::string path = options_.target.empty() ? name : options_.target + "." + name;
    for (const FieldRef& r : refs_) {
      if (r.path() == path) return r;
    }
    return refs_.emplace_back(std::move(path));  // a deque: earlier refs never move
  }

  // Fills views_[0..p.ngroups) when `p` matches `text`.
  bool Match(const Compiled& p, std::string_view text) {
    if (p.fast != nullptr) {
      switch (p.fast->Match(text, views_.data(), p.ngroups)) {
        case FastMatcher::Outcome::kMatch:
          return true;
        case FastMatcher::Outcome::kNoMatch:
          return false;
        case FastMatcher::Outcome::kGiveUp:
          break;  // RE2 decides, in linear time
      }
    }
    if (!p.pattern->re2->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                               RE2::UNANCHORED, pieces_.data(), p.ngroups)) {
      return false;
    }
    for (int g = 0; g < p.ngroups; ++g) {
      views_[g] = pieces_[g].data() == nullptr
                      ? std::string_view()
                      : std::string_view(pieces_[g].data(), pieces_[g].size());
    }
    return true;
  }

  // Sets the fields of a match (in views_); *wrote_field tells whether one of them is the parsed
  // field. A failed conversion tags the event (TagConversion keeps only the first) and makes the
  // result false.
  bool Apply(Batch& batch, Event& event, const Compiled& p, bool* wrote_field) {
    bool converted = true;
    for (const Capture& c : p.captures) {
      std::string_view s = views_[c.group];
      if (s.data() == nullptr || IsAbsent(*p.pattern, s)) continue;
      Value v = Value::String(s);
      if (c.type != RegexFieldType::kString && !Convert(c.type, s, &v)) {
        TagConversion(batch, event, c, s);
        converted = false;
      }
      *wrote_field = *wrote_field || IsField(c.ref);
      Set(batch, event, *c.ref, v);
    }
    if (p.priority_group >= 0) {
      std::string_view s = views_[p.priority_group];
      int pri = -1;
      if (s.data() != nullptr) {
        auto r = std::from_chars(s.data(), s.data() + s.size(), pri);
        if (r.ec != std::errc() || r.ptr != s.data() + s.size()) pri = -1;
      }
      if (pri >= 0 && pri <= 191) {  // facility 0..23, severity 0..7
        *wrote_field = *wrote_field || IsField(facility_) || IsField(severity_);
        Set(batch, event, *facility_, Value::Int(pri >> 3));
        Set(batch, event, *severity_, Value::Int(pri & 7));
      }
    }
    return converted;
  }

  bool IsField(const FieldRef* ref) const { return ref != nullptr && ref == source_ref_; }

  static bool IsAbsent(const RegexPattern& p, std::string_view s) {
    for (const std::string& a : p.absent) {
      if (s == a) return true;
    }
    return false;
  }

  static void Set(Batch& batch, Event& event, const FieldRef& ref, Value v) {
    // Built-ins (a group named message) go through SetField; others are appended, which is what
    // SetField would do for a field this stage did not set before, without searching the chain.
    if (ref.builtin() != BuiltinField::kNone) {
      SetField(batch, event, ref, v);
    } else {
      batch.AddField(event, ref.path(), v);
    }
  }

  static void TagConversion(Batch& batch, Event& event, const Capture& c, std::string_view s) {
    const TypeName& t = NameOf(c.type);
    bool cut = s.size() > kMaxQuotedValue;
    if (!event.error_type.empty()) return;  // an earlier stage's failure is the root cause
    TagError(event, "regex",
             batch.arena().Concat({"field '", c.ref->path(), "': not ", t.article, " ", t.name,
                                   ": '", s.substr(0, kMaxQuotedValue), cut ? "...'" : "'"}));
  }

  const RegexStageOptions options_;
  const ParsedField field_;
  std::deque<FieldRef> refs_;
  const FieldRef* source_ref_ = nullptr;  // the ref in refs_ naming the parsed field, if any
  std::vector<Compiled> compiled_;
  const FieldRef* facility_ = nullptr;
  const FieldRef* severity_ = nullptr;
  std::string no_match_message_;  // error.message values: they live as long as the stage
  std::string not_set_message_;
  std::string not_text_message_;
  // Scratch for one match, sized for the pattern with the most groups.
  std::vector<std::string_view> views_;
  std::vector<re2::StringPiece> pieces_;
};

}  // namespace

Result<RegexStageOptions> ParseRegexStageOptions(const ConfigNode& node, PluginContext& ctx) {
  RegexStageOptions o;
  ConfigErrors& errors = *ctx.errors;
  ConfigReader r(node, errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline (EventSelection)
  ConfigNode pattern, patterns, types;
  std::string on_mismatch;
  r.Optional("field", &o.field, std::string("message"));
  r.Optional("pattern", &pattern, ConfigNode());
  r.Optional("patterns", &patterns, ConfigNode());
  r.Optional("types", &types, ConfigNode());
  r.Optional("target", &o.target, std::string());
  r.OptionalEnum("on_mismatch", &on_mismatch, "tag", {"tag", "drop"});
  r.Optional("keep_original", &o.keep_original, false);
  o.on_mismatch = on_mismatch == "drop" ? RegexStageOptions::OnMismatch::kDrop
                                        : RegexStageOptions::OnMismatch::kTag;
  r.Check(!o.field.empty(), "field", "must not be empty");
  r.Check(o.target.empty() || (o.target.front() != '.' && o.target.back() != '.' &&
                               o.target.find("..") == std::string::npos),
          "target", "must be a dotted field name such as 'http' or 'app.request'");

  std::vector<ConfigNode> entries;
  if (!pattern.IsNull() && !patterns.IsNull()) {
    r.Error("patterns", "use either 'pattern' or 'patterns', not both");
  } else if (pattern.IsNull() && patterns.IsNull()) {
    r.Error("",
            "missing option 'pattern' (a regex or a shipped pattern's name) or 'patterns' (a "
            "list of them)");
  } else if (!pattern.IsNull()) {
    entries.push_back(pattern);
  } else if (!patterns.IsSequence()) {
    r.Error("patterns",
            "expected a list of regexes or pattern names, got " + std::string(patterns.KindName()));
  } else {
    entries = patterns.Elements();
    r.Check(!entries.empty(), "patterns", "must not be empty");
  }

  bool all_loaded = true;
  for (const ConfigNode& entry : entries) {
    std::string prefix = "option " + Quote(OptionName(node, entry)) + ": ";
    std::string text;
    RegexPattern p;
    if (!r.ExpandScalar(entry, &text)) {
      all_loaded = false;
      continue;
    }
    if (IsPatternName(text)) {
      const BuiltinPattern* shipped = FindBuiltinPattern(text);
      if (shipped == nullptr) {
        errors.Add(entry.position(), prefix + "unknown pattern " + Quote(text) +
                                         " (shipped: " + ShippedNames() +
                                         "); a regex needs a named group such as (?P<name>...)");
        all_loaded = false;
        continue;
      }
      if (!LoadShipped(*shipped, &p, errors)) {
        all_loaded = false;
        continue;
      }
    } else {
      p.regex = std::move(text);
      if (!CompileRegex(&p, entry, prefix, errors)) {
        all_loaded = false;
        continue;
      }
      if (p.re2->NamedCapturingGroups().empty()) {
        errors.Add(entry.position(),
                   prefix +
                       "the regex has no named group such as (?P<name>...), so it would "
                       "set no field");
        all_loaded = false;
        continue;
      }
    }
    o.patterns.push_back(std::move(p));
  }

  std::map<std::string, ConfigNode> type_keys;
  ReadTypes(node, types, errors, &o.types, &type_keys);
  if (all_loaded) {
    for (const auto& [name, key] : type_keys) {
      bool found = false;
      for (const RegexPattern& p : o.patterns) {
        found = found || p.re2->NamedCapturingGroups().count(name) > 0;
      }
      if (!found) {
        errors.Add(key.position(), "option " + Quote(OptionName(node, types) + "." + name) +
                                       ": no pattern has a group named " + Quote(name));
      }
    }
  }
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Stage>> MakeRegexStage(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN(RegexStageOptions options, ParseRegexStageOptions(node, ctx));
  return std::unique_ptr<Stage>(std::make_unique<RegexStage>(std::move(options)));
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "parsers/fields/add_fields_stage.h"

#include <charconv>
#include <set>
#include <string_view>

#include "parsers/fields/field_path.h"
#include "src/base/status_macros.h"
#include "src/config/config_reader.h"

namespace logship {
namespace {

// YAML 1.2 core-schema booleans.
std::optional<bool> PlainBool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  return std::nullopt;
}

// A canonical integer: an optional '-', then "0" or digits without a leading zero, in range.
std::optional<int64_t> PlainInt(std::string_view text) {
  std::string_view digits = text.substr(!text.empty() && text[0] == '-' ? 1 : 0);
  if (digits.empty() || (digits[0] == '0' && digits.size() > 1)) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// Reads one `fields` entry's value into `f`; false after recording a problem.
bool ReadValue(ConfigReader& r, const ConfigNode& value, const std::string& option, AddedField& f) {
  ConfigErrors& errors = r.errors();
  if (value.IsNull()) {
    errors.Add(value.position(),
               "option '" + option + "': needs a value (write \"\" for an empty string)");
    return false;
  }
  if (!value.IsScalar()) {
    errors.Add(value.position(), "option '" + option + "': expected a value, got " +
                                     std::string(value.KindName()) +
                                     " (nested objects are written with dotted keys: a.b: x)");
    return false;
  }
  if (!r.ExpandScalar(value, &f.text)) return false;
  Result<Template> t = Template::Parse(f.text);
  if (!t.ok()) {
    errors.Add(value.position(), "option '" + option + "': " + std::string(t.status().message()));
    return false;
  }
  if (!t->literal()) {
    f.value_template = std::move(*t);
    return true;
  }
  // Only a plain scalar is typed: quoting says "this is a string".
  if (value.yaml().Tag() == "?") {
    if (std::optional<int64_t> i = PlainInt(f.text)) {
      f.kind = ValueKind::kInt;
      f.int_value = *i;
    } else if (std::optional<bool> b = PlainBool(f.text)) {
      f.kind = ValueKind::kBool;
      f.bool_value = *b;
    }
  }
  return true;
}

void ReadFields(ConfigReader& r, const ConfigNode& fields, std::vector<AddedField>& out) {
  ForEachFieldMapEntry(fields, {"like {env: prod}", "add", "set"}, r.errors(),
                       [&](const ConfigNode&, const ConfigNode& value, const std::string&,
                           const std::string& option, std::optional<FieldRef> ref) {
                         AddedField f;
                         if (!ReadValue(r, value, option, f) || !ref) return;
                         f.field = std::move(*ref);
                         out.push_back(std::move(f));
                       });
}

class AddFieldsStage final : public Stage {
 public:
  explicit AddFieldsStage(AddFieldsOptions options) : options_(std::move(options)) {}

  void Process(Batch& batch, const EventSelection& selected) override {
    ForEachSelected(batch, selected, [&](Event& event, size_t) {
      for (const AddedField& f : options_.fields) Add(batch, event, f);
    });
  }

 private:
  void Add(Batch& batch, Event& event, const AddedField& f) {
    if (!options_.overwrite && FieldExists(batch, event, f.field)) return;
    Value value;
    if (f.value_template) {
      bool complete = f.value_template->Render(batch, event, scratch_);
      if (!complete && options_.on_missing == OnMissing::kSkip) return;
      value = Value::String(batch.arena().Copy(scratch_));
    } else {
      value = f.Literal();  // points into options_, which outlives every batch
    }
    SetField(batch, event, f.field, value);
  }

  const AddFieldsOptions options_;
  std::string scratch_;  // the rendered template, copied into the batch's arena
};

}  // namespace

Value AddedField::Literal() const {
  switch (kind) {
    case ValueKind::kInt:
      return Value::Int(int_value);
    case ValueKind::kBool:
      return Value::Bool(bool_value);
    default:
      return Value::String(text);
  }
}

Result<AddFieldsOptions> ParseAddFieldsOptions(const ConfigNode& node, PluginContext& ctx) {
  AddFieldsOptions o;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which passes the selection to Process
  ConfigNode fields;
  r.Required("fields", &fields);
  r.Optional("overwrite", &o.overwrite, true);
  std::string on_missing;
  r.OptionalEnum("on_missing", &on_missing, "empty", {"empty", "skip"});
  o.on_missing = on_missing == "skip" ? OnMissing::kSkip : OnMissing::kEmpty;
  if (!fields.IsNull()) ReadFields(r, fields, o.fields);
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Stage>> MakeAddFieldsStage(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN(AddFieldsOptions options, ParseAddFieldsOptions(node, ctx));
  return std::unique_ptr<Stage>(std::make_unique<AddFieldsStage>(std::move(options)));
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "parsers/fields/remove_stage.h"

#include <set>
#include <string>

#include "parsers/fields/field_path.h"
#include "src/base/status_macros.h"
#include "src/config/config_reader.h"

namespace logship {
namespace {

void ReadOne(ConfigReader& r, const ConfigNode& element, const std::string& option,
             std::set<std::string, std::less<>>& seen, std::vector<FieldRef>& out) {
  ConfigErrors& errors = r.errors();
  std::string name;
  if (!r.ExpandScalar(element, &name)) return;
  std::optional<FieldRef> ref = ReadFieldPath(element, option, name, errors);
  if (!ref) return;
  if (!CanRemove(*ref)) {
    errors.Add(element.position(), ReadOnlyBuiltinMessage(option, *ref, "removed"));
    return;
  }
  if (!seen.insert(name).second) {
    errors.Add(element.position(), "option '" + option + "': field '" + name + "' is listed twice");
    return;
  }
  out.push_back(std::move(*ref));
}

void ReadFields(ConfigReader& r, const ConfigNode& fields, std::vector<FieldRef>& out) {
  std::set<std::string, std::less<>> seen;
  if (fields.IsScalar()) {
    ReadOne(r, fields, "fields", seen, out);
    return;
  }
  if (!fields.IsSequence()) {
    r.errors().Add(fields.position(), "option 'fields': expected a list of field names, got " +
                                          std::string(fields.KindName()));
    return;
  }
  std::vector<ConfigNode> elements = fields.Elements();
  if (elements.empty()) r.errors().Add(fields.position(), "option 'fields': names no field");
  for (size_t i = 0; i < elements.size(); ++i) {
    ReadOne(r, elements[i], "fields[" + std::to_string(i) + "]", seen, out);
  }
}

class RemoveStage final : public Stage {
 public:
  explicit RemoveStage(RemoveOptions options) : options_(std::move(options)) {}

  void Process(Batch& batch, const EventSelection& selected) override {
    ForEachSelected(batch, selected, [&](Event& event, size_t) {
      for (const FieldRef& f : options_.fields) RemoveField(batch, event, f);
    });
  }

 private:
  const RemoveOptions options_;
};

}  // namespace

Result<RemoveOptions> ParseRemoveOptions(const ConfigNode& node, PluginContext& ctx) {
  RemoveOptions o;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which passes the selection to Process
  ConfigNode fields;
  r.Required("fields", &fields);
  if (!fields.IsNull()) ReadFields(r, fields, o.fields);
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Stage>> MakeRemoveStage(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN(RemoveOptions options, ParseRemoveOptions(node, ctx));
  return std::unique_ptr<Stage>(std::make_unique<RemoveStage>(std::move(options)));
}

}  // namespace logship

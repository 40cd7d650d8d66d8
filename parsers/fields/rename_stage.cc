// SPDX-License-Identifier: Apache-2.0
#include "parsers/fields/rename_stage.h"

#include <set>
#include <string>

#include "parsers/fields/field_path.h"
#include "src/base/status_macros.h"
#include "src/config/config_reader.h"

namespace logship {
namespace {

void ReadMoves(ConfigReader& r, const ConfigNode& fields, std::vector<RenameOptions::Move>& out) {
  ConfigErrors& errors = r.errors();
  ForEachFieldMapEntry(
      fields, {"of old name to new name", "rename", "renamed"}, errors,
      [&](const ConfigNode& key, const ConfigNode& value, const std::string& from_name,
          const std::string& option, std::optional<FieldRef> from) {
        if (from && !CanRemove(*from)) {
          errors.Add(key.position(), ReadOnlyBuiltinMessage(option, *from, "renamed"));
          from.reset();
        }
        std::string to_name;
        if (value.IsNull() || !value.IsScalar()) {
          errors.Add(value.position(), "option '" + option +
                                           "': expected the new field name, got " +
                                           std::string(value.KindName()));
          return;
        }
        if (!r.ExpandScalar(value, &to_name)) return;
        std::optional<FieldRef> to = ReadFieldPath(value, option, to_name, errors);
        if (!from || !to) return;
        if (from->path() == to->path()) {
          errors.Add(value.position(),
                     "option '" + option + "': renames '" + from_name + "' to itself");
          return;
        }
        out.push_back(RenameOptions::Move{std::move(*from), std::move(*to)});
      });
}

class RenameStage final : public Stage {
 public:
  explicit RenameStage(RenameOptions options) : options_(std::move(options)) {}

  void Process(Batch& batch, const EventSelection& selected) override {
    ForEachSelected(batch, selected, [&](Event& event, size_t) {
      // A missing source is skipped: RenameField returns false and changes nothing.
      for (const RenameOptions::Move& m : options_.fields) RenameField(batch, event, m.from, m.to);
    });
  }

 private:
  const RenameOptions options_;  // FieldRefs outlive every batch: renamed keys point into them
};

}  // namespace

Result<RenameOptions> ParseRenameOptions(const ConfigNode& node, PluginContext& ctx) {
  RenameOptions o;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which passes the selection to Process
  ConfigNode fields;
  r.Required("fields", &fields);
  if (!fields.IsNull()) ReadMoves(r, fields, o.fields);
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Stage>> MakeRenameStage(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN(RenameOptions options, ParseRenameOptions(node, ctx));
  return std::unique_ptr<Stage>(std::make_unique<RenameStage>(std::move(options)));
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "parsers/add_kubernetes_metadata/add_kubernetes_metadata_stage.h"

#include <array>
#include <vector>

#include "parsers/add_kubernetes_metadata/kubernetes_path.h"
#include "src/config/config_reader.h"
#include "src/event/field_ref.h"

namespace logship {
namespace {

constexpr std::array<std::string_view, 5> kKeys = {"kubernetes.pod.name", "kubernetes.namespace",
                                                   "kubernetes.pod.uid",
                                                   "kubernetes.container.name", "container.id"};

class AddKubernetesMetadataStage final : public Stage {
 public:
  explicit AddKubernetesMetadataStage(AddKubernetesMetadataOptions options) : options_(options) {
    for (std::string_view key : kKeys) refs_.emplace_back(std::string(key));
  }

  void Process(Batch& batch, const EventSelection& selected) override {
    // Once per file of the batch, never per event.
    const std::vector<BatchSource>& sources = batch.sources();
    paths_.resize(sources.size());
    parsed_.resize(sources.size());
    for (size_t s = 0; s < sources.size(); ++s) {
      parsed_[s] = ParseKubernetesPath(sources[s].path, &paths_[s]);
    }
    ForEachSelected(batch, selected, [&](Event& event, size_t) {
      if (event.source == kNoIndex || event.source >= sources.size() || !parsed_[event.source]) {
        return;
      }
      const KubernetesPath& k = paths_[event.source];
      const std::array<std::string_view, 5> values = {k.pod_name, k.namespace_name, k.pod_uid,
                                                      k.container_name, k.container_id};
      for (size_t i = 0; i < values.size(); ++i) {
        if (values[i].empty()) continue;
        SetField(batch, event, refs_[i], Value::String(values[i]), options_.overwrite);
      }
    });
  }

 private:
  const AddKubernetesMetadataOptions options_;
  std::vector<FieldRef> refs_;         // one per kKeys entry
  std::vector<KubernetesPath> paths_;  // per source of the current batch
  std::vector<uint8_t> parsed_;
};

}  // namespace

Result<AddKubernetesMetadataOptions> ParseAddKubernetesMetadataOptions(const ConfigNode& node,
                                                                       PluginContext& ctx) {
  AddKubernetesMetadataOptions o;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which passes the selection to Process
  r.Optional("overwrite", &o.overwrite, false);
  if (!r.Finish()) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Stage>> MakeAddKubernetesMetadataStage(const ConfigNode& node,
                                                              PluginContext& ctx) {
  Result<AddKubernetesMetadataOptions> options = ParseAddKubernetesMetadataOptions(node, ctx);
  if (!options.ok()) return options.status();
  return std::unique_ptr<Stage>(std::make_unique<AddKubernetesMetadataStage>(*options));
}

}  // namespace logship

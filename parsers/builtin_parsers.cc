// SPDX-License-Identifier: Apache-2.0
#include "parsers/builtin_parsers.h"

#include "parsers/add_host_metadata/add_host_metadata_stage.h"
#include "parsers/add_kubernetes_metadata/add_kubernetes_metadata_stage.h"
#include "parsers/fields/add_fields_stage.h"
#include "parsers/fields/drop_stage.h"
#include "parsers/fields/remove_stage.h"
#include "parsers/fields/rename_stage.h"
#include "parsers/json/json_stage.h"
#include "parsers/logfmt/logfmt_stage.h"
#include "parsers/regex/regex_stage.h"
#include "parsers/timestamp/timestamp_stage.h"

namespace logship {

// Stages arrive with the parsers issue; the `stages:` list and its dispatch already work.
void RegisterBuiltinParsers(Registry& registry) {
  registry.AddStage("add_fields", &MakeAddFieldsStage);
  registry.AddStage("add_host_metadata", &MakeAddHostMetadataStage);
  registry.AddStage("add_kubernetes_metadata", &MakeAddKubernetesMetadataStage);
  registry.AddStage("drop", &MakeDropStage);
  registry.AddStage("remove", &MakeRemoveStage);
  registry.AddStage("rename", &MakeRenameStage);
  registry.AddStage("json", &MakeJsonStage);
  registry.AddStage("logfmt", &MakeLogfmtStage);
  registry.AddStage("regex", &MakeRegexStage);
  registry.AddStage("timestamp", &MakeTimestampStage);
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `timestamp` stage parses a field's text with a list of formats (time_format.h), tried in
// order, and sets @timestamp from the first that matches. A line that matches none keeps its read
// time and is tagged error.type "timestamp" with a message naming the field and the text; it is
// never dropped. Configuration:
//
//   - type: timestamp
//     field: ts                  # required: the field holding the time (a string, or a number
//                                #   for the unix formats)
//     formats: [iso8601, "%d/%b/%Y:%H:%M:%S %z"]   # required, tried in order (time_format.h)
//     timezone: Europe/Berlin    # IANA zone for times without an offset; default UTC
//     precision: ms              # ms | us | ns: how @timestamp is written; default ms
//     target: "@timestamp"       # default; another field gets an ISO-8601 UTC string
//     remove_field: false        # remove `field` after a successful parse
//
// Formats without a year (rfc3164) take it from the event's read time, on the zone's wall clock,
// never landing more than 31 days in the future. No allocation per event.

#include <memory>
#include <string>
#include <vector>

#include "src/base/result.h"
#include "src/config/config_node.h"
#include "src/event/field_ref.h"
#include "src/event/timestamp.h"
#include "src/pipeline/plugin_context.h"
#include "src/pipeline/stage.h"

namespace logship {

struct TimestampStageOptions {
  FieldRef field;
  std::vector<std::string> formats;  // each compiles (checked by ParseTimestampStageOptions)
  std::string timezone = "UTC";      // loads (checked)
  TimePrecision precision = TimePrecision::kMillis;
  FieldRef target{"@timestamp"};
  bool remove_field = false;
};

// Reads and validates the options: every format is compiled and the zone loaded, so a bad
// conversion, an unknown zone or a bad precision is reported with its position. Every problem
// goes to ctx.errors; then the result is InvalidArgument(component, "invalid options").
Result<TimestampStageOptions> ParseTimestampStageOptions(const ConfigNode& node,
                                                         PluginContext& ctx);

// The registry's factory for `type: timestamp`.
Result<std::unique_ptr<Stage>> MakeTimestampStage(const ConfigNode& node, PluginContext& ctx);

}  // namespace logship

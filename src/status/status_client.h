// SPDX-License-Identifier: Apache-2.0
#pragma once

// What `logship status` does: fetch /status from a running agent and print it as tables, files
// sorted by lag (the most behind first) and sinks with their state.

#include <string>

#include "src/base/result.h"
#include "src/status/agent_status.h"

namespace logship {

// GETs `url` + "/status". The error names the URL.
Result<std::string> FetchStatus(const std::string& url);

// Parses a /status document (RenderStatusJson's output).
Result<AgentStatus> ParseStatusJson(const std::string& json);

// The readable form printed by `logship status`.
std::string FormatStatusTable(const AgentStatus& status);

}  // namespace logship

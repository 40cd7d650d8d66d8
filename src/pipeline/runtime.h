// SPDX-License-Identifier: Apache-2.0
#pragma once

// Runtime runs every pipeline of a loaded pipeline file until it is told to stop (SIGTERM/SIGINT)
// or, with --once, until every matched file was read to its end and every event acknowledged by
// every sink. It owns the process's signal handling (signals are blocked in every thread and read
// from a signalfd by the calling thread). Exit codes:
//   0  stopped cleanly: everything read was delivered and checkpointed
//   2  could not start (a sink or the checkpoint store failed; the message names it)
//   3  stopped before everything read was delivered (shutdown_timeout, or a second signal);
//      checkpoints cover only what was acknowledged, so those lines are read again next start

#include <string>

#include "src/base/clock.h"
#include "src/pipeline/pipeline_config.h"
#include "src/pipeline/registry.h"

namespace logship {

struct RunOptions {
  bool once = false;
  bool progress = false;  // print a progress line on stderr (only with once)
  std::string version;    // shown in /status
  // Builds pipelines when the file is reloaded (SIGHUP, or the file changed); null: no reload.
  const Registry* registry = nullptr;
};

// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread and every thread it creates later, and
// ignores SIGPIPE. Call before any thread starts.
void BlockTerminationSignals();

// The host name events carry as host.name.
std::string HostName();

int RunAgent(AgentConfig config, const RunOptions& options, Clock& clock = RealClock());

}  // namespace logship

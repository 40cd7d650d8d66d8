// SPDX-License-Identifier: Apache-2.0
// The composition root: the one place where the core, the parsers and the sinks meet.
#include "parsers/builtin_parsers.h"
#include "sinks/builtin_sinks.h"
#include "src/cli.h"
#include "src/pipeline/registry.h"

int main(int argc, char** argv) {
  logship::Registry registry;
  logship::RegisterCoreSources(registry);
  logship::RegisterBuiltinParsers(registry);
  logship::RegisterBuiltinSinks(registry);
  return logship::RunCli(argc, argv, registry);
}

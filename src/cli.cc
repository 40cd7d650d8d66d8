// SPDX-License-Identifier: Apache-2.0
#include "src/cli.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "src/config/config_error.h"
#include "src/pipeline/pipeline_config.h"
#include "src/pipeline/runtime.h"
#include "src/replay/checkpoints_command.h"
#include "src/replay/replay_command.h"
#include "src/status/status_client.h"

#ifndef LOGSHIP_VERSION
#define LOGSHIP_VERSION "0.0.0"
#endif

namespace logship {
namespace {

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("logship");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Loads the file and prints every problem as FILE:LINE:COL: message. nullopt on any problem.
std::optional<AgentConfig> Load(const std::string& file, const Registry& registry) {
  ConfigErrors errors;
  Result<AgentConfig> config = LoadAgentConfig(file, registry, errors);
  if (config.ok()) return std::move(*config);
  for (const ConfigError& e : errors.Sorted()) std::fprintf(stderr, "%s\n", e.ToString().c_str());
  std::fprintf(stderr, "%s: %zu problem%s found\n", file.c_str(), errors.size(),
               errors.size() == 1 ? "" : "s");
  return std::nullopt;
}

int Validate(const std::string& file, const Registry& registry) {
  std::optional<AgentConfig> config = Load(file, registry);
  if (!config) return 1;
  std::string summary;
  for (const PipelineParts& p : config->pipelines) {
    if (!summary.empty()) summary += "; ";
    summary += p.name + ": " + std::to_string(p.sources.size()) + " input(s), " +
               std::to_string(p.stage_chains.empty() ? 0 : p.stage_chains[0].size()) +
               " stage(s) on " + std::to_string(p.stage_chains.size()) + " worker(s), " +
               std::to_string(p.sinks.size()) + " sink(s)";
  }
  std::printf("%s: ok: %zu pipeline(s) (%s)\n", file.c_str(), config->pipelines.size(),
              summary.c_str());
  return 0;
}

int ShowStatus(const std::string& url, bool json) {
  Result<std::string> body = FetchStatus(url);
  if (!body.ok()) {
    std::fprintf(stderr, "logship status: %s\n", body.status().ToString().c_str());
    return 1;
  }
  if (json) {
    std::fputs(body->c_str(), stdout);
    return 0;
  }
  Result<AgentStatus> status = ParseStatusJson(*body);
  if (!status.ok()) {
    std::fprintf(stderr, "logship status: %s: %s\n", url.c_str(),
                 status.status().ToString().c_str());
    return 1;
  }
  std::fputs(FormatStatusTable(*status).c_str(), stdout);
  return 0;
}

int Run(const std::string& file, bool once, bool progress, const Registry& registry) {
  std::optional<AgentConfig> config = Load(file, registry);
  if (!config) return 1;
  RunOptions options;
  options.once = once;
  options.progress = progress;
  options.version = LOGSHIP_VERSION;
  options.registry = &registry;
  return RunAgent(std::move(*config), options);
}

}  // namespace

int RunCli(int argc, char** argv, const Registry& registry) {
  CLI::App app{
      "logship: tails log files, structures each line, ships it to Kafka, "
      "Elasticsearch or spool files, and checkpoints only what every sink acknowledged."};
  app.set_version_flag("--version", std::string("logship ") + LOGSHIP_VERSION);
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "Agent log level: trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.footer(
      "Sinks: " + Join(registry.SinkNames()) + ". Inputs: " + Join(registry.SourceNames()) +
      ". Stages: " + (registry.StageNames().empty() ? "(none)" : Join(registry.StageNames())) +
      ".\nExit codes: 0 ok; 1 invalid pipeline file or usage; 2 could not start; "
      "3 stopped before everything read was delivered (it is read again next start).");

  std::string run_file;
  bool once = false;
  bool no_progress = false;
  CLI::App* run = app.add_subcommand("run", "Run the pipelines of PIPELINE until SIGTERM/SIGINT");
  run->add_option("PIPELINE", run_file, "Pipeline file (YAML)")->required();
  run->add_flag("--once", once,
                "Read every matched file to its current end, ship it, wait for every "
                "acknowledgement, save checkpoints and exit");
  run->add_flag("--no-progress", no_progress, "With --once: no progress line on a terminal");

  std::string validate_file;
  CLI::App* validate = app.add_subcommand(
      "validate", "Check PIPELINE; print each problem as FILE:LINE:COL: message");
  validate->add_option("PIPELINE", validate_file, "Pipeline file (YAML)")->required();

  std::string status_url = "http://127.0.0.1:9180";
  bool status_json = false;
  CLI::App* status = app.add_subcommand(
      "status", "Show a running agent's files (by lag) and sinks, from its /status endpoint");
  status->add_option("--url", status_url, "The agent's http.listen address")->capture_default_str();
  status->add_flag("--json", status_json, "Print the /status document as it is");

  std::string checkpoints_file;
  CheckpointsCommand checkpoints_command;
  CLI::App* checkpoints = app.add_subcommand(
      "checkpoints", "Show the file inputs' acknowledged offsets and snapshots, or move them");
  checkpoints->require_subcommand(1);
  CLI::App* checkpoints_list = checkpoints->add_subcommand(
      "list", "Per pipeline and input: files with acknowledged offset, size, lag; snapshot names");
  CLI::App* checkpoints_show = checkpoints->add_subcommand(
      "show", "Every checkpoint record of the live state or of one snapshot");
  CLI::App* checkpoints_reset = checkpoints->add_subcommand(
      "reset", "Move the checkpoints of matching files (only while the pipeline is stopped)");
  for (CLI::App* sub : {checkpoints_list, checkpoints_show, checkpoints_reset}) {
    sub->add_option("PIPELINE", checkpoints_file, "Pipeline file (YAML)")->required();
    sub->add_option("--pipeline", checkpoints_command.pipeline,
                    "Only this pipeline (default: every one)");
  }
  checkpoints_show->add_option("--snapshot", checkpoints_command.snapshot,
                               "A snapshot name (20260124T101500Z) or an RFC 3339 time: the "
                               "newest snapshot at or before it (default: live checkpoints)");
  checkpoints_show->add_flag("--json", checkpoints_command.json, "Print JSON");
  checkpoints_reset
      ->add_option("--file", checkpoints_command.file_glob,
                   "Glob of the files to move (a pattern without '/' matches file names)")
      ->required();
  checkpoints_reset
      ->add_option("--to", checkpoints_command.to,
                   "beginning, end (of the last complete line) or a byte offset (a line start)")
      ->required();

  std::string replay_file;
  ReplayCommand replay_command;
  bool replay_no_progress = false;
  CLI::App* replay = app.add_subcommand(
      "replay", "Ship again what was acknowledged between a snapshot and now (or --until)");
  replay->add_option("PIPELINE", replay_file, "Pipeline file (YAML)")->required();
  replay
      ->add_option("--since", replay_command.since,
                   "Snapshot name or RFC 3339 time: from the newest snapshot at or before it")
      ->required();
  replay->add_option("--until", replay_command.until,
                     "Snapshot name or RFC 3339 time (default: the live checkpoints)");
  replay->add_option("--file", replay_command.file_glob, "Only files matching this glob");
  replay->add_option("--sink", replay_command.sink,
                     "Only this sink (its id as in metrics: spool, or spool-1 with two spools)");
  replay->add_option("--pipeline", replay_command.pipeline, "Only this pipeline");
  replay->add_flag("--no-progress", replay_no_progress, "No progress line on a terminal");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }
  SetUpLogging(log_level);
  if (run->parsed()) return Run(run_file, once, !no_progress && ::isatty(2), registry);
  if (validate->parsed()) return Validate(validate_file, registry);
  if (status->parsed()) return ShowStatus(status_url, status_json);
  if (checkpoints->parsed()) {
    std::optional<AgentConfig> config = Load(checkpoints_file, registry);
    if (!config) return 1;
    if (checkpoints_list->parsed()) return RunCheckpointsList(*config, checkpoints_command);
    if (checkpoints_show->parsed()) return RunCheckpointsShow(*config, checkpoints_command);
    return RunCheckpointsReset(*config, checkpoints_command);
  }
  if (replay->parsed()) {
    std::optional<AgentConfig> config = Load(replay_file, registry);
    if (!config) return 1;
    replay_command.progress = !replay_no_progress && ::isatty(2);
    replay_command.version = LOGSHIP_VERSION;
    return RunReplayCommand(std::move(*config), replay_command);
  }
  return 1;
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "src/replay/replay_command.h"

#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>

#include "src/base/file_system.h"
#include "src/config/byte_size.h"
#include "src/pipeline/runtime.h"
#include "src/pipeline/state_dir_lock.h"
#include "src/replay/file_inputs.h"
#include "src/replay/replay_plan.h"
#include "src/replay/replay_source.h"
#include "src/tail/checkpoint_history.h"

namespace logship {
namespace {

// Stands in for a sink the replay does not ship to (--sink picks another): it keeps the other
// sinks' positions, which their routes are indexed by, and acknowledges everything at once.
class DiscardSink final : public Sink {
 public:
  Status Start() override { return Status::Ok(); }
  void Submit(BatchPtr batch, AckHandle ack) override { ack.Done(AckStatus::kDelivered); }
  Status Stop(int64_t deadline_ns) override { return Status::Ok(); }
};

int UsageError(std::string_view message) {
  std::fprintf(stderr, "logship replay: %.*s\n", static_cast<int>(message.size()), message.data());
  return 1;
}

void PrintPlan(const std::vector<InputReplay>& plans) {
  for (const InputReplay& p : plans) {
    std::fprintf(stderr, "%s: since snapshot %s until %s: %zu file(s), %s\n",
                 p.input->label().c_str(), p.since.c_str(), p.until.c_str(), p.files.size(),
                 FormatBytes(p.bytes()).c_str());
    for (const ReplayFile& f : p.files) {
      std::fprintf(stderr, "  %s [%llu, %llu)\n", f.path.c_str(),
                   static_cast<unsigned long long>(f.from), static_cast<unsigned long long>(f.to));
    }
    for (const std::string& note : p.notes) std::fprintf(stderr, "  %s\n", note.c_str());
  }
}

// Which sinks of `parts` the replay ships to; empty when `sink` names none of them.
std::vector<bool> SelectSinks(const PipelineParts& parts, const std::string& sink) {
  std::vector<bool> selected(parts.sinks.size(), sink.empty());
  bool any = sink.empty();
  for (size_t i = 0; i < parts.sinks.size(); ++i) {
    if (parts.sinks[i].id == sink) selected[i] = any = true;
  }
  return any ? selected : std::vector<bool>();
}

// Two writers in one spool directory could cut each other's last line (each repairs the newest
// file when it opens), so a spool sink is only replayed into while its pipeline is stopped.
Status CheckNotShared(const PipelineParts& parts, const std::vector<bool>& selected,
                      const std::string& state_dir) {
  bool spool = false;
  std::string which;
  for (size_t i = 0; i < selected.size(); ++i) {
    if (selected[i] && parts.sinks[i].type == "spool") {
      spool = true;
      which = parts.sinks[i].id;
    }
  }
  if (!spool) return Status::Ok();
  Result<std::optional<long>> holder = StateDirLock::Holder(state_dir);
  if (!holder.ok()) return holder.status();
  if (!holder->has_value()) return Status::Ok();
  return Status::FailedPrecondition(
      "pipeline '" + parts.name + "'",
      "is running (logship pid " + std::to_string(**holder) + ") and sink '" + which +
          "' writes a spool directory, which two processes cannot share: stop the pipeline, or "
          "pick another sink with --sink");
}

// The replay's own state directory: the live one stays untouched (and unlocked).
std::string ReplayStateDir(const std::string& live_state_dir, int64_t unix_seconds) {
  return JoinPath(live_state_dir,
                  "replay-" + FormatSnapshotName(unix_seconds) + "-" + std::to_string(::getpid()));
}

// Removes the replay's state directory if it holds nothing but its lock file.
void RemoveReplayDir(const std::string& dir) {
  FileSystem& fs = PosixFileSystem();
  Result<std::vector<DirEntry>> entries = fs.ListDir(dir);
  if (!entries.ok()) return;
  for (const DirEntry& e : *entries) {
    if (e.name != "lock") {
      std::fprintf(stderr, "logship replay: kept '%s' (it holds '%s')\n", dir.c_str(),
                   e.name.c_str());
      return;
    }
  }
  (void)fs.Remove(JoinPath(dir, "lock"));
  ::rmdir(dir.c_str());
}

}  // namespace

int RunReplayCommand(AgentConfig config, const ReplayCommand& command) {
  ReplayWindow window;
  Result<int64_t> since = ParseSnapshotTime(command.since);
  if (!since.ok()) return UsageError("--since " + std::string(since.status().message()));
  window.since_unix_seconds = *since;
  if (!command.until.empty()) {
    Result<int64_t> until = ParseSnapshotTime(command.until);
    if (!until.ok()) return UsageError("--until " + std::string(until.status().message()));
    if (*until < *since) {
      return UsageError("--until " + command.until + " is before --since " + command.since);
    }
    window.until_unix_seconds = *until;
  }
  if (!command.file_glob.empty()) {
    Result<Glob> glob = CompileFileGlob(command.file_glob);
    if (!glob.ok()) return UsageError(glob.status().message());
    window.file = std::move(*glob);
  }
  ConfigErrors errors;
  Result<std::vector<FileInput>> inputs = LoadFileInputs(config, command.pipeline, errors);
  if (!inputs.ok()) return UsageError(inputs.status().message());
  if (inputs->empty()) return UsageError(config.file + ": no `type: file` input to replay");

  // Sinks first: a wrong --sink is a usage error, whatever the snapshots hold.
  std::map<std::string, std::vector<bool>> sinks;  // by pipeline
  std::set<std::string> known_ids;
  for (const PipelineParts& parts : config.pipelines) {
    if (!command.pipeline.empty() && parts.name != command.pipeline) continue;
    for (const SinkSlot& s : parts.sinks) known_ids.insert(s.id);
    std::vector<bool> selected = SelectSinks(parts, command.sink);
    if (!selected.empty()) sinks[parts.name] = std::move(selected);
  }
  if (sinks.empty()) {
    std::string ids;
    for (const std::string& id : known_ids) ids += (ids.empty() ? "" : ", ") + id;
    return UsageError("--sink '" + command.sink + "': no such sink (sinks: " + ids + ")");
  }

  // Only the inputs of pipelines with a sink to ship to: the others need no snapshot.
  std::erase_if(*inputs, [&](const FileInput& in) { return sinks.count(in.pipeline) == 0; });
  Result<std::vector<InputReplay>> plans = PlanReplay(*inputs, window);
  if (!plans.ok()) return UsageError(plans.status().message());
  PrintPlan(*plans);

  // The replay's pipelines: the configured ones with their stages and the selected sinks, and a
  // ReplaySource per file input in place of their inputs.
  const int64_t started = RealClock().NowUnixNanos() / 1'000'000'000;
  std::vector<PipelineParts> pipelines;
  std::vector<std::string> replay_dirs;
  uint64_t total = 0;
  for (PipelineParts& parts : config.pipelines) {
    auto selected = sinks.find(parts.name);
    if (selected == sinks.end()) continue;
    std::vector<std::unique_ptr<Source>> sources;
    std::vector<std::string> source_names;
    for (InputReplay& plan : *plans) {
      if (plan.input->pipeline != parts.name || plan.files.empty()) continue;
      total += plan.bytes();
      std::string name = "pipelines." + parts.name + ".inputs[" +
                         std::to_string(plan.input->input_index) + "] (replay)";
      sources.push_back(MakeReplaySource(plan.input->options, std::move(plan.files), name));
      source_names.push_back(std::move(name));
    }
    if (sources.empty()) continue;
    Status free = CheckNotShared(parts, selected->second, parts.data_dir);
    if (!free.ok()) return UsageError(free.message());
    for (size_t i = 0; i < parts.sinks.size(); ++i) {
      if (!selected->second[i]) parts.sinks[i].sink = std::make_unique<DiscardSink>();
    }
    parts.sources = std::move(sources);
    parts.source_names = std::move(source_names);
    parts.data_dir = ReplayStateDir(parts.data_dir, started);
    replay_dirs.push_back(parts.data_dir);
    pipelines.push_back(std::move(parts));
  }
  if (pipelines.empty()) {
    std::fprintf(stderr, "logship replay: nothing to replay\n");
    return 0;
  }
  config.pipelines = std::move(pipelines);
  config.http.host.clear();  // the live agent may be serving /status on that port

  RunOptions options;
  options.once = true;
  options.progress = command.progress;
  options.version = command.version;
  int code = RunAgent(std::move(config), options);
  for (const std::string& dir : replay_dirs) RemoveReplayDir(dir);
  if (code == 0) {
    std::fprintf(stderr, "logship replay: %s replayed\n", FormatBytes(total).c_str());
  }
  return code;
}

}  // namespace logship

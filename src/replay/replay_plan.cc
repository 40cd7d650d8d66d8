// SPDX-License-Identifier: Apache-2.0
#include "src/replay/replay_plan.h"

#include "src/base/file_system.h"
#include "src/base/status_macros.h"
#include "src/replay/file_locator.h"
#include "src/tail/checkpoint_history.h"
#include "src/tail/checkpoint_store.h"

namespace logship {
namespace {

struct ChosenState {
  Checkpoints checkpoints;
  std::string name;
};

Result<ChosenState> SnapshotAt(const FileInput& input, const std::vector<SnapshotInfo>& snapshots,
                               int64_t unix_seconds, const char* flag) {
  const SnapshotInfo* s = CheckpointHistory::AtOrBefore(snapshots, unix_seconds);
  if (s == nullptr) {
    std::string why =
        "no checkpoint snapshot at or before " + FormatRfc3339(unix_seconds) + " (" + flag + ")";
    why += snapshots.empty() ? std::string("; it has none yet")
                             : "; the oldest is " + snapshots.front().name;
    return Status::FailedPrecondition("input " + input.label(), why);
  }
  LOGSHIP_ASSIGN_OR_RETURN(Checkpoints c, CheckpointHistory::Read(PosixFileSystem(), *s));
  return ChosenState{std::move(c), s->name};
}

bool Selected(const ReplayWindow& window, const std::string& now, const std::string& recorded) {
  return !window.file || window.file->Matches(now) || window.file->Matches(recorded);
}

// Adds to `plan` the window of the file `c` of the until state names.
void PlanFile(const ReplayWindow& window, const FileLocator& locator, const Checkpoints& since,
              const FileCheckpoint& c, uint64_t to, InputReplay& plan) {
  std::optional<LocatedFile> file = locator.Find(c);
  if (!file) {
    if (Selected(window, c.path, c.path)) {
      plan.notes.push_back(c.path + ": no longer on disk (not replayed)");
    }
    return;
  }
  if (!Selected(window, file->path, c.path)) return;
  // Where the since snapshot had this file (same inode, and its head still the same bytes).
  uint64_t from = 0;
  for (const FileCheckpoint& s : since.files) {
    if (s.device != c.device || s.inode != c.inode) continue;
    std::optional<LocatedFile> same = locator.Find(s);
    if (same && same->path == file->path) from = s.offset;
    break;
  }
  if (to > file->size) to = file->size;
  if (from >= to) return;
  plan.files.push_back(ReplayFile{file->path, c.device, c.inode,
                                  Fingerprint{c.fingerprint_len, c.fingerprint}, from, to});
}

Result<InputReplay> PlanInput(const FileInput& input, const ReplayWindow& window) {
  InputReplay plan;
  plan.input = &input;
  LOGSHIP_ASSIGN_OR_RETURN(
      std::vector<SnapshotInfo> snapshots,
      CheckpointHistory::List(PosixFileSystem(), input.state_dir, input.store()));
  LOGSHIP_ASSIGN_OR_RETURN(ChosenState since,
                           SnapshotAt(input, snapshots, window.since_unix_seconds, "--since"));
  plan.since = since.name;
  ChosenState until;
  if (window.until_unix_seconds) {
    LOGSHIP_ASSIGN_OR_RETURN(until,
                             SnapshotAt(input, snapshots, *window.until_unix_seconds, "--until"));
  } else {
    LOGSHIP_ASSIGN_OR_RETURN(
        CheckpointStore store,
        CheckpointStore::Open(PosixFileSystem(), input.state_dir, input.store()));
    LOGSHIP_ASSIGN_OR_RETURN(LoadedCheckpoints live, store.Peek());
    until.checkpoints = std::move(live.checkpoints);
    until.name = "live checkpoints";
  }
  plan.until = until.name;

  FileLocator locator(input.options, {&since.checkpoints, &until.checkpoints});
  for (const FileCheckpoint& c : until.checkpoints.files) {
    PlanFile(window, locator, since.checkpoints, c, c.offset, plan);
  }
  // Files the since snapshot knows and the until state forgot: a file is forgotten once it was
  // read to its end and closed (renamed or deleted) and all of it acknowledged.
  for (const FileCheckpoint& s : since.checkpoints.files) {
    bool known = false;
    for (const FileCheckpoint& c : until.checkpoints.files) {
      known = known || (c.device == s.device && c.inode == s.inode);
    }
    if (!known) PlanFile(window, locator, since.checkpoints, s, UINT64_MAX, plan);
  }
  return plan;
}

}  // namespace

Result<std::vector<InputReplay>> PlanReplay(const std::vector<FileInput>& inputs,
                                            const ReplayWindow& window) {
  std::vector<InputReplay> out;
  for (const FileInput& input : inputs) {
    LOGSHIP_ASSIGN_OR_RETURN(InputReplay plan, PlanInput(input, window));
    out.push_back(std::move(plan));
  }
  return out;
}

}  // namespace logship

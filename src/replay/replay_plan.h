// SPDX-License-Identifier: Apache-2.0
#pragma once

// ReplayPlan works out, for each file input, which bytes of which files `logship replay` re-ships:
// for each file, the window [offset in the --since snapshot, offset in the --until state). The
// --since snapshot is the input's newest snapshot taken at or before the given time; the --until
// state is the same for --until, or the live checkpoints. A file the --since snapshot does not
// know (it appeared later, or its inode now holds new contents) is replayed from its start; a file
// the --until state no longer knows (finished after a rotation and forgotten) is replayed to its
// end. Files are found on disk by FileLocator; those that are gone are listed as notes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "src/base/result.h"
#include "src/config/glob.h"
#include "src/replay/file_inputs.h"
#include "src/tail/fingerprint.h"

namespace logship {

struct ReplayFile {
  std::string path;  // where it is now
  uint64_t device = 0;
  uint64_t inode = 0;
  Fingerprint fingerprint;  // its first bytes, checked again when the replay opens it
  uint64_t from = 0;        // first byte to ship (the start of a line)
  uint64_t to = 0;          // first byte not to ship
};

struct InputReplay {
  const FileInput* input = nullptr;
  std::string since;  // the snapshot used: "20260124T101500Z"
  std::string until;  // a snapshot name, or "live checkpoints"
  std::vector<ReplayFile> files;
  std::vector<std::string> notes;  // files that are gone, windows that are empty, …

  uint64_t bytes() const {
    uint64_t n = 0;
    for (const ReplayFile& f : files) n += f.to - f.from;
    return n;
  }
};

struct ReplayWindow {
  int64_t since_unix_seconds = 0;
  std::optional<int64_t> until_unix_seconds;  // unset: the live checkpoints
  std::optional<Glob> file;                   // only files whose path (now or checkpointed) matches
};

// One entry per input. FailedPrecondition naming the input when it has no snapshot at or before
// the --since (or --until) time; Corruption when a snapshot or the live copy cannot be read.
Result<std::vector<InputReplay>> PlanReplay(const std::vector<FileInput>& inputs,
                                            const ReplayWindow& window);

}  // namespace logship

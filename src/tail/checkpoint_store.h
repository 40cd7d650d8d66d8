// SPDX-License-Identifier: Apache-2.0
#pragma once

// CheckpointStore keeps, for one file input of one pipeline, how far each tailed file has been
// acknowledged by every sink, durably and atomically, in one small text file in the data directory.
//
// Promises:
// - Save() is atomic: after a crash at any moment, Load() returns either the state of the last
//   Save() that returned OK or the one before it, never a mix and never nothing. (Each copy carries
//   a generation number and a checksum; see the crash-window comments in checkpoint_store.cc.)
//   A Save() that failed or was cut short by the crash may also win: it was complete and synced
//   before any rename, and it holds offsets that every sink had acknowledged, so using it is safe.
// - Load() never silently resets: a corrupt or truncated copy is reported by name in `problems`
//   and the newest good copy is used; when copies exist and none is good it returns Corruption
//   naming them, and the caller must refuse to start rather than re-ship or skip data.
// Not thread-safe: one owner (the file source's thread) calls Load and Save.
//
// On disk, in `dir`: `<name>` (current), `<name>.prev` (the copy before it), `<name>.tmp` (a save
// in progress). Text, one record a line:
//   logship-checkpoints 2
//   generation <n>
//   saved <unix nanos>
//   file <device> <inode> <fingerprint length> <fingerprint hex> <offset> <marker length>
//        <marker hex> <size> <percent-encoded path>                          (one line)
//   checksum <hex of Hash64 over every byte before this line>
// Version 1 files (no marker, no size) are still read: their records have no marker to check.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "src/base/file_system.h"
#include "src/base/result.h"

namespace logship {

struct FileCheckpoint {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint32_t fingerprint_len = 0;  // bytes of the file's head the fingerprint covers (<= 1 KiB)
  uint64_t fingerprint = 0;      // Hash64 of those bytes
  uint64_t offset = 0;           // first byte not yet acknowledged by every sink
  std::string path;              // last path the file was seen at (informational)
  // Hash64 of the marker_len (<= 64) bytes just before `offset` (fingerprint.h): a file whose
  // bytes there differ is not the file this checkpoint was saved for. 0: no marker, not checked.
  uint32_t marker_len = 0;
  uint64_t marker = 0;
  // The file's size when last seen (at least): what is left unread if the file disappears.
  uint64_t size = 0;

  friend bool operator==(const FileCheckpoint&, const FileCheckpoint&) = default;
};

struct Checkpoints {
  std::vector<FileCheckpoint> files;
  int64_t saved_unix_nanos = 0;  // set by Save; read back by Load
};

struct LoadedCheckpoints {
  Checkpoints checkpoints;
  std::string loaded_from;            // the copy used; empty when there was none (fresh start)
  uint64_t generation = 0;            // of the copy used
  std::vector<std::string> problems;  // "'<path>': checksum mismatch, using '<other>'", …
};

class CheckpointStore {
 public:
  // Creates `dir` if missing. Does not read anything yet.
  static Result<CheckpointStore> Open(FileSystem& fs, std::string dir,
                                      std::string name = "checkpoints");

  // See the class comment. Also cleans up: a leftover temp file is considered, then ignored.
  Result<LoadedCheckpoints> Load();
  // Like Load, but changes nothing on disk (no temp copy promoted or removed): for readers in
  // another process than the owner (`logship checkpoints list`, `replay`), which may run while the
  // owner saves. A copy renamed away while it is read is simply missed; some good copy is always
  // found, as each Save renames one copy at a time. The state returned may be one Save old.
  Result<LoadedCheckpoints> Peek() const;
  // Writes `checkpoints` as the new current copy (saved_unix_nanos is taken from the argument).
  Status Save(const Checkpoints& checkpoints);

  const std::string& path() const { return current_; }

  // Serialisation, exposed for tests. Parse returns Corruption naming `source` on any problem.
  static std::string Serialize(const Checkpoints& c, uint64_t generation);
  static Result<Checkpoints> Parse(const std::string& text, const std::string& source,
                                   uint64_t* generation);

 private:
  struct Copy;
  CheckpointStore(FileSystem* fs, std::string dir, std::string name);
  // Reads and checks the copy at `path`. Only a read error other than "not found" fails: a copy
  // that cannot be read might be the newest, and guessing past it could re-ship or skip data.
  static Result<Copy> ReadCopy(FileSystem& fs, const std::string& path);
  // Reads the current, temp and previous copies (in that order) into `copies`; returns the valid
  // one with the highest generation (the first on a tie), or nullptr.
  Result<const Copy*> ReadCopies(std::array<Copy, 3>& copies) const;
  // What Load and Peek return for `copies` and their `best`.
  Result<LoadedCheckpoints> Choose(const std::array<Copy, 3>& copies, const Copy* best) const;

  FileSystem* fs_;
  std::string dir_;
  std::string current_;
  std::string prev_;
  std::string tmp_;
  uint64_t generation_ = 0;  // of the last copy loaded or saved
  // Whether the copies on disk have been looked at (by Load, or by the first Save), and whether
  // `current_` then held a valid copy: Save keeps only a valid current as `prev_`, so a corrupt
  // current never pushes the last good copy out.
  bool inspected_ = false;
  bool current_good_ = false;
};

}  // namespace logship

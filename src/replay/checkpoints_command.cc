// SPDX-License-Identifier: Apache-2.0
#include "src/replay/checkpoints_command.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>
#include <optional>

#include "src/base/file_system.h"
#include "src/base/status_macros.h"
#include "src/event/json_writer.h"
#include "src/event/output_buffer.h"
#include "src/pipeline/state_dir_lock.h"
#include "src/replay/file_inputs.h"
#include "src/replay/file_locator.h"
#include "src/tail/checkpoint_history.h"
#include "src/tail/checkpoint_store.h"
#include "src/tail/fingerprint.h"

namespace logship {
namespace {

int Fail(const char* command, const std::string& message) {
  std::fprintf(stderr, "logship checkpoints %s: %s\n", command, message.c_str());
  return 1;
}

std::string Hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string SavedTime(const Checkpoints& c) {
  return c.saved_unix_nanos == 0 ? "-" : FormatRfc3339(c.saved_unix_nanos / 1'000'000'000);
}

// One state of one input (live or a snapshot), each record with where its file is now.
struct InputState {
  const FileInput* input = nullptr;
  std::string source;    // the file it was read from ("" when there are no checkpoints yet)
  std::string snapshot;  // the snapshot's name; empty for the live checkpoints
  uint64_t generation = 0;
  Checkpoints checkpoints;
  std::vector<std::optional<LocatedFile>> on_disk;  // one per checkpoints.files
  std::vector<SnapshotInfo> snapshots;              // the input's history
};

// Reads the live checkpoints (snapshot empty) or the newest snapshot at or before `snapshot`.
Result<InputState> ReadState(const FileInput& input, const std::string& snapshot) {
  InputState s;
  s.input = &input;
  FileSystem& fs = PosixFileSystem();
  LOGSHIP_ASSIGN_OR_RETURN(s.snapshots,
                           CheckpointHistory::List(fs, input.state_dir, input.store()));
  if (snapshot.empty()) {
    // Open creates the state directory if missing: a command that only reads should not.
    if (fs.Exists(input.state_dir)) {
      LOGSHIP_ASSIGN_OR_RETURN(CheckpointStore store,
                               CheckpointStore::Open(fs, input.state_dir, input.store()));
      LOGSHIP_ASSIGN_OR_RETURN(LoadedCheckpoints live, store.Peek());
      s.source = live.loaded_from;
      s.generation = live.generation;
      s.checkpoints = std::move(live.checkpoints);
    }
  } else {
    LOGSHIP_ASSIGN_OR_RETURN(int64_t at, ParseSnapshotTime(snapshot));
    const SnapshotInfo* info = CheckpointHistory::AtOrBefore(s.snapshots, at);
    if (info == nullptr) {
      return Status::NotFound(
          "input " + input.label(),
          "no checkpoint snapshot at or before " + FormatRfc3339(at) +
              (s.snapshots.empty() ? std::string(" (it has none)")
                                   : " (the oldest is " + s.snapshots.front().name + ")"));
    }
    LOGSHIP_ASSIGN_OR_RETURN(s.checkpoints, CheckpointHistory::Read(fs, *info));
    s.source = info->path;
    s.snapshot = info->name;
  }
  FileLocator locator(input.options, {&s.checkpoints});
  for (const FileCheckpoint& c : s.checkpoints.files) s.on_disk.push_back(locator.Find(c));
  return s;
}

// The states of `inputs` (which must outlive them) for `snapshot` (see ReadState).
Result<std::vector<InputState>> ReadStates(const std::vector<FileInput>& inputs,
                                           const std::string& snapshot) {
  std::vector<InputState> out;
  for (const FileInput& input : inputs) {
    LOGSHIP_ASSIGN_OR_RETURN(InputState s, ReadState(input, snapshot));
    out.push_back(std::move(s));
  }
  return out;
}

struct Row {
  std::string cells[5];
};

void PrintTable(const std::vector<Row>& rows, const char* indent) {
  size_t width[5] = {};
  for (const Row& r : rows) {
    for (int i = 0; i < 5; ++i) width[i] = std::max(width[i], r.cells[i].size());
  }
  for (const Row& r : rows) {
    std::string line = indent;
    for (int i = 0; i < 5; ++i) {
      const std::string& c = r.cells[i];
      bool right = i >= 1 && i <= 3;  // numbers
      std::string pad(width[i] - c.size(), ' ');
      line += right ? pad + c : c + (i == 4 ? "" : pad);
      if (i < 4) line += "  ";
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
}

// FILE, OFFSET, SIZE, LAG, NOTE rows of one state.
std::vector<Row> FileRows(const InputState& s) {
  std::vector<Row> rows = {{{"FILE", "OFFSET", "SIZE", "LAG", ""}}};
  for (size_t i = 0; i < s.checkpoints.files.size(); ++i) {
    const FileCheckpoint& c = s.checkpoints.files[i];
    const std::optional<LocatedFile>& f = s.on_disk[i];
    Row r;
    r.cells[1] = std::to_string(c.offset);
    if (f) {
      r.cells[0] = f->path;
      r.cells[2] = std::to_string(f->size);
      r.cells[3] = std::to_string(f->size > c.offset ? f->size - c.offset : 0);
      if (f->path != c.path) r.cells[4] = "(checkpointed as " + c.path + ")";
      if (f->size < c.offset) r.cells[4] = "shorter than its offset: read again from 0";
    } else {
      r.cells[0] = c.path;
      r.cells[2] = r.cells[3] = "-";
      r.cells[4] = "gone";
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string SnapshotNames(const std::vector<SnapshotInfo>& snapshots) {
  std::string out;
  for (const SnapshotInfo& s : snapshots) out += (out.empty() ? "" : " ") + s.name;
  return out.empty() ? "none yet" : out;
}

void WriteJsonString(std::string_view s, OutputBuffer& out) { JsonWriter::WriteString(s, out); }

void WriteStateJson(const InputState& s, OutputBuffer& out) {
  out.Append("{\"pipeline\":");
  WriteJsonString(s.input->pipeline, out);
  out.Append(",\"input\":");
  WriteJsonString(s.input->options.id, out);
  out.Append(",\"source\":");
  WriteJsonString(s.source, out);
  out.Append(",\"snapshot\":");
  if (s.snapshot.empty()) {
    out.Append("null");
  } else {
    WriteJsonString(s.snapshot, out);
  }
  out.Append(",\"saved\":");
  WriteJsonString(SavedTime(s.checkpoints), out);
  out.Append(",\"files\":[");
  for (size_t i = 0; i < s.checkpoints.files.size(); ++i) {
    const FileCheckpoint& c = s.checkpoints.files[i];
    const std::optional<LocatedFile>& f = s.on_disk[i];
    if (i > 0) out.Push(',');
    out.Append("{\"path\":");
    WriteJsonString(c.path, out);
    out.Append(",\"device\":" + std::to_string(c.device) + ",\"inode\":" + std::to_string(c.inode) +
               ",\"fingerprint_bytes\":" + std::to_string(c.fingerprint_len) +
               ",\"fingerprint\":\"" + Hex16(c.fingerprint) +
               "\",\"offset\":" + std::to_string(c.offset) + ",\"on_disk\":");
    if (f) {
      out.Append("{\"path\":");
      WriteJsonString(f->path, out);
      out.Append(",\"size\":" + std::to_string(f->size) +
                 ",\"lag\":" + std::to_string(f->size > c.offset ? f->size - c.offset : 0) + "}");
    } else {
      out.Append("null");
    }
    out.Push('}');
  }
  out.Append("]}");
}

// --- reset ---

// The end of the last complete line of `path` (its size when it ends in '\n').
Result<uint64_t> EndOfLastLine(const std::string& path, uint64_t size) {
  FileSystem& fs = PosixFileSystem();
  uint64_t end = size;
  while (end > 0) {
    uint64_t start = end > 65536 ? end - 65536 : 0;
    LOGSHIP_ASSIGN_OR_RETURN(std::string block, fs.ReadRange(path, start, end - start));
    size_t nl = block.rfind('\n');
    if (nl != std::string::npos) return start + nl + 1;
    end = start;
  }
  return uint64_t{0};
}

// Where `to` puts the checkpoint of a file of `size` bytes at `path`; the reason when it cannot.
Result<uint64_t> TargetOffset(const std::string& to, const std::string& path, uint64_t size) {
  if (to == "beginning") return uint64_t{0};
  if (to == "end") return EndOfLastLine(path, size);
  uint64_t offset = 0;
  auto [end, ec] = std::from_chars(to.data(), to.data() + to.size(), offset);
  if (ec != std::errc() || end != to.data() + to.size()) {
    return Status::InvalidArgument("--to '" + to + "'", "expected beginning, end or a byte offset");
  }
  if (offset > size) {
    return Status::InvalidArgument(
        path, "offset " + to + " is past the end of the file (" + std::to_string(size) + " bytes)");
  }
  if (offset > 0) {
    LOGSHIP_ASSIGN_OR_RETURN(std::string before, PosixFileSystem().ReadRange(path, offset - 1, 1));
    if (before != "\n") {
      return Status::InvalidArgument(path, "offset " + to + " is not the start of a line");
    }
  }
  return offset;
}

struct Change {
  std::string path;
  std::optional<uint64_t> from;  // unset: a new checkpoint
  uint64_t to = 0;
  bool gone = false;  // the file is no longer on disk: its checkpoint is left as it is
};

// Applies `command` to one input's loaded checkpoints; the changes, or the first problem.
Result<std::vector<Change>> PlanReset(const FileInput& input, const Glob& glob,
                                      const std::string& to, Checkpoints& state) {
  std::vector<Change> changes;
  FileLocator locator(input.options, {&state});
  std::vector<std::pair<uint64_t, uint64_t>> known;
  for (FileCheckpoint& c : state.files) {
    std::optional<LocatedFile> f = locator.Find(c);
    if (f) known.emplace_back(c.device, c.inode);
    std::string now = f ? f->path : c.path;
    if (!glob.Matches(now) && !glob.Matches(c.path)) continue;
    if (!f) {
      changes.push_back(Change{c.path, c.offset, c.offset, /*gone=*/true});
      continue;
    }
    LOGSHIP_ASSIGN_OR_RETURN(uint64_t offset, TargetOffset(to, f->path, f->size));
    changes.push_back(Change{f->path, c.offset, offset});
    c.offset = offset;
    // An offset the operator chose has no marker: the file is resumed there as it is.
    c.marker_len = 0;
    c.marker = 0;
    c.size = f->size;
  }
  for (const FoundFile& f : locator.matched()) {
    if (!glob.Matches(f.path)) continue;
    if (std::find(known.begin(), known.end(), std::make_pair(f.device, f.inode)) != known.end()) {
      continue;
    }
    LOGSHIP_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file,
                             PosixFileSystem().OpenReadable(f.path));
    Result<Fingerprint> fp = ComputeFingerprint(*file);
    if (!fp.ok()) return fp.status();
    LOGSHIP_ASSIGN_OR_RETURN(uint64_t offset, TargetOffset(to, f.path, f.size));
    state.files.push_back(FileCheckpoint{f.device, f.inode, fp->len, fp->hash, offset, f.path});
    changes.push_back(Change{f.path, std::nullopt, offset});
  }
  return changes;
}

// The file inputs `command` selects; prints the problem and returns nullopt when there are none.
std::optional<std::vector<FileInput>> SelectInputs(const AgentConfig& config,
                                                   const CheckpointsCommand& command,
                                                   const char* verb) {
  ConfigErrors errors;
  Result<std::vector<FileInput>> inputs = LoadFileInputs(config, command.pipeline, errors);
  if (!inputs.ok()) {
    Fail(verb, std::string(inputs.status().message()));
    return std::nullopt;
  }
  if (inputs->empty()) {
    Fail(verb, config.file + ": no `type: file` input");
    return std::nullopt;
  }
  return std::move(*inputs);
}

}  // namespace

int RunCheckpointsList(const AgentConfig& config, const CheckpointsCommand& command) {
  std::optional<std::vector<FileInput>> inputs = SelectInputs(config, command, "list");
  if (!inputs) return 1;
  Result<std::vector<InputState>> states = ReadStates(*inputs, command.snapshot);
  if (!states.ok()) return Fail("list", std::string(states.status().message()));
  bool first = true;
  for (const InputState& s : *states) {
    if (!first) std::printf("\n");
    first = false;
    if (s.source.empty()) {
      std::printf("%s: no checkpoints yet (%s)\n", s.input->label().c_str(),
                  JoinPath(s.input->state_dir, s.input->store()).c_str());
    } else {
      std::printf("%s: %s (generation %llu, saved %s)\n", s.input->label().c_str(),
                  s.source.c_str(), static_cast<unsigned long long>(s.generation),
                  SavedTime(s.checkpoints).c_str());
      PrintTable(FileRows(s), "  ");
    }
    const CheckpointHistoryOptions& h = s.input->options.checkpoint_history;
    if (h.keep == 0) {
      std::printf("  snapshots: off (checkpoint_history.keep: 0)\n");
    } else {
      std::printf("  snapshots (every %llds, keep %u): %s\n",
                  static_cast<long long>(h.interval.nanos / 1'000'000'000), h.keep,
                  SnapshotNames(s.snapshots).c_str());
    }
  }
  return 0;
}

int RunCheckpointsShow(const AgentConfig& config, const CheckpointsCommand& command) {
  std::optional<std::vector<FileInput>> inputs = SelectInputs(config, command, "show");
  if (!inputs) return 1;
  Result<std::vector<InputState>> states = ReadStates(*inputs, command.snapshot);
  if (!states.ok()) return Fail("show", std::string(states.status().message()));
  if (command.json) {
    OutputBuffer out;
    out.Append("{\"inputs\":[");
    for (size_t i = 0; i < states->size(); ++i) {
      if (i > 0) out.Push(',');
      WriteStateJson((*states)[i], out);
    }
    out.Append("]}\n");
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  bool first = true;
  for (const InputState& s : *states) {
    if (!first) std::printf("\n");
    first = false;
    std::string what = s.snapshot.empty() ? "live checkpoints" : "snapshot " + s.snapshot;
    std::printf("%s: %s: %s (saved %s)\n", s.input->label().c_str(), what.c_str(),
                s.source.empty() ? "none yet" : s.source.c_str(), SavedTime(s.checkpoints).c_str());
    std::vector<Row> rows = FileRows(s);
    for (size_t i = 0; i < s.checkpoints.files.size(); ++i) {
      const FileCheckpoint& c = s.checkpoints.files[i];
      std::string id = "device " + std::to_string(c.device) + " inode " + std::to_string(c.inode) +
                       " fingerprint " + Hex16(c.fingerprint) + "/" +
                       std::to_string(c.fingerprint_len);
      Row& r = rows[i + 1];
      r.cells[4] = r.cells[4].empty() ? id : id + " " + r.cells[4];
    }
    PrintTable(rows, "  ");
  }
  return 0;
}

int RunCheckpointsReset(const AgentConfig& config, const CheckpointsCommand& command) {
  Result<Glob> glob = CompileFileGlob(command.file_glob);
  if (!glob.ok()) return Fail("reset", std::string(glob.status().message()));
  std::optional<std::vector<FileInput>> inputs = SelectInputs(config, command, "reset");
  if (!inputs) return 1;
  // Every pipeline concerned is locked before anything changes: all or nothing.
  std::map<std::string, StateDirLock> locks;
  for (const FileInput& input : *inputs) {
    if (locks.count(input.pipeline) != 0) continue;
    Result<StateDirLock> lock = StateDirLock::Acquire(input.state_dir, input.pipeline);
    if (!lock.ok()) {
      return Fail("reset", "checkpoints change only while their pipeline is stopped: " +
                               std::string(lock.status().message()));
    }
    locks.emplace(input.pipeline, std::move(*lock));
  }
  struct Pending {
    const FileInput* input;
    CheckpointStore store;
    Checkpoints state;
    std::vector<Change> changes;
  };
  std::vector<Pending> pending;
  for (const FileInput& input : *inputs) {
    Result<CheckpointStore> store =
        CheckpointStore::Open(PosixFileSystem(), input.state_dir, input.store());
    if (!store.ok()) return Fail("reset", std::string(store.status().message()));
    // Load, not Peek: with the lock held this process is the owner and may finish a cut Save.
    Result<LoadedCheckpoints> loaded = store->Load();
    if (!loaded.ok()) return Fail("reset", std::string(loaded.status().message()));
    Checkpoints state = std::move(loaded->checkpoints);
    Result<std::vector<Change>> changes = PlanReset(input, *glob, command.to, state);
    if (!changes.ok()) {
      return Fail("reset", input.label() + ": " + std::string(changes.status().message()));
    }
    bool any = false;
    for (const Change& c : *changes) any = any || !c.gone;
    for (const Change& c : *changes) {
      if (c.gone) {
        std::fprintf(stderr, "%s: %s: no longer on disk, left at %llu\n", input.label().c_str(),
                     c.path.c_str(), static_cast<unsigned long long>(c.to));
      }
    }
    if (any) {
      pending.push_back(Pending{&input, std::move(*store), std::move(state), std::move(*changes)});
    }
  }
  if (pending.empty()) {
    return Fail("reset", "no file on disk matches --file '" + command.file_glob +
                             "' (checkpointed or matched by the include patterns)");
  }
  for (Pending& p : pending) {
    p.state.saved_unix_nanos = RealClock().NowUnixNanos();
    Status st = p.store.Save(p.state);
    if (!st.ok()) return Fail("reset", std::string(st.message()));
    for (const Change& c : p.changes) {
      if (c.gone) continue;
      std::printf("%s: %s: %s -> %llu\n", p.input->label().c_str(), c.path.c_str(),
                  c.from ? std::to_string(*c.from).c_str() : "(new)",
                  static_cast<unsigned long long>(c.to));
    }
  }
  return 0;
}

}  // namespace logship

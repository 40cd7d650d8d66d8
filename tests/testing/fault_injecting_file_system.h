// SPDX-License-Identifier: Apache-2.0
#pragma once

// FaultInjectingFileSystem wraps a real FileSystem (PosixFileSystem() by default) and remembers
// what a power failure could take away, so crash windows can be tested without killing a process
// (the idea of leveldb's db/fault_injection_test.cc, written afresh):
// - per file (per inode, following renames): the bytes appended and how many were last Sync()'d;
// - per directory: the entries (creations, renames, removals) made since its last SyncDir, kept
//   as an ordered log of pending operations.
// SimulateCrash() then rewrites the real files to what could survive: every file cut back to its
// synced size, and every directory as of its last SyncDir (optionally with the first k pending
// operations kept, as a journaling file system may commit some of them in order).
//
// It also injects errors: failing syncs, renames or writes, failing one chosen operation, or
// "dying" after n operations (every later operation fails, as if the process were gone).
//
// Limits: only files touched through this object are tracked (a file first touched by a rename or
// a removal is read in whole and taken as durable); directories are assumed durable once created;
// a file truncated by NewWritableFile counts as empty until synced. File contents are mirrored in
// memory, so use it for small files. Thread-safe.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "src/base/file_system.h"

namespace logship::testing {

class FaultInjectingFileSystem final : public FileSystem {
 public:
  explicit FaultInjectingFileSystem(FileSystem& base = PosixFileSystem());
  ~FaultInjectingFileSystem() override;

  // FileSystem. Reads go straight to the base; every other call counts as one operation for
  // DieAfterOps/FailOp, WritableFile::Append/Sync/Close included.
  Result<std::string> ReadFile(const std::string& path) override;
  Result<std::string> ReadRange(const std::string& path, uint64_t offset, size_t length) override;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status Truncate(const std::string& path, uint64_t size) override;
  Status SyncDir(const std::string& dir) override;
  Status CreateDirs(const std::string& dir) override;
  Result<std::vector<DirEntry>> ListDir(const std::string& dir) override;
  Result<uint64_t> FileSize(const std::string& path) override;
  bool Exists(const std::string& path) override;
  // Readable files read the real file; reads and opens can be made to fail (below).
  Result<std::unique_ptr<ReadableFile>> OpenReadable(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;

  // While set, opening `path` for reading fails with IoError (a file that cannot be opened: EIO,
  // EACCES for a non-root reader).
  void FailOpensOf(const std::string& path, bool fail);
  // While set, every read of a file opened from `path` (even through a descriptor opened before)
  // fails with IoError, as a disk error would.
  void FailReadsOf(const std::string& path, bool fail);

  // Forgets everything a power failure could lose: files are cut to their synced size and every
  // directory operation not made durable by SyncDir is undone (a file created since is deleted, a
  // renamed file goes back, a removed one comes back). Writers opened before fail from then on.
  // Also clears every injected fault. a.k.a. leveldb's DropUnsyncedData + ResetState.
  void SimulateCrash() { SimulateCrashKeepingDirOps(0); }
  // Like SimulateCrash, but the first `keep` pending directory operations (in the order they were
  // made) survive. A rename is one operation, whole.
  void SimulateCrashKeepingDirOps(size_t keep);
  // Directory operations not yet made durable by a SyncDir.
  size_t pending_dir_ops() const;

  // The next `n` WritableFile::Sync or SyncDir calls fail with IoError (nothing becomes durable).
  void FailNextSyncs(int n);
  // While set, Rename fails with IoError and changes nothing.
  void FailRenames(bool fail);
  // After `n` more bytes have been appended (through any file), Append writes only what fits in
  // the budget and fails with IoError, like a full disk.
  void FailWritesAfterBytes(uint64_t n);
  // The operation `n` operations from now (0 = the next one) fails with IoError and changes
  // nothing; later ones proceed.
  void FailOp(uint64_t n);
  // After `n` more operations succeed, every operation fails with IoError and changes nothing:
  // the process is "dead" until SimulateCrash().
  void DieAfterOps(uint64_t n);
  // Whether Sync and SyncDir also reach the real disk (default true). The crash model does not
  // need them, so tests that only crash through SimulateCrash may turn them off for speed.
  void SetRealSyncs(bool real);
  // Clears every injected fault (not the durability bookkeeping).
  void ClearFaults();
  // Operations counted since construction.
  uint64_t op_count() const;

 private:
  struct Node;
  struct Effect;
  struct DirOp;
  class File;
  friend class File;

  // All REQUIRE mu_ held.
  Status CountOp(const std::string& subject);
  Result<std::shared_ptr<Node>> Touch(const std::string& path);
  void Log(std::vector<Effect> effects);
  Result<std::unique_ptr<WritableFile>> OpenFile(const std::string& path, bool truncate);

  FileSystem& base_;
  mutable std::mutex mu_;
  uint64_t epoch_ = 0;  // bumped by each crash; older writers are dead
  // Every path touched so far: what it names now, and what it durably names (nullptr: nothing).
  std::map<std::string, std::shared_ptr<Node>> live_;
  std::map<std::string, std::shared_ptr<Node>> durable_;
  std::vector<DirOp> pending_;  // in order

  uint64_t ops_ = 0;
  int fail_syncs_ = 0;
  bool fail_renames_ = false;
  uint64_t write_budget_ = UINT64_MAX;
  uint64_t fail_op_at_ = UINT64_MAX;
  uint64_t die_at_op_ = UINT64_MAX;
  bool real_syncs_ = true;
  std::map<std::string, bool> fail_opens_;
  std::map<std::string, bool> fail_reads_;
};

}  // namespace logship::testing

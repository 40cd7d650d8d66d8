// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/fault_injecting_file_system.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <utility>

#include "src/base/status_macros.h"

namespace logship::testing {

// One file (an inode): everything appended to it, and how much of that a crash keeps.
struct FaultInjectingFileSystem::Node {
  std::string data;
  uint64_t synced = 0;
};

// "After this, `path` durably names `node`" (nullptr: nothing).
struct FaultInjectingFileSystem::Effect {
  std::string path;
  std::shared_ptr<Node> node;
};

// One directory operation: its effects survive a crash together or not at all (rename(2) is
// atomic). A rename across directories has one effect per directory, each made durable by its
// own directory's SyncDir.
struct FaultInjectingFileSystem::DirOp {
  std::vector<Effect> effects;
};

namespace {

std::string NormalizeDir(const std::string& dir) {
  std::string out = dir;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

class FaultInjectingFileSystem::File final : public WritableFile {
 public:
  File(FaultInjectingFileSystem* fs, std::unique_ptr<WritableFile> base, std::shared_ptr<Node> node,
       uint64_t epoch)
      : fs_(fs), base_(std::move(base)), node_(std::move(node)), epoch_(epoch) {}

  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    LOGSHIP_RETURN_IF_ERROR(Alive());
    LOGSHIP_RETURN_IF_ERROR(fs_->CountOp(path()));
    size_t n = static_cast<size_t>(std::min<uint64_t>(data.size(), fs_->write_budget_));
    Status st = base_->Append(data.substr(0, n));
    if (!st.ok()) return st;
    node_->data.append(data.substr(0, n));
    if (fs_->write_budget_ != UINT64_MAX) fs_->write_budget_ -= n;
    if (n < data.size()) return Status::IoError(path(), "injected write failure: no space left");
    return Status::Ok();
  }

  Status Sync() override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    LOGSHIP_RETURN_IF_ERROR(Alive());
    LOGSHIP_RETURN_IF_ERROR(fs_->CountOp(path()));
    if (fs_->fail_syncs_ > 0) {
      --fs_->fail_syncs_;
      return Status::IoError(path(), "injected sync failure");
    }
    if (fs_->real_syncs_) LOGSHIP_RETURN_IF_ERROR(base_->Sync());
    node_->synced = node_->data.size();
    return Status::Ok();
  }

  Status Close() override {
    std::lock_guard<std::mutex> lock(fs_->mu_);
    if (epoch_ != fs_->epoch_) return base_->Close();  // just release the descriptor
    Status counted = fs_->CountOp(path());
    Status closed = base_->Close();  // the descriptor is released either way
    if (!counted.ok()) return counted;
    return closed;
  }

  uint64_t size() const override { return base_->size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  Status Alive() const {
    if (epoch_ != fs_->epoch_) {
      return Status::IoError(path(), "writer opened before a simulated crash");
    }
    return Status::Ok();
  }

  FaultInjectingFileSystem* fs_;
  std::unique_ptr<WritableFile> base_;
  std::shared_ptr<Node> node_;
  uint64_t epoch_;
};

FaultInjectingFileSystem::FaultInjectingFileSystem(FileSystem& base) : base_(base) {}
FaultInjectingFileSystem::~FaultInjectingFileSystem() = default;

Status FaultInjectingFileSystem::CountOp(const std::string& subject) {
  uint64_t index = ops_++;
  if (index >= die_at_op_) return Status::IoError(subject, "simulated crash: the process is dead");
  if (index == fail_op_at_) {
    fail_op_at_ = UINT64_MAX;
    return Status::IoError(subject, "injected failure");
  }
  return Status::Ok();
}

// Brings the bookkeeping for `path` up to date with the real file system and returns the node it
// names (nullptr when nothing). A path seen for the first time, or changed behind our back (a test
// corrupting a file directly), is taken as it is now and as durable: we cannot know better.
Result<std::shared_ptr<FaultInjectingFileSystem::Node>> FaultInjectingFileSystem::Touch(
    const std::string& path) {
  std::shared_ptr<Node>& live = live_[path];
  if (!base_.Exists(path)) {
    if (live != nullptr) {  // removed behind our back
      live = nullptr;
      durable_[path] = nullptr;
    } else if (durable_.find(path) == durable_.end()) {
      durable_[path] = nullptr;
    }
    return live;
  }
  Result<std::string> content = base_.ReadFile(path);
  if (!content.ok()) return content.status();
  if (live == nullptr) {
    live = std::make_shared<Node>();
    durable_[path] = live;
  }
  if (live->data != *content) {
    live->data = std::move(*content);
    live->synced = live->data.size();
  }
  return live;
}

void FaultInjectingFileSystem::Log(std::vector<Effect> effects) {
  pending_.push_back(DirOp{std::move(effects)});
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::OpenFile(const std::string& path,
                                                                         bool truncate) {
  std::lock_guard<std::mutex> lock(mu_);
  LOGSHIP_RETURN_IF_ERROR(CountOp(path));
  LOGSHIP_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, Touch(path));
  Result<std::unique_ptr<WritableFile>> file =
      truncate ? base_.NewWritableFile(path) : base_.NewAppendableFile(path);
  if (!file.ok()) return file.status();
  if (node == nullptr) {
    node = std::make_shared<Node>();
    live_[path] = node;
    Log({Effect{path, node}});
  } else if (truncate) {
    // The truncation may or may not reach the disk before a crash; assume the worse for the
    // reader, which is to lose the old content.
    node->data.clear();
    node->synced = 0;
  }
  return std::unique_ptr<WritableFile>(new File(this, std::move(*file), node, epoch_));
}

Result<std::string> FaultInjectingFileSystem::ReadFile(const std::string& path) {
  return base_.ReadFile(path);
}

Result<std::string> FaultInjectingFileSystem::ReadRange(const std::string& path, uint64_t offset,
                                                        size_t length) {
  return base_.ReadRange(path, offset, length);
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::NewWritableFile(
    const std::string& path) {
  return OpenFile(path, /*truncate=*/true);
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::NewAppendableFile(
    const std::string& path) {
  return OpenFile(path, /*truncate=*/false);
}

Status FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard<std::mutex> lock(mu_);
  LOGSHIP_RETURN_IF_ERROR(CountOp(from + " -> " + to));
  if (fail_renames_) return Status::IoError(from + " -> " + to, "injected rename failure");
  LOGSHIP_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, Touch(from));
  LOGSHIP_RETURN_IF_ERROR(Touch(to).status());
  LOGSHIP_RETURN_IF_ERROR(base_.Rename(from, to));
  if (from == to) return Status::Ok();
  live_[to] = node;
  live_[from] = nullptr;
  Log({Effect{to, node}, Effect{from, nullptr}});
  return Status::Ok();
}

Status FaultInjectingFileSystem::Remove(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  LOGSHIP_RETURN_IF_ERROR(CountOp(path));
  LOGSHIP_RETURN_IF_ERROR(Touch(path).status());
  LOGSHIP_RETURN_IF_ERROR(base_.Remove(path));
  live_[path] = nullptr;
  Log({Effect{path, nullptr}});
  return Status::Ok();
}

Status FaultInjectingFileSystem::Truncate(const std::string& path, uint64_t size) {
  std::lock_guard<std::mutex> lock(mu_);
  LOGSHIP_RETURN_IF_ERROR(CountOp(path));
  LOGSHIP_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, Touch(path));
  LOGSHIP_RETURN_IF_ERROR(base_.Truncate(path, size));
  if (node != nullptr) {
    node->data.resize(static_cast<size_t>(size), '\0');
    node->synced = std::min<uint64_t>(node->synced, size);
  }
  return Status::Ok();
}

Status FaultInjectingFileSystem::SyncDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  LOGSHIP_RETURN_IF_ERROR(CountOp(dir));
  if (fail_syncs_ > 0) {
    --fail_syncs_;
    return Status::IoError(dir, "injected sync failure");
  }
  if (real_syncs_) LOGSHIP_RETURN_IF_ERROR(base_.SyncDir(dir));
  const std::string d = NormalizeDir(dir);
  const auto in_dir = [&](const std::string& path) { return DirName(path) == d; };
  for (const auto& [path, node] : live_) {
    if (in_dir(path)) durable_[path] = node;
  }
  for (DirOp& op : pending_) {
    std::erase_if(op.effects, [&](const Effect& e) { return in_dir(e.path); });
  }
  std::erase_if(pending_, [](const DirOp& op) { return op.effects.empty(); });
  return Status::Ok();
}

Status FaultInjectingFileSystem::CreateDirs(const std::string& dir) {
  std::lock_guard<std::mutex> lock(mu_);
  LOGSHIP_RETURN_IF_ERROR(CountOp(dir));
  return base_.CreateDirs(dir);
}

Result<std::vector<DirEntry>> FaultInjectingFileSystem::ListDir(const std::string& dir) {
  return base_.ListDir(dir);
}

namespace {

// Reads through the base file unless the owner says reads of its path fail.
class FaultyReadableFile final : public ReadableFile {
 public:
  FaultyReadableFile(std::unique_ptr<ReadableFile> base, std::function<bool()> fail)
      : base_(std::move(base)), fail_(std::move(fail)) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) override {
    if (fail_()) return Status::IoError(base_->path(), "injected read error");
    return base_->ReadAt(offset, buf, n);
  }
  Result<FileInfo> Stat() override { return base_->Stat(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<ReadableFile> base_;
  std::function<bool()> fail_;
};

}  // namespace

Result<std::unique_ptr<ReadableFile>> FaultInjectingFileSystem::OpenReadable(
    const std::string& path) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = fail_opens_.find(path);
    if (it != fail_opens_.end() && it->second) {
      return Status::IoError(path, "injected open error");
    }
  }
  Result<std::unique_ptr<ReadableFile>> base = base_.OpenReadable(path);
  if (!base.ok()) return base.status();
  return std::unique_ptr<ReadableFile>(
      std::make_unique<FaultyReadableFile>(std::move(*base), [this, path] {
        std::lock_guard<std::mutex> lock(mu_);
        auto it = fail_reads_.find(path);
        return it != fail_reads_.end() && it->second;
      }));
}

Result<FileInfo> FaultInjectingFileSystem::Stat(const std::string& path) {
  return base_.Stat(path);
}

void FaultInjectingFileSystem::FailOpensOf(const std::string& path, bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_opens_[path] = fail;
}

void FaultInjectingFileSystem::FailReadsOf(const std::string& path, bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_reads_[path] = fail;
}

Result<uint64_t> FaultInjectingFileSystem::FileSize(const std::string& path) {
  return base_.FileSize(path);
}

bool FaultInjectingFileSystem::Exists(const std::string& path) { return base_.Exists(path); }

void FaultInjectingFileSystem::SimulateCrashKeepingDirOps(size_t keep) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::shared_ptr<Node>> names = durable_;
  for (size_t i = 0; i < std::min(keep, pending_.size()); ++i) {
    for (const Effect& e : pending_[i].effects) names[e.path] = e.node;
  }
  // Work out every surviving content first: nodes may have moved between the names.
  std::map<std::string, std::optional<std::string>> after;
  for (const auto& [path, node] : live_) after[path] = std::nullopt;
  for (const auto& [path, node] : names) {
    if (node != nullptr) after[path] = node->data.substr(0, static_cast<size_t>(node->synced));
  }
  epoch_++;  // writers from before the crash are dead
  live_.clear();
  durable_.clear();
  pending_.clear();
  for (const auto& [path, content] : after) {
    std::shared_ptr<Node> node;
    if (content.has_value()) {
      Result<std::unique_ptr<WritableFile>> f = base_.NewWritableFile(path);
      Status st = f.ok() ? (*f)->Append(*content) : f.status();
      if (st.ok()) st = (*f)->Close();
      if (!st.ok())
        ADD_FAILURE() << "SimulateCrash cannot restore " << path << ": " << st.ToString();
      node = std::make_shared<Node>();
      node->data = *content;
      node->synced = node->data.size();
    } else if (base_.Exists(path)) {
      Status st = base_.Remove(path);
      if (!st.ok())
        ADD_FAILURE() << "SimulateCrash cannot remove " << path << ": " << st.ToString();
    }
    live_[path] = node;
    durable_[path] = node;
  }
  fail_syncs_ = 0;
  fail_renames_ = false;
  write_budget_ = UINT64_MAX;
  fail_op_at_ = UINT64_MAX;
  die_at_op_ = UINT64_MAX;
}

size_t FaultInjectingFileSystem::pending_dir_ops() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

void FaultInjectingFileSystem::FailNextSyncs(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_syncs_ = n;
}

void FaultInjectingFileSystem::FailRenames(bool fail) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_renames_ = fail;
}

void FaultInjectingFileSystem::FailWritesAfterBytes(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  write_budget_ = n;
}

void FaultInjectingFileSystem::FailOp(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_op_at_ = ops_ + n;
}

void FaultInjectingFileSystem::DieAfterOps(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  die_at_op_ = ops_ + n;
}

void FaultInjectingFileSystem::SetRealSyncs(bool real) {
  std::lock_guard<std::mutex> lock(mu_);
  real_syncs_ = real;
}

void FaultInjectingFileSystem::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  fail_syncs_ = 0;
  fail_renames_ = false;
  write_budget_ = UINT64_MAX;
  fail_op_at_ = UINT64_MAX;
  die_at_op_ = UINT64_MAX;
}

uint64_t FaultInjectingFileSystem::op_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ops_;
}

}  // namespace logship::testing

// SPDX-License-Identifier: Apache-2.0
#include "src/tail/checkpoint_store.h"

#include <array>
#include <charconv>
#include <utility>

#include "src/base/hash.h"
#include "src/base/status_macros.h"

namespace logship {

// One of the three copies on disk, as Load sees it.
struct CheckpointStore::Copy {
  const std::string* path = nullptr;
  bool exists = false;
  bool valid = false;
  uint64_t generation = 0;
  Checkpoints checkpoints;
  Status problem;  // why an existing copy is not valid
};

namespace {

constexpr std::string_view kMagic = "logship-checkpoints";
constexpr std::string_view kVersion = "2";
constexpr std::string_view kVersion1 = "1";  // no marker, no size: still read
constexpr std::string_view kChecksumPrefix = "checksum ";
constexpr char kHexDigits[] = "0123456789abcdef";

std::string Subject(std::string_view path) {
  return "checkpoint store '" + std::string(path) + "'";
}

void AppendHex16(std::string& out, uint64_t v) {
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHexDigits[(v >> shift) & 0xF]);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Exactly 16 lower-case hex digits, as AppendHex16 writes them: anything else was not written by
// us, so it is rejected rather than guessed at.
bool ParseHex16(std::string_view s, uint64_t& v) {
  if (s.size() != 16) return false;
  v = 0;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    v = (v << 4) | static_cast<uint64_t>(HexValue(c));
  }
  return true;
}

// A whole token of decimal digits (a '-' only for signed T); no '+', no spaces, no overflow.
template <class T>
bool ParseDecimal(std::string_view s, T& v) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

// Bytes that would break the one-line, space-separated record: '%' itself, space, controls, DEL.
bool NeedsEscape(unsigned char c) { return c == '%' || c == ' ' || c < 0x21 || c == 0x7f; }

std::string EncodePath(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char ch : path) {
    const auto c = static_cast<unsigned char>(ch);
    if (NeedsEscape(c)) {
      out.push_back('%');
      out.push_back("0123456789ABCDEF"[c >> 4]);
      out.push_back("0123456789ABCDEF"[c & 0xF]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

bool DecodePath(std::string_view s, std::string& out) {
  out.clear();
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      if (i + 2 >= s.size()) return false;
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (NeedsEscape(c)) {
      return false;  // must have been encoded
    } else {
      out.push_back(s[i]);
    }
  }
  return true;
}

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t sp = line.find(' ', start);
    if (sp == std::string_view::npos) {
      out.push_back(line.substr(start));
      return out;
    }
    out.push_back(line.substr(start, sp - start));
    start = sp + 1;
  }
}

Status LineError(const std::string& source, size_t line_no, std::string_view why) {
  return Status::Corruption(Subject(source),
                            "line " + std::to_string(line_no) + ": " + std::string(why));
}

Status ParseFileLine(const std::vector<std::string_view>& f, const std::string& source,
                     size_t line_no, bool version1, FileCheckpoint& fc) {
  // file <device> <inode> <fingerprint length> <fingerprint hex> <offset> [<marker length>
  // <marker hex> <size>] <path>   (version 1 has no marker and no size)
  const size_t fields = version1 ? 7 : 10;
  if (f.size() != fields) {
    return LineError(source, line_no,
                     "a file record needs " + std::to_string(fields - 1) + " fields, found " +
                         std::to_string(f.size() - 1));
  }
  if (!ParseDecimal(f[1], fc.device)) return LineError(source, line_no, "bad device");
  if (!ParseDecimal(f[2], fc.inode)) return LineError(source, line_no, "bad inode");
  if (!ParseDecimal(f[3], fc.fingerprint_len)) {
    return LineError(source, line_no, "bad fingerprint length");
  }
  if (!ParseHex16(f[4], fc.fingerprint)) return LineError(source, line_no, "bad fingerprint");
  if (!ParseDecimal(f[5], fc.offset)) return LineError(source, line_no, "bad offset");
  if (!version1) {
    if (!ParseDecimal(f[6], fc.marker_len) || fc.marker_len > 64) {
      return LineError(source, line_no, "bad marker length");
    }
    if (!ParseHex16(f[7], fc.marker)) return LineError(source, line_no, "bad marker");
    if (!ParseDecimal(f[8], fc.size)) return LineError(source, line_no, "bad size");
  }
  if (!DecodePath(f.back(), fc.path)) {
    return LineError(source, line_no, "bad percent-encoded path");
  }
  return Status::Ok();
}

// Makes whatever of `path` is still only in the page cache durable: a temp copy left by a process
// that died may never have been synced if only the process, not the machine, went down.
Status SyncExistingFile(FileSystem& fs, const std::string& path) {
  LOGSHIP_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> f, fs.NewAppendableFile(path));
  LOGSHIP_RETURN_IF_ERROR(f->Sync());
  return f->Close();
}

}  // namespace

// Reads and checks the copy at `path`. Only a read error other than "not found" fails: a copy
// that cannot be read might be the newest, and guessing past it could re-ship or skip data.
Result<CheckpointStore::Copy> CheckpointStore::ReadCopy(FileSystem& fs, const std::string& path) {
  Copy copy;
  copy.path = &path;
  Result<std::string> text = fs.ReadFile(path);
  if (!text.ok()) {
    if (text.status().IsNotFound()) return copy;
    return text.status().WithContext("checkpoint store");
  }
  copy.exists = true;
  Result<Checkpoints> parsed = CheckpointStore::Parse(*text, path, &copy.generation);
  if (parsed.ok()) {
    copy.valid = true;
    copy.checkpoints = std::move(*parsed);
  } else {
    copy.problem = parsed.status();
  }
  return copy;
}

CheckpointStore::CheckpointStore(FileSystem* fs, std::string dir, std::string name)
    : fs_(fs),
      dir_(std::move(dir)),
      current_(JoinPath(dir_, name)),
      prev_(current_ + ".prev"),
      tmp_(current_ + ".tmp") {}

Result<CheckpointStore> CheckpointStore::Open(FileSystem& fs, std::string dir, std::string name) {
  if (name.empty() || name.find('/') != std::string::npos) {
    return Status::InvalidArgument(Subject(JoinPath(dir, name)), "the name must be a file name");
  }
  Status st = fs.CreateDirs(dir);
  if (!st.ok()) return st.WithContext(Subject(JoinPath(dir, name)));
  return CheckpointStore(&fs, std::move(dir), std::move(name));
}

std::string CheckpointStore::Serialize(const Checkpoints& c, uint64_t generation) {
  std::string out;
  out.reserve(64 + c.files.size() * 96);
  out.append(kMagic).append(" ").append(kVersion).append("\n");
  out.append("generation ").append(std::to_string(generation)).append("\n");
  out.append("saved ").append(std::to_string(c.saved_unix_nanos)).append("\n");
  for (const FileCheckpoint& f : c.files) {
    out.append("file ").append(std::to_string(f.device));
    out.append(" ").append(std::to_string(f.inode));
    out.append(" ").append(std::to_string(f.fingerprint_len));
    out.append(" ");
    AppendHex16(out, f.fingerprint);
    out.append(" ").append(std::to_string(f.offset));
    out.append(" ").append(std::to_string(f.marker_len)).append(" ");
    AppendHex16(out, f.marker);
    out.append(" ").append(std::to_string(f.size));
    out.append(" ").append(EncodePath(f.path)).append("\n");
  }
  const uint64_t sum = Hash64(out);
  out.append(kChecksumPrefix);
  AppendHex16(out, sum);
  out.push_back('\n');
  return out;
}

Result<Checkpoints> CheckpointStore::Parse(const std::string& text, const std::string& source,
                                           uint64_t* generation) {
  const std::string subject = Subject(source);
  // The checksum line comes first: a torn or flipped copy is then reported for what it is,
  // rather than as whichever field the damage happened to hit.
  if (text.empty()) return Status::Corruption(subject, "empty file");
  // Something else entirely (another program's file, garbage) is named for what it is, not for
  // the first check it happens to fail.
  if (text.compare(0, kMagic.size() + 1, std::string(kMagic) + " ") != 0) {
    std::string start;
    for (char c : std::string_view(text).substr(0, 24)) {
      start.push_back(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return Status::Corruption(subject, "not a logship checkpoint file (it starts with \"" + start +
                                           "\", not \"" + std::string(kMagic) + "\")");
  }
  if (text.back() != '\n') return Status::Corruption(subject, "truncated (no final newline)");
  std::string_view all(text);
  const size_t last_nl = all.substr(0, all.size() - 1).rfind('\n');
  const size_t body_size = last_nl == std::string_view::npos ? 0 : last_nl + 1;
  std::string_view body = all.substr(0, body_size);
  std::string_view last = all.substr(body_size, all.size() - 1 - body_size);
  if (last.substr(0, kChecksumPrefix.size()) != kChecksumPrefix) {
    return Status::Corruption(subject, "truncated (no checksum line)");
  }
  uint64_t sum = 0;
  if (!ParseHex16(last.substr(kChecksumPrefix.size()), sum)) {
    return Status::Corruption(subject, "malformed checksum line");
  }
  if (Hash64(body) != sum) return Status::Corruption(subject, "checksum mismatch");

  Checkpoints out;
  uint64_t gen = 0;
  bool version1 = false;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    const size_t nl = body.find('\n', pos);  // body ends in '\n'
    std::string_view line = body.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    std::vector<std::string_view> f = SplitFields(line);
    if (line_no == 1) {
      if (f.size() != 2 || f[0] != kMagic) {
        return Status::Corruption(subject, "not a logship checkpoint file");
      }
      version1 = f[1] == kVersion1;
      if (f[1] != kVersion && !version1) {
        return Status::Corruption(
            subject, "unsupported format version '" + std::string(f[1].substr(0, 20)) + "'");
      }
    } else if (line_no == 2) {
      if (f.size() != 2 || f[0] != "generation" || !ParseDecimal(f[1], gen)) {
        return LineError(source, line_no, "expected 'generation <n>'");
      }
    } else if (line_no == 3) {
      if (f.size() != 2 || f[0] != "saved" || !ParseDecimal(f[1], out.saved_unix_nanos)) {
        return LineError(source, line_no, "expected 'saved <unix nanos>'");
      }
    } else if (f[0] == "file") {
      FileCheckpoint fc;
      LOGSHIP_RETURN_IF_ERROR(ParseFileLine(f, source, line_no, version1, fc));
      out.files.push_back(std::move(fc));
    } else {
      return LineError(source, line_no, "unknown record");
    }
  }
  if (line_no < 3) return Status::Corruption(subject, "missing header lines");
  if (generation != nullptr) *generation = gen;
  return out;
}

Result<LoadedCheckpoints> CheckpointStore::Peek() const {
  std::array<Copy, 3> copies;
  LOGSHIP_ASSIGN_OR_RETURN(const Copy* best, ReadCopies(copies));
  return Choose(copies, best);
}

Result<const CheckpointStore::Copy*> CheckpointStore::ReadCopies(
    std::array<Copy, 3>& copies) const {
  // Every copy is read, the temp one too: a Save cut short after syncing it (Vector reads its
  // "new" file first for the same reason) may have left the newest state there.
  const std::array<const std::string*, 3> paths = {&current_, &tmp_, &prev_};
  for (size_t i = 0; i < paths.size(); ++i) {
    LOGSHIP_ASSIGN_OR_RETURN(copies[i], ReadCopy(*fs_, *paths[i]));
  }
  const Copy* best = nullptr;
  for (const Copy& c : copies) {
    if (c.valid && (best == nullptr || c.generation > best->generation)) best = &c;
  }
  return best;
}

Result<LoadedCheckpoints> CheckpointStore::Choose(const std::array<Copy, 3>& copies,
                                                  const Copy* best) const {
  LoadedCheckpoints out;
  if (best == nullptr) {
    bool any = false;
    for (const Copy& c : copies) any = any || c.exists;
    if (!any) return out;  // a fresh start
    // Copies exist and none is good: starting from nothing would re-ship every file from its
    // start (or skip, by the read_from policy), so the caller must refuse to start instead.
    std::string why = "no valid copy";
    for (const Copy& c : copies) {
      if (c.exists) why.append("; ").append(c.problem.message());
    }
    return Status::Corruption(Subject(current_), why);
  }
  out.checkpoints = best->checkpoints;
  out.loaded_from = *best->path;
  out.generation = best->generation;
  for (const Copy& c : copies) {
    if (c.exists && !c.valid) {
      out.problems.push_back(std::string(c.problem.message()) + ", using '" + *best->path + "'");
    }
  }
  return out;
}

Result<LoadedCheckpoints> CheckpointStore::Load() {
  std::array<Copy, 3> copies;  // in order of preference when generations tie
  LOGSHIP_ASSIGN_OR_RETURN(const Copy* best, ReadCopies(copies));
  Copy& current = copies[0];
  Copy& tmp = copies[1];
  inspected_ = true;
  current_good_ = current.valid;
  generation_ = best != nullptr ? best->generation : 0;
  LOGSHIP_ASSIGN_OR_RETURN(LoadedCheckpoints out, Choose(copies, best));
  if (best == nullptr) return out;

  if (best == &tmp) {
    // The temp copy is the newest good one: the Save that wrote it died (or failed) after writing
    // it. Finish that Save, with its crash windows: until the directory sync, a crash leaves
    // either this state (at tmp or current) or the older one (at current or prev).
    Status st = SyncExistingFile(*fs_, tmp_);
    if (st.ok() && current_good_) {
      st = fs_->Rename(current_, prev_);
      if (st.ok()) current_good_ = false;
    }
    if (st.ok()) st = fs_->Rename(tmp_, current_);
    if (st.ok()) {
      current_good_ = true;
      st = fs_->SyncDir(dir_);
    }
    // Not fatal: the state was read, and the next Save writes a newer copy anyway.
    if (!st.ok()) {
      out.problems.push_back("cannot promote '" + tmp_ + "' to '" + current_ +
                             "': " + std::string(st.message()));
    }
  } else if (tmp.exists) {
    // Debris from a Save that died before its temp copy was complete, or an older copy: the next
    // Save overwrites it anyway, but removing it keeps the directory telling the truth.
    Status st = fs_->Remove(tmp_);
    if (!st.ok() && !st.IsNotFound()) {
      out.problems.push_back("cannot remove '" + tmp_ + "': " + std::string(st.message()));
    }
  }
  return out;
}

Status CheckpointStore::Save(const Checkpoints& checkpoints) {
  if (!inspected_) {
    // Never saved nor loaded through this object: learn the generation on disk first, or a new
    // copy could be outranked by an old one. Corruption is Load's to report, not ours.
    Result<LoadedCheckpoints> loaded = Load();
    if (!loaded.ok() && !loaded.status().IsCorruption()) return loaded.status();
  }
  // The generation is used up even if this Save fails: its copy may survive (as tmp, or as
  // current when only the directory sync failed), and the next Save must outrank it.
  const uint64_t generation = ++generation_;
  const std::string text = Serialize(checkpoints, generation);
  const auto discard_tmp = [&] { (void)fs_->Remove(tmp_); };

  // Crash window 1, while the temp file is created, written and synced: tmp is missing, empty,
  // torn or complete but unsynced. Load: tmp is invalid (reported, then removed) or, if complete,
  // the newest; current still holds the previous state. Result: old state, or new.
  {
    Result<std::unique_ptr<WritableFile>> file = fs_->NewWritableFile(tmp_);
    if (!file.ok()) return file.status().WithContext(Subject(current_));
    Status st = (*file)->Append(text);
    if (st.ok()) st = (*file)->Sync();
    Status closed = (*file)->Close();
    if (st.ok()) st = std::move(closed);
    if (!st.ok()) {
      discard_tmp();
      return st.WithContext(Subject(current_));
    }
  }
  // Crash window 2: tmp holds the new state, synced, though its directory entry may not be
  // durable. current holds the old one. Load: tmp wins by generation (then is promoted), or, if
  // its entry was lost, current. Result: new state, or old.

  if (current_good_) {
    // Keep the old copy as prev: if current is ever found corrupt, Load falls back to it.
    Status st = fs_->Rename(current_, prev_);
    if (!st.ok()) {
      discard_tmp();
      return st.WithContext(Subject(current_));
    }
    current_good_ = false;
  }
  // Crash window 3: no current; prev holds the old state and tmp the new one (or, with the
  // directory not yet synced, the rename may be lost and the names be as in window 2). Load: tmp
  // wins, else prev (or current). Result: new state, or old.

  Status st = fs_->Rename(tmp_, current_);
  if (!st.ok()) {
    // current is gone (renamed to prev above) or untouched, so prev or current holds the old
    // state; dropping tmp returns the directory to a state Load reads as old.
    discard_tmp();
    return st.WithContext(Subject(current_));
  }
  current_good_ = true;
  // Crash window 4: current holds the new state and prev the old, but neither rename is durable
  // until the directory sync: any mix of windows 2-4 may come back. In each, the new state sits
  // at tmp or current and the old one at current or prev. Result: new state, or old.

  st = fs_->SyncDir(dir_);
  if (!st.ok()) return st.WithContext(Subject(current_));
  // Durable: a crash from here on leaves current = new state, prev = old state. Load returns the
  // new state, or the old one only if current is later found corrupt.
  return Status::Ok();
}

}  // namespace logship

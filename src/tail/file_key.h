// SPDX-License-Identifier: Apache-2.0
#pragma once

// A file key (BatchSource::file_key) is the stable name of a file's contents across runs: a hash
// of the device, the inode and the file's first line (at most 256 bytes of it). Lines are only
// shipped once complete, so once a file has shipped a line its first line is complete and fixed:
// the key never changes while the file lives, while a new file reusing the inode, or a file
// truncated and rewritten, gets another. The file source and `logship replay` both name files
// with it, so a replayed line carries the same (file key, log.offset) as when it was first shipped
// (Elasticsearch `id: offset` then overwrites instead of duplicating).

#include <cstdint>

#include "src/base/file_system.h"

namespace logship {

// Reads the head of the open `file`. Never 0: 0 means "no file" in a BatchSource. A read error
// hashes what was read (nothing).
uint64_t ComputeFileKey(ReadableFile& file, uint64_t device, uint64_t inode);

}  // namespace logship

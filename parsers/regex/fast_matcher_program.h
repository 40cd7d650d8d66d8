// SPDX-License-Identifier: Apache-2.0
#pragma once

// The program FastMatcher runs, and its compiler: a regex in FastMatcher's subset of RE2 syntax
// parsed into sequences of nodes, with the first and follow byte sets that let the matcher skip
// hopeless attempts and run loops without backtracking. Internal to FastMatcher (and its tests);
// immutable once compiled.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace logship::internal {

inline constexpr uint32_t kUnbounded = 0xffffffffu;

// A set of bytes, one bit each.
struct ByteSet {
  uint64_t w[4] = {0, 0, 0, 0};
  void Add(unsigned c) { w[c >> 6] |= 1ull << (c & 63); }
  void AddRange(unsigned lo, unsigned hi) {
    for (unsigned c = lo; c <= hi; ++c) Add(c);
  }
  void AddSet(const ByteSet& o) {
    for (int i = 0; i < 4; ++i) w[i] |= o.w[i];
  }
  void Invert() {
    for (uint64_t& x : w) x = ~x;
  }
  bool Has(unsigned char c) const { return (w[c >> 6] >> (c & 63)) & 1; }
  bool Full() const { return (w[0] & w[1] & w[2] & w[3]) == ~0ull; }
  int Count() const {
    int n = 0;
    for (uint64_t x : w) n += __builtin_popcountll(x);
    return n;
  }
};

struct MatcherSeq;

struct MatcherNode {
  // kLoop: a non-capturing group repeated with * or + (greedy), run without backtracking; only
  // compiled when that gives RE2's answer (see CheckDeterministic).
  enum class Kind : uint8_t { kLiteral, kRepeat, kGroup, kLoop, kBeginText, kEndText };
  Kind kind = Kind::kLiteral;
  // kLiteral
  std::string literal;
  // kRepeat: `set` repeated min..max times
  ByteSet set;
  uint32_t min = 0;
  uint32_t max = 0;
  bool greedy = true;
  int stop_byte = -1;  // set is every byte but this one: the run ends at memchr(stop_byte)
  // kGroup: alternatives tried in order, then (if optional) skipping the group. kLoop: the
  // alternatives repeated at least `min` times.
  int capture = -1;
  std::vector<const MatcherSeq*> alternatives;
  bool optional = false;
  // Compile-time only: what may come right after this node.
  ByteSet follow;           // bytes the rest of the match may start with
  bool follow_end = false;  // or the match may end here (unanchored end)
  ByteSet first;            // bytes a non-empty match of this node starts with
  bool nullable = true;     // the node may match the empty string
  // Groups and loops run by MatchDet: pick[byte] is the only alternative that may start with
  // that byte (0xff: none); `run` holds the bytes of one-byte alternatives, scanned in a tight
  // loop.
  std::vector<uint8_t> pick;
  ByteSet run;
  // kRepeat, greedy: nothing that may follow can start with a byte of `set`, so of all counts
  // only the longest run can be followed by the rest of the match.
  bool only_longest = false;
};

struct MatcherSeq {
  std::vector<MatcherNode> nodes;
  ByteSet first;         // bytes a non-empty match of this sequence can start with
  bool nullable = true;  // may match the empty string (or only zero-width assertions)
};

struct MatcherProgram {
  std::vector<std::unique_ptr<MatcherSeq>> seqs;  // seqs[0] is the whole pattern
  int group_count = 0;                            // capturing groups, numbered as RE2 does
  bool anchored_start = false;                    // begins with ^: one start position only
  ByteSet first;                                  // bytes a match can start with
  bool can_match_empty_start = true;              // ... unless it may start with no byte at all
};

// Parses and analyses `pattern` (already accepted by RE2 with the same encoding). False when it
// uses anything outside the subset, or has a loop that cannot run without backtracking.
bool CompileMatcherProgram(std::string_view pattern, bool latin1, MatcherProgram* out);

}  // namespace logship::internal

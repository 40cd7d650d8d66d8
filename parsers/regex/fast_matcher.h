// SPDX-License-Identifier: Apache-2.0
#pragma once

// FastMatcher runs the common subset of RE2 syntax that log patterns use (literals, classes and
// single-atom repetitions, groups with `?`, alternation, ^ and $, and loops over capture-free
// groups that need no backtracking, such as the escaped string (?:[^"\\]|\\.)*) as a small
// backtracking matcher with a step budget, because RE2 itself needs 1-4 µs and three mallocs to
// extract a dozen groups from one 200-byte access-log line (BitState), several times a stage's
// budget. Its answers are RE2's (leftmost-first, the same group numbering and the same spans); when
// it cannot tell within its budget (pathological backtracking) or the text is not ASCII under
// UTF-8 semantics, it says kGiveUp and the caller asks RE2, so matching stays linear-time overall.
// Immutable once compiled; Match is thread-safe and never allocates.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace logship {
namespace internal {
struct MatcherNode;
struct MatcherSeq;
struct MatcherProgram;
}  // namespace internal

class FastMatcher {
 public:
  static constexpr int kMaxGroups = 64;

  enum class Outcome : uint8_t { kMatch, kNoMatch, kGiveUp };

  // Compiles `pattern`, which RE2 has already accepted with the same encoding (Latin-1: every
  // byte is a character; otherwise UTF-8). Returns nullptr when the pattern uses anything outside
  // the subset; the caller then uses RE2 alone.
  static std::unique_ptr<FastMatcher> Compile(std::string_view pattern, bool latin1);
  ~FastMatcher();
  FastMatcher(const FastMatcher&) = delete;
  FastMatcher& operator=(const FastMatcher&) = delete;

  // Matches like RE2::Match(text, 0, text.size(), UNANCHORED, groups, ngroups): groups[0] is the
  // whole match, groups[g] group g; a group that did not take part has data() == nullptr.
  // REQUIRES: 1 <= ngroups <= group_count() + 1.
  Outcome Match(std::string_view text, std::string_view* groups, int ngroups) const;

  // Capturing groups in the pattern (named or not), as RE2 counts them.
  int group_count() const;

 private:
  FastMatcher();
  struct State;
  struct Cont;
  using Node = internal::MatcherNode;
  using Seq = internal::MatcherSeq;
  bool MatchSeq(const Seq& seq, size_t i, size_t pos, const Cont* k, State& st) const;
  bool MatchNode(const Seq& seq, size_t i, size_t pos, const Cont* k, State& st) const;
  bool MatchAlternatives(const Seq& seq, size_t i, size_t pos, const Cont* k, State& st) const;
  bool MatchRepeat(const Seq& seq, size_t i, size_t pos, const Cont* k, State& st) const;
  bool Continue(size_t pos, const Cont* k, State& st) const;
  // Loops and what is inside them, without backtracking: the end position or kUnset (size_t(-1)).
  size_t RunLoop(const Node& node, size_t pos, State& st) const;
  size_t MatchDet(const Seq& seq, size_t pos, State& st) const;

  std::unique_ptr<internal::MatcherProgram> program_;
  bool latin1_ = false;
};

}  // namespace logship

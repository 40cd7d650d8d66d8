// SPDX-License-Identifier: Apache-2.0
#include "parsers/regex/fast_matcher.h"

#include <algorithm>
#include <cstring>

#include "parsers/regex/fast_matcher_program.h"

namespace logship {
namespace {

using internal::kUnbounded;
using internal::MatcherNode;
using internal::MatcherSeq;

constexpr size_t kUnset = static_cast<size_t>(-1);

bool IsAscii(std::string_view s) {
  const char* p = s.data();
  size_t n = s.size();
  uint64_t acc = 0;
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    acc |= w;
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    acc |= static_cast<unsigned char>(*p++);
    --n;
  }
  return (acc & 0x8080808080808080ull) == 0;
}

// True when `literal` (never empty) is at text[pos..]. Literals are mostly a few bytes: the first
// byte decides most mismatches without a call.
inline bool LiteralAt(const std::string& literal, const char* text, size_t n, size_t pos) {
  size_t len = literal.size();
  return n - pos >= len && text[pos] == literal[0] &&
         (len == 1 || std::memcmp(text + pos + 1, literal.data() + 1, len - 1) == 0);
}

}  // namespace

struct FastMatcher::State {
  const char* text;
  size_t n;
  size_t* caps;  // 2 per group, kUnset when not set
  uint64_t steps;
  uint64_t budget;
  bool gave_up;
  size_t end;  // end of the match, on success
};

// What to do once a sequence ends: close a group (when close_capture >= 0), then go on with
// seq->nodes[i..] and, after that, with next.
struct FastMatcher::Cont {
  const MatcherSeq* seq;
  size_t i;
  int close_capture;
  const Cont* next;
};

FastMatcher::FastMatcher() = default;
FastMatcher::~FastMatcher() = default;

std::unique_ptr<FastMatcher> FastMatcher::Compile(std::string_view pattern, bool latin1) {
  std::unique_ptr<FastMatcher> m(new FastMatcher());
  m->latin1_ = latin1;
  m->program_ = std::make_unique<internal::MatcherProgram>();
  if (!internal::CompileMatcherProgram(pattern, latin1, m->program_.get())) return nullptr;
  if (m->program_->group_count > kMaxGroups) return nullptr;
  return m;
}

int FastMatcher::group_count() const { return program_->group_count; }

bool FastMatcher::Continue(size_t pos, const Cont* k, State& st) const {
  if (k == nullptr) {
    st.end = pos;
    return true;
  }
  if (k->close_capture < 0) return MatchSeq(*k->seq, k->i, pos, k->next, st);
  size_t& slot = st.caps[2 * k->close_capture + 1];
  size_t old = slot;
  slot = pos;
  if (MatchSeq(*k->seq, k->i, pos, k->next, st)) return true;
  slot = old;
  return false;
}

bool FastMatcher::MatchSeq(const Seq& seq, size_t i, size_t pos, const Cont* k, State& st) const {
  if (++st.steps > st.budget) {
    st.gave_up = true;
    return false;
  }
  if (i == seq.nodes.size()) return Continue(pos, k, st);
  return MatchNode(seq, i, pos, k, st);
}

bool FastMatcher::MatchNode(const Seq& seq, size_t i, size_t pos, const Cont* k, State& st) const {
  const Node& node = seq.nodes[i];
  switch (node.kind) {
    case Node::Kind::kLiteral: {
      size_t len = node.literal.size();
      if (!LiteralAt(node.literal, st.text, st.n, pos)) return false;
      return MatchSeq(seq, i + 1, pos + len, k, st);
    }
    case Node::Kind::kBeginText:
      return pos == 0 && MatchSeq(seq, i + 1, pos, k, st);
    case Node::Kind::kEndText:
      return pos == st.n && MatchSeq(seq, i + 1, pos, k, st);
    case Node::Kind::kGroup:
      if (!node.optional) return MatchAlternatives(seq, i, pos, k, st);
      if (node.greedy) {
        if (MatchAlternatives(seq, i, pos, k, st)) return true;
        return !st.gave_up && MatchSeq(seq, i + 1, pos, k, st);
      }
      if (MatchSeq(seq, i + 1, pos, k, st)) return true;
      return !st.gave_up && MatchAlternatives(seq, i, pos, k, st);
    case Node::Kind::kLoop: {
      size_t end = RunLoop(node, pos, st);
      return end != kUnset && MatchSeq(seq, i + 1, end, k, st);
    }
    case Node::Kind::kRepeat:
      return MatchRepeat(seq, i, pos, k, st);
  }
  return false;
}

bool FastMatcher::MatchAlternatives(const Seq& seq, size_t i, size_t pos, const Cont* k,
                                    State& st) const {
  const Node& node = seq.nodes[i];
  size_t* caps = nullptr;
  size_t old_start = 0, old_end = 0;
  if (node.capture >= 0) {
    caps = st.caps + 2 * node.capture;
    old_start = caps[0];
    old_end = caps[1];
  }
  Cont after{&seq, i + 1, node.capture, k};
  for (const Seq* alt : node.alternatives) {
    // An alternative that cannot be empty must start with one of its first bytes.
    if (!alt->nullable &&
        (pos == st.n || !alt->first.Has(static_cast<unsigned char>(st.text[pos])))) {
      continue;
    }
    if (caps != nullptr) caps[0] = pos;
    if (MatchSeq(*alt, 0, pos, &after, st)) return true;
    if (st.gave_up) return false;
  }
  if (caps != nullptr) {
    caps[0] = old_start;
    caps[1] = old_end;
  }
  return false;
}

bool FastMatcher::MatchRepeat(const Seq& seq, size_t i, size_t pos, const Cont* k,
                              State& st) const {
  const Node& node = seq.nodes[i];
  const char* text = st.text;
  const size_t n = st.n;
  size_t room = n - pos;
  size_t limit = node.max == kUnbounded ? room : std::min<size_t>(room, node.max);
  size_t run = 0;
  if (node.stop_byte >= 0) {
    const void* hit = std::memchr(text + pos, node.stop_byte, limit);
    run =
        hit == nullptr ? limit : static_cast<size_t>(static_cast<const char*>(hit) - (text + pos));
  } else {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(text + pos);
    while (run < limit && node.set.Has(p[run])) ++run;
  }
  st.steps += run / 16;
  if (run < node.min) return false;
  if (i + 1 < seq.nodes.size() && seq.nodes[i + 1].kind == Node::Kind::kEndText) {
    // Only the run that reaches the end of the text can be followed by $.
    return pos + run == n && MatchSeq(seq, i + 1, n, k, st);
  }
  if (node.only_longest) return MatchSeq(seq, i + 1, pos + run, k, st);
  // A count is worth trying only when the byte after it can start the rest of the match.
  auto attempt = [&](size_t c) {
    if (node.follow_end || pos + c == n ||
        node.follow.Has(static_cast<unsigned char>(text[pos + c]))) {
      return MatchSeq(seq, i + 1, pos + c, k, st);
    }
    if (++st.steps > st.budget) st.gave_up = true;
    return false;
  };
  if (node.greedy) {
    for (size_t c = run;; --c) {
      if (attempt(c)) return true;
      if (st.gave_up || c == node.min) return false;
    }
  }
  for (size_t c = node.min; c <= run; ++c) {
    if (attempt(c)) return true;
    if (st.gave_up) return false;
  }
  return false;
}

size_t FastMatcher::RunLoop(const Node& node, size_t pos, State& st) const {
  const unsigned char* text = reinterpret_cast<const unsigned char*>(st.text);
  const size_t n = st.n;
  size_t count = 0;
  while (pos < n) {
    size_t start = pos;
    while (pos < n && node.run.Has(text[pos])) ++pos;
    count += pos - start;
    st.steps += (pos - start) / 16;
    if (pos == n) break;
    uint8_t a = node.pick[text[pos]];
    if (a == 0xff) break;
    size_t end = MatchDet(*node.alternatives[a], pos, st);
    if (end == kUnset) break;
    pos = end;
    ++count;
    if (++st.steps > st.budget) {
      st.gave_up = true;
      return kUnset;
    }
  }
  return count < node.min ? kUnset : pos;
}

size_t FastMatcher::MatchDet(const Seq& seq, size_t pos, State& st) const {
  const char* text = st.text;
  const size_t n = st.n;
  for (const Node& node : seq.nodes) {
    switch (node.kind) {
      case Node::Kind::kLiteral: {
        size_t len = node.literal.size();
        if (!LiteralAt(node.literal, text, n, pos)) return kUnset;
        pos += len;
        break;
      }
      case Node::Kind::kBeginText:
        if (pos != 0) return kUnset;
        break;
      case Node::Kind::kEndText:
        if (pos != n) return kUnset;
        break;
      case Node::Kind::kRepeat: {
        size_t limit = node.max == kUnbounded ? n - pos : std::min<size_t>(n - pos, node.max);
        size_t run = 0;
        const unsigned char* p = reinterpret_cast<const unsigned char*>(text + pos);
        while (run < limit && node.set.Has(p[run])) ++run;
        if (run < node.min) return kUnset;
        pos += run;
        break;
      }
      case Node::Kind::kGroup: {
        uint8_t a = pos < n ? node.pick[static_cast<unsigned char>(text[pos])] : 0xff;
        size_t end = a == 0xff ? kUnset : MatchDet(*node.alternatives[a], pos, st);
        if (end != kUnset) {
          pos = end;
        } else if (!node.optional) {
          return kUnset;
        }
        break;
      }
      case Node::Kind::kLoop:
        pos = RunLoop(node, pos, st);
        if (pos == kUnset) return kUnset;
        break;
    }
  }
  return pos;
}

FastMatcher::Outcome FastMatcher::Match(std::string_view text, std::string_view* groups,
                                        int ngroups) const {
  if (!latin1_ && !IsAscii(text)) return Outcome::kGiveUp;
  size_t caps[2 * (kMaxGroups + 1)];
  const internal::MatcherProgram& program = *program_;
  int used = 2 * (program.group_count + 1);
  std::fill(caps, caps + used, kUnset);
  State st{
      text.data(), text.size(), caps, 0, 64 + 8 * static_cast<uint64_t>(text.size()), false, 0};
  const Seq& top = *program.seqs[0];
  size_t last_start = program.anchored_start ? 0 : text.size();
  bool matched = false;
  size_t start = 0;
  for (; start <= last_start; ++start) {
    if (!program.can_match_empty_start) {
      if (start == text.size()) break;
      if (!program.first.Has(static_cast<unsigned char>(text[start]))) continue;
    }
    if (MatchSeq(top, 0, start, nullptr, st)) {
      matched = true;
      break;
    }
    if (st.gave_up) return Outcome::kGiveUp;
  }
  if (!matched) return Outcome::kNoMatch;
  groups[0] = text.substr(start, st.end - start);
  for (int g = 1; g < ngroups; ++g) {
    size_t b = caps[2 * g], e = caps[2 * g + 1];
    groups[g] =
        b == kUnset || e == kUnset ? std::string_view() : std::string_view(text.data() + b, e - b);
  }
  return Outcome::kMatch;
}

}  // namespace logship

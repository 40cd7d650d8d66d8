// SPDX-License-Identifier: Apache-2.0
#include "parsers/regex/fast_matcher_program.h"

#include <cstring>

namespace logship::internal {
namespace {

constexpr int kMaxNesting = 100;
constexpr size_t kMaxNodes = 500;  // bounds the recursion depth of a match
constexpr int kMaxProgramGroups = 64;

ByteSet PerlClass(char c) {
  ByteSet s;
  switch (c | 0x20) {  // lower case
    case 'd':
      s.AddRange('0', '9');
      break;
    case 's':
      s.Add('\t');
      s.Add('\n');
      s.Add('\f');
      s.Add('\r');
      s.Add(' ');
      break;
    case 'w':
      s.AddRange('0', '9');
      s.AddRange('A', 'Z');
      s.AddRange('a', 'z');
      s.Add('_');
      break;
  }
  if (c >= 'A' && c <= 'Z') s.Invert();
  return s;
}

bool IsWordChar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Recursive-descent parser for the subset. Every method returns false for anything outside it.
class Parser {
 public:
  Parser(std::string_view pattern, bool latin1, std::vector<std::unique_ptr<MatcherSeq>>* seqs)
      : pat_(pattern), latin1_(latin1), seqs_(seqs) {}

  bool Parse(int* group_count) {
    if (pat_.substr(0, 4) == "(?s)") {
      dotall_ = true;
      p_ = 4;
    }
    std::vector<const MatcherSeq*> alts;
    if (!ParseAlternatives(&alts, 0)) return false;
    if (p_ != pat_.size()) return false;  // a stray ')'
    MatcherSeq* top = (*seqs_)[0].get();
    if (alts.size() == 1) {
      *top = *alts[0];
    } else {
      MatcherNode group;
      group.kind = MatcherNode::Kind::kGroup;
      group.alternatives = alts;
      top->nodes.push_back(std::move(group));
    }
    *group_count = groups_;
    return true;
  }

 private:
  using Node = MatcherNode;
  using Seq = MatcherSeq;

  bool AtEnd() const { return p_ >= pat_.size(); }
  char Peek(size_t ahead = 0) const { return p_ + ahead < pat_.size() ? pat_[p_ + ahead] : '\0'; }

  bool ParseAlternatives(std::vector<const Seq*>* alts, int depth) {
    if (depth > kMaxNesting) return false;
    while (true) {
      seqs_->push_back(std::make_unique<Seq>());
      Seq* seq = seqs_->back().get();
      if (!ParseSeq(seq, depth)) return false;
      alts->push_back(seq);
      if (AtEnd() || Peek() == ')') return true;
      if (Peek() != '|') return false;
      ++p_;
    }
  }

  bool ParseSeq(Seq* seq, int depth) {
    while (!AtEnd() && Peek() != '|' && Peek() != ')') {
      if (++nodes_ > kMaxNodes) return false;
      Node atom;
      if (!ParseAtom(&atom, depth)) return false;
      uint32_t min = 1, max = 1;
      bool greedy = true;
      bool quantified = false;
      if (!AtEnd() && !ParseQuantifier(&min, &max, &greedy, &quantified)) return false;
      if (quantified && !AtEnd()) {
        char c = Peek();
        if (c == '*' || c == '+' || c == '?') return false;  // RE2 rejects or nests these
        if (c == '{') {
          uint32_t a, b;
          bool g, q;
          size_t save = p_;
          if (ParseQuantifier(&a, &b, &g, &q) && q) return false;
          p_ = save;
        }
      }
      if (atom.kind == Node::Kind::kGroup) {
        if (quantified && !(min == 0 && max == 1)) {
          // (?:...)* and (?:...)+ without captures inside become loops; nothing else repeats
          // a group.
          if (!greedy || max != kUnbounded || min > 1 || atom.capture >= 0 ||
              last_group_has_captures_) {
            return false;
          }
          atom.kind = Node::Kind::kLoop;
          atom.min = min;
          atom.max = max;
        } else {
          atom.optional = quantified;
          atom.greedy = greedy;
        }
        seq->nodes.push_back(std::move(atom));
        continue;
      }
      if (atom.kind == Node::Kind::kBeginText || atom.kind == Node::Kind::kEndText) {
        if (quantified) return false;
        seq->nodes.push_back(std::move(atom));
        continue;
      }
      // A single byte class or literal.
      if (!quantified && atom.set.Count() == 1) {
        unsigned char c = 0;
        while (!atom.set.Has(c)) ++c;
        if (!seq->nodes.empty() && seq->nodes.back().kind == Node::Kind::kLiteral) {
          seq->nodes.back().literal.push_back(static_cast<char>(c));
        } else {
          Node lit;
          lit.kind = Node::Kind::kLiteral;
          lit.literal.assign(1, static_cast<char>(c));
          seq->nodes.push_back(std::move(lit));
        }
        continue;
      }
      Node rep;
      rep.kind = Node::Kind::kRepeat;
      rep.set = atom.set;
      rep.min = min;
      rep.max = max;
      rep.greedy = greedy;
      if (rep.set.Count() == 255) {
        ByteSet inverted = rep.set;
        inverted.Invert();
        int c = 0;
        while (!inverted.Has(static_cast<unsigned char>(c))) ++c;
        rep.stop_byte = c;
      }
      seq->nodes.push_back(std::move(rep));
    }
    return true;
  }

  // Parses one atom: a group, a class, '.', an anchor, an escape or a literal byte.
  bool ParseAtom(Node* atom, int depth) {
    char c = Peek();
    switch (c) {
      case '(':
        return ParseGroup(atom, depth);
      case '[':
        atom->kind = Node::Kind::kRepeat;
        return ParseClass(&atom->set);
      case '.':
        ++p_;
        atom->kind = Node::Kind::kRepeat;
        atom->set.Invert();
        if (!dotall_) atom->set.w[0] &= ~(1ull << '\n');
        return true;
      case '^':
        ++p_;
        atom->kind = Node::Kind::kBeginText;
        return true;
      case '$':
        ++p_;
        atom->kind = Node::Kind::kEndText;
        return true;
      case '*':
      case '+':
      case '?':
        return false;
      case '\\': {
        char e = Peek(1);
        if (e == 'A' || e == 'z') {
          p_ += 2;
          atom->kind = e == 'A' ? Node::Kind::kBeginText : Node::Kind::kEndText;
          return true;
        }
        atom->kind = Node::Kind::kRepeat;
        return ParseEscape(&atom->set, /*in_class=*/false);
      }
      default: {
        unsigned char u = static_cast<unsigned char>(c);
        if (u >= 0x80 && !latin1_) return false;
        ++p_;
        atom->kind = Node::Kind::kRepeat;
        atom->set.Add(u);
        return true;
      }
    }
  }

  bool ParseGroup(Node* atom, int depth) {
    ++p_;  // '('
    atom->kind = Node::Kind::kGroup;
    if (Peek() == '?') {
      if (Peek(1) == ':') {
        p_ += 2;
      } else if (Peek(1) == 'P' && Peek(2) == '<') {
        size_t close = pat_.find('>', p_);
        if (close == std::string_view::npos) return false;
        p_ = close + 1;
        atom->capture = ++groups_;
      } else {
        return false;  // flags and everything else
      }
    } else {
      atom->capture = ++groups_;
    }
    if (groups_ > kMaxProgramGroups) return false;
    int inner_before = groups_;
    if (!ParseAlternatives(&atom->alternatives, depth + 1)) return false;
    if (Peek() != ')') return false;
    ++p_;
    last_group_has_captures_ = groups_ > inner_before;
    return true;
  }

  // [...] with ranges, negation and escapes; POSIX [:classes:] are outside the subset.
  bool ParseClass(ByteSet* set) {
    ++p_;  // '['
    bool negate = false;
    if (Peek() == '^') {
      negate = true;
      ++p_;
    }
    bool first = true;
    while (true) {
      if (AtEnd()) return false;
      char c = Peek();
      if (c == ']' && !first) {
        ++p_;
        break;
      }
      first = false;
      if (c == '[' && Peek(1) == ':') return false;
      int lo;
      if (!ParseClassChar(&lo, set)) return false;
      if (lo < 0) continue;  // a Perl class, already added
      if (Peek() == '-' && Peek(1) != ']' && p_ + 1 < pat_.size()) {
        ++p_;
        int hi;
        if (!ParseClassChar(&hi, set) || hi < 0 || hi < lo) return false;
        set->AddRange(static_cast<unsigned>(lo), static_cast<unsigned>(hi));
      } else {
        set->Add(static_cast<unsigned>(lo));
      }
    }
    if (negate) set->Invert();  // RE2 sets ClassNL: a negated class matches '\n' too
    return true;
  }

  // One character inside a class: *out is its byte, or -1 when it was a Perl class (added to set).
  bool ParseClassChar(int* out, ByteSet* set) {
    char c = Peek();
    if (c == '\\') {
      char e = Peek(1);
      if (e == 'd' || e == 'D' || e == 's' || e == 'S' || e == 'w' || e == 'W') {
        p_ += 2;
        set->AddSet(PerlClass(e));
        *out = -1;
        return true;
      }
      ByteSet one;
      if (!ParseEscape(&one, /*in_class=*/true)) return false;
      unsigned char b = 0;
      while (!one.Has(b)) ++b;
      *out = b;
      return true;
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80 && !latin1_) return false;
    ++p_;
    *out = u;
    return true;
  }

  // An escape at p_ ('\\'): a Perl class (outside classes only) or one byte.
  bool ParseEscape(ByteSet* set, bool in_class) {
    char e = Peek(1);
    if (e == '\0' && p_ + 1 >= pat_.size()) return false;
    p_ += 2;
    switch (e) {
      case 'd':
      case 'D':
      case 's':
      case 'S':
      case 'w':
      case 'W':
        if (in_class) return false;
        *set = PerlClass(e);
        return true;
      case 'a':
        set->Add(7);
        return true;
      case 'f':
        set->Add('\f');
        return true;
      case 't':
        set->Add('\t');
        return true;
      case 'n':
        set->Add('\n');
        return true;
      case 'r':
        set->Add('\r');
        return true;
      case 'v':
        set->Add('\v');
        return true;
      case 'x': {
        unsigned value = 0;
        if (Peek() == '{') {
          size_t close = pat_.find('}', p_);
          if (close == std::string_view::npos || close == p_ + 1 || close - p_ > 7) return false;
          for (size_t i = p_ + 1; i < close; ++i) {
            int h = HexValue(pat_[i]);
            if (h < 0) return false;
            value = value * 16 + static_cast<unsigned>(h);
          }
          p_ = close + 1;
        } else {
          int h1 = HexValue(Peek()), h2 = HexValue(Peek(1));
          if (h1 < 0 || h2 < 0) return false;
          value = static_cast<unsigned>(h1 * 16 + h2);
          p_ += 2;
        }
        if (value >= (latin1_ ? 0x100u : 0x80u)) return false;
        set->Add(value);
        return true;
      }
      default: {
        unsigned char u = static_cast<unsigned char>(e);
        if (u >= 0x80 || IsWordChar(u)) return false;  // \b, \pN, \Q, octal, ...
        set->Add(u);
        return true;
      }
    }
  }

  // *, +, ?, {n}, {n,}, {n,m}, each optionally lazy ('?'). *quantified is false when there is
  // none (also for a '{' that is a literal, as in RE2).
  bool ParseQuantifier(uint32_t* min, uint32_t* max, bool* greedy, bool* quantified) {
    *quantified = false;
    char c = Peek();
    if (c == '*') {
      *min = 0;
      *max = kUnbounded;
      ++p_;
    } else if (c == '+') {
      *min = 1;
      *max = kUnbounded;
      ++p_;
    } else if (c == '?') {
      *min = 0;
      *max = 1;
      ++p_;
    } else if (c == '{') {
      size_t q = p_ + 1;
      auto number = [&](uint32_t* out) {
        size_t start = q;
        uint64_t v = 0;
        while (q < pat_.size() && pat_[q] >= '0' && pat_[q] <= '9' && v <= 100000) {
          v = v * 10 + static_cast<uint64_t>(pat_[q] - '0');
          ++q;
        }
        *out = static_cast<uint32_t>(v);
        return q > start;
      };
      uint32_t lo = 0, hi = 0;
      if (!number(&lo)) return true;  // a literal '{'
      if (q < pat_.size() && pat_[q] == '}') {
        hi = lo;
      } else if (q < pat_.size() && pat_[q] == ',') {
        ++q;
        if (q < pat_.size() && pat_[q] == '}') {
          hi = kUnbounded;
        } else if (!number(&hi) || q >= pat_.size() || pat_[q] != '}') {
          return true;  // a literal '{'
        }
      } else {
        return true;
      }
      if (q >= pat_.size() || pat_[q] != '}') return true;
      *min = lo;
      *max = hi;
      p_ = q + 1;
    } else {
      return true;
    }
    *quantified = true;
    *greedy = true;
    if (Peek() == '?') {
      *greedy = false;
      ++p_;
    }
    return true;
  }

  std::string_view pat_;
  bool latin1_;
  std::vector<std::unique_ptr<MatcherSeq>>* seqs_;
  size_t p_ = 0;
  bool dotall_ = false;
  int groups_ = 0;
  size_t nodes_ = 0;
  bool last_group_has_captures_ = false;  // the group just parsed holds a capturing group
};

using Kind = MatcherNode::Kind;

bool Intersects(const ByteSet& a, const ByteSet& b) {
  for (int i = 0; i < 4; ++i) {
    if (a.w[i] & b.w[i]) return true;
  }
  return false;
}

// Fills node.first/nullable for each node and seq->first/nullable (the alternatives of its groups
// must be done already).
void ComputeFirst(MatcherSeq* seq) {
  seq->first = ByteSet();
  seq->nullable = true;
  for (MatcherNode& n : seq->nodes) {
    n.first = ByteSet();
    n.nullable = true;
    switch (n.kind) {
      case Kind::kLiteral:
        n.first.Add(static_cast<unsigned char>(n.literal[0]));
        n.nullable = false;
        break;
      case Kind::kRepeat:
        n.first = n.set;
        n.nullable = n.min == 0;
        break;
      case Kind::kGroup:
      case Kind::kLoop: {
        bool any_nullable = false;
        for (const MatcherSeq* alt : n.alternatives) {
          n.first.AddSet(alt->first);
          any_nullable = any_nullable || alt->nullable;
        }
        n.nullable = any_nullable || (n.kind == Kind::kGroup ? n.optional : n.min == 0);
        break;
      }
      case Kind::kBeginText:
      case Kind::kEndText:
        break;
    }
    if (seq->nullable) {
      seq->first.AddSet(n.first);
      if (!n.nullable) seq->nullable = false;
    }
  }
}

// Fills node.follow/follow_end, top-down: what may come after each node of `seq` when `after`
// (bytes, end) may come after the sequence.
void ComputeFollow(MatcherSeq* seq, ByteSet after, bool after_end) {
  ByteSet cur = after;
  bool cur_end = after_end;
  for (size_t i = seq->nodes.size(); i-- > 0;) {
    MatcherNode& n = seq->nodes[i];
    n.follow = cur;
    n.follow_end = cur_end;
    if (n.kind == Kind::kGroup || n.kind == Kind::kLoop) {
      ByteSet inner = cur;
      if (n.kind == Kind::kLoop) inner.AddSet(n.first);  // another iteration may follow
      for (const MatcherSeq* alt : n.alternatives) {
        ComputeFollow(const_cast<MatcherSeq*>(alt), inner, cur_end);
      }
    }
    if (n.kind == Kind::kEndText) {
      cur = ByteSet();  // only the end of the text comes next
      cur_end = false;
    } else if (n.kind == Kind::kBeginText) {
      // Anything may come next as far as the checks below know: they fail, so no loop runs
      // before a ^ (where skipping it could matter).
      cur.w[0] = cur.w[1] = cur.w[2] = cur.w[3] = ~0ull;
      cur_end = false;
    } else if (n.nullable) {
      cur.AddSet(n.first);
    } else {
      cur = n.first;
      cur_end = false;
    }
  }
}

// Alternatives that start with pairwise distinct bytes and never match empty: at most one of them
// can match at any position. Fills node.pick.
bool PickableAlternatives(MatcherNode& n) {
  if (n.alternatives.size() > 250) return false;
  n.pick.assign(256, 0xff);
  for (size_t a = 0; a < n.alternatives.size(); ++a) {
    const MatcherSeq* alt = n.alternatives[a];
    if (alt->nullable) return false;
    for (unsigned c = 0; c < 256; ++c) {
      if (!alt->first.Has(static_cast<unsigned char>(c))) continue;
      if (n.pick[c] != 0xff) return false;
      n.pick[c] = static_cast<uint8_t>(a);
    }
    // A one-byte alternative (a class or a literal byte) joins the loop's tight scan.
    if (alt->nodes.size() == 1) {
      const MatcherNode& only = alt->nodes[0];
      if (only.kind == Kind::kRepeat && only.min == 1 && only.max == 1) n.run.AddSet(only.set);
      if (only.kind == Kind::kLiteral && only.literal.size() == 1) n.run.AddSet(only.first);
    }
  }
  return true;
}

// Loops run without backtracking (MatchDet). That gives RE2's answer when, from any position,
// one iteration can go only one way and no shorter run could be followed by the rest of the
// pattern: every repetition inside is followed by bytes it cannot match, alternatives start with
// distinct bytes, and the loop itself is followed by bytes it cannot start with. Then the only
// position where the loop may stop with the rest still matching is where it stops greedily (each
// earlier stop is followed by a byte that starts another iteration, which the rest cannot start
// with; and when the match may end right there, the greedy stop, preferred by RE2, may end it too).
// Returns false when some loop does not qualify.
bool CheckDeterministic(MatcherSeq* seq, bool in_loop) {
  for (MatcherNode& n : seq->nodes) {
    switch (n.kind) {
      case Kind::kLiteral:
      case Kind::kBeginText:
      case Kind::kEndText:
        break;
      case Kind::kRepeat:
        if (in_loop && n.min != n.max && (!n.greedy || Intersects(n.set, n.follow))) return false;
        n.only_longest = n.greedy && !n.follow_end && !Intersects(n.set, n.follow);
        break;
      case Kind::kGroup:
        if (in_loop) {
          if (n.capture >= 0 || !PickableAlternatives(n)) return false;
          if (n.optional && (!n.greedy || Intersects(n.first, n.follow))) return false;
        }
        for (const MatcherSeq* alt : n.alternatives) {
          if (!CheckDeterministic(const_cast<MatcherSeq*>(alt), in_loop)) return false;
        }
        break;
      case Kind::kLoop:
        if (!PickableAlternatives(n) || Intersects(n.first, n.follow)) return false;
        for (const MatcherSeq* alt : n.alternatives) {
          if (!CheckDeterministic(const_cast<MatcherSeq*>(alt), true)) return false;
        }
        break;
    }
  }
  return true;
}

}  // namespace

bool CompileMatcherProgram(std::string_view pattern, bool latin1, MatcherProgram* out) {
  if (!latin1) {
    for (char c : pattern) {
      if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
  }
  out->seqs.clear();
  out->seqs.push_back(std::make_unique<MatcherSeq>());
  Parser parser(pattern, latin1, &out->seqs);
  if (!parser.Parse(&out->group_count)) return false;
  // A sequence is created before the groups inside it are parsed, so inner sequences come later
  // in seqs: compute first sets from the last one back, the top-level one (index 0) last.
  for (size_t i = out->seqs.size(); i-- > 1;) ComputeFirst(out->seqs[i].get());
  ComputeFirst(out->seqs[0].get());
  ComputeFollow(out->seqs[0].get(), ByteSet(), /*after_end=*/true);
  if (!CheckDeterministic(out->seqs[0].get(), /*in_loop=*/false)) return false;
  const MatcherSeq& top = *out->seqs[0];
  out->anchored_start = !top.nodes.empty() && top.nodes[0].kind == MatcherNode::Kind::kBeginText;
  out->can_match_empty_start = top.nullable;
  out->first = top.first;
  return true;
}

}  // namespace logship::internal

// SPDX-License-Identifier: Apache-2.0
#include "src/config/glob.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace logship {
namespace {

constexpr std::string_view kGlobStar = "**";

// A code point decoded from UTF-8. Bytes that do not start a well-formed sequence decode one at a
// time to values above U+10FFFF, so they never equal a real character but still match '?' and '*'.
struct CodePoint {
  uint32_t value;
  size_t length;
};

CodePoint Decode(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  const CodePoint invalid{0x110000u + b0, 1};
  if (b0 < 0x80) return {b0, 1};
  size_t len;
  uint32_t cp;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1Fu, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0Fu, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return invalid;
  }
  if (i + len > s.size()) return invalid;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return invalid;
    cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not characters.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return invalid;
  return {cp, len};
}

// Returns the index just past the ']' closing the class that starts at `open` (a '['), or npos
// when the class is not terminated. A ']' right after '[' or '[!' / '[^' is a member, as in
// fnmatch(3).
size_t ClassEnd(std::string_view p, size_t open) {
  size_t i = open + 1;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) ++i;
  if (i < p.size() && p[i] == ']') ++i;
  while (i < p.size() && p[i] != ']') ++i;
  return i < p.size() ? i + 1 : std::string_view::npos;
}

// Whether code point `c` is in the class p[open, end) (end is just past its ']').
bool ClassMatches(std::string_view p, size_t open, size_t end, uint32_t c) {
  size_t i = open + 1;
  bool negated = false;
  if (p[i] == '!' || p[i] == '^') negated = true, ++i;
  const size_t close = end - 1;  // the ']'; a ']' before it is a member
  bool found = false;
  while (i < close) {
    CodePoint lo = Decode(p, i);
    i += lo.length;
    if (i + 1 < close && p[i] == '-') {
      CodePoint hi = Decode(p, i + 1);
      i += 1 + hi.length;
      if (lo.value <= c && c <= hi.value) found = true;
    } else if (lo.value == c) {
      found = true;
    }
  }
  return found != negated;
}

// Checks the class p[open, end) for a reversed range such as [z-a], which could never match and
// is almost certainly a typo.
bool ClassValid(std::string_view p, size_t open, size_t end) {
  size_t i = open + 1;
  if (p[i] == '!' || p[i] == '^') ++i;
  const size_t close = end - 1;
  while (i < close) {
    CodePoint lo = Decode(p, i);
    i += lo.length;
    if (i + 1 < close && p[i] == '-') {
      CodePoint hi = Decode(p, i + 1);
      i += 1 + hi.length;
      if (hi.value < lo.value) return false;
    }
  }
  return true;
}

bool HasWildcard(std::string_view component) {
  return component.find_first_of("*?[") != std::string_view::npos;
}

// Matches one path component against one pattern component ('*', '?', classes; no '/'). The
// classic greedy algorithm: on a mismatch, the last '*' swallows one more character and the match
// resumes after it. Linear in practice, allocation-free.
bool MatchComponent(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0;
  size_t star_p = std::string_view::npos, star_s = 0;
  while (si < s.size()) {
    if (pi < p.size()) {
      const char pc = p[pi];
      if (pc == '*') {
        star_p = pi++;
        star_s = si;
        continue;
      }
      CodePoint c = Decode(s, si);
      if (pc == '?') {
        ++pi;
        si += c.length;
        continue;
      }
      if (pc == '[') {
        size_t end = ClassEnd(p, pi);  // Compile guarantees termination.
        if (ClassMatches(p, pi, end, c.value)) {
          pi = end;
          si += c.length;
          continue;
        }
      } else {
        CodePoint q = Decode(p, pi);
        if (q.value == c.value) {
          pi += q.length;
          si += c.length;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p + 1;
    star_s += Decode(s, star_s).length;
    si = star_s;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

// Walks the '/'-separated components of an absolute path without allocating; empty components
// ("//", a trailing '/') are skipped.
class ComponentCursor {
 public:
  explicit ComponentCursor(std::string_view path) : path_(path) { Skip(); }
  bool done() const { return pos_ >= path_.size(); }
  std::string_view current() const {
    size_t end = path_.find('/', pos_);
    return path_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
  }
  void Next() {
    pos_ += current().size();
    Skip();
  }
  size_t pos() const { return pos_; }
  void Reset(size_t pos) { pos_ = pos; }

 private:
  void Skip() {
    while (pos_ < path_.size() && path_[pos_] == '/') ++pos_;
  }
  std::string_view path_;
  size_t pos_ = 0;
};

// Splits an absolute path into its non-empty components.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  for (ComponentCursor c(path); !c.done(); c.Next()) out.push_back(c.current());
  return out;
}

Status Invalid(std::string_view pattern, std::string_view why) {
  return Status::InvalidArgument("glob '" + std::string(pattern) + "'", why);
}

// Validates one pattern component: classes terminated and well formed, '**' alone.
Status CheckComponent(std::string_view pattern, std::string_view comp) {
  if (comp.find(kGlobStar) != std::string_view::npos && comp != kGlobStar) {
    return Invalid(pattern, "'**' must be a whole path component (as in 'a/**/b')");
  }
  for (size_t i = 0; i < comp.size(); ++i) {
    if (comp[i] != '[') continue;
    size_t end = ClassEnd(comp, i);
    if (end == std::string_view::npos) return Invalid(pattern, "unterminated '[' class");
    if (!ClassValid(comp, i, end)) return Invalid(pattern, "reversed range in '[' class");
    i = end - 1;
  }
  return Status::Ok();
}

}  // namespace

Result<Glob> Glob::Compile(std::string_view pattern) {
  if (pattern.empty()) return Invalid(pattern, "empty pattern");
  Glob g;
  g.pattern_ = std::string(pattern);
  if (pattern.find('/') == std::string_view::npos) {
    Status st = CheckComponent(pattern, pattern);
    if (!st.ok()) return st;
    g.name_only_ = true;
    g.components_.emplace_back(pattern);
    // A name-only "**" means "any file anywhere": the same as "*".
    if (pattern == kGlobStar) g.components_.back() = "*";
    return g;
  }
  if (pattern.front() != '/') {
    return Invalid(pattern, "a pattern with a '/' must be an absolute path");
  }
  if (pattern.back() == '/') return Invalid(pattern, "a pattern must not end in '/'");

  bool wildcard_seen = false;
  std::string base;
  for (std::string_view comp : SplitPath(pattern)) {
    Status st = CheckComponent(pattern, comp);
    if (!st.ok()) return st;
    if (comp == kGlobStar) g.recursive_ = true;
    g.components_.emplace_back(comp);
    if (HasWildcard(comp)) wildcard_seen = true;
  }
  if (g.components_.empty()) return Invalid(pattern, "a pattern must name files, not '/'");
  // base_dir: the wildcard-free leading components, never including the last one (a file name).
  for (size_t i = 0; i + 1 < g.components_.size() && !HasWildcard(g.components_[i]); ++i) {
    base.push_back('/');
    base.append(g.components_[i]);
  }
  g.base_dir_ = base.empty() ? "/" : base;
  g.literal_ = !wildcard_seen;
  // A trailing '**' matches every file below its directory, however deep, but not the directory
  // itself (gitignore's "a/**"): the same set of paths as "a/**/*", which the matcher handles
  // without a special case.
  if (g.components_.back() == kGlobStar) g.components_.emplace_back("*");
  return g;
}

bool Glob::Matches(std::string_view path) const {
  if (name_only_) {
    std::string_view name = path;
    while (!name.empty() && name.back() == '/') name.remove_suffix(1);  // tolerate "dir/"
    size_t slash = name.rfind('/');
    if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
    return !name.empty() && MatchComponent(components_[0], name);
  }
  if (path.empty() || path.front() != '/') return false;

  // The component-level twin of MatchComponent: '**' is the star, other components are atoms
  // that match exactly one path component. Greedy with backtracking to the last '**' is exact
  // here for the same reason it is for '*' over characters.
  const size_t n = components_.size();
  size_t pi = 0;
  ComponentCursor cur(path);
  size_t star_p = SIZE_MAX;
  size_t star_s = 0;
  while (!cur.done()) {
    if (pi < n) {
      const std::string& pc = components_[pi];
      if (pc == kGlobStar) {
        star_p = pi++;
        star_s = cur.pos();
        continue;
      }
      if (MatchComponent(pc, cur.current())) {
        ++pi;
        cur.Next();
        continue;
      }
    }
    if (star_p == SIZE_MAX) return false;
    pi = star_p + 1;
    cur.Reset(star_s);
    cur.Next();
    star_s = cur.pos();
  }
  while (pi < n && components_[pi] == kGlobStar) ++pi;
  return pi == n;
}

bool Glob::CouldMatchBelow(std::string_view dir) const {
  if (name_only_) return true;
  if (dir.empty() || dir.front() != '/') return false;
  // Simulates the pattern as an automaton over the directory's components: `states` holds every
  // pattern index reachable after consuming them. Something below `dir` can match when a state
  // leaves at least one pattern component to match (the last one is never '**', see Compile).
  const size_t n = components_.size();
  std::vector<char> states(n + 1, 0), next(n + 1, 0);
  const auto close = [&](std::vector<char>& s) {
    for (size_t i = 0; i < n; ++i) {
      if (s[i] && components_[i] == kGlobStar) s[i + 1] = 1;
    }
  };
  states[0] = 1;
  close(states);
  for (ComponentCursor cur(dir); !cur.done(); cur.Next()) {
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    for (size_t i = 0; i < n; ++i) {
      if (!states[i]) continue;
      if (components_[i] == kGlobStar) {
        next[i] = 1, any = true;
      } else if (MatchComponent(components_[i], cur.current())) {
        next[i + 1] = 1, any = true;
      }
    }
    if (!any) return false;
    close(next);
    states.swap(next);
  }
  for (size_t i = 0; i < n; ++i) {
    if (states[i]) return true;
  }
  return false;
}

bool GlobAlwaysExcluded(const Glob& include, const Glob& exclude) {
  if (include.pattern() == exclude.pattern()) return true;
  // A literal include names one path: ask the exclude about it directly.
  if (include.literal()) return exclude.Matches(include.pattern());
  if (include.name_only()) return false;

  const std::vector<std::string_view> inc = SplitPath(include.pattern());
  if (exclude.name_only()) {
    // Every file the include selects has a name matching its last component, so an exclude that
    // matches all such names excludes everything: a literal name it matches, or the very same
    // name pattern ("/var/log/*.gz" with exclude "*.gz"), or "*" itself.
    std::string_view last = inc.back();
    if (last == kGlobStar) return exclude.pattern() == "*" || exclude.pattern() == kGlobStar;
    if (!HasWildcard(last)) return exclude.Matches(last);
    return last == exclude.pattern() || exclude.pattern() == "*" || exclude.pattern() == kGlobStar;
  }
  // Exclude "<literal dir>/**" removes everything below that directory: it covers the include
  // when the include's own literal leading directories start with it.
  const std::vector<std::string_view> exc = SplitPath(exclude.pattern());
  if (exc.size() < 2 || exc.back() != kGlobStar) return false;
  const size_t prefix = exc.size() - 1;
  for (size_t i = 0; i < prefix; ++i) {
    if (HasWildcard(exc[i])) return false;
  }
  // The include's matches all have at least prefix+1 components when its first prefix components
  // are these literals and something (any component, '**' included) follows them; a following
  // '**' may match zero directories, but something after it still must match the file name.
  if (inc.size() <= prefix) return false;
  for (size_t i = 0; i < prefix; ++i) {
    if (inc[i] != exc[i]) return false;
  }
  return true;
}

}  // namespace logship

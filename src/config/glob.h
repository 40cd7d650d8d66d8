// SPDX-License-Identifier: Apache-2.0
#pragma once

// Glob is a compiled path pattern for choosing log files: '*' and '?' within one path component,
// '[abc]', '[a-z]' and '[!a]' classes, and '**' as a whole component for any number of
// directories (zero included). A pattern is an absolute path ('/'-separated), or a pattern with
// no '/' at all, which matches a file's name in any directory (for `exclude: ["*.gz"]`). Written by
// hand because
// libc's glob(3) and fnmatch(3) have no '**'; matching allocates nothing. Immutable, thread-safe.
//
// Details: '*' and '?' also match a leading '.' (hidden files are not special, as in Vector and
// Filebeat, unlike shells); '?' and classes match one UTF-8 character ('[!a]' and '[^a]' both
// negate; a ']' first in a class is a member); a trailing '**' ("/var/log/**") matches every file
// below that directory at any depth but not the directory itself; repeated '/' count as one.

#include <string>
#include <string_view>
#include <vector>

#include "src/base/result.h"

namespace logship {

class Glob {
 public:
  // Compiles `pattern`. InvalidArgument naming the pattern when it is empty, relative but with a
  // '/', ends in '/', has an unterminated '[' class, or uses '**' other than as a whole component.
  static Result<Glob> Compile(std::string_view pattern);

  // True when the whole `path` (absolute) matches; for a name-only pattern, when its last
  // component matches.
  bool Matches(std::string_view path) const;
  // True when some path inside directory `dir` (or below it) could match: used to prune the walk.
  // Never false for a directory holding a match. Called once per directory, so unlike Matches it
  // may allocate a little.
  bool CouldMatchBelow(std::string_view dir) const;

  const std::string& pattern() const { return pattern_; }
  // The longest leading directory with no wildcard ("/var/log" for "/var/log/*/x.log"): where a
  // walk for matches starts. "/" when the first component has one; empty for name-only patterns.
  const std::string& base_dir() const { return base_dir_; }
  // True when the pattern has a '**' component (the walk must recurse without depth limit).
  bool recursive() const { return recursive_; }
  // True when the pattern has no wildcard at all: it names one file (never for a name-only
  // pattern, which names a file in any directory).
  bool literal() const { return literal_; }
  // True for a pattern with no '/', matched against file names.
  bool name_only() const { return name_only_; }

 private:
  std::string pattern_;
  std::string base_dir_;
  // The pattern split on '/', without empty components; a trailing "**" is followed by an
  // implicit "*" (see Compile), so the last component is never "**".
  std::vector<std::string> components_;
  bool recursive_ = false;
  bool literal_ = false;
  bool name_only_ = false;
};

// True when every path `include` can match is also matched by `exclude` (so the include pattern can
// never select a file). Exact for literal includes and for identical patterns; conservative (false)
// otherwise.
bool GlobAlwaysExcluded(const Glob& include, const Glob& exclude);

}  // namespace logship

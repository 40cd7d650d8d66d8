// SPDX-License-Identifier: Apache-2.0
// Tests for src/config/glob.h (kept in tests/tail/ beside the scanner that walks with it).
#include "src/config/glob.h"

#include <gtest/gtest.h>

#include <string>

namespace logship {
namespace {

Glob MustCompile(std::string_view pattern) {
  Result<Glob> g = Glob::Compile(pattern);
  EXPECT_TRUE(g.ok()) << pattern << ": " << g.status().ToString();
  if (!g.ok()) return *Glob::Compile("/never-matches-anything");
  return std::move(g).value();
}

bool M(std::string_view pattern, std::string_view path) {
  return MustCompile(pattern).Matches(path);
}

bool Below(std::string_view pattern, std::string_view dir) {
  return MustCompile(pattern).CouldMatchBelow(dir);
}

TEST(GlobTest, LiteralPath) {
  Glob g = MustCompile("/var/log/app.log");
  EXPECT_TRUE(g.literal());
  EXPECT_FALSE(g.recursive());
  EXPECT_FALSE(g.name_only());
  EXPECT_EQ(g.base_dir(), "/var/log");
  EXPECT_EQ(g.pattern(), "/var/log/app.log");
  EXPECT_TRUE(g.Matches("/var/log/app.log"));
  EXPECT_FALSE(g.Matches("/var/log/app.log.1"));
  EXPECT_FALSE(g.Matches("/var/log/app.lo"));
  EXPECT_FALSE(g.Matches("/var/log"));
  EXPECT_FALSE(g.Matches("/var/log/x/app.log"));
  EXPECT_FALSE(g.Matches("var/log/app.log"));  // relative paths never match absolute patterns
  EXPECT_FALSE(g.Matches(""));
}

TEST(GlobTest, StarStaysWithinOneComponent) {
  EXPECT_TRUE(M("/var/log/*.log", "/var/log/app.log"));
  EXPECT_TRUE(M("/var/log/*.log", "/var/log/.log"));
  EXPECT_FALSE(M("/var/log/*.log", "/var/log/sub/app.log"));
  EXPECT_FALSE(M("/var/log/*.log", "/var/log/app.log.1"));
  EXPECT_TRUE(M("/var/log/*", "/var/log/anything"));
  EXPECT_FALSE(M("/var/log/*", "/var/log"));
  EXPECT_FALSE(M("/var/log/*", "/var/log/a/b"));
  EXPECT_TRUE(M("/var/*/app.log", "/var/log/app.log"));
  EXPECT_FALSE(M("/var/*/app.log", "/var/app.log"));
  EXPECT_TRUE(M("/*", "/x"));
  EXPECT_FALSE(M("/*", "/x/y"));
}

TEST(GlobTest, StarBacktracks) {
  EXPECT_TRUE(M("/l/*a*b*c", "/l/xaxbxc"));
  EXPECT_TRUE(M("/l/*ab", "/l/aaab"));
  EXPECT_TRUE(M("/l/a*a*a*a*b", "/l/aaaaaaaaaaaaab"));
  EXPECT_FALSE(M("/l/a*a*a*a*b", "/l/aaaaaaaaaaaaaa"));
  EXPECT_TRUE(M("/l/**", "/l/x"));
  EXPECT_TRUE(M("/l/*.log*", "/l/a.log"));
  EXPECT_TRUE(M("/l/*.log*", "/l/a.log.1.gz"));
  EXPECT_TRUE(M("/l/*", "/l/*"));
}

TEST(GlobTest, QuestionMark) {
  EXPECT_TRUE(M("/l/app.?", "/l/app.1"));
  EXPECT_FALSE(M("/l/app.?", "/l/app."));
  EXPECT_FALSE(M("/l/app.?", "/l/app.10"));
  EXPECT_TRUE(M("/l/??", "/l/ab"));
  EXPECT_FALSE(M("/l/?", "/l/"));
  EXPECT_TRUE(M("/l/?", "/l/."));
  // '?' is one character, not one byte.
  EXPECT_TRUE(M("/l/?.log", "/l/é.log"));
  EXPECT_TRUE(M("/l/a?c",
                "/l/a\xE2\x82\xAC"
                "c"));  // euro sign
  EXPECT_FALSE(M("/l/a?c",
                 "/l/a\xE2\x82\xAC\xE2\x82\xAC"
                 "c"));
  // Invalid UTF-8 still matches byte by byte.
  EXPECT_TRUE(M("/l/?", "/l/\xFF"));
  EXPECT_TRUE(M("/l/??", "/l/\xE2\x82"));  // a cut-off sequence is two bytes
}

TEST(GlobTest, Classes) {
  EXPECT_TRUE(M("/l/app[0-9].log", "/l/app7.log"));
  EXPECT_FALSE(M("/l/app[0-9].log", "/l/appx.log"));
  EXPECT_TRUE(M("/l/[abc].log", "/l/b.log"));
  EXPECT_FALSE(M("/l/[abc].log", "/l/d.log"));
  EXPECT_TRUE(M("/l/[!abc].log", "/l/d.log"));
  EXPECT_FALSE(M("/l/[!abc].log", "/l/a.log"));
  EXPECT_TRUE(M("/l/[^abc].log", "/l/d.log"));
  EXPECT_FALSE(M("/l/[^abc].log", "/l/c.log"));
  EXPECT_TRUE(M("/l/[a-cx-z]", "/l/y"));
  EXPECT_FALSE(M("/l/[a-cx-z]", "/l/m"));
  // ']' first is a member; '-' first or last is a member.
  EXPECT_TRUE(M("/l/[]a]", "/l/]"));
  EXPECT_TRUE(M("/l/[]a]", "/l/a"));
  EXPECT_TRUE(M("/l/[!]a]", "/l/b"));
  EXPECT_FALSE(M("/l/[!]a]", "/l/]"));
  EXPECT_TRUE(M("/l/[-a]", "/l/-"));
  EXPECT_TRUE(M("/l/[a-]", "/l/-"));
  EXPECT_FALSE(M("/l/[a-]", "/l/b"));
  // Wildcards inside a class are plain characters.
  EXPECT_TRUE(M("/l/[*?]", "/l/*"));
  EXPECT_TRUE(M("/l/[*?]", "/l/?"));
  EXPECT_FALSE(M("/l/[*?]", "/l/x"));
  // A literal '[' by way of a class.
  EXPECT_TRUE(M("/l/[[]1].log", "/l/[1].log"));
  // A class matches one character, UTF-8 included.
  EXPECT_TRUE(M("/l/[äöü].txt", "/l/ö.txt"));
  EXPECT_TRUE(M("/l/[а-я]", "/l/ж"));
  EXPECT_FALSE(M("/l/[а-я]", "/l/z"));
  EXPECT_TRUE(M("/l/[!ä]", "/l/a"));
  EXPECT_FALSE(M("/l/[!ä]", "/l/ä"));
  // Classes combine with stars.
  EXPECT_TRUE(M("/l/*[0-9]", "/l/app.log.3"));
  EXPECT_FALSE(M("/l/*[0-9]", "/l/app.log"));
}

TEST(GlobTest, HiddenFilesAreNotSpecial) {
  EXPECT_TRUE(M("/l/*", "/l/.hidden"));
  EXPECT_TRUE(M("/l/*.log", "/l/.app.log"));
  EXPECT_TRUE(M("/l/?app", "/l/.app"));
  EXPECT_TRUE(M("/l/[.]app", "/l/.app"));
  EXPECT_TRUE(M("/l/**/x.log", "/l/.cache/x.log"));
  EXPECT_TRUE(M("/l/*/x.log", "/l/.cache/x.log"));
  EXPECT_TRUE(M("*.log", "/l/.app.log"));
}

TEST(GlobTest, DoubleStarInTheMiddle) {
  Glob g = MustCompile("/var/log/**/app.log");
  EXPECT_TRUE(g.recursive());
  EXPECT_FALSE(g.literal());
  EXPECT_EQ(g.base_dir(), "/var/log");
  EXPECT_TRUE(g.Matches("/var/log/app.log"));  // zero directories
  EXPECT_TRUE(g.Matches("/var/log/a/app.log"));
  EXPECT_TRUE(g.Matches("/var/log/a/b/c/d/app.log"));
  EXPECT_FALSE(g.Matches("/var/log/a/b/other.log"));
  EXPECT_FALSE(g.Matches("/var/app.log"));
  EXPECT_FALSE(g.Matches("/var/log/app.log/x"));
  EXPECT_FALSE(g.Matches("/var/logs/app.log"));
}

TEST(GlobTest, DoubleStarAtStart) {
  Glob g = MustCompile("/**/x.log");
  EXPECT_EQ(g.base_dir(), "/");
  EXPECT_TRUE(g.recursive());
  EXPECT_TRUE(g.Matches("/x.log"));
  EXPECT_TRUE(g.Matches("/a/x.log"));
  EXPECT_TRUE(g.Matches("/a/b/x.log"));
  EXPECT_FALSE(g.Matches("/a/b/y.log"));
  EXPECT_TRUE(g.CouldMatchBelow("/"));
  EXPECT_TRUE(g.CouldMatchBelow("/anything/at/all"));
}

TEST(GlobTest, DoubleStarAtEndMatchesEverythingBelowButNotTheDirItself) {
  Glob g = MustCompile("/var/log/**");
  EXPECT_TRUE(g.recursive());
  EXPECT_EQ(g.base_dir(), "/var/log");
  EXPECT_TRUE(g.Matches("/var/log/a"));
  EXPECT_TRUE(g.Matches("/var/log/a/b/c"));
  EXPECT_TRUE(g.Matches("/var/log/.hidden/x"));
  EXPECT_FALSE(g.Matches("/var/log"));
  EXPECT_FALSE(g.Matches("/var/log/"));
  EXPECT_FALSE(g.Matches("/var"));
  EXPECT_FALSE(g.Matches("/var/logs/a"));
  EXPECT_TRUE(M("/**", "/a"));
  EXPECT_TRUE(M("/**", "/a/b/c"));
  EXPECT_FALSE(M("/**", "/"));
}

TEST(GlobTest, SeveralDoubleStars) {
  Glob g = MustCompile("/a/**/b/**/c.log");
  EXPECT_TRUE(g.Matches("/a/b/c.log"));
  EXPECT_TRUE(g.Matches("/a/x/b/c.log"));
  EXPECT_TRUE(g.Matches("/a/x/b/y/z/c.log"));
  EXPECT_TRUE(g.Matches("/a/b/b/b/c.log"));
  EXPECT_TRUE(g.Matches("/a/x/b/y/b/c.log"));
  EXPECT_FALSE(g.Matches("/a/x/y/c.log"));
  EXPECT_FALSE(g.Matches("/a/c.log"));
  EXPECT_TRUE(M("/a/**/**/c", "/a/c"));
  EXPECT_TRUE(M("/a/**/**/c", "/a/x/y/c"));
  EXPECT_TRUE(M("/**/*/**/*.log", "/a/b.log"));
  EXPECT_FALSE(M("/**/*/**/*.log", "/b.log"));
  // Many stars and a mismatch: must stay fast (greedy backtracking, not exponential).
  std::string deep = "/a";
  for (int i = 0; i < 200; ++i) deep += "/a";
  EXPECT_FALSE(M("/**/a/**/a/**/a/**/a/**/b", deep));
  EXPECT_TRUE(M("/**/a/**/a/**/a/**/a/**/a", deep));
}

TEST(GlobTest, DoubleStarWithWildcardsAround) {
  EXPECT_TRUE(M("/srv/*/logs/**/*.log", "/srv/app1/logs/x.log"));
  EXPECT_TRUE(M("/srv/*/logs/**/*.log", "/srv/app1/logs/2024/01/x.log"));
  EXPECT_FALSE(M("/srv/*/logs/**/*.log", "/srv/logs/x.log"));
  EXPECT_FALSE(M("/srv/*/logs/**/*.log", "/srv/app1/logs/2024/x.txt"));
  EXPECT_EQ(MustCompile("/srv/*/logs/**/*.log").base_dir(), "/srv");
}

TEST(GlobTest, NameOnlyPatterns) {
  Glob g = MustCompile("*.gz");
  EXPECT_TRUE(g.name_only());
  EXPECT_FALSE(g.literal());
  EXPECT_FALSE(g.recursive());
  EXPECT_EQ(g.base_dir(), "");
  EXPECT_TRUE(g.Matches("/var/log/app.log.gz"));
  EXPECT_TRUE(g.Matches("/a/b/c/d.gz"));
  EXPECT_TRUE(g.Matches("x.gz"));
  EXPECT_FALSE(g.Matches("/var/log/app.log"));
  EXPECT_FALSE(g.Matches("/var/x.gz/app.log"));  // only the last component counts
  EXPECT_TRUE(g.CouldMatchBelow("/anywhere"));

  Glob lit = MustCompile("debug.log");
  EXPECT_TRUE(lit.name_only());
  EXPECT_FALSE(lit.literal());  // names a file in any directory, not one file
  EXPECT_TRUE(lit.Matches("/a/debug.log"));
  EXPECT_FALSE(lit.Matches("/a/debug.log.1"));
  EXPECT_FALSE(lit.Matches("/a/xdebug.log"));

  EXPECT_TRUE(M("app.[0-9]", "/l/app.3"));
  EXPECT_TRUE(M("**", "/l/anything"));
  EXPECT_TRUE(M("*", "/l/.x"));
  EXPECT_FALSE(M("*", "/"));
}

TEST(GlobTest, RepeatedSlashesCountAsOne) {
  Glob g = MustCompile("/var//log/*.log");
  EXPECT_EQ(g.base_dir(), "/var/log");
  EXPECT_TRUE(g.Matches("/var/log/a.log"));
  EXPECT_TRUE(g.Matches("/var//log//a.log"));
}

TEST(GlobTest, BaseDir) {
  EXPECT_EQ(MustCompile("/var/log/*/x.log").base_dir(), "/var/log");
  EXPECT_EQ(MustCompile("/var/log/app/*.log").base_dir(), "/var/log/app");
  EXPECT_EQ(MustCompile("/*.log").base_dir(), "/");
  EXPECT_EQ(MustCompile("/x.log").base_dir(), "/");
  EXPECT_EQ(MustCompile("/*/log/x.log").base_dir(), "/");
  EXPECT_EQ(MustCompile("/var/l?g/x.log").base_dir(), "/var");
  EXPECT_EQ(MustCompile("/var/l[o]g/x.log").base_dir(), "/var");
  EXPECT_EQ(MustCompile("/a/b/c/d.log").base_dir(), "/a/b/c");
}

TEST(GlobTest, CouldMatchBelowPrunesTheWalk) {
  Glob g = MustCompile("/var/log/*/app.log");
  EXPECT_TRUE(g.CouldMatchBelow("/"));
  EXPECT_TRUE(g.CouldMatchBelow("/var"));
  EXPECT_TRUE(g.CouldMatchBelow("/var/log"));
  EXPECT_TRUE(g.CouldMatchBelow("/var/log/nginx"));
  EXPECT_FALSE(g.CouldMatchBelow("/var/log/nginx/old"));  // too deep
  EXPECT_FALSE(g.CouldMatchBelow("/etc"));
  EXPECT_FALSE(g.CouldMatchBelow("/var/lib"));
  EXPECT_FALSE(g.CouldMatchBelow("relative"));
  EXPECT_TRUE(g.CouldMatchBelow("/var/log/"));  // a trailing '/' is harmless

  Glob r = MustCompile("/var/log/**/app.log");
  EXPECT_TRUE(r.CouldMatchBelow("/var/log"));
  EXPECT_TRUE(r.CouldMatchBelow("/var/log/a/b/c/d"));
  EXPECT_FALSE(r.CouldMatchBelow("/var/lib"));
  EXPECT_FALSE(r.CouldMatchBelow("/var/logs"));

  Glob t = MustCompile("/var/log/**");
  EXPECT_TRUE(t.CouldMatchBelow("/var/log"));
  EXPECT_TRUE(t.CouldMatchBelow("/var/log/x/y"));
  EXPECT_FALSE(t.CouldMatchBelow("/var/lib"));

  Glob lit = MustCompile("/a/b/c.log");
  EXPECT_TRUE(lit.CouldMatchBelow("/a/b"));
  EXPECT_FALSE(lit.CouldMatchBelow("/a/b/c.log"));  // a file cannot be below itself
  EXPECT_FALSE(lit.CouldMatchBelow("/a/c"));

  EXPECT_TRUE(Below("/srv/*/logs/**/*.log", "/srv/app1/logs/2024"));
  EXPECT_TRUE(Below("/srv/*/logs/**/*.log", "/srv/app1"));
  EXPECT_FALSE(Below("/srv/*/logs/**/*.log", "/srv/app1/data"));
  EXPECT_TRUE(Below("/a/**/b/*.log", "/a/x/y/b"));
  EXPECT_TRUE(Below("/a/[0-9]/*.log", "/a/5"));
  EXPECT_FALSE(Below("/a/[0-9]/*.log", "/a/x"));
}

// Every directory holding a match must pass CouldMatchBelow, or the walk would miss the file.
TEST(GlobTest, CouldMatchBelowIsTrueForEveryAncestorOfAMatch) {
  const char* patterns[] = {"/var/log/*/app.log", "/var/log/**/app.log", "/**/x", "/a/**",
                            "/a/*/b/**/c*",       "/[ab]/**/?"};
  const char* paths[] = {"/var/log/n/app.log",
                         "/var/log/app.log",
                         "/var/log/a/b/app.log",
                         "/x",
                         "/q/r/x",
                         "/a/b",
                         "/a/z/b/c1",
                         "/a/z/b/q/r/cc",
                         "/b/c/d/e"};
  for (const char* p : patterns) {
    Glob g = MustCompile(p);
    for (const char* path : paths) {
      if (!g.Matches(path)) continue;
      std::string dir(path);
      while (true) {
        dir = dir.substr(0, dir.rfind('/'));
        std::string d = dir.empty() ? "/" : dir;
        EXPECT_TRUE(g.CouldMatchBelow(d)) << p << " must walk into " << d << " for " << path;
        if (dir.empty()) break;
      }
    }
  }
}

TEST(GlobTest, InvalidPatterns) {
  struct Case {
    const char* pattern;
    const char* why;
  };
  const Case cases[] = {
      {"", "empty"},
      {"var/log/*.log", "absolute"},
      {"./x.log", "absolute"},
      {"/var/log/", "end in '/'"},
      {"/", "end in '/'"},
      {"/var/log/[abc", "unterminated"},
      {"/var/log/[", "unterminated"},
      {"/var/log/[]", "unterminated"},
      {"/var/log/[!]", "unterminated"},
      {"[abc", "unterminated"},
      {"/var/log/[z-a]", "reversed range"},
      {"/var/log/**.log", "whole path component"},
      {"/var/log/a**", "whole path component"},
      {"/var/***/x", "whole path component"},
      {"**.gz", "whole path component"},
  };
  for (const Case& c : cases) {
    Result<Glob> g = Glob::Compile(c.pattern);
    ASSERT_FALSE(g.ok()) << "'" << c.pattern << "' should be rejected";
    EXPECT_EQ(g.status().code(), Status::Code::kInvalidArgument);
    std::string msg(g.status().message());
    EXPECT_NE(msg.find(c.why), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::string("glob '") + c.pattern + "'"), std::string::npos) << msg;
  }
}

TEST(GlobTest, ValidOddPatterns) {
  EXPECT_TRUE(Glob::Compile("/var/log/a]b").ok());  // a lone ']' is an ordinary character
  EXPECT_TRUE(M("/var/log/a]b", "/var/log/a]b"));
  EXPECT_TRUE(Glob::Compile("/var/log/!x").ok());
  EXPECT_TRUE(M("/l/a-b", "/l/a-b"));
  EXPECT_TRUE(M("/l/a b.log", "/l/a b.log"));
  EXPECT_TRUE(M("/l/*", "/l/with space"));
}

TEST(GlobTest, GlobAlwaysExcluded) {
  auto excluded = [](std::string_view inc, std::string_view exc) {
    return GlobAlwaysExcluded(MustCompile(inc), MustCompile(exc));
  };
  // Identical patterns.
  EXPECT_TRUE(excluded("/var/log/*.log", "/var/log/*.log"));
  // Literal includes are decided exactly.
  EXPECT_TRUE(excluded("/var/log/app.gz", "*.gz"));
  EXPECT_FALSE(excluded("/var/log/app.log", "*.gz"));
  EXPECT_TRUE(excluded("/var/log/app.log", "/var/log/*"));
  EXPECT_TRUE(excluded("/var/log/app.log", "/var/**"));
  EXPECT_FALSE(excluded("/var/log/app.log", "/var/log/*/app.log"));
  // Name patterns: the same name pattern, or a name every match must have.
  EXPECT_TRUE(excluded("/var/log/*.gz", "*.gz"));
  EXPECT_TRUE(excluded("/var/**/*.gz", "*.gz"));
  EXPECT_TRUE(excluded("/var/*/x.log", "x.log"));
  EXPECT_TRUE(excluded("/var/*/x.log", "*.log"));
  EXPECT_TRUE(excluded("/var/log/*", "*"));
  EXPECT_FALSE(excluded("/var/log/*", "*.gz"));
  EXPECT_FALSE(excluded("/var/log/*.log", "*.gz"));
  // A literal directory excluded as a whole.
  EXPECT_TRUE(excluded("/var/log/app/*.log", "/var/log/**"));
  EXPECT_TRUE(excluded("/var/log/*.log", "/var/log/**"));
  EXPECT_TRUE(excluded("/var/log/**/x", "/var/log/**"));
  EXPECT_FALSE(excluded("/var/*.log", "/var/log/**"));
  EXPECT_FALSE(excluded("/var/*/x.log", "/var/log/**"));
  EXPECT_FALSE(excluded("/var/logs/*.log", "/var/log/**"));
  // Conservative otherwise.
  EXPECT_FALSE(excluded("/var/log/*.log", "/var/log/a*.log"));
  EXPECT_FALSE(excluded("/var/log/*.log", "/var/*/*.log"));  // true, but not provable cheaply
}

}  // namespace
}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "parsers/regex/fast_matcher.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <random>
#include <string>
#include <vector>

#include "parsers/regex/regex_stage.h"
#include "tests/testing/stage_harness.h"

namespace logship {
namespace {

using Outcome = FastMatcher::Outcome;

// RE2's answer in FastMatcher's terms: match or not, and every group's span.
struct Answer {
  bool matched = false;
  std::vector<std::string_view> groups;
};

Answer Re2Answer(const RE2& re, std::string_view text) {
  int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> pieces(n);
  Answer a;
  a.matched = re.Match(re2::StringPiece(text.data(), text.size()), 0, text.size(), RE2::UNANCHORED,
                       pieces.data(), n);
  for (const re2::StringPiece& p : pieces) {
    a.groups.push_back(p.data() == nullptr ? std::string_view()
                                           : std::string_view(p.data(), p.size()));
  }
  return a;
}

// "" when the answers agree (same spans, not just the same text), else what differs.
std::string Compare(const Answer& re2, Outcome outcome, const std::vector<std::string_view>& fast) {
  if (re2.matched != (outcome == Outcome::kMatch)) {
    return re2.matched ? "RE2 matched, fast did not" : "fast matched, RE2 did not";
  }
  if (!re2.matched) return "";
  for (size_t g = 0; g < fast.size(); ++g) {
    const std::string_view& a = re2.groups[g];
    const std::string_view& b = fast[g];
    if ((a.data() == nullptr) != (b.data() == nullptr) ||
        (a.data() != nullptr && (a.data() != b.data() || a.size() != b.size()))) {
      return "group " + std::to_string(g) + ": RE2 '" + (a.data() ? std::string(a) : "<unset>") +
             "', fast '" + (b.data() ? std::string(b) : "<unset>") + "'";
    }
  }
  return "";
}

// A random regex over a small alphabet, from the subset and around it.
class RegexGenerator {
 public:
  explicit RegexGenerator(uint32_t seed) : rng_(seed) {}

  std::string Pattern() {
    std::string p = Alternation(0);
    if (R(2) == 0) p = "^" + p;
    if (R(2) == 0) p += "$";
    return p;
  }

  std::string Text() {
    static constexpr char kAlphabet[] = "ab\" \\x1\n]{-\xe9";
    std::string t;
    int len = R(R(4) == 0 ? 60 : 14);
    for (int i = 0; i < len; ++i) t += kAlphabet[R(sizeof(kAlphabet) - 1)];
    return t;
  }

 private:
  int R(int n) { return static_cast<int>(rng_() % static_cast<uint32_t>(n)); }

  std::string Quantifier() {
    static const char* kQuantifiers[] = {"*", "+", "?", "*?", "{1,2}", "+?", "{2}", "??"};
    return R(2) == 0 ? kQuantifiers[R(8)] : "";
  }

  std::string Sequence(int depth) {
    static const char* kAtoms[] = {
        "a",   "b",      "\"",    "\\\\", " ",     "[ab]",  "[^a]",   "[^\"\\\\]", ".",
        "\\s", "\\S",    "\\d",   "x",    "[a-c]", "\\\\.", "[^ \"]", "[]a]",      "\\xe9",
        "{",   "[\\d-]", "\\x41", "\\]",  "\\A",   "\\z",   "(?s:.)", "\\b",       "[[:alpha:]]"};
    std::string s;
    int n = R(4) + 1;
    for (int i = 0; i < n; ++i) {
      int c = R(10);
      if (c < 6 || depth > 2) {
        s += std::string(kAtoms[R(sizeof(kAtoms) / sizeof(kAtoms[0]))]) + Quantifier();
      } else if (c < 8) {
        s += (R(2) == 0 ? "(?P<g" + std::to_string(next_name_++) + ">" : std::string("(")) +
             Alternation(depth + 1) + ")";
        if (R(3) == 0) s += "?";
      } else {
        s += "(?:" + Alternation(depth + 1) + ")";
        static const char* kGroupQuantifiers[] = {"*", "+", "?", "", "*?"};
        s += kGroupQuantifiers[R(5)];
      }
    }
    return s;
  }

  std::string Alternation(int depth) {
    std::string s = Sequence(depth);
    while (R(3) == 0) s += "|" + Sequence(depth);
    return s;
  }

  std::mt19937 rng_;
  int next_name_ = 0;
};

TEST(FastMatcherTest, AgreesWithRe2OnRandomPatternsAndTexts) {
  RegexGenerator gen(20261124);
  int compared = 0, fast_patterns = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string pattern = gen.Pattern();
    bool latin1 = i % 2 == 0;
    RE2::Options options;
    options.set_log_errors(false);
    if (latin1) options.set_encoding(RE2::Options::EncodingLatin1);
    RE2 re(pattern, options);
    if (!re.ok()) continue;
    std::unique_ptr<FastMatcher> fast = FastMatcher::Compile(pattern, latin1);
    if (fast == nullptr) continue;
    ++fast_patterns;
    ASSERT_EQ(fast->group_count(), re.NumberOfCapturingGroups()) << pattern;
    std::vector<std::string_view> groups(fast->group_count() + 1);
    for (int t = 0; t < 20; ++t) {
      std::string text = gen.Text();
      Outcome outcome = fast->Match(text, groups.data(), static_cast<int>(groups.size()));
      if (outcome == Outcome::kGiveUp) continue;
      ++compared;
      ASSERT_EQ(Compare(Re2Answer(re, text), outcome, groups), "")
          << "pattern " << pattern << (latin1 ? " (Latin-1)" : " (UTF-8)") << ", text '" << text
          << "'";
    }
  }
  // The generator must keep exercising the matcher, not just RE2.
  EXPECT_GT(fast_patterns, 1000);
  EXPECT_GT(compared, 15000);
}

TEST(FastMatcherTest, EveryShippedPatternHasTheFastPath) {
  testing::StageHarness h;
  Result<ConfigNode> node = ConfigNode::Parse(
      "patterns: [nginx_combined, apache_common, apache_combined, syslog_rfc3164, "
      "syslog_rfc5424]\n",
      "stage.yaml");
  ASSERT_TRUE(node.ok());
  Result<RegexStageOptions> options = ParseRegexStageOptions(*node, h.context());
  ASSERT_TRUE(options.ok()) << h.ErrorText();
  for (const RegexPattern& p : options->patterns) {
    EXPECT_NE(FastMatcher::Compile(p.regex, /*latin1=*/true), nullptr) << p.name;
  }
}

TEST(FastMatcherTest, LeavesEverythingOutsideTheSubsetToRe2) {
  for (const char* pattern : {
           "(?i)abc",       // flags other than a leading (?s)
           "\\bword\\b",    // word boundaries
           "(?P<a>x)*",     // a repeated capturing group
           "(?:ab)*?c",     // a lazy loop
           "(?:a|ab)*c",    // a loop whose iterations could split two ways
           "(?:a+)*b",      // the same, nested repetition
           "[[:alpha:]]+",  // POSIX classes
           "\\pL",          // Unicode classes
           "(?U)a+",        // ungreedy mode
           "a{2}{3}",       // stacked repetition
           "(?:a*)+b",      // a loop that can match empty
       }) {
    EXPECT_EQ(FastMatcher::Compile(pattern, true), nullptr) << pattern;
  }
  EXPECT_EQ(FastMatcher::Compile("caf\xC3\xA9", false), nullptr);  // non-ASCII under UTF-8
  EXPECT_NE(FastMatcher::Compile("caf\xE9", true), nullptr);       // fine as Latin-1
  std::string deep;
  for (int i = 0; i < 150; ++i) deep += "(?:";
  deep += "a";
  for (int i = 0; i < 150; ++i) deep += ")";
  EXPECT_EQ(FastMatcher::Compile(deep, true), nullptr);
  std::string many;
  for (int i = 0; i < 70; ++i) many += "(?P<g" + std::to_string(i) + ">a)";
  EXPECT_EQ(FastMatcher::Compile(many, true), nullptr);
}

TEST(FastMatcherTest, GivesUpWhereBacktrackingWouldExplode) {
  std::unique_ptr<FastMatcher> m = FastMatcher::Compile("^a*a*a*a*a*a*a*a*a*b", true);
  ASSERT_NE(m, nullptr);
  std::string text(5000, 'a');
  std::string_view g[1];
  EXPECT_EQ(m->Match(text, g, 1), Outcome::kGiveUp);
  text += "b";
  EXPECT_EQ(m->Match(text, g, 1), Outcome::kMatch);
}

TEST(FastMatcherTest, NonAsciiTextUnderUtf8GoesToRe2) {
  std::unique_ptr<FastMatcher> utf8 = FastMatcher::Compile("^(?P<a>.)", false);
  std::unique_ptr<FastMatcher> latin1 = FastMatcher::Compile("^(?P<a>.)", true);
  ASSERT_NE(utf8, nullptr);
  ASSERT_NE(latin1, nullptr);
  std::string_view g[2];
  EXPECT_EQ(utf8->Match("\xC3\xA9", g, 2), Outcome::kGiveUp);
  EXPECT_EQ(utf8->Match("ab", g, 2), Outcome::kMatch);
  EXPECT_EQ(g[1], "a");
  EXPECT_EQ(latin1->Match("\xC3\xA9", g, 2), Outcome::kMatch);
  EXPECT_EQ(g[1], "\xC3");  // one byte: Latin-1 semantics
}

TEST(FastMatcherTest, LoopsOverEscapedStrings) {
  std::unique_ptr<FastMatcher> m =
      FastMatcher::Compile(R"re(^"(?P<s>(?:[^"\\]|\\.)*)" (?P<n>\d+)$)re", true);
  ASSERT_NE(m, nullptr);
  std::string_view g[3];
  EXPECT_EQ(m->Match(R"("a \"b\" \\" 12)", g, 3), Outcome::kMatch);
  EXPECT_EQ(g[1], R"(a \"b\" \\)");
  EXPECT_EQ(g[2], "12");
  EXPECT_EQ(m->Match(R"("a \" 12)", g, 3), Outcome::kNoMatch);
  // A megabyte of escapes runs in a loop, not in recursion.
  std::string big = "\"";
  for (int i = 0; i < (1 << 19); ++i) big += "\\\"";
  big += "\" 1";
  EXPECT_EQ(m->Match(big, g, 3), Outcome::kMatch);
  EXPECT_EQ(g[1].size(), size_t{1} << 20);
}

}  // namespace
}  // namespace logship

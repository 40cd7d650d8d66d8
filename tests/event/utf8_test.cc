// SPDX-License-Identifier: Apache-2.0
#include "src/event/utf8.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace logship {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Escapes `in` from an exactly sized heap copy into an exactly sized heap buffer, so ASan sees any
// read past the input or write past MaxEscapedSize.
std::string Escape(std::string_view in) {
  std::unique_ptr<char[]> src(new char[in.size() + 1]);
  if (!in.empty()) std::memcpy(src.get(), in.data(), in.size());
  size_t cap = MaxEscapedSize(in.size());
  std::unique_ptr<char[]> dst(new char[cap + 1]);
  char* end = EscapeJsonString(std::string_view(src.get(), in.size()), dst.get());
  size_t n = static_cast<size_t>(end - dst.get());
  EXPECT_LE(n, cap) << "escaper wrote past MaxEscapedSize";
  return std::string(dst.get(), n);
}

// Parses `"<escaped>"` as a JSON document; fails the test when it is not a JSON string.
testing::AssertionResult DecodeJsonString(const std::string& escaped, std::string* decoded) {
  static simdjson::dom::parser parser;
  std::string doc = "\"" + escaped + "\"";
  simdjson::dom::element e;
  auto err = parser.parse(doc).get(e);
  if (err) return testing::AssertionFailure() << "not JSON: " << simdjson::error_message(err);
  std::string_view sv;
  if (e.get_string().get(sv)) return testing::AssertionFailure() << "not a JSON string";
  *decoded = std::string(sv);
  return testing::AssertionSuccess();
}

// Reference decoder, written from Unicode Table 3-7 (well-formed byte sequences): what the JSON
// string must decode to. Each maximal subpart of an ill-formed sequence becomes one U+FFFD (Unicode
// §3.9, "U+FFFD Substitution of Maximal Subparts").
std::string ExpectedDecoded(std::string_view in, int* replacements = nullptr) {
  struct Row {
    uint8_t lead_lo, lead_hi, b2_lo, b2_hi;
    int len;
  };
  static const Row kRows[] = {
      {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3}, {0xE1, 0xEC, 0x80, 0xBF, 3},
      {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3}, {0xF0, 0xF0, 0x90, 0xBF, 4},
      {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
  };
  std::string out;
  int count = 0;
  size_t i = 0;
  while (i < in.size()) {
    uint8_t c = static_cast<uint8_t>(in[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    const Row* row = nullptr;
    for (const Row& r : kRows) {
      if (c >= r.lead_lo && c <= r.lead_hi) row = &r;
    }
    size_t good = 1;  // bytes of a well-formed prefix seen so far
    if (row != nullptr) {
      while (good < static_cast<size_t>(row->len) && i + good < in.size()) {
        uint8_t b = static_cast<uint8_t>(in[i + good]);
        uint8_t lo = good == 1 ? row->b2_lo : 0x80;
        uint8_t hi = good == 1 ? row->b2_hi : 0xBF;
        if (b < lo || b > hi) break;
        ++good;
      }
      if (good == static_cast<size_t>(row->len)) {
        out.append(in.substr(i, good));
        i += good;
        continue;
      }
    }
    out += kReplacement;
    ++count;
    i += good;
  }
  if (replacements != nullptr) *replacements = count;
  return out;
}

int CountReplacements(std::string_view s) {
  int n = 0;
  for (size_t pos = s.find(kReplacement); pos != std::string_view::npos;
       pos = s.find(kReplacement, pos + 3)) {
    ++n;
  }
  return n;
}

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) return true;
  }
  return false;
}

// The exact escape JSON writers are expected to produce for one ASCII byte.
std::string ExpectedAsciiEscape(unsigned char c) {
  switch (c) {
    case '"':
      return "\\\"";
    case '\\':
      return "\\\\";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
  }
  if (c < 0x20) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), "\\u%04x", c);
    return buf;
  }
  return std::string(1, static_cast<char>(c));
}

// Checks every property an escaped string must have, with `context` in failure messages.
void CheckEscape(std::string_view in, const std::string& context) {
  std::string escaped = Escape(in);
  EXPECT_TRUE(IsValidUtf8(escaped)) << context;
  std::string decoded;
  ASSERT_TRUE(DecodeJsonString(escaped, &decoded)) << context;
  EXPECT_EQ(decoded, ExpectedDecoded(in)) << context;
}

TEST(EscapeJsonStringTest, EmptyInputWritesNothing) {
  char buf[1] = {'x'};
  EXPECT_EQ(EscapeJsonString("", buf), buf);
  EXPECT_EQ(buf[0], 'x');
}

TEST(EscapeJsonStringTest, EveryAsciiByteAloneHasItsExactEscape) {
  for (int b = 0; b < 0x80; ++b) {
    std::string in(1, static_cast<char>(b));
    std::string escaped = Escape(in);
    EXPECT_EQ(escaped, ExpectedAsciiEscape(static_cast<unsigned char>(b))) << "byte " << b;
    std::string decoded;
    ASSERT_TRUE(DecodeJsonString(escaped, &decoded)) << "byte " << b;
    EXPECT_EQ(decoded, in) << "byte " << b;
  }
}

TEST(EscapeJsonStringTest, EveryHighByteAloneBecomesOneReplacement) {
  for (int b = 0x80; b < 0x100; ++b) {
    std::string in(1, static_cast<char>(b));
    std::string escaped = Escape(in);
    EXPECT_EQ(escaped, kReplacement) << "byte " << b;
    std::string decoded;
    ASSERT_TRUE(DecodeJsonString(escaped, &decoded)) << "byte " << b;
    EXPECT_EQ(decoded, kReplacement) << "byte " << b;
  }
}

// Each byte value inside ASCII text at every position around the 16-byte SIMD block edges, in
// strings whose lengths straddle one and two blocks.
TEST(EscapeJsonStringTest, EveryByteEmbeddedAroundSimdBoundaries) {
  const std::string text = "The quick brown fox jumps over the lazy dog 0123456789!";
  for (size_t len : {1u, 15u, 16u, 17u, 31u, 32u, 33u, 48u}) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (int b = 0; b < 0x100; ++b) {
        std::string in = text.substr(0, len);
        in[pos] = static_cast<char>(b);
        std::string escaped = Escape(in);
        std::string context = "len " + std::to_string(len) + " pos " + std::to_string(pos) +
                              " byte " + std::to_string(b);
        std::string expected_escaped =
            text.substr(0, pos) +
            (b < 0x80 ? ExpectedAsciiEscape(static_cast<unsigned char>(b)) : kReplacement) +
            text.substr(pos + 1, len - pos - 1);
        ASSERT_EQ(escaped, expected_escaped) << context;
        std::string decoded;
        ASSERT_TRUE(DecodeJsonString(escaped, &decoded)) << context;
        std::string expected = in;
        if (b >= 0x80)
          expected = text.substr(0, pos) + kReplacement + text.substr(pos + 1, len - pos - 1);
        ASSERT_EQ(decoded, expected) << context;
      }
    }
  }
}

TEST(EscapeJsonStringTest, QuotesBackslashesAndControlsInLongText) {
  std::string in = "path=\"C:\\logs\\app.log\"\tlevel=warn\r\nnext\x01\x1f\x7f/end";
  EXPECT_EQ(Escape(in),
            "path=\\\"C:\\\\logs\\\\app.log\\\"\\tlevel=warn\\r\\nnext\\u0001\\u001f\x7f/end");
  CheckEscape(in, "mixed");
}

struct InvalidCase {
  const char* name;
  std::string in;
  std::string expected;  // decoded
  int replacements;
};

std::string R(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += kReplacement;
  return s;
}

TEST(EscapeJsonStringTest, InvalidSequencesFollowMaximalSubpartRule) {
  const std::vector<InvalidCase> cases = {
      {"overlong 2-byte C0 80", "\xC0\x80", R(2), 2},
      {"overlong 2-byte C1 BF", "\xC1\xBF", R(2), 2},
      {"overlong 3-byte E0 80 80", "\xE0\x80\x80", R(3), 3},
      {"overlong 3-byte E0 9F BF", "\xE0\x9F\xBF", R(3), 3},
      {"overlong 4-byte F0 80 80 80", "\xF0\x80\x80\x80", R(4), 4},
      {"overlong 4-byte F0 8F BF BF", "\xF0\x8F\xBF\xBF", R(4), 4},
      {"surrogate ED A0 80", "\xED\xA0\x80", R(3), 3},
      {"surrogate ED BF BF", "\xED\xBF\xBF", R(3), 3},
      {"surrogate pair", "\xED\xA0\xBD\xED\xB8\x80", R(6), 6},
      {"past U+10FFFF F4 90 80 80", "\xF4\x90\x80\x80", R(4), 4},
      {"F5 lead", "\xF5\x80\x80\x80", R(4), 4},
      {"5-byte form F8", "\xF8\x88\x80\x80\x80", R(5), 5},
      {"FE FF", "\xFE\xFF", R(2), 2},
      {"truncated 2-byte at end", "ab\xC3", "ab" + R(1), 1},
      {"truncated 3-byte (1 of 3) at end", "ab\xE2", "ab" + R(1), 1},
      {"truncated 3-byte (2 of 3) at end", "ab\xE2\x82", "ab" + R(1), 1},
      {"truncated 4-byte (2 of 4) at end", "\xF0\x9F", R(1), 1},
      {"truncated 4-byte (3 of 4) at end", "\xF0\x9F\x98", R(1), 1},
      {"truncated 4-byte (3 of 4) then ASCII",
       "\xF0\x9F\x98"
       "A",
       R(1) + "A", 1},
      {"truncated 3-byte then quote", "\xE2\x82\"", R(1) + "\"", 1},
      {"truncated then valid", "\xE2\x82\xC3\xA9", R(1) + "\xC3\xA9", 1},
      {"stray continuation", "\x80", R(1), 1},
      {"three stray continuations", "a\x80\xBF\x80z", "a" + R(3) + "z", 3},
      {"continuation after complete char", "\xC3\xA9\x80", "\xC3\xA9" + R(1), 1},
      {"extra continuation after 4-byte", "\xF0\x9F\x98\x80\x80", "\xF0\x9F\x98\x80" + R(1), 1},
      // Unicode 15, Table 3-8.
      {"unicode table 3-8", "\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64",
       "a" + R(3) + "b" + R(1) + "c" + R(2) + "d", 6},
      {"lead followed by lead", "\xC3\xC3\xA9", R(1) + "\xC3\xA9", 1},
  };
  for (const InvalidCase& c : cases) {
    int model_count = 0;
    ASSERT_EQ(ExpectedDecoded(c.in, &model_count), c.expected) << c.name << " (test model)";
    ASSERT_EQ(model_count, c.replacements) << c.name << " (test model)";
    std::string escaped = Escape(c.in);
    EXPECT_TRUE(IsValidUtf8(escaped)) << c.name;
    EXPECT_EQ(CountReplacements(escaped), c.replacements) << c.name;
    std::string decoded;
    ASSERT_TRUE(DecodeJsonString(escaped, &decoded)) << c.name;
    EXPECT_EQ(decoded, c.expected) << c.name;
    // Same case in the middle of a long ASCII run, so that the SIMD path hands over to it.
    std::string pad(21, 'x');
    CheckEscape(pad + c.in + pad, std::string(c.name) + " padded");
  }
}

TEST(EscapeJsonStringTest, ValidMultiByteSequencesAreKeptByteExact) {
  const std::vector<std::string> valid = {
      "\xC2\x80",          // U+0080
      "\xC3\xA9",          // é
      "\xDF\xBF",          // U+07FF
      "\xE0\xA0\x80",      // U+0800
      "\xE2\x82\xAC",      // €
      "\xED\x9F\xBF",      // U+D7FF, just below the surrogates
      "\xEE\x80\x80",      // U+E000, just above them
      "\xEF\xBF\xBD",      // U+FFFD itself
      "\xEF\xBF\xBF",      // U+FFFF
      "\xF0\x90\x80\x80",  // U+10000
      "\xF0\x9F\x98\x80",  // 😀
      "\xF4\x8F\xBF\xBF",  // U+10FFFF
  };
  for (const std::string& v : valid) {
    EXPECT_EQ(Escape(v), v);
    for (size_t pad = 0; pad < 20; ++pad) {
      std::string in = std::string(pad, 'a') + v + std::string(20 - pad, 'b');
      std::string escaped = Escape(in);
      EXPECT_EQ(escaped, in) << "pad " << pad;
      std::string decoded;
      ASSERT_TRUE(DecodeJsonString(escaped, &decoded));
      EXPECT_EQ(decoded, in);
    }
  }
  std::string mixed =
      "caf\xC3\xA9 \xE2\x82\xAC"
      "5 \xF0\x9F\x98\x80 \xE6\x97\xA5\xE6\x9C\xAC";
  EXPECT_EQ(Escape(mixed), mixed);
}

TEST(EscapeJsonStringTest, MixedValidInvalidAndEscapes) {
  std::string in = "\xC3\xA9\"\xC0\xAF\\\n\xE2\x82\xAC\xF0\x9F\x98\t\xED\xA0\x80\xF4\x8F\xBF\xBF";
  std::string escaped = Escape(in);
  EXPECT_EQ(escaped, "\xC3\xA9\\\"" + R(2) + "\\\\\\n\xE2\x82\xAC" + R(1) + "\\t" + R(3) +
                         "\xF4\x8F\xBF\xBF");
  CheckEscape(in, "mixed");
}

TEST(EscapeJsonStringTest, WorstCaseFitsMaxEscapedSize) {
  std::string controls(1000, '\x01');
  EXPECT_EQ(Escape(controls).size(), 6 * controls.size());
  EXPECT_LE(6 * controls.size() + 16, MaxEscapedSize(controls.size()));  // room for wide stores
  std::string high(1000, '\xFF');
  EXPECT_EQ(Escape(high).size(), 3 * high.size());
}

// Random byte strings from three generators: uniform bytes, bytes biased to the UTF-8 structure
// bytes, and valid UTF-8 built from random code points.
class RandomInput {
 public:
  explicit RandomInput(uint32_t seed) : rng_(seed) {}

  std::string Next() {
    size_t len = Pick(8) == 0 ? Pick(300) : Pick(40);
    switch (Pick(3)) {
      case 0:
        return Uniform(len);
      case 1:
        return Structured(len);
      default:
        return ValidUtf8(len);
    }
  }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  std::string Uniform(size_t len) {
    std::string s(len, '\0');
    for (char& c : s) c = static_cast<char>(Pick(256));
    return s;
  }
  std::string Structured(size_t len) {
    static const uint8_t kInteresting[] = {0x00, 0x1F, '"',  '\\', 'a',  0x7F, 0x80, 0x8F,
                                           0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                                           0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
    std::string s(len, '\0');
    for (char& c : s) c = static_cast<char>(kInteresting[Pick(sizeof(kInteresting))]);
    return s;
  }
  std::string ValidUtf8(size_t len) {
    std::string s;
    while (s.size() < len) {
      uint32_t cp;
      switch (Pick(4)) {
        case 0:
          cp = static_cast<uint32_t>(Pick(0x80));
          break;
        case 1:
          cp = static_cast<uint32_t>(0x80 + Pick(0x800 - 0x80));
          break;
        case 2:
          cp = static_cast<uint32_t>(0x800 + Pick(0x10000 - 0x800));
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 'x';
          break;
        default:
          cp = static_cast<uint32_t>(0x10000 + Pick(0x110000 - 0x10000));
      }
      AppendCodePoint(cp, &s);
    }
    return s;
  }
  static void AppendCodePoint(uint32_t cp, std::string* s) {
    if (cp < 0x80) {
      s->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  std::mt19937 rng_;
};

TEST(EscapeJsonStringTest, RandomInputsAlwaysGiveValidJsonStrings) {
  RandomInput gen(20261124);
  int valid_inputs_checked = 0;
  for (int iter = 0; iter < 100000; ++iter) {
    std::string in = gen.Next();
    std::string escaped = Escape(in);
    ASSERT_TRUE(IsValidUtf8(escaped)) << "iteration " << iter;
    std::string decoded;
    ASSERT_TRUE(DecodeJsonString(escaped, &decoded)) << "iteration " << iter;
    ASSERT_EQ(decoded, ExpectedDecoded(in)) << "iteration " << iter;
    if (IsValidUtf8(in)) {
      ASSERT_EQ(decoded, in) << "iteration " << iter;
      if (!HasControl(in) && in.find_first_of("\"\\") == std::string::npos) {
        ASSERT_EQ(escaped, in) << "iteration " << iter;
      }
      ++valid_inputs_checked;
    }
  }
  EXPECT_GT(valid_inputs_checked, 20000);  // the generator really exercised the valid path
}

TEST(IsValidUtf8Test, AcceptsAndRejects) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii \x01\x7f"));
  EXPECT_TRUE(IsValidUtf8(std::string_view("nul\0inside", 10)));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_FALSE(IsValidUtf8("\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF0\x80\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));
  EXPECT_FALSE(IsValidUtf8("ok\xE2\x82"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  // A long valid prefix does not hide a late error (the validator works in blocks).
  EXPECT_FALSE(IsValidUtf8(std::string(200, 'a') + "\xC3"));
}

TEST(Utf8CutPointTest, WholeStringWhenMaxReachesTheEnd) {
  EXPECT_EQ(Utf8CutPoint("", 0), 0u);
  EXPECT_EQ(Utf8CutPoint("abc", 3), 3u);
  EXPECT_EQ(Utf8CutPoint("abc", 100), 3u);
  EXPECT_EQ(Utf8CutPoint("a\xC3", 5), 2u);  // nothing past the end to keep together
}

TEST(Utf8CutPointTest, AsciiCutsAtMax) {
  for (size_t max = 0; max <= 10; ++max) EXPECT_EQ(Utf8CutPoint("0123456789", max), max);
}

TEST(Utf8CutPointTest, NeverSplitsAValidCharacter) {
  const std::string e_acute = "\xC3\xA9";
  const std::string euro = "\xE2\x82\xAC";
  const std::string smile = "\xF0\x9F\x98\x80";
  // "a" + char + "z": cuts inside the character move back to its start.
  for (const std::string& ch : {e_acute, euro, smile}) {
    std::string s = "a" + ch + "z";
    EXPECT_EQ(Utf8CutPoint(s, 0), 0u);
    EXPECT_EQ(Utf8CutPoint(s, 1), 1u);
    for (size_t max = 2; max <= ch.size(); ++max) EXPECT_EQ(Utf8CutPoint(s, max), 1u) << max;
    EXPECT_EQ(Utf8CutPoint(s, 1 + ch.size()), 1 + ch.size());
    EXPECT_EQ(Utf8CutPoint(s, 2 + ch.size()), 2 + ch.size());
  }
  // Multi-byte characters back to back.
  std::string s = smile + euro + e_acute + smile;
  std::vector<size_t> starts = {0, 4, 7, 9, 13};
  for (size_t max = 0; max <= s.size(); ++max) {
    size_t want = 0;
    for (size_t st : starts) {
      if (st <= max) want = st;
    }
    EXPECT_EQ(Utf8CutPoint(s, max), want) << "max " << max;
    EXPECT_TRUE(IsValidUtf8(std::string_view(s).substr(0, Utf8CutPoint(s, max))));
  }
}

TEST(Utf8CutPointTest, InvalidInputIsCutNoMoreThanNeeded) {
  // Stray continuation bytes at the cut do not belong to the complete character before them.
  EXPECT_EQ(Utf8CutPoint("a\x80"
                         "b",
                         1),
            1u);
  EXPECT_EQ(Utf8CutPoint("ab\x80\x80", 2), 2u);
  EXPECT_EQ(Utf8CutPoint("ab\x80\x80", 3), 3u);
  EXPECT_EQ(Utf8CutPoint("\xC3\xA9\x80", 2), 2u);
  EXPECT_EQ(Utf8CutPoint("\xE2\x82\xAC\x80\x80", 3), 3u);
  EXPECT_EQ(Utf8CutPoint("\xE2\x82\xAC\x80\x80", 4), 4u);
  // A run of continuation bytes longer than any character: cut at max, never below max - 3.
  std::string run = "a" + std::string(8, '\x80');
  for (size_t max = 1; max < run.size(); ++max) {
    size_t cut = Utf8CutPoint(run, max);
    EXPECT_LE(cut, max);
    EXPECT_GE(cut + 3, max);
    EXPECT_EQ(cut, max) << "max " << max;
  }
  // A cut 4-byte sequence (3 of 4 bytes) followed by more: the lead byte still moves the cut.
  EXPECT_EQ(Utf8CutPoint("x\xF0\x9F\x98"
                         "abc",
                         3),
            1u);
}

TEST(Utf8CutPointTest, RandomPropertyNeverBelowMaxMinusThree) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s(std::uniform_int_distribution<size_t>(0, 24)(rng), '\0');
    for (char& c : s) c = static_cast<char>(std::uniform_int_distribution<int>(0x70, 0xF5)(rng));
    size_t max = std::uniform_int_distribution<size_t>(0, s.size() + 2)(rng);
    size_t cut = Utf8CutPoint(s, max);
    ASSERT_LE(cut, std::min(max, s.size()));
    ASSERT_GE(cut + 3, std::min(max, s.size()));
    if (IsValidUtf8(s)) {
      // For valid input the cut keeps only whole characters on both sides.
      ASSERT_TRUE(IsValidUtf8(std::string_view(s).substr(0, cut))) << iter;
      ASSERT_TRUE(IsValidUtf8(std::string_view(s).substr(cut))) << iter;
      // And it is the last boundary at or before max: only continuation bytes lie between.
      for (size_t k = cut + 1; k <= max && k < s.size(); ++k) {
        ASSERT_EQ(static_cast<unsigned char>(s[k]) & 0xC0, 0x80) << iter << " k " << k;
      }
    }
  }
}

}  // namespace
}  // namespace logship

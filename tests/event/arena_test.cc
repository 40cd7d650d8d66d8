// SPDX-License-Identifier: Apache-2.0
#include "src/event/arena.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace logship {
namespace {

bool PaddingIsZero(const char* end) {
  for (size_t i = 0; i < Arena::kPadding; ++i) {
    if (end[i] != 0) return false;
  }
  return true;
}

TEST(ArenaTest, AllocationsAreDistinctAndKeepTheirBytes) {
  Arena arena(256);
  std::vector<std::string_view> copies;
  for (int i = 0; i < 200; ++i) {
    copies.push_back(
        arena.Copy(std::string(static_cast<size_t>(i % 50), static_cast<char>('a' + i % 26))));
  }
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(copies[static_cast<size_t>(i)],
              std::string(static_cast<size_t>(i % 50), static_cast<char>('a' + i % 26)));
  }
  size_t total = 0;
  for (int i = 0; i < 200; ++i) total += static_cast<size_t>(i % 50);
  EXPECT_EQ(arena.used(), total);
}

TEST(ArenaTest, ZeroSizeAllocationsAndEmptyCopies) {
  Arena arena(64);
  EXPECT_EQ(arena.Copy("").size(), 0u);
  arena.Allocate(0);
  EXPECT_EQ(arena.used(), 0u);
  std::string_view s = arena.Copy("abc");
  arena.Allocate(0);
  EXPECT_EQ(s, "abc");
  EXPECT_EQ(arena.used(), 3u);
}

TEST(ArenaTest, ChunkEndsAreFollowedByZeroedPadding) {
  Arena arena(128);
  char* full = arena.Allocate(128);  // exactly one chunk
  std::memset(full, 'x', 128);
  EXPECT_TRUE(PaddingIsZero(full + 128));
  char* big = arena.Allocate(1000);  // oversized: a chunk of its own
  std::memset(big, 'y', 1000);
  EXPECT_TRUE(PaddingIsZero(big + 1000));
  EXPECT_EQ(std::string_view(full, 128), std::string(128, 'x'));
}

// The promise the padding exists for: any range may be parsed in place by simdjson, which reads
// up to SIMDJSON_PADDING bytes past its end (ASan reports any read past the chunk).
TEST(ArenaTest, RangesParseInPlaceWithSimdjson) {
  Arena arena(100);
  simdjson::dom::parser parser;
  for (int i = 0; i < 50; ++i) {
    std::string doc = "{\"n\":" + std::to_string(i) + ",\"s\":\"" +
                      std::string(static_cast<size_t>(i), 'z') + "\"}";
    std::string_view in = arena.Copy(doc);
    simdjson::dom::element e;
    ASSERT_FALSE(parser.parse(in.data(), in.size(), /*realloc_if_needed=*/false).get(e)) << doc;
    int64_t n = -1;
    ASSERT_FALSE(e["n"].get_int64().get(n));
    EXPECT_EQ(n, i);
  }
}

TEST(ArenaTest, ResetKeepsStandardChunksAndReusesThem) {
  Arena arena(1024);
  std::set<const char*> first_round;
  for (int i = 0; i < 10; ++i) first_round.insert(arena.Allocate(1000));  // one chunk each
  size_t capacity = arena.capacity();
  EXPECT_EQ(capacity, 10 * (1024 + Arena::kPadding));
  arena.Reset();
  EXPECT_EQ(arena.used(), 0u);
  EXPECT_EQ(arena.capacity(), capacity);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(first_round.count(arena.Allocate(1000)), 1u) << "allocation " << i << " not reused";
  }
  EXPECT_EQ(arena.capacity(), capacity);
  EXPECT_EQ(arena.used(), 10000u);
}

TEST(ArenaTest, ResetFreesOversizedChunks) {
  Arena arena(1024);
  arena.Allocate(100);
  arena.Allocate(10000);
  EXPECT_EQ(arena.capacity(), 1024 + Arena::kPadding + 10000 + Arena::kPadding);
  arena.Reset();
  EXPECT_EQ(arena.capacity(), 1024 + Arena::kPadding);
}

// An oversized allocation does not end the chunk in use: later small ones still fit in it.
TEST(ArenaTest, OversizedAllocationDoesNotWasteTheCurrentChunk) {
  Arena arena(1024);
  char* a = arena.Allocate(10);
  arena.Allocate(5000);
  char* b = arena.Allocate(10);
  EXPECT_EQ(b, a + 10);
  EXPECT_EQ(arena.capacity(), 1024 + Arena::kPadding + 5000 + Arena::kPadding);
}

// A batch that sees one huge line per fill must not grow its arena on every recycle.
TEST(ArenaTest, RepeatedOversizedAllocationsDoNotGrowTheArena) {
  Arena arena(1024);
  std::vector<size_t> capacity_after_reset;
  for (int round = 0; round < 20; ++round) {
    arena.Allocate(600);
    arena.Allocate(3000);  // oversized
    arena.Allocate(600);
    arena.Allocate(600);
    arena.Reset();
    capacity_after_reset.push_back(arena.capacity());
  }
  EXPECT_LE(capacity_after_reset.back(), 3 * (1024 + Arena::kPadding));
  EXPECT_EQ(capacity_after_reset.back(), capacity_after_reset[1]);
}

TEST(ArenaTest, RandomAllocationsNeverOverlap) {
  Arena arena(512);
  std::mt19937 rng(11);
  for (int round = 0; round < 5; ++round) {
    std::vector<std::pair<char*, size_t>> ranges;
    for (int i = 0; i < 300; ++i) {
      size_t n = rng() % 8 == 0 ? rng() % 2000 : rng() % 100;
      char* p = arena.Allocate(n);
      std::memset(p, static_cast<int>(i & 0x7F), n);
      ranges.emplace_back(p, n);
    }
    for (size_t i = 0; i < ranges.size(); ++i) {
      auto [p, n] = ranges[i];
      for (size_t k = 0; k < n; ++k) {
        ASSERT_EQ(p[k], static_cast<char>(i & 0x7F)) << "round " << round << " range " << i;
      }
    }
    arena.Reset();
  }
}

}  // namespace
}  // namespace logship

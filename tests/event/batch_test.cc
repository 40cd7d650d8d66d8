// SPDX-License-Identifier: Apache-2.0
#include "src/event/batch.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace logship {
namespace {

std::vector<std::string> Keys(const Batch& b, const Event& e) {
  std::vector<std::string> keys;
  b.ForEachField(e, [&](const Field& f) { keys.emplace_back(f.key); });
  return keys;
}

TEST(BatchTest, NewBatchIsEmpty) {
  Batch b;
  EXPECT_TRUE(b.events().empty());
  EXPECT_TRUE(b.fields().empty());
  EXPECT_TRUE(b.sources().empty());
  EXPECT_EQ(b.payload_bytes(), 0u);
  EXPECT_EQ(b.ack_tracker, nullptr);
  Event& e = b.AddEvent();
  EXPECT_EQ(e.first_field, kNoIndex);
  EXPECT_EQ(e.last_field, kNoIndex);
  EXPECT_EQ(e.source, kNoIndex);
  EXPECT_TRUE(e.has_message);
  EXPECT_FALSE(e.dropped);
  EXPECT_TRUE(Keys(b, e).empty());
  EXPECT_EQ(b.FindField(e, "x"), nullptr);
}

TEST(BatchTest, FieldsChainPerEventInInsertionOrder) {
  Batch b;
  b.AddEvent();
  b.AddEvent();
  Event& e1 = b.events()[0];
  Event& e2 = b.events()[1];
  b.AddField(e1, "a", Value::Int(1));
  b.AddField(e2, "x", Value::Int(10));
  b.AddField(e1, "b", Value::Int(2));
  b.AddField(e2, "y", Value::Int(20));
  b.AddField(e1, "c", Value::Int(3));
  EXPECT_EQ(Keys(b, e1), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Keys(b, e2), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(b.fields().size(), 5u);
  EXPECT_EQ(e1.first_field, 0u);
  EXPECT_EQ(e1.last_field, 4u);
  EXPECT_EQ(b.fields()[e1.last_field].next, kNoIndex);
  std::vector<int64_t> values;
  b.ForEachField(e1, [&](const Field& f) { values.push_back(f.value.i); });
  EXPECT_EQ(values, (std::vector<int64_t>{1, 2, 3}));
}

TEST(BatchTest, FindFieldReturnsLastLiveMatch) {
  Batch b;
  Event& e = b.AddEvent();
  b.AddField(e, "k", Value::String("one"));
  b.AddField(e, "other", Value::Null());
  b.AddField(e, "k", Value::String("two"));
  b.AddField(e, "k", Value::String("three"));
  ASSERT_NE(b.FindField(e, "k"), nullptr);
  EXPECT_EQ(b.FindField(e, "k")->value.s, "three");
  b.fields()[e.last_field].removed = true;
  EXPECT_EQ(b.FindField(e, "k")->value.s, "two");
  EXPECT_EQ(Keys(b, e), (std::vector<std::string>{"k", "other", "k"}));
  b.FindField(e, "k")->removed = true;
  EXPECT_EQ(b.FindField(e, "k")->value.s, "one");
  b.FindField(e, "k")->removed = true;
  EXPECT_EQ(b.FindField(e, "k"), nullptr);
  EXPECT_EQ(Keys(b, e), (std::vector<std::string>{"other"}));
  EXPECT_EQ(b.FindField(e, "missing"), nullptr);
  EXPECT_EQ(b.FindField(e, "K"), nullptr);  // exact, case-sensitive match
}

TEST(BatchTest, FindFieldIsMutableAndConstAgrees) {
  Batch b;
  Event& e = b.AddEvent();
  b.AddField(e, "n", Value::Int(1));
  Field* f = b.FindField(e, "n");
  ASSERT_NE(f, nullptr);
  f->value = Value::Int(42);
  const Batch& cb = b;
  const Field* cf = cb.FindField(e, "n");
  EXPECT_EQ(cf, f);
  EXPECT_EQ(cf->value.i, 42);
}

TEST(BatchTest, FieldsOfOtherEventsAreNeverFound) {
  Batch b;
  b.AddEvent();
  b.AddEvent();
  b.AddField(b.events()[0], "only.first", Value::Bool(true));
  EXPECT_NE(b.FindField(b.events()[0], "only.first"), nullptr);
  EXPECT_EQ(b.FindField(b.events()[1], "only.first"), nullptr);
}

TEST(BatchTest, ClearEmptiesEverythingAndKeepsArenaCapacity) {
  Batch b;
  b.host_name = "h";
  b.sequence = 9;
  b.ack_tracker = reinterpret_cast<AckTracker*>(&b);  // never dereferenced
  b.sources().push_back(BatchSource{1, b.arena().Copy("/p"), 10});
  Event& e = b.AddEvent();
  e.message = b.arena().Copy(std::string(1000, 'm'));
  b.AddField(e, "k", Value::Int(1));
  EXPECT_EQ(b.payload_bytes(), 1002u);
  size_t capacity = b.arena().capacity();
  EXPECT_GT(capacity, 0u);
  b.Clear();
  EXPECT_TRUE(b.events().empty());
  EXPECT_TRUE(b.fields().empty());
  EXPECT_TRUE(b.sources().empty());
  EXPECT_TRUE(b.host_name.empty());
  EXPECT_EQ(b.ack_tracker, nullptr);
  EXPECT_EQ(b.sequence, 0u);
  EXPECT_EQ(b.payload_bytes(), 0u);
  EXPECT_EQ(b.arena().capacity(), capacity);
  // Field indexes start over, so a new event's chain is its own.
  Event& e2 = b.AddEvent();
  b.AddField(e2, "z", Value::Int(2));
  EXPECT_EQ(e2.first_field, 0u);
  EXPECT_EQ(Keys(b, e2), (std::vector<std::string>{"z"}));
}

}  // namespace
}  // namespace logship

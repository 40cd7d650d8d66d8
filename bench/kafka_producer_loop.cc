// SPDX-License-Identifier: Apache-2.0
// kafka_producer_loop: the ceiling for bench/e2e/kafka_bench.sh. A plain librdkafka producer
// sends N messages, cycling through the lines of a file (messages logship wrote, read back with
// kcat), with the properties logship uses by default (idempotence, acks=all) and the same
// compression, produced the same way (no copy, partitioner chooses, delivery reports served
// on a poll thread). Whatever rate this reaches against the test broker on this machine, logship
// cannot beat: it pays for the same producing and also reads, parses and serializes.
//
//   kafka_producer_loop --brokers B --topic T --input FILE --messages N [--compression lz4]
//       [--property name=value]...        prints: messages seconds bytes failed
//   kafka_producer_loop --brokers B --topic T --count
//                                         prints the sum of T's high watermarks

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

struct Flags {
  std::string brokers, topic, input, compression = "none";
  long long messages = 0;
  bool count = false;
  std::vector<std::pair<std::string, std::string>> properties;
};

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "kafka_producer_loop: %s\n", why.c_str());
  std::exit(1);
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--brokers") {
      f.brokers = next();
    } else if (a == "--topic") {
      f.topic = next();
    } else if (a == "--input") {
      f.input = next();
    } else if (a == "--messages") {
      f.messages = std::atoll(next().c_str());
    } else if (a == "--compression") {
      f.compression = next();
    } else if (a == "--count") {
      f.count = true;
    } else if (a == "--property") {
      std::string p = next();
      size_t eq = p.find('=');
      if (eq == std::string::npos) Die("--property takes name=value");
      f.properties.emplace_back(p.substr(0, eq), p.substr(eq + 1));
    } else {
      Die("unknown argument " + a);
    }
  }
  if (f.brokers.empty() || f.topic.empty()) Die("--brokers and --topic are required");
  if (!f.count && (f.input.empty() || f.messages <= 0)) Die("--input and --messages are required");
  return f;
}

void Set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
      RD_KAFKA_CONF_OK) {
    Die(name + ": " + errstr);
  }
}

std::atomic<long long> delivered{0};
std::atomic<long long> failed{0};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void*) {
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failed.fetch_add(1, std::memory_order_relaxed);
  } else {
    delivered.fetch_add(1, std::memory_order_relaxed);
  }
}

int Count(const Flags& f) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Set(conf, "bootstrap.servers", f.brokers);
  Set(conf, "log_level", "3");
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) Die(errstr);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, f.topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      md->topic_cnt != 1) {
    Die("no metadata for " + f.topic);
  }
  long long total = 0;
  for (int p = 0; p < md->topics[0].partition_cnt; ++p) {
    int64_t lo = 0, hi = 0;
    if (rd_kafka_query_watermark_offsets(rk, f.topic.c_str(), p, &lo, &hi, 10000) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
      Die("no watermarks for partition " + std::to_string(p));
    }
    total += hi;
  }
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  std::printf("%lld\n", total);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f = ParseFlags(argc, argv);
  if (f.count) return Count(f);

  std::ifstream in(f.input, std::ios::binary);
  if (!in) Die("cannot read " + f.input);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<std::pair<size_t, size_t>> lines;  // offset, size
  for (size_t start = 0, nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    if (nl > start) lines.emplace_back(start, nl - start);
  }
  if (lines.empty()) Die(f.input + " has no lines");

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  Set(conf, "bootstrap.servers", f.brokers);
  Set(conf, "client.id", "kafka_producer_loop");
  Set(conf, "enable.idempotence", "true");
  Set(conf, "acks", "all");
  Set(conf, "compression.codec", f.compression);
  Set(conf, "log_level", "3");
  for (const auto& [k, v] : f.properties) Set(conf, k, v);
  rd_kafka_conf_set_dr_msg_cb(conf, &OnDelivery);
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) Die(errstr);
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, f.topic.c_str(), nullptr);

  std::atomic<bool> stop{false};
  std::thread poller([&] {
    while (!stop.load(std::memory_order_relaxed)) rd_kafka_poll(rk, 50);
  });
  auto start = std::chrono::steady_clock::now();
  long long bytes = 0;
  for (long long i = 0; i < f.messages; ++i) {
    const auto& [off, size] = lines[static_cast<size_t>(i) % lines.size()];
    void* payload = const_cast<char*>(text.data() + off);
    while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, 0, payload, size, nullptr, 0, nullptr) !=
           0) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        Die(std::string("produce: ") + rd_kafka_err2str(rd_kafka_last_error()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    bytes += static_cast<long long>(size);
  }
  while (delivered.load() + failed.load() < f.messages) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop.store(true);
  poller.join();
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  std::printf("%lld %.3f %lld %lld\n", f.messages, seconds, bytes, failed.load());
  return failed.load() == 0 ? 0 : 1;
}

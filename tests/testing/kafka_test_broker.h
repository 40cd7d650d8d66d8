// SPDX-License-Identifier: Apache-2.0
#pragma once

// KafkaTestBroker runs tests/tools/kafka_test_broker (a 3-broker librdkafka mock cluster) as a
// child process of one test. Its stdin and stdout are pipes to the test, for commands ("down 1",
// "errors 5 NOT_LEADER_FOR_PARTITION", see the tool) and their answers; its stderr goes to a file
// in the test's directory, never to ctest's. The destructor ends it (SIGTERM, then SIGKILL) and
// reaps it. Not thread-safe.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace logship::testing {

class KafkaTestBroker {
 public:
  // Starts `binary` (the tool) with its bootstrap file and log in `dir`, and waits for the
  // bootstrap list. `extra_args` go to the tool (e.g. {"--topic", "logs:8"}).
  KafkaTestBroker(const std::string& binary, const std::string& dir,
                  std::vector<std::string> extra_args = {});
  ~KafkaTestBroker();
  KafkaTestBroker(const KafkaTestBroker&) = delete;
  KafkaTestBroker& operator=(const KafkaTestBroker&) = delete;

  // True once the tool is up and its bootstrap list was read.
  bool ok() const { return !bootstrap_.empty(); }
  // "127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3".
  const std::string& bootstrap() const { return bootstrap_; }
  pid_t pid() const { return pid_; }

  // Sends one command line and returns the tool's answer ("ok", "error: ..."), or "error: no
  // answer" when none came within a generous time.
  std::string Command(const std::string& line);

  // Ends the tool (SIGTERM, SIGKILL after 10 s); true when it exited by itself on SIGTERM.
  bool Stop();
  // What the tool wrote to stderr.
  std::string Log() const;

 private:
  std::string ReadLine(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int to_child_ = -1;
  int from_child_ = -1;
  std::string pending_;
  std::string bootstrap_;
  std::string log_path_;
};

}  // namespace logship::testing

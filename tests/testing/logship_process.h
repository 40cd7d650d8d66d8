// SPDX-License-Identifier: Apache-2.0
#pragma once

// LogshipProcess runs the real `logship` binary as a child process, its stdout and stderr going to
// files in a directory of the test's, so integration tests can drive it exactly as an operator
// does: start, signal (SIGTERM, SIGKILL), wait for the exit code, read its log.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace logship::testing {

class LogshipProcess {
 public:
  // `args` follow the binary name, e.g. {"run", "--once", "/tmp/x/p.yaml"}. Output files go to
  // `log_dir`/logship-<n>.{out,err}; `stdout_path`, when given, is opened for writing as the
  // child's stdout instead (a FIFO the test reads, or never reads to stall a stdout sink).
  LogshipProcess(std::vector<std::string> args, std::string log_dir, std::string stdout_path = "");
  ~LogshipProcess();  // SIGKILLs the process if it still runs
  LogshipProcess(const LogshipProcess&) = delete;
  LogshipProcess& operator=(const LogshipProcess&) = delete;

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits for the exit; returns the exit code (128 + signal when killed), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout = std::chrono::seconds(120));
  bool Running();
  std::string Stdout() const;
  std::string Stderr() const;
  const std::string& stdout_path() const { return out_path_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string out_path_;
  std::string err_path_;
};

// Waits until `p` logs "state: running"; returns its status URL, "" without `http:`. A process
// that exits or never gets there is a test failure showing its log.
std::string WaitUntilRunning(LogshipProcess& p);

// Runs logship to completion with `args`; returns {exit code, stdout, stderr}.
struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
RunResult RunLogship(std::vector<std::string> args, const std::string& log_dir,
                     std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace logship::testing

// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/logship_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <thread>

#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {
namespace {
std::atomic<int> counter{0};
}  // namespace

LogshipProcess::LogshipProcess(std::vector<std::string> args, std::string log_dir,
                               std::string stdout_path) {
  int n = counter.fetch_add(1);
  bool own_stdout = stdout_path.empty();
  out_path_ = own_stdout ? log_dir + "/logship-" + std::to_string(n) + ".out" : stdout_path;
  err_path_ = log_dir + "/logship-" + std::to_string(n) + ".err";
  std::vector<std::string> argv_s;
  argv_s.push_back(LOGSHIP_BINARY);
  for (auto& a : args) argv_s.push_back(a);
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = own_stdout ? ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644)
                         : ::open(out_path_.c_str(), O_WRONLY);
    int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    // The test runner may block signals in its threads; the child starts clean.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

LogshipProcess::~LogshipProcess() {
  if (pid_ > 0 && !exit_code_) {
    ::kill(pid_, SIGKILL);
    Wait(std::chrono::seconds(30));
  }
}

void LogshipProcess::Signal(int sig) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

std::optional<int> LogshipProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_) return exit_code_;
  auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() > end) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool LogshipProcess::Running() {
  if (exit_code_) return false;
  return !Wait(std::chrono::milliseconds(0)).has_value();
}

std::string LogshipProcess::Stdout() const { return ReadFileOrEmpty(out_path_); }
std::string LogshipProcess::Stderr() const { return ReadFileOrEmpty(err_path_); }

RunResult RunLogship(std::vector<std::string> args, const std::string& log_dir,
                     std::chrono::milliseconds timeout) {
  LogshipProcess p(std::move(args), log_dir);
  RunResult r;
  std::optional<int> code = p.Wait(timeout);
  r.exit_code = code ? *code : -1;
  r.out = p.Stdout();
  r.err = p.Stderr();
  return r;
}

std::string WaitUntilRunning(LogshipProcess& p) {
  std::string url;
  EXPECT_TRUE(WaitUntil([&] {
    std::string err = p.Stderr();
    std::smatch m;
    static const std::regex kServing("serving /metrics.* on (http://127\\.0\\.0\\.1:[0-9]+)");
    if (std::regex_search(err, m, kServing)) url = m[1];
    return err.find("state: running") != std::string::npos || !p.Running();
  })) << p.Stderr();
  EXPECT_NE(p.Stderr().find("state: running"), std::string::npos) << "logship did not start\n"
                                                                  << p.Stderr();
  return url;
}

}  // namespace logship::testing

// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/kafka_test_broker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

#include "tests/testing/temp_dir.h"

namespace logship::testing {
namespace {

std::atomic<int> counter{0};

// Waits for `pid` up to `timeout`; true once it is reaped.
bool Reap(pid_t pid, std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

KafkaTestBroker::KafkaTestBroker(const std::string& binary, const std::string& dir,
                                 std::vector<std::string> extra_args) {
  int n = counter.fetch_add(1);
  std::string bootstrap_file = dir + "/kafka-bootstrap-" + std::to_string(n) + ".txt";
  log_path_ = dir + "/kafka-test-broker-" + std::to_string(n) + ".log";
  std::vector<std::string> args = {binary, "--bootstrap-file", bootstrap_file};
  for (auto& a : extra_args) args.push_back(std::move(a));
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  // One socket pair carries commands and answers: unlike a pipe, writing to it after the tool
  // died fails with EPIPE (MSG_NOSIGNAL) instead of killing the test with SIGPIPE.
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    int err = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(sv[1], 0);
    ::dup2(sv[1], 1);
    ::dup2(err, 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(sv[1]);
  to_child_ = sv[0];
  from_child_ = sv[0];
  if (pid_ < 0) return;
  std::string ready = ReadLine(std::chrono::seconds(60));
  if (ready.rfind("ready ", 0) != 0) return;
  // The file is the tool's contract (scripts read it); the ready line says the same.
  std::string from_file = ReadFileOrEmpty(bootstrap_file);
  while (!from_file.empty() && (from_file.back() == '\n' || from_file.back() == ' ')) {
    from_file.pop_back();
  }
  bootstrap_ = from_file;
}

KafkaTestBroker::~KafkaTestBroker() { Stop(); }

std::string KafkaTestBroker::Command(const std::string& line) {
  if (to_child_ < 0) return "error: not running";
  std::string text = line + "\n";
  size_t sent = 0;
  while (sent < text.size()) {
    ssize_t n = ::send(to_child_, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "error: tool gone";
    sent += static_cast<size_t>(n);
  }
  std::string answer = ReadLine(std::chrono::seconds(60));
  return answer.empty() ? "error: no answer" : answer;
}

std::string KafkaTestBroker::ReadLine(std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (true) {
    size_t nl = pending_.find('\n');
    if (nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::string();
    pollfd pfd{from_child_, POLLIN, 0};
    int r = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::string();
    char buf[1024];
    ssize_t n = ::read(from_child_, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::string();
    pending_.append(buf, static_cast<size_t>(n));
  }
}

bool KafkaTestBroker::Stop() {
  if (pid_ <= 0) return false;
  ::kill(pid_, SIGTERM);
  bool clean = Reap(pid_, std::chrono::seconds(10));
  if (!clean) {
    ::kill(pid_, SIGKILL);
    Reap(pid_, std::chrono::seconds(30));
  }
  pid_ = -1;
  if (to_child_ >= 0) ::close(to_child_);
  to_child_ = from_child_ = -1;
  return clean;
}

std::string KafkaTestBroker::Log() const { return ReadFileOrEmpty(log_path_); }

}  // namespace logship::testing

// SPDX-License-Identifier: Apache-2.0
// kafka_test_broker: a Kafka cluster for tests and benchmarks, from librdkafka's mock cluster
// (rdkafka_mock.h), which speaks the real Kafka protocol over TCP on 127.0.0.1 ephemeral ports.
// It writes the bootstrap list to a file (a temp file renamed into place, so a reader never sees
// half of it), prints "ready <bootstrap>" on stdout, then takes commands on stdin, one per line,
// each answered by one line on stdout ("ok" or "error: ..."):
//
//   down <id>                      broker <id> (1..N, or -1 for all) drops its connections and
//   up <id>                        refuses new ones / accepts them again (leaders do not move)
//   errors <n> <code>              the next <n> Produce requests fail with <code>
//   create-topic <name> <parts>    creates a topic (replication factor min(3, N))
//   topic-error <name> <code>      Metadata answers for <name> carry <code> (NO_ERROR clears)
//   rtt <id> <ms>                  delays broker <id>'s responses
//   quit
//
// <code> is a librdkafka error name (NOT_LEADER_FOR_PARTITION, TOPIC_AUTHORIZATION_FAILED,
// _TRANSPORT) or its number. It exits on SIGTERM, SIGINT, end of stdin, or `quit`.
// Caveat of the mock: each partition keeps only its last 5 MiB (older messages vanish silently).
//
//   kafka_test_broker --bootstrap-file PATH [--brokers 3] [--topic NAME:PARTITIONS]...

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr int16_t kProduceApiKey = 0;

struct Flags {
  std::string bootstrap_file;
  int brokers = 3;
  std::vector<std::pair<std::string, int>> topics;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "kafka_test_broker: %s\nusage: kafka_test_broker --bootstrap-file PATH "
               "[--brokers N] [--topic NAME:PARTITIONS]...\n",
               why);
  std::exit(2);
}

bool ParseInt(const std::string& s, long* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  long v = std::strtol(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value after " + arg).c_str());
      return argv[++i];
    };
    if (arg == "--bootstrap-file") {
      f.bootstrap_file = value();
    } else if (arg == "--brokers") {
      long n = 0;
      if (!ParseInt(value(), &n) || n < 1 || n > 16) Usage("--brokers takes 1 to 16");
      f.brokers = static_cast<int>(n);
    } else if (arg == "--topic") {
      std::string t = value();
      size_t colon = t.rfind(':');
      long parts = 0;
      if (colon == std::string::npos || colon == 0 || !ParseInt(t.substr(colon + 1), &parts) ||
          parts < 1) {
        Usage("--topic takes NAME:PARTITIONS");
      }
      f.topics.emplace_back(t.substr(0, colon), static_cast<int>(parts));
    } else {
      Usage(("unknown argument " + arg).c_str());
    }
  }
  if (f.bootstrap_file.empty()) Usage("--bootstrap-file is required");
  return f;
}

// A librdkafka error code from its name (with or without "RD_KAFKA_RESP_ERR_") or its number.
bool ParseErrorCode(std::string s, rd_kafka_resp_err_t* out) {
  long n = 0;
  if (ParseInt(s, &n)) {
    *out = static_cast<rd_kafka_resp_err_t>(n);
    return true;
  }
  const std::string prefix = "RD_KAFKA_RESP_ERR_";
  if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  const struct rd_kafka_err_desc* descs = nullptr;
  size_t count = 0;
  rd_kafka_get_err_descs(&descs, &count);
  for (size_t i = 0; i < count; ++i) {
    if (descs[i].name != nullptr && s == descs[i].name) {
      *out = descs[i].code;
      return true;
    }
  }
  return false;
}

bool WriteBootstrapFile(const std::string& path, const std::string& bootstrap) {
  std::string tmp = path + ".tmp";
  FILE* f = std::fopen(tmp.c_str(), "w");
  if (f == nullptr) return false;
  bool ok = std::fputs(bootstrap.c_str(), f) >= 0 && std::fputc('\n', f) != EOF;
  ok = std::fclose(f) == 0 && ok;
  return ok && std::rename(tmp.c_str(), path.c_str()) == 0;
}

class Broker {
 public:
  Broker(rd_kafka_mock_cluster_t* mc, int brokers) : mc_(mc), brokers_(brokers) {}

  // Runs one command line; returns the answer ("ok", "error: ...") and sets *quit for `quit`.
  std::string Execute(const std::string& line, bool* quit) {
    std::istringstream in(line);
    std::string cmd;
    std::vector<std::string> args;
    in >> cmd;
    for (std::string a; in >> a;) args.push_back(a);
    if (cmd.empty()) return "error: empty command";
    if (cmd == "quit") {
      *quit = true;
      return "ok";
    }
    if ((cmd == "down" || cmd == "up") && args.size() == 1) {
      long id = 0;
      if (!ParseBrokerId(args[0], &id)) return "error: no broker " + args[0];
      rd_kafka_resp_err_t err = cmd == "down" ? rd_kafka_mock_broker_set_down(mc_, id)
                                              : rd_kafka_mock_broker_set_up(mc_, id);
      return Answer(err);
    }
    if (cmd == "errors" && args.size() == 2) {
      long n = 0;
      rd_kafka_resp_err_t code;
      if (!ParseInt(args[0], &n) || n < 1) return "error: bad count " + args[0];
      if (!ParseErrorCode(args[1], &code)) return "error: unknown error code " + args[1];
      std::vector<rd_kafka_resp_err_t> errs(static_cast<size_t>(n), code);
      rd_kafka_mock_push_request_errors_array(mc_, kProduceApiKey, errs.size(), errs.data());
      return "ok";
    }
    if (cmd == "create-topic" && args.size() == 2) {
      long parts = 0;
      if (!ParseInt(args[1], &parts) || parts < 1) return "error: bad partition count " + args[1];
      int replicas = brokers_ < 3 ? brokers_ : 3;
      return Answer(
          rd_kafka_mock_topic_create(mc_, args[0].c_str(), static_cast<int>(parts), replicas));
    }
    if (cmd == "topic-error" && args.size() == 2) {
      rd_kafka_resp_err_t code;
      if (!ParseErrorCode(args[1], &code)) return "error: unknown error code " + args[1];
      rd_kafka_mock_topic_set_error(mc_, args[0].c_str(), code);
      return "ok";
    }
    if (cmd == "rtt" && args.size() == 2) {
      long id = 0, ms = 0;
      if (!ParseBrokerId(args[0], &id)) return "error: no broker " + args[0];
      if (!ParseInt(args[1], &ms) || ms < 0) return "error: bad rtt " + args[1];
      return Answer(rd_kafka_mock_broker_set_rtt(mc_, id, static_cast<int>(ms)));
    }
    return "error: unknown command or wrong arguments: " + line;
  }

 private:
  bool ParseBrokerId(const std::string& s, long* id) const {
    return ParseInt(s, id) && (*id == -1 || (*id >= 1 && *id <= brokers_));
  }
  static std::string Answer(rd_kafka_resp_err_t err) {
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return "ok";
    return std::string("error: ") + rd_kafka_err2name(err) + ": " + rd_kafka_err2str(err);
  }

  rd_kafka_mock_cluster_t* mc_;
  int brokers_;
};

void Reply(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);

  // Signals are read from a signalfd next to stdin, so a SIGTERM ends the loop cleanly.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before librdkafka starts its threads
  int sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
  if (sig_fd < 0) {
    std::perror("kafka_test_broker: signalfd");
    return 1;
  }

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the mock cluster; it connects nowhere.
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    std::fprintf(stderr, "kafka_test_broker: rd_kafka_new: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, flags.brokers);
  if (mc == nullptr) {
    std::fprintf(stderr, "kafka_test_broker: cannot create the mock cluster\n");
    return 1;
  }
  for (const auto& [name, parts] : flags.topics) {
    rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(mc, name.c_str(), parts, flags.brokers < 3 ? flags.brokers : 3);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "kafka_test_broker: topic %s: %s\n", name.c_str(),
                   rd_kafka_err2str(err));
      return 1;
    }
  }
  std::string bootstrap = rd_kafka_mock_cluster_bootstraps(mc);
  if (!WriteBootstrapFile(flags.bootstrap_file, bootstrap)) {
    std::fprintf(stderr, "kafka_test_broker: cannot write %s: %s\n", flags.bootstrap_file.c_str(),
                 std::strerror(errno));
    return 1;
  }
  Reply("ready " + bootstrap);

  Broker broker(mc, flags.brokers);
  std::string pending;
  bool quit = false;
  while (!quit) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {sig_fd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      std::perror("kafka_test_broker: poll");
      break;
    }
    if (fds[1].revents & POLLIN) break;  // SIGTERM or SIGINT
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[4096];
      ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // end of stdin: whoever drove us is gone
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while (!quit && (nl = pending.find('\n')) != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        Reply(broker.Execute(line, &quit));
      }
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  ::unlink(flags.bootstrap_file.c_str());
  close(sig_fd);
  return 0;
}

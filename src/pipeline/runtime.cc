// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/runtime.h"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "src/metrics/process_collector.h"
#include "src/pipeline/pipeline.h"
#include "src/status/status_server.h"

namespace logship {
namespace {

sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// Returns the signal number read from `fd` within timeout_ms, or 0.
int WaitSignal(int fd, int timeout_ms) {
  struct pollfd p = {fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return 0;
  struct signalfd_siginfo info;
  if (::read(fd, &info, sizeof(info)) != sizeof(info)) return 0;
  return static_cast<int>(info.ssi_signo);
}

std::string HumanBytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) {
    b /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f %s", b, units[u]);
  return buf;
}

class ProgressLine {
 public:
  explicit ProgressLine(Clock& clock) : clock_(clock), start_ns_(clock.MonotonicNanos()) {}
  void Print(const std::vector<std::unique_ptr<Pipeline>>& pipelines, bool final) {
    SourceProgress p;
    for (const auto& pl : pipelines) {
      SourceProgress q = pl->progress();
      p.bytes_read += q.bytes_read;
      p.bytes_total += q.bytes_total;
      p.events += q.events;
    }
    double secs = static_cast<double>(clock_.MonotonicNanos() - start_ns_) / 1e9;
    double rate = secs > 0 ? static_cast<double>(p.events) / secs : 0;
    double pct = p.bytes_total > 0 ? 100.0 * static_cast<double>(p.bytes_read) /
                                         static_cast<double>(p.bytes_total)
                                   : 100.0;
    std::fprintf(stderr, "\r\033[Kread %s of %s (%.0f%%), %llu events, %.0f events/s%s",
                 HumanBytes(static_cast<double>(p.bytes_read)).c_str(),
                 HumanBytes(static_cast<double>(p.bytes_total)).c_str(), pct > 100 ? 100 : pct,
                 static_cast<unsigned long long>(p.events), rate, final ? "\n" : "");
    std::fflush(stderr);
  }

 private:
  Clock& clock_;
  int64_t start_ns_;
};

AgentStatus CollectStatus(const std::vector<std::unique_ptr<Pipeline>>& pipelines,
                          const char* state, const AgentConfig& config, const RunOptions& options,
                          int64_t started_unix_ns, Clock& clock) {
  AgentStatus s;
  s.state = state;
  s.version = options.version;
  s.config_file = config.file;
  s.config_loaded_unix_ns = config.loaded_unix_ns;
  s.started_unix_ns = started_unix_ns;
  s.now_unix_ns = clock.NowUnixNanos();
  for (const auto& p : pipelines) {
    const PipelineParts& parts = p->parts();
    PipelineStatus ps;
    ps.name = parts.name;
    for (size_t i = 0; i < parts.sources.size(); ++i) {
      for (InputFileStatus& f : parts.sources[i]->Files()) {
        ps.files.push_back(FileStatus{parts.source_names[i], std::move(f)});
      }
    }
    for (size_t i = 0; i < parts.sinks.size(); ++i) {
      ps.sinks.push_back(SinkStatus{parts.sink_ids[i], parts.sink_types[i],
                                    parts.sink_health[i]->snapshot(),
                                    parts.sink_stats[i]->events_out->value()});
    }
    s.pipelines.push_back(std::move(ps));
  }
  return s;
}

}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

int RunAgent(AgentConfig config, const RunOptions& options, Clock& clock) {
  BlockTerminationSignals();
  sigset_t set = TerminationSignals();
  int sig_fd = ::signalfd(-1, &set, SFD_CLOEXEC);
  if (sig_fd < 0) {
    spdlog::critical("cannot read signals (signalfd): {}", std::strerror(errno));
    return 2;
  }
  std::string host = HostName();
  const int64_t started_unix_ns = clock.NowUnixNanos();
  std::atomic<const char*> state{"starting"};
  std::vector<std::unique_ptr<Pipeline>> pipelines;
  for (PipelineParts& parts : config.pipelines) {
    pipelines.push_back(
        std::make_unique<Pipeline>(std::move(parts), host, options.once, clock, *config.metrics));
  }
  int process_collector = AddProcessCollector(*config.metrics);
  // Declared after `pipelines`: destroyed (stopped) before them.
  std::unique_ptr<StatusServer> server;
  if (!config.http.host.empty()) {
    server = std::make_unique<StatusServer>(*config.metrics, [&] {
      return CollectStatus(pipelines, state.load(), config, options, started_unix_ns, clock);
    });
    Status st = server->Start(config.http.host, config.http.port);
    if (!st.ok()) {
      spdlog::critical("{}: {}", config.file, st.ToString());
      ::close(sig_fd);
      return 2;
    }
    spdlog::info("serving /metrics, /health and /status on http://{}:{}", config.http.host,
                 server->port());
  }
  for (auto& p : pipelines) {
    Status st = p->Start();
    if (!st.ok()) {
      spdlog::critical("pipeline '{}' cannot start: {}", p->name(), st.message());
      for (auto& q : pipelines) q->StopReading();
      for (auto& q : pipelines) q->Drain(clock.MonotonicNanos());
      ::close(sig_fd);
      return 2;
    }
  }
  state.store("running");
  spdlog::info("running {} pipeline(s) from '{}'{}", pipelines.size(), config.file,
               options.once ? " once" : "");

  ProgressLine progress(clock);
  bool show_progress = options.once && options.progress;
  int64_t next_progress_ns = 0;
  int signal = 0;
  while (true) {
    signal = WaitSignal(sig_fd, options.once ? 50 : 500);
    if (signal == SIGHUP) {
      spdlog::info("SIGHUP: reloading is not supported yet; ignoring");  // TODO(#7)
      signal = 0;
      continue;
    }
    if (signal != 0) break;
    if (show_progress && clock.MonotonicNanos() >= next_progress_ns) {
      progress.Print(pipelines, false);
      next_progress_ns = clock.MonotonicNanos() + 250'000'000;
    }
    if (options.once) {
      // Done when every source read everything and every batch came back acknowledged.
      bool done = true;
      for (auto& p : pipelines) done = done && p->SourcesDone() && p->BatchesInUse() == 0;
      if (done) break;
    }
  }
  if (show_progress) progress.Print(pipelines, true);
  if (signal != 0) {
    spdlog::info("{}: stopping; draining for at most {} ms", strsignal(signal),
                 config.shutdown_timeout.millis());
  }

  state.store("draining");
  int64_t deadline = clock.MonotonicNanos() + config.shutdown_timeout.nanos;
  for (auto& p : pipelines) p->StopReading();
  bool complete = true;
  std::thread drainer([&] {
    for (auto& p : pipelines) complete = p->Drain(deadline) && complete;
  });
  // A second signal means "now": checkpoints on disk only ever cover acknowledged lines, so
  // leaving without saving loses nothing; the unsaved tail is read again at the next start.
  while (true) {
    int again = WaitSignal(sig_fd, 100);
    if (again == SIGINT || again == SIGTERM) {
      spdlog::warn("{} again: exiting at once; unacknowledged lines will be read again",
                   strsignal(again));
      std::fflush(nullptr);
      ::_exit(3);
    }
    bool all_done = true;
    for (auto& p : pipelines) all_done = all_done && p->Drained();
    if (all_done) break;
  }
  drainer.join();
  for (auto& p : pipelines) {
    Status st = p->Finish();
    if (!st.ok()) {
      spdlog::error("pipeline '{}': {}", p->name(), st.message());
      complete = false;
    }
  }
  ::close(sig_fd);
  state.store("stopped");
  if (server != nullptr) server->Stop();
  config.metrics->RemoveCollector(process_collector);
  if (!complete) {
    spdlog::warn("stopped before everything read was delivered; it will be read again");
    return 3;
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace logship

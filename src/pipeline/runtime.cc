// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/runtime.h"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "src/base/status_macros.h"
#include "src/config/byte_size.h"
#include "src/metrics/process_collector.h"
#include "src/pipeline/config_watcher.h"
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
                 FormatBytes(p.bytes_read).c_str(), FormatBytes(p.bytes_total).c_str(),
                 pct > 100 ? 100 : pct, static_cast<unsigned long long>(p.events), rate,
                 final ? "\n" : "");
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
      std::string problem = parts.sources[i]->Problem();
      if (!problem.empty())
        ps.failing_inputs.push_back({parts.source_names[i], std::move(problem)});
    }
    for (const SinkSlot& k : parts.sinks) {
      ps.sinks.push_back(
          SinkStatus{k.id, k.type, k.health->snapshot(), k.stats->events_out->value()});
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

namespace {

// The running agent: its pipelines, the status server, reloads and the shutdown sequence.
// Pipelines change only on the main thread (Run, Reload); the status server reads them under mu_.
class Agent {
 public:
  Agent(AgentConfig config, const RunOptions& options, Clock& clock)
      : config_(std::move(config)),
        options_(options),
        clock_(clock),
        host_(HostName()),
        started_unix_ns_(clock.NowUnixNanos()),
        reloads_ok_(config_.metrics->GetCounter("logship_config_reloads_total",
                                                "Reloads of the pipeline file, by result.",
                                                {{"result", "ok"}})),
        reloads_failed_(config_.metrics->GetCounter("logship_config_reloads_total",
                                                    "Reloads of the pipeline file, by result.",
                                                    {{"result", "failed"}})),
        watcher_(config_.file) {}

  int Run();

 private:
  Status StartServer();
  // Reloads the pipeline file: on success unchanged pipelines keep running, changed ones drain
  // and restart from their checkpoints, removed ones drain and stop, new ones start. On failure
  // nothing running changes.
  void Reload(const char* why);
  // Waits for a signal (returned) or a reason to reload; 0 on timeout.
  int WaitSignalOrReload(int timeout_ms);
  // Stops `p` reading, delivers what is in flight (within shutdown_timeout), saves checkpoints.
  bool Retire(Pipeline& p);
  AgentStatus Snapshot() const;
  void SetState(const char* state) {
    state_.store(state);
    spdlog::info("state: {}", state);
  }

  AgentConfig config_;  // pipelines moved out into pipelines_
  const RunOptions options_;
  Clock& clock_;
  const std::string host_;
  const int64_t started_unix_ns_;
  std::atomic<const char*> state_{"starting"};
  Counter& reloads_ok_;
  Counter& reloads_failed_;
  ConfigWatcher watcher_;
  uint64_t loaded_hash_ = 0;
  int64_t reload_due_ns_ = 0;  // monotonic; 0: nothing pending
  int sig_fd_ = -1;

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Pipeline>> pipelines_;  // guarded by mu_ (written on main thread)
  std::string reload_result_;                         // guarded by mu_
  std::string reload_error_;                          // guarded by mu_
  int64_t reload_unix_ns_ = 0;                        // guarded by mu_
  // Declared last: destroyed (stopped) first, before the pipelines it reads.
  std::unique_ptr<StatusServer> server_;
};

AgentStatus Agent::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  AgentStatus s =
      CollectStatus(pipelines_, state_.load(), config_, options_, started_unix_ns_, clock_);
  s.reload_result = reload_result_;
  s.reload_error = reload_error_;
  s.reload_unix_ns = reload_unix_ns_;
  return s;
}

Status Agent::StartServer() {
  server_ = std::make_unique<StatusServer>(*config_.metrics, [this] { return Snapshot(); });
  LOGSHIP_RETURN_IF_ERROR(server_->Start(config_.http.host, config_.http.port));
  spdlog::info("serving /metrics, /health and /status on http://{}:{}", config_.http.host,
               server_->port());
  return Status::Ok();
}

int Agent::WaitSignalOrReload(int timeout_ms) {
  struct pollfd p[2] = {{sig_fd_, POLLIN, 0}, {watcher_.fd(), POLLIN, 0}};
  int nfds = watcher_.fd() >= 0 ? 2 : 1;
  if (reload_due_ns_ != 0) {
    int64_t left_ms = (reload_due_ns_ - clock_.MonotonicNanos()) / 1'000'000;
    timeout_ms = static_cast<int>(std::clamp<int64_t>(left_ms, 0, timeout_ms));
  }
  if (::poll(p, nfds, timeout_ms) > 0) {
    if (p[0].revents & POLLIN) {
      struct signalfd_siginfo info;
      if (::read(sig_fd_, &info, sizeof(info)) == sizeof(info)) {
        return static_cast<int>(info.ssi_signo);
      }
    }
    // Editors write in bursts: reload once the file has been quiet for a moment.
    if (nfds == 2 && (p[1].revents & POLLIN) && watcher_.Consume()) {
      reload_due_ns_ = clock_.MonotonicNanos() + 300'000'000;
    }
  }
  if (reload_due_ns_ != 0 && clock_.MonotonicNanos() >= reload_due_ns_) {
    reload_due_ns_ = 0;
    uint64_t hash = ConfigWatcher::ContentHash(config_.file);
    if (hash != 0 && hash != loaded_hash_) Reload("the pipeline file changed");
  }
  return 0;
}

bool Agent::Retire(Pipeline& p) {
  p.StopReading();
  bool complete = p.Drain(clock_.MonotonicNanos() + config_.shutdown_timeout.nanos);
  Status st = p.Finish();
  if (!st.ok()) {
    spdlog::error("pipeline '{}': {}", p.name(), st.message());
    complete = false;
  }
  return complete;
}

void Agent::Reload(const char* why) {
  SetState("reloading");
  spdlog::info("reloading '{}': {}", config_.file, why);
  uint64_t hash = ConfigWatcher::ContentHash(config_.file);
  ConfigErrors errors;
  Result<AgentConfig> next =
      LoadAgentConfig(config_.file, *options_.registry, errors, clock_, config_.metrics);
  if (!next.ok()) {
    std::string text = errors.ToString();
    while (!text.empty() && text.back() == '\n') text.pop_back();
    spdlog::error("reload failed; the running pipelines go on unchanged:\n{}", text);
    reloads_failed_.Add();
    {
      std::lock_guard<std::mutex> lock(mu_);
      reload_result_ = "failed";
      reload_error_ = text;
      reload_unix_ns_ = clock_.NowUnixNanos();
    }
    loaded_hash_ = hash;  // not retried until the file changes again (or SIGHUP)
    SetState("running");
    return;
  }
  std::vector<std::unique_ptr<Pipeline>> retire;
  std::vector<PipelineParts> start;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::unique_ptr<Pipeline>> keep;
    for (auto& p : pipelines_) {
      auto same =
          std::find_if(next->pipelines.begin(), next->pipelines.end(), [&](const PipelineParts& n) {
            return n.name == p->name() && n.fingerprint == p->parts().fingerprint;
          });
      if (same != next->pipelines.end()) {
        keep.push_back(std::move(p));
      } else {
        retire.push_back(std::move(p));
      }
    }
    for (PipelineParts& n : next->pipelines) {
      bool kept =
          std::any_of(keep.begin(), keep.end(), [&](const auto& p) { return p->name() == n.name; });
      if (!kept) start.push_back(std::move(n));  // the rest are built but never started
    }
    pipelines_ = std::move(keep);
  }
  for (auto& p : retire) {
    spdlog::info("pipeline '{}': stopping for the reload", p->name());
    if (!Retire(*p)) {
      spdlog::warn(
          "pipeline '{}': not everything was delivered before shutdown_timeout; it is "
          "read again when it restarts",
          p->name());
    }
  }
  retire.clear();  // releases their state-directory locks before their successors start
  std::vector<std::string> failed;
  for (PipelineParts& parts : start) {
    auto p = std::make_unique<Pipeline>(std::move(parts), host_, /*once=*/false, clock_,
                                        *config_.metrics);
    Status st = p->Start();
    if (!st.ok()) {
      spdlog::error("pipeline '{}' cannot start after the reload: {}", p->name(), st.message());
      failed.push_back(p->name() + ": " + std::string(st.message()));
      continue;
    }
    spdlog::info("pipeline '{}': started", p->name());
    std::lock_guard<std::mutex> lock(mu_);
    pipelines_.push_back(std::move(p));
  }
  config_.shutdown_timeout = next->shutdown_timeout;
  config_.loaded_unix_ns = next->loaded_unix_ns;
  if (next->http.host != config_.http.host || next->http.port != config_.http.port) {
    spdlog::warn("{}: a changed http.listen takes effect at the next restart", config_.file);
  }
  loaded_hash_ = hash;
  {
    std::lock_guard<std::mutex> lock(mu_);
    reload_result_ = failed.empty() ? "ok" : "failed";
    reload_error_.clear();
    for (const std::string& f : failed) reload_error_ += f + "\n";
    reload_unix_ns_ = clock_.NowUnixNanos();
  }
  (failed.empty() ? reloads_ok_ : reloads_failed_).Add();
  spdlog::info("reloaded '{}': {} pipeline(s) running", config_.file, pipelines_.size());
  SetState("running");
}

int Agent::Run() {
  BlockTerminationSignals();
  sigset_t set = TerminationSignals();
  sig_fd_ = ::signalfd(-1, &set, SFD_CLOEXEC);
  if (sig_fd_ < 0) {
    spdlog::critical("cannot read signals (signalfd): {}", std::strerror(errno));
    return 2;
  }
  loaded_hash_ = ConfigWatcher::ContentHash(config_.file);
  for (PipelineParts& parts : config_.pipelines) {
    pipelines_.push_back(std::make_unique<Pipeline>(std::move(parts), host_, options_.once, clock_,
                                                    *config_.metrics));
  }
  config_.pipelines.clear();
  int process_collector = AddProcessCollector(*config_.metrics);
  auto fail_start = [&](int code) {
    for (auto& q : pipelines_) q->StopReading();
    for (auto& q : pipelines_) q->Drain(clock_.MonotonicNanos());
    server_.reset();
    config_.metrics->RemoveCollector(process_collector);
    ::close(sig_fd_);
    return code;
  };
  if (!config_.http.host.empty()) {
    Status st = StartServer();
    if (!st.ok()) {
      spdlog::critical("{}: {}", config_.file, st.ToString());
      return fail_start(2);
    }
  }
  for (auto& p : pipelines_) {
    Status st = p->Start();
    if (!st.ok()) {
      spdlog::critical("pipeline '{}' cannot start: {}", p->name(), st.message());
      return fail_start(2);
    }
  }
  // Hot reload watches the file only in the long-running mode; SIGHUP works regardless.
  bool can_reload = !options_.once && options_.registry != nullptr;
  if (can_reload) {
    Status st = watcher_.Start();
    if (!st.ok()) spdlog::warn("{}; reload with SIGHUP", st.ToString());
  }
  SetState("running");
  spdlog::info("running {} pipeline(s) from '{}'{}", pipelines_.size(), config_.file,
               options_.once ? " once" : "");

  ProgressLine progress(clock_);
  bool show_progress = options_.once && options_.progress;
  int64_t next_progress_ns = 0;
  int signal = 0;
  while (true) {
    signal = can_reload ? WaitSignalOrReload(options_.once ? 50 : 500)
                        : WaitSignal(sig_fd_, options_.once ? 50 : 500);
    if (signal == SIGHUP) {
      if (can_reload) {
        Reload("SIGHUP");
      } else {
        spdlog::info("SIGHUP: no reload with --once; ignoring");
      }
      signal = 0;
      continue;
    }
    if (signal != 0) break;
    if (show_progress && clock_.MonotonicNanos() >= next_progress_ns) {
      progress.Print(pipelines_, false);
      next_progress_ns = clock_.MonotonicNanos() + 250'000'000;
    }
    if (options_.once) {
      // Done when every source read everything and every batch came back acknowledged.
      bool done = true;
      for (auto& p : pipelines_) done = done && p->SourcesDone() && p->BatchesInUse() == 0;
      if (done) break;
    }
  }
  if (show_progress) progress.Print(pipelines_, true);
  if (signal != 0) {
    spdlog::info("{}: stopping; draining for at most {} ms", strsignal(signal),
                 config_.shutdown_timeout.millis());
  }

  SetState("draining");
  int64_t deadline = clock_.MonotonicNanos() + config_.shutdown_timeout.nanos;
  for (auto& p : pipelines_) p->StopReading();
  bool complete = true;
  std::thread drainer([&] {
    for (auto& p : pipelines_) complete = p->Drain(deadline) && complete;
  });
  // A second signal means "now". Checkpoints on disk only ever cover acknowledged lines, so
  // leaving early loses nothing; pipelines whose inputs already stopped save what was
  // acknowledged so far, so less is read twice at the next start.
  // A sink stuck in a system call (a write to a pipe nobody reads) cannot be stopped at all: past
  // the deadline and a grace second, the process leaves the same way.
  const int64_t give_up_ns = deadline + 1'000'000'000;
  while (true) {
    int again = WaitSignal(sig_fd_, 100);
    bool overdue = clock_.MonotonicNanos() >= give_up_ns;
    if (again == SIGINT || again == SIGTERM || overdue) {
      if (overdue) {
        spdlog::warn(
            "sinks did not stop within shutdown_timeout ({} ms): saving acknowledged "
            "checkpoints and exiting; unacknowledged lines will be read again",
            config_.shutdown_timeout.millis());
      } else {
        spdlog::warn(
            "{} again: saving acknowledged checkpoints and exiting at once; "
            "unacknowledged lines will be read again",
            strsignal(again));
      }
      for (auto& p : pipelines_) {
        if (p->SourcesDone()) (void)p->Finish();
      }
      std::fflush(nullptr);
      ::_exit(3);
    }
    bool all_done = true;
    for (auto& p : pipelines_) all_done = all_done && p->Drained();
    if (all_done) break;
  }
  drainer.join();
  for (auto& p : pipelines_) {
    Status st = p->Finish();
    if (!st.ok()) {
      spdlog::error("pipeline '{}': {}", p->name(), st.message());
      complete = false;
    }
  }
  ::close(sig_fd_);
  SetState("stopped");
  if (server_ != nullptr) server_->Stop();
  config_.metrics->RemoveCollector(process_collector);
  if (!complete) {
    spdlog::warn("stopped before everything read was delivered; it will be read again");
    return 3;
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int RunAgent(AgentConfig config, const RunOptions& options, Clock& clock) {
  // Tailing many files takes a descriptor each (max_open_files, 1024 by default), and the soft
  // limit a shell or service manager gives is often 1024: raise it to the hard limit.
  struct rlimit files;
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  Agent agent(std::move(config), options, clock);
  return agent.Run();
}

}  // namespace logship

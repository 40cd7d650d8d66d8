// SPDX-License-Identifier: Apache-2.0
#include "src/metrics/process_collector.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace logship {
namespace {

// The whole of a small /proc file, or "" if it cannot be read.
std::string ReadSmallFile(const char* path) {
  std::string out;
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

struct ProcStat {
  double utime_ticks = 0, stime_ticks = 0, start_ticks = 0, vsize = 0, rss_pages = 0;
  bool ok = false;
};

ProcStat ReadProcStat() {
  ProcStat p;
  std::string s = ReadSmallFile("/proc/self/stat");
  // The command name (field 2) may hold spaces and parentheses: fields are counted after the
  // last ')'.
  size_t close = s.rfind(')');
  if (close == std::string::npos) return p;
  const char* c = s.c_str() + close + 2;  // field 3, state
  int field = 3;
  while (*c != '\0' && field <= 24) {
    char* end = nullptr;
    double v = std::strtod(c, &end);
    if (field == 14) p.utime_ticks = v;
    if (field == 15) p.stime_ticks = v;
    if (field == 22) p.start_ticks = v;
    if (field == 23) p.vsize = v;
    if (field == 24) p.rss_pages = v;
    const char* space = std::strchr(c, ' ');
    if (space == nullptr) break;
    c = space + 1;
    ++field;
  }
  p.ok = field >= 24;
  return p;
}

double BootTimeSeconds() {
  std::string s = ReadSmallFile("/proc/stat");
  size_t at = s.find("\nbtime ");
  return at == std::string::npos ? 0 : std::strtod(s.c_str() + at + 7, nullptr);
}

int OpenFds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int n = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

int AddProcessCollector(MetricsRegistry& registry) {
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  const double boot = BootTimeSeconds();
  return registry.AddCollector([=](ScrapeWriter& w) {
    ProcStat p = ReadProcStat();
    if (p.ok) {
      w.Counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", {},
                (p.utime_ticks + p.stime_ticks) / ticks);
      w.Gauge("process_resident_memory_bytes", "Resident memory size in bytes.", {},
              p.rss_pages * page);
      w.Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", {}, p.vsize);
      if (boot > 0) {
        w.Gauge("process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.", {},
                boot + p.start_ticks / ticks);
      }
    }
    int fds = OpenFds();
    if (fds >= 0) w.Gauge("process_open_fds", "Number of open file descriptors.", {}, fds);
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
      w.Gauge("process_max_fds", "Maximum number of open file descriptors.", {},
              static_cast<double>(rl.rlim_cur));
    }
  });
}

}  // namespace logship

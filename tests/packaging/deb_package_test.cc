// SPDX-License-Identifier: Apache-2.0
// The Debian package as an operator gets it: `cpack -G DEB` on this build directory, unpacked by
// `dpkg-deb -x` into a temporary root (no root rights, nothing installed on the machine). From
// there: the binary runs, the shipped pipeline file validates, the systemd unit runs it as the
// logship user in group adm, the control data declares its dependencies, conffile and scripts,
// and the man page documents every command and option the binary's --help lists.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace logship::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] searched in PATH) in `cwd` to its end, stdin from /dev/null, stdout and
// stderr into files under `cwd`, so nothing holds ctest's pipes.
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& cwd) {
  static int counter = 0;
  std::string base = cwd + "/cmd-" + std::to_string(counter++);
  std::string out_path = base + ".out";
  std::string err_path = base + ".err";
  std::vector<std::string> args = argv;
  std::vector<char*> cargs;
  for (std::string& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvp(cargs[0], cargs.data());
    ::_exit(127);
  }
  CommandResult r;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid) {
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  r.out = ReadFileOrEmpty(out_path);
  r.err = ReadFileOrEmpty(err_path);
  return r;
}

std::string Describe(const std::vector<std::string>& argv, const CommandResult& r) {
  std::string cmd;
  for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
  return "`" + cmd + "` exited " + std::to_string(r.exit_code) + "\nstdout:\n" + r.out +
         "\nstderr:\n" + r.err;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// "Key: value" lines of a control file; continuation lines (starting with a space) are dropped.
std::map<std::string, std::string> ControlFields(const std::string& text) {
  std::map<std::string, std::string> fields;
  for (const std::string& line : Lines(text)) {
    size_t colon = line.find(": ");
    if (line.empty() || line[0] == ' ' || colon == std::string::npos) continue;
    fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return fields;
}

// The section -> lines of a systemd unit file, without comments and blank lines.
std::map<std::string, std::set<std::string>> UnitSections(const std::string& text) {
  std::map<std::string, std::set<std::string>> sections;
  std::string section;
  for (const std::string& line : Lines(text)) {
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line;
      continue;
    }
    sections[section].insert(line);
  }
  return sections;
}

// What one `--help` screen lists: the long and short options and the subcommands.
struct HelpScreen {
  std::vector<std::string> options;
  std::vector<std::string> subcommands;
};

HelpScreen ParseHelp(const std::string& help) {
  HelpScreen screen;
  enum { kOther, kOptions, kSubcommands } part = kOther;
  for (const std::string& line : Lines(help)) {
    if (line == "Options:") {
      part = kOptions;
    } else if (line == "Subcommands:") {
      part = kSubcommands;
    } else if (line.empty() || line[0] != ' ') {
      part = kOther;
    } else {
      // "  -h,--help   Print...", "  --log-level TEXT:{...}=info", "  run   Run the...";
      // a wrapped description starts further right and is not an entry.
      size_t start = line.find_first_not_of(' ');
      if (start != 2) continue;
      std::string first = line.substr(start, line.find(' ', start) - start);
      if (part == kSubcommands) screen.subcommands.push_back(first);
      if (part != kOptions) continue;
      std::istringstream names(first);
      for (std::string name; std::getline(names, name, ',');) {
        if (!name.empty() && name[0] == '-') screen.options.push_back(name);
      }
    }
  }
  return screen;
}

// roff writes a minus sign as "\-": that is how an option appears in the man page's source.
std::string RoffOption(const std::string& option) {
  std::string out;
  for (char c : option) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

class DebPackageTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    setup_log_.clear();
    if (!BuildAndUnpack()) return;
    ready_ = true;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(ready_) << setup_log_; }

  // Makes the .deb from this build directory and unpacks its files and control data.
  static bool BuildAndUnpack() {
    std::string pkg = dir_->Sub("pkg");
    std::vector<std::string> cpack = {LOGSHIP_CPACK_COMMAND,
                                      "-G",
                                      "DEB",
                                      "--config",
                                      std::string(LOGSHIP_BUILD_DIR) + "/CPackConfig.cmake",
                                      "-B",
                                      pkg};
    if (!Step(cpack)) return false;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(pkg, ec)) {
      if (entry.path().extension() == ".deb") debs_.push_back(entry.path().string());
    }
    if (debs_.size() != 1) {
      setup_log_ += "expected one .deb in " + pkg + ", found " + std::to_string(debs_.size());
      return false;
    }
    deb_ = debs_[0];
    root_ = dir_->Sub("root");
    control_ = dir_->Sub("control");
    return Step({"dpkg-deb", "-x", deb_, root_}) && Step({"dpkg-deb", "-e", deb_, control_});
  }

  static bool Step(const std::vector<std::string>& argv) {
    CommandResult r = RunCommand(argv, dir_->path());
    if (r.exit_code == 0) return true;
    setup_log_ += Describe(argv, r);
    return false;
  }

  static CommandResult Run(const std::vector<std::string>& argv) {
    return RunCommand(argv, dir_->path());
  }

  static std::string Field(const std::string& name) {
    return ControlFields(ReadFileOrEmpty(control_ + "/control"))[name];
  }

  static inline TempDir* dir_ = nullptr;
  static inline bool ready_ = false;
  static inline std::string setup_log_;
  static inline std::vector<std::string> debs_;
  static inline std::string deb_;
  static inline std::string root_;
  static inline std::string control_;
};

TEST_F(DebPackageTest, InstalledBinaryReportsThePackagesVersion) {
  std::vector<std::string> version = {root_ + "/usr/bin/logship", "--version"};
  CommandResult r = Run(version);
  ASSERT_EQ(r.exit_code, 0) << Describe(version, r);
  EXPECT_EQ(r.out, "logship " + Field("Version") + "\n");
  EXPECT_EQ(r.out, Run({LOGSHIP_BINARY, "--version"}).out);
  EXPECT_THAT(deb_, HasSubstr("logship_" + Field("Version") + "_" + Field("Architecture")));
}

TEST_F(DebPackageTest, ShippedPipelineFileValidatesWhereItIsInstalled) {
  std::string yaml = root_ + "/etc/logship/logship.yaml";
  std::vector<std::string> validate = {root_ + "/usr/bin/logship", "validate", yaml};
  CommandResult r = Run(validate);
  EXPECT_EQ(r.exit_code, 0) << Describe(validate, r);
  EXPECT_THAT(r.out, HasSubstr(yaml + ": ok: 1 pipeline(s)"));

  // Everything it writes must be where the unit lets it write.
  std::string text = ReadFileOrEmpty(yaml);
  EXPECT_THAT(text, HasSubstr("\ndata_dir: /var/lib/logship "));
  for (const std::string& line : Lines(text)) {
    size_t key = line.find("path:");
    if (key == std::string::npos || line.find_first_not_of(' ') != key) continue;
    EXPECT_THAT(line.substr(key), StartsWith("path: /var/lib/logship/")) << line;
  }
}

TEST_F(DebPackageTest, SystemdUnitRunsTheShippedFileAsLogshipInGroupAdm) {
  std::string unit_path = root_ + "/lib/systemd/system/logship.service";
  std::string unit = ReadFileOrEmpty(unit_path);
  ASSERT_FALSE(unit.empty()) << unit_path;
  auto sections = UnitSections(unit);
  const std::set<std::string>& service = sections["[Service]"];
  for (const char* line : {
           "Type=simple",  // logship does not send sd_notify
           "ExecStart=/usr/bin/logship run /etc/logship/logship.yaml",
           "User=logship",
           "SupplementaryGroups=adm",
           "Restart=on-failure",
           "StateDirectory=logship",
           "ReadWritePaths=/var/lib/logship",
           "NoNewPrivileges=yes",
           "ProtectSystem=strict",
           "ProtectHome=read-only",
           "PrivateTmp=yes",
       }) {
    EXPECT_EQ(service.count(line), 1u) << "[Service] lacks " << line << "\n" << unit;
  }
  EXPECT_EQ(sections["[Install]"].count("WantedBy=multi-user.target"), 1u) << unit;
  EXPECT_TRUE(std::filesystem::exists(root_ + "/usr/bin/logship"));
  EXPECT_TRUE(std::filesystem::exists(root_ + "/etc/logship/logship.yaml"));

  // systemd's own parser, where it is installed: no unknown key, no bad value. ExecStart must
  // name an existing binary, so a copy points it into the temporary root.
  if (::access("/usr/bin/systemd-analyze", X_OK) != 0) return;
  std::string copy_dir = dir_->Sub("unit");
  std::filesystem::create_directories(copy_dir);
  std::string copy = unit;
  for (size_t at = 0; (at = copy.find("/usr/bin/logship", at)) != std::string::npos;) {
    copy.replace(at, 0, root_);
    at += root_.size() + 1;
  }
  WriteFile(copy_dir + "/logship.service", copy);
  std::vector<std::string> verify = {"systemd-analyze", "verify", "--man=no",
                                     copy_dir + "/logship.service"};
  CommandResult r = Run(verify);
  EXPECT_THAT(r.err, Not(HasSubstr("logship.service:"))) << Describe(verify, r);
}

TEST_F(DebPackageTest, ControlDataDeclaresDependsConffileAndScripts) {
  EXPECT_EQ(Field("Package"), "logship");
  EXPECT_EQ(Field("Section"), "admin");
  EXPECT_THAT(Field("Maintainer"), HasSubstr("@"));
  std::string depends = Field("Depends");
  // libc6 and libstdc++6 come from dpkg-shlibdeps: they show that it ran.
  for (const char* dep : {"adduser", "tzdata", "libc6 (>= ", "libstdc++6", "libyaml-cpp"}) {
    EXPECT_THAT(depends, HasSubstr(dep));
  }
  EXPECT_EQ(ReadFileOrEmpty(control_ + "/conffiles"), "/etc/logship/logship.yaml\n");

  for (const char* script : {"postinst", "prerm", "postrm"}) {
    std::string path = control_ + "/" + script;
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0) << path;
    EXPECT_EQ(st.st_mode & 0777, 0755u) << path;
    CommandResult syntax = Run({"sh", "-n", path});
    EXPECT_EQ(syntax.exit_code, 0) << path << ": " << syntax.err;
  }
  std::string postinst = ReadFileOrEmpty(control_ + "/postinst");
  EXPECT_THAT(postinst, HasSubstr("adduser --system --group --home /var/lib/logship"));
  EXPECT_THAT(postinst, HasSubstr("adduser --quiet logship adm"));
  EXPECT_THAT(ReadFileOrEmpty(control_ + "/postrm"), HasSubstr("rm -rf /var/lib/logship"));

  // Owned by root whoever built it, the binary executable, the rest read-only.
  std::vector<std::string> list = {"dpkg-deb", "-c", deb_};
  CommandResult contents = Run(list);
  ASSERT_EQ(contents.exit_code, 0) << Describe(list, contents);
  for (const std::string& line : Lines(contents.out)) {
    EXPECT_THAT(line, HasSubstr(" root/root ")) << line;
    if (line.find("./usr/bin/logship") != std::string::npos) {
      EXPECT_THAT(line, StartsWith("-rwxr-xr-x"));
    } else if (line[0] == '-') {
      EXPECT_THAT(line, StartsWith("-rw-r--r--"));
    }
  }
}

// postinst runs against stand-ins for the commands that would change the machine (adduser,
// install, systemctl) and for the user database (getent, id): a first install creates the user
// and puts it in adm; a reconfigure of an existing member of adm changes nothing.
TEST_F(DebPackageTest, PostinstCreatesTheUserOnceAndPutsItInAdm) {
  std::string stubs = dir_->Sub("stubs");
  std::filesystem::create_directories(stubs);
  std::string log = dir_->Sub("stubs.log");
  auto stub = [&](const std::string& name, const std::string& body) {
    std::string path = stubs + "/" + name;
    WriteFile(path, "#!/bin/sh\necho \"" + name + " $*\" >> '" + log + "'\n" + body);
    ::chmod(path.c_str(), 0755);
  };
  stub("getent", "[ \"$FAKE_USER\" = present ] || exit 2\necho logship:x:999:999::/:/bin/false\n");
  stub("id", "echo \"$FAKE_GROUPS\"\n");
  for (const char* name : {"adduser", "install", "systemctl", "deb-systemd-invoke"}) {
    stub(name, "");
  }
  auto postinst = [&](const std::string& user, const std::string& groups,
                      const std::string& previous_version) {
    WriteFile(log, "");
    std::vector<std::string> argv = {"env",
                                     "PATH=" + stubs + ":/usr/sbin:/usr/bin:/sbin:/bin",
                                     "FAKE_USER=" + user,
                                     "FAKE_GROUPS=" + groups,
                                     "sh",
                                     control_ + "/postinst",
                                     "configure",
                                     previous_version};
    CommandResult r = Run(argv);
    EXPECT_EQ(r.exit_code, 0) << Describe(argv, r);
    return ReadFileOrEmpty(log);
  };

  std::string first = postinst("absent", "logship", "");
  EXPECT_THAT(first, HasSubstr("getent passwd logship\n"));
  EXPECT_THAT(first, HasSubstr("adduser --system --group --home /var/lib/logship --no-create-home "
                               "--gecos logship log shipper --quiet logship\n"));
  EXPECT_THAT(first, HasSubstr("adduser --quiet logship adm\n"));
  if (!std::filesystem::exists("/var/lib/logship")) {
    EXPECT_THAT(first, HasSubstr("install -d -o logship -g logship -m 0750 /var/lib/logship\n"));
  }

  std::string again = postinst("present", "logship adm", "0.0.9");
  EXPECT_THAT(again, HasSubstr("getent passwd logship\n"));
  EXPECT_THAT(again, Not(HasSubstr("adduser")));
}

TEST_F(DebPackageTest, ManPageDocumentsEveryCommandAndOptionOfTheHelp) {
  std::string page_path = root_ + "/usr/share/man/man1/logship.1.gz";
  CommandResult page = Run({"gzip", "-dc", page_path});
  ASSERT_EQ(page.exit_code, 0) << page_path << ": " << page.err;
  EXPECT_THAT(page.out, HasSubstr(".TH LOGSHIP 1 "));
  EXPECT_THAT(page.out, HasSubstr("\"logship " + Field("Version") + "\""));
  EXPECT_TRUE(std::filesystem::exists(root_ + "/usr/share/doc/logship/copyright"));

  // Walks `logship [COMMAND...] --help` down every subcommand.
  std::vector<std::vector<std::string>> todo = {{}};
  while (!todo.empty()) {
    std::vector<std::string> command = todo.back();
    todo.pop_back();
    std::vector<std::string> argv = {root_ + "/usr/bin/logship"};
    argv.insert(argv.end(), command.begin(), command.end());
    argv.push_back("--help");
    CommandResult help = Run(argv);
    ASSERT_EQ(help.exit_code, 0) << Describe(argv, help);
    std::string name = "logship";
    for (const std::string& c : command) name += " " + c;
    HelpScreen screen = ParseHelp(help.out);
    EXPECT_FALSE(screen.options.empty()) << Describe(argv, help);
    for (const std::string& option : screen.options) {
      EXPECT_NE(page.out.find(RoffOption(option)), std::string::npos)
          << "packaging/logship.1.in does not document option " << option << " of '" << name
          << "', which its --help lists";
    }
    for (const std::string& sub : screen.subcommands) {
      bool entry = page.out.find("\n.BI \"" + sub + " ") != std::string::npos ||
                   page.out.find("\n.B " + sub + "\n") != std::string::npos;
      EXPECT_TRUE(entry) << "packaging/logship.1.in has no entry (.BI \"" << sub << " ...\" or .B "
                         << sub << ") for the command '" << name << " " << sub
                         << "', which its --help lists";
      std::vector<std::string> next = command;
      next.push_back(sub);
      todo.push_back(next);
    }
  }
}

}  // namespace
}  // namespace logship::testing

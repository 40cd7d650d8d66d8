// SPDX-License-Identifier: Apache-2.0
// The command line as an operator meets it: validate, run refusing a bad file, --help, --version.

#include "tests/integration/integration_fixture.h"

namespace logship::testing {
namespace {

using ::testing::HasSubstr;

class CliTest : public IntegrationTest {};

TEST_F(CliTest, ValidateAcceptsAGoodFileWithASummary) {
  RunResult r = RunLogship({"validate", WritePipeline()}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ok: 1 pipeline"));
}

TEST_F(CliTest, ValidateReportsEveryProblemWithFileLineAndColumn) {
  std::string path = dir_.Sub("bad.yaml");
  WriteFile(path,
            "data_dir: ./data\n"                       // 1
            "pipelines:\n"                             // 2
            "  app:\n"                                 // 3
            "    inputs:\n"                            // 4
            "      - type: file\n"                     // 5
            "        include: [\"\"]\n"                // 6
            "        start_at: middle\n"               // 7
            "        max_line_byte: 1MiB\n"            // 8
            "    sinks:\n"                             // 9
            "      - type: spool\n"                    // 10
            "        path: ./out\n"                    // 11
            "        max_file_bytes: lots\n"           // 12
            "      - type: kafak\n"                    // 13
            "  other:\n"                               // 14
            "    inputs:\n"                            // 15
            "      - type: file\n"                     // 16
            "        include: [\"/var/log/*.log\"]\n"  // 17
            "    sinks:\n"                             // 18
            "      - type: spool\n"                    // 19
            "        path: ./out\n");                  // 20
  RunResult r = RunLogship({"validate", path}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(path + ":6:"));
  EXPECT_THAT(r.err, HasSubstr(path + ":7:19: option 'start_at'"));
  EXPECT_THAT(r.err, HasSubstr(path + ":8:9: unknown option 'max_line_byte'"));
  EXPECT_THAT(r.err, HasSubstr("did you mean 'max_line_bytes'?"));
  EXPECT_THAT(r.err, HasSubstr(path + ":12:25: option 'max_file_bytes'"));
  EXPECT_THAT(
      r.err,
      HasSubstr(path +
                ":13:15: unknown sink type 'kafak' (known: elasticsearch, kafka, spool, stdout)"));
  EXPECT_THAT(r.err, HasSubstr(path + ":20:15:"));  // two pipelines, one spool path
  EXPECT_THAT(r.err, HasSubstr("is already used by pipelines.app.sinks[0]"));

  // run refuses the same file with the same messages, before touching anything.
  RunResult run = RunLogship({"run", "--once", path}, dir_.path());
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr(path + ":13:15: unknown sink type 'kafak'"));
}

TEST_F(CliTest, YamlSyntaxErrorHasItsPosition) {
  std::string path = dir_.Sub("broken.yaml");
  WriteFile(path, "pipelines:\n  app: [unclosed\n");
  RunResult r = RunLogship({"validate", path}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(path + ":"));
}

TEST_F(CliTest, MissingFileIsAClearError) {
  RunResult r = RunLogship({"validate", dir_.Sub("nope.yaml")}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nope.yaml"));
}

TEST_F(CliTest, EnvironmentVariablesAreExpanded) {
  std::string path = dir_.Sub("env.yaml");
  WriteFile(path,
            "pipelines:\n"
            "  app:\n"
            "    inputs:\n"
            "      - {type: file, include: [\"${LOGSHIP_TEST_LOGS:-logs}/*.log\"]}\n"
            "    sinks:\n"
            "      - {type: spool, path: \"${LOGSHIP_TEST_UNSET_VARIABLE}\"}\n");
  RunResult r = RunLogship({"validate", path}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("LOGSHIP_TEST_UNSET_VARIABLE"));
  EXPECT_THAT(r.err, HasSubstr(path + ":6:"));
}

TEST_F(CliTest, IncludeThatCanNeverMatchIsAnError) {
  std::string path = dir_.Sub("never.yaml");
  WriteFile(path,
            "pipelines:\n"
            "  app:\n"
            "    inputs:\n"
            "      - type: file\n"
            "        include: [\"/var/log/app.gz\"]\n"
            "        exclude: [\"*.gz\"]\n"
            "    sinks:\n"
            "      - {type: spool, path: ./out}\n");
  RunResult r = RunLogship({"validate", path}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("can never match"));
}

TEST_F(CliTest, VersionAndHelp) {
  RunResult v = RunLogship({"--version"}, dir_.path());
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, HasSubstr("logship "));
  for (const char* cmd : {"run", "validate"}) {
    RunResult h = RunLogship({cmd, "--help"}, dir_.path());
    EXPECT_EQ(h.exit_code, 0) << cmd;
    EXPECT_THAT(h.out, HasSubstr("PIPELINE")) << cmd;
  }
  RunResult none = RunLogship({}, dir_.path());
  EXPECT_EQ(none.exit_code, 1);
}

}  // namespace
}  // namespace logship::testing

// SPDX-License-Identifier: Apache-2.0
// Writes N JSON log lines of about 230 bytes each (bench/gen/json_log_lines.h) from a fixed seed,
// so every run and machine gets the same bytes.
//   gen_json_logs [--lines N] [--seed S] > app.log

#include "bench/gen/generator_main.h"
#include "bench/gen/json_log_lines.h"

int main(int argc, char** argv) {
  return logship::bench::RunGenerator<logship::bench::JsonLogLines>(argc, argv);
}

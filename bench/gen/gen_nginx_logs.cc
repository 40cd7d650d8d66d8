// SPDX-License-Identifier: Apache-2.0
// Writes N nginx access-log lines in the "combined" format (see nginx_log_lines.h), from a fixed
// seed, so every run and machine gets the same bytes.
//   gen_nginx_logs [--lines N] [--seed S] > access.log

#include "bench/gen/generator_main.h"
#include "bench/gen/nginx_log_lines.h"

int main(int argc, char** argv) {
  return logship::bench::RunGenerator<logship::bench::NginxLogLines>(argc, argv);
}

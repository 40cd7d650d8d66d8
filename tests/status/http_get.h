// SPDX-License-Identifier: Apache-2.0
#pragma once

// A plain HTTP GET for tests of the status endpoints (cpp-httplib's client).

#include <httplib.h>

#include <string>

namespace logship::testing {

struct HttpReply {
  int status = 0;  // 0: no answer
  std::string body;
  std::string content_type;
};

inline HttpReply HttpGet(const std::string& base_url, const std::string& path) {
  httplib::Client client(base_url);
  client.set_connection_timeout(5);
  client.set_read_timeout(30);
  httplib::Result res = client.Get(path.c_str());
  if (!res) return {};
  return {res->status, res->body, res->get_header_value("Content-Type")};
}

// The value of the sample `series` (name with its labels, exactly as rendered) in a Prometheus
// exposition, or -1 when absent.
inline double MetricValue(const std::string& exposition, const std::string& series) {
  size_t at = 0;
  while ((at = exposition.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || exposition[at - 1] == '\n') {
      return std::stod(exposition.substr(at + series.size() + 1));
    }
    at += series.size();
  }
  return -1;
}

}  // namespace logship::testing

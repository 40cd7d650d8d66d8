// SPDX-License-Identifier: Apache-2.0
#pragma once

// Realistic nginx access-log lines in the "combined" format, from a seeded generator, shared by
// gen_nginx_logs (files for end-to-end runs) and the regex stage benchmark (lines in memory):
// IPv4 and IPv6 clients, mostly '-' users, a mix of methods, paths with query strings, statuses
// and sizes, referers, varied real user agents (some with nginx's \x22 escapes), the occasional
// TLS handshake sent to the plain-HTTP port and the official image's trailing
// "$http_x_forwarded_for". About 200 bytes a line.

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

namespace logship::bench {

class NginxLogLines {
 public:
  explicit NginxLogLines(uint64_t seed) : rng_(seed) {}

  // The next line, without its newline.
  std::string Next() {
    static const char* const kAgents[] = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/125.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Safari/605.1.15",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "curl/8.5.0",
        "python-requests/2.31.0",
        "kube-probe/1.29",
        "okhttp/4.12.0",
        "Mozilla/5.0 \\x22quoted\\x22 agent",
        "-",
    };
    static const char* const kMethods[] = {"GET",  "GET", "GET",    "GET",
                                           "POST", "PUT", "DELETE", "HEAD"};
    static const char* const kPaths[] = {"/",
                                         "/index.html",
                                         "/api/v1/orders",
                                         "/api/v1/cart/items/42",
                                         "/healthz",
                                         "/static/app.js?v=3",
                                         "/search?q=blue+shoes&page=2",
                                         "/api/v2/users/me",
                                         "/favicon.ico",
                                         "/wp-login.php",
                                         "/graphql",
                                         "/images/banner-1920x1080.webp"};
    static const char* const kReferers[] = {"-",
                                            "-",
                                            "-",
                                            "https://shop.example.com/",
                                            "https://shop.example.com/cart",
                                            "https://www.google.com/"};
    static const int kStatuses[] = {200, 200, 200, 200, 200, 201, 204,
                                    301, 304, 400, 404, 499, 500, 502};
    uint64_t r = rng_();
    ms_ += static_cast<int64_t>(r % 5);
    time_t secs = static_cast<time_t>(ms_ / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char ts[40];
    std::strftime(ts, sizeof(ts), "%d/%b/%Y:%H:%M:%S +0000", &tm);
    char addr[48];
    if (r % 5 == 0) {
      std::snprintf(addr, sizeof(addr), "2001:db8:%x::%x", static_cast<unsigned>((r >> 8) & 0xffff),
                    static_cast<unsigned>((r >> 24) & 0xffff));
    } else {
      std::snprintf(addr, sizeof(addr), "%u.%u.%u.%u", 1 + static_cast<unsigned>((r >> 8) % 223),
                    static_cast<unsigned>((r >> 16) & 0xff),
                    static_cast<unsigned>((r >> 24) & 0xff),
                    1 + static_cast<unsigned>((r >> 32) % 254));
    }
    const char* user = (r >> 40) % 20 == 0 ? "alice" : "-";
    std::string request;
    if ((r >> 44) % 200 == 0) {
      request = "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03";  // TLS ClientHello
    } else {
      request = std::string(kMethods[(r >> 48) % 8]) + " " + kPaths[(r >> 51) % 12] + " " +
                ((r >> 55) % 4 == 0 ? "HTTP/2.0" : "HTTP/1.1");
    }
    uint64_t r2 = rng_();
    int status = kStatuses[r2 % 14];
    unsigned bytes = status == 204 || status == 304 ? 0 : static_cast<unsigned>((r2 >> 8) % 60000);
    char line[1024];
    int n = std::snprintf(line, sizeof(line), "%s - %s [%s] \"%s\" %d %u \"%s\" \"%s\"", addr, user,
                          ts, request.c_str(), status, bytes, kReferers[(r2 >> 24) % 6],
                          kAgents[(r2 >> 32) % 11]);
    std::string out(line, static_cast<size_t>(n));
    if ((r2 >> 40) % 10 == 0) out += " \"203.0.113.50, 10.0.0.2\"";
    return out;
  }

 private:
  std::mt19937_64 rng_;
  int64_t ms_ = 1795515330000;  // 2026-11-24T10:15:30Z
};

}  // namespace logship::bench

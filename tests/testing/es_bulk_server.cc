// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/es_bulk_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <sstream>
#include <thread>

#include "tests/testing/temp_dir.h"
#include "tests/testing/wait_until.h"

namespace logship::testing {
namespace {

std::string StringOf(simdjson::dom::element e) {
  std::string_view s;
  if (e.get_string().get(s) == simdjson::SUCCESS) return std::string(s);
  return "";
}

std::string Member(simdjson::dom::object o, std::string_view key) {
  simdjson::dom::element e;
  if (o[key].get(e) != simdjson::SUCCESS) return "";
  return StringOf(e);
}

// Calls fn(object) for each complete line of `path` that parses as a JSON object.
template <class Fn>
void ForEachObject(const std::string& path, Fn&& fn) {
  std::string text = ReadFileOrEmpty(path);
  simdjson::dom::parser parser;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) break;  // a line being written
    simdjson::dom::object obj;
    if (parser.parse(text.data() + start, nl - start).get_object().get(obj) == simdjson::SUCCESS) {
      fn(obj);
    } else {
      ADD_FAILURE() << path << ": not a JSON object: " << text.substr(start, nl - start);
    }
    start = nl + 1;
  }
}

}  // namespace

int UnusedLocalPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "no loopback port to spare";
  }
  if (fd >= 0) ::close(fd);
  return ntohs(addr.sin_port);
}

EsBulkServer::EsBulkServer(std::string dir, const EsTestCerts* certs, EsServerOptions options)
    : dir_(std::move(dir)), tls_(options.tls) {
  ::mkdir(dir_.c_str(), 0755);
  std::string port_file = dir_ + "/port";
  std::vector<std::string> args = {
      "python3",     std::string(LOGSHIP_SOURCE_DIR) + "/tests/tools/es_bulk_server.py",
      "--dir",       dir_,
      "--port-file", port_file};
  if (options.tls) {
    args.insert(args.end(), {"--cert", certs->server_cert, "--key", certs->server_key});
    if (options.client_auth) args.insert(args.end(), {"--client-ca", certs->client_ca_cert});
  }
  for (const std::string& a : options.auth) args.insert(args.end(), {"--auth", a});
  if (options.fast) args.push_back("--fast");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log = dir_ + "/server.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  bool up = WaitUntil([&] {
    std::string text = ReadFileOrEmpty(port_file);
    if (!text.empty()) port_ = std::atoi(text.c_str());
    int status = 0;
    if (port_ == 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return true;  // exited: give up at once
    }
    return port_ > 0;
  });
  if (!up || port_ == 0) {
    ADD_FAILURE() << "es_bulk_server.py did not start:\n" << Log();
    port_ = 0;
  }
}

EsBulkServer::~EsBulkServer() { Stop(); }

void EsBulkServer::Stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  bool gone = WaitUntil([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; },
                        std::chrono::seconds(20));
  if (!gone) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

std::string EsBulkServer::url() const {
  // TLS tests name the host the certificate was made for.
  return tls_ ? "https://localhost:" + std::to_string(port_)
              : "http://127.0.0.1:" + std::to_string(port_);
}

void EsBulkServer::SetControl(const std::string& json) {
  std::string tmp = dir_ + "/control.json.tmp";
  WriteFile(tmp, json);
  ASSERT_EQ(0, std::rename(tmp.c_str(), (dir_ + "/control.json").c_str()));
}

std::vector<EsStoredDoc> EsBulkServer::Docs() const {
  std::vector<EsStoredDoc> docs;
  ForEachObject(dir_ + "/docs.ndjson", [&](simdjson::dom::object o) {
    EsStoredDoc d;
    d.index = Member(o, "_index");
    d.id = Member(o, "_id");
    d.op = Member(o, "op");
    d.pipeline = Member(o, "pipeline");
    simdjson::dom::element source;
    if (o["source"].get(source) == simdjson::SUCCESS) {
      d.source = simdjson::minify(source);
      simdjson::dom::object s;
      if (source.get_object().get(s) == simdjson::SUCCESS) d.message = Member(s, "message");
    }
    docs.push_back(std::move(d));
  });
  return docs;
}

size_t EsBulkServer::CountDocs() const {
  std::string text = ReadFileOrEmpty(dir_ + "/docs.ndjson");
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

std::vector<EsRequestRecord> EsBulkServer::Requests() const {
  std::vector<EsRequestRecord> requests;
  ForEachObject(dir_ + "/requests.ndjson", [&](simdjson::dom::object o) {
    EsRequestRecord r;
    r.path = Member(o, "path");
    int64_t n = 0;
    if (o["bytes"].get_int64().get(n) == simdjson::SUCCESS) r.bytes = n;
    if (o["status"].get_int64().get(n) == simdjson::SUCCESS) r.status = static_cast<int>(n);
    if (o["client_port"].get_int64().get(n) == simdjson::SUCCESS) {
      r.client_port = static_cast<int>(n);
    }
    simdjson::dom::object headers;
    if (o["headers"].get_object().get(headers) == simdjson::SUCCESS) {
      r.authorization = Member(headers, "authorization");
      r.content_type = Member(headers, "content-type");
      r.content_encoding = Member(headers, "content-encoding");
    }
    simdjson::dom::array items;
    if (o["items"].get_array().get(items) == simdjson::SUCCESS) {
      for (simdjson::dom::element e : items) {
        simdjson::dom::object item;
        if (e.get_object().get(item) != simdjson::SUCCESS) continue;
        EsItemRecord rec;
        rec.op = Member(item, "op");
        rec.index = Member(item, "_index");
        rec.id = Member(item, "_id");
        rec.message = Member(item, "message");
        if (item["status"].get_int64().get(n) == simdjson::SUCCESS) {
          rec.status = static_cast<int>(n);
        }
        r.items.push_back(std::move(rec));
      }
    }
    requests.push_back(std::move(r));
  });
  return requests;
}

std::string EsBulkServer::Log() const { return ReadFileOrEmpty(dir_ + "/server.log"); }

}  // namespace logship::testing

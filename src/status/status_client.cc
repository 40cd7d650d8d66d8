// SPDX-License-Identifier: Apache-2.0
#include "src/status/status_client.h"

#include <httplib.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdio>

#include "src/config/byte_size.h"

namespace logship {
namespace {

using simdjson::ondemand::object;
using simdjson::ondemand::value;

std::string Pad(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// Reads field `key` of `o` as a string ("" when absent or null).
std::string Str(object o, std::string_view key) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS) return "";
  return std::string(v);
}

uint64_t Num(object o, std::string_view key) {
  uint64_t v = 0;
  if (o[key].get_uint64().get(v) != simdjson::SUCCESS) return 0;
  return v;
}

}  // namespace

Result<std::string> FetchStatus(const std::string& url) {
  try {
    httplib::Client client(url);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    httplib::Result res = client.Get("/status");
    if (!res) {
      return Status::Unavailable(url, "cannot fetch /status: " + httplib::to_string(res.error()));
    }
    if (res->status != 200) {
      return Status::Unavailable(url, "/status answered HTTP " + std::to_string(res->status));
    }
    return res->body;
  } catch (const std::exception& e) {  // httplib throws on a malformed URL
    return Status::InvalidArgument(url, std::string("bad URL: ") + e.what());
  }
}

Result<AgentStatus> ParseStatusJson(const std::string& json) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(json);
  AgentStatus s;
  // The document is small and read once: a tree of ondemand lookups in any order.
  auto fail = [](const char* what) {
    return Status::InvalidArgument("/status", std::string("unexpected document: ") + what);
  };
  simdjson::ondemand::document doc;
  if (parser.iterate(padded).get(doc) != simdjson::SUCCESS) return fail("not JSON");
  object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return fail("not an object");
  s.state = Str(root, "state");
  s.version = Str(root, "version");
  s.config_file = Str(root, "config_file");
  double uptime = 0;
  if (root["uptime_seconds"].get_double().get(uptime) == simdjson::SUCCESS) {
    s.now_unix_ns = static_cast<int64_t>(uptime * 1e9);  // started_unix_ns stays 0
  }
  simdjson::ondemand::array pipelines;
  if (root["pipelines"].get_array().get(pipelines) != simdjson::SUCCESS) return fail("pipelines");
  for (auto p : pipelines) {
    object po;
    if (p.get_object().get(po) != simdjson::SUCCESS) return fail("pipeline");
    PipelineStatus ps;
    ps.name = Str(po, "name");
    simdjson::ondemand::array files;
    if (po["files"].get_array().get(files) != simdjson::SUCCESS) return fail("files");
    for (auto f : files) {
      object fo;
      if (f.get_object().get(fo) != simdjson::SUCCESS) return fail("file");
      FileStatus fs;
      fs.input = Str(fo, "input");
      fs.file.path = Str(fo, "path");
      fs.file.inode = Num(fo, "inode");
      fs.file.size = Num(fo, "size");
      fs.file.acked_offset = Num(fo, "acked_offset");
      fs.file.state = Str(fo, "state");
      fs.file.held_bytes = Num(fo, "held_bytes");
      ps.files.push_back(std::move(fs));
    }
    simdjson::ondemand::array sinks;
    if (po["sinks"].get_array().get(sinks) != simdjson::SUCCESS) return fail("sinks");
    for (auto k : sinks) {
      object ko;
      if (k.get_object().get(ko) != simdjson::SUCCESS) return fail("sink");
      SinkStatus ss;
      ss.id = Str(ko, "id");
      ss.type = Str(ko, "type");
      ss.health.ok = Str(ko, "state") == "ok";
      ss.events_out = Num(ko, "events_out");
      ss.health.last_error = Str(ko, "last_error");
      ps.sinks.push_back(std::move(ss));
    }
    simdjson::ondemand::array inputs;
    if (po["failing_inputs"].get_array().get(inputs) == simdjson::SUCCESS) {
      for (auto i : inputs) {
        object io;
        if (i.get_object().get(io) != simdjson::SUCCESS) return fail("failing input");
        ps.failing_inputs.push_back(InputProblem{Str(io, "input"), Str(io, "error")});
      }
    }
    s.pipelines.push_back(std::move(ps));
  }
  return s;
}

std::string FormatStatusTable(const AgentStatus& status) {
  double uptime_seconds = static_cast<double>(status.now_unix_ns - status.started_unix_ns) / 1e9;
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "logship %s, %s, up %.0f s, config %s\n",
                status.version.c_str(), status.state.c_str(), uptime_seconds,
                status.config_file.c_str());
  out += line;
  for (const PipelineStatus& p : status.pipelines) {
    out += "\npipeline " + p.name + "\n";
    std::vector<const FileStatus*> files;
    for (const FileStatus& f : p.files) files.push_back(&f);
    std::stable_sort(files.begin(), files.end(),
                     [](const FileStatus* a, const FileStatus* b) { return a->lag() > b->lag(); });
    size_t width = 4;
    for (const FileStatus* f : files) width = std::max(width, f->file.path.size());
    out += "  " + Pad("FILE", width) + "  " + Pad("STATE", 8) + Pad("SIZE", 12) + Pad("ACKED", 12) +
           "LAG\n";
    for (const FileStatus* f : files) {
      out += "  " + Pad(f->file.path, width) + "  " + Pad(f->file.state, 8) +
             Pad(FormatBytes(f->file.size), 12) + Pad(FormatBytes(f->file.acked_offset), 12) +
             FormatBytes(f->lag());
      // An unterminated last line, waiting for its newline.
      if (f->file.held_bytes > 0) out += " (" + FormatBytes(f->file.held_bytes) + " held)";
      out += "\n";
    }
    if (files.empty()) out += "  (no files)\n";
    out += "  " + Pad("SINK", 16) + Pad("STATE", 9) + Pad("EVENTS OUT", 14) + "LAST ERROR\n";
    for (const SinkStatus& k : p.sinks) {
      out += "  " + Pad(k.id, 16) + Pad(k.health.ok ? "ok" : "FAILING", 9) +
             Pad(std::to_string(k.events_out), 14) + k.health.last_error + "\n";
    }
    for (const InputProblem& i : p.failing_inputs) {
      out += "  INPUT FAILING " + i.input + ": " + i.error + "\n";
    }
  }
  return out;
}

}  // namespace logship

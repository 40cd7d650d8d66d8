// SPDX-License-Identifier: Apache-2.0
#include "tests/testing/spool_reader.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>

#include "tests/testing/temp_dir.h"

namespace logship::testing {

namespace {

std::vector<std::string> SpoolFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".ndjson") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

size_t CountSpooledLines(const std::string& dir) {
  size_t n = 0;
  for (const std::string& f : SpoolFiles(dir)) {
    std::string content = ReadFileOrEmpty(f);
    n += static_cast<size_t>(std::count(content.begin(), content.end(), '\n'));
  }
  return n;
}

std::vector<SpooledEvent> ReadSpool(const std::string& dir) {
  std::vector<SpooledEvent> out;
  std::vector<std::string> files = SpoolFiles(dir);
  simdjson::dom::parser parser;
  for (const std::string& f : files) {
    std::string content = ReadFileOrEmpty(f);
    size_t pos = 0;
    while (pos < content.size()) {
      size_t nl = content.find('\n', pos);
      if (nl == std::string::npos) {
        ADD_FAILURE() << f << ": last line has no newline";
        break;
      }
      SpooledEvent ev;
      ev.raw = content.substr(pos, nl - pos);
      pos = nl + 1;
      simdjson::dom::element doc;
      if (parser.parse(ev.raw).get(doc) != simdjson::SUCCESS || !doc.is_object()) {
        ADD_FAILURE() << f << ": not a JSON object: " << ev.raw.substr(0, 200);
        continue;
      }
      std::string_view sv;
      if (doc["@timestamp"].get(sv) == simdjson::SUCCESS) ev.timestamp = sv;
      if (doc["message"].get(sv) == simdjson::SUCCESS) ev.message = sv;
      if (doc.at_pointer("/log/file/path").get(sv) == simdjson::SUCCESS) ev.path = sv;
      int64_t off;
      if (doc.at_pointer("/log/offset").get(off) == simdjson::SUCCESS) ev.offset = off;
      if (doc.at_pointer("/host/name").get(sv) == simdjson::SUCCESS) ev.host = sv;
      simdjson::dom::array tags;
      if (doc["tags"].get(tags) == simdjson::SUCCESS) {
        for (auto t : tags) {
          if (t.get(sv) == simdjson::SUCCESS) ev.tags.emplace_back(sv);
        }
      }
      out.push_back(std::move(ev));
    }
  }
  return out;
}

}  // namespace logship::testing

// SPDX-License-Identifier: Apache-2.0
#include "src/tail/container_line.h"

#include <simdjson.h>

#include <chrono>
#include <cstring>
#include <vector>

namespace logship {
namespace {

namespace od = simdjson::ondemand;

bool Digits(std::string_view s, size_t at, size_t n, int* value) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *value = v;
  return true;
}

}  // namespace

bool ParseRfc3339Nanos(std::string_view s, int64_t* unix_ns) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, &year) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &month) ||
      s[7] != '-' || !Digits(s, 8, 2, &day) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &hour) || s[13] != ':' || !Digits(s, 14, 2, &minute) || s[16] != ':' ||
      !Digits(s, 17, 2, &second)) {
    return false;
  }
  size_t i = 19;
  int64_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (digits < 9) nanos = nanos * 10 + (s[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return false;
    for (int d = digits; d < 9; ++d) nanos *= 10;
  }
  int64_t offset_s = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!Digits(s, i + 1, 2, &oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, &om) || oh > 23 || om > 59) {
      return false;
    }
    offset_s = (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    i += 6;
  } else {
    return false;
  }
  if (i != s.size()) return false;
  std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                                  std::chrono::day{unsigned(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return false;
  int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
  *unix_ns = secs * 1'000'000'000 + nanos;
  return true;
}

struct ContainerLineDecoder::Json {
  od::parser parser;
  std::vector<char> padded;  // the line, then simdjson's padding
};

ContainerLineDecoder::ContainerLineDecoder() : json_(std::make_unique<Json>()) {}
ContainerLineDecoder::~ContainerLineDecoder() = default;

bool ContainerLineDecoder::Decode(std::string_view line, ContainerFormat format,
                                  ContainerLine* out) {
  error_ = {};
  if (format == ContainerFormat::kAuto) {
    format = !line.empty() && line[0] == '{' ? ContainerFormat::kDocker : ContainerFormat::kCri;
  }
  return format == ContainerFormat::kDocker ? DecodeDocker(line, out) : DecodeCri(line, out);
}

bool ContainerLineDecoder::DecodeCri(std::string_view line, ContainerLine* out) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Fail("not a CRI log line: no space after the time");
  if (!ParseRfc3339Nanos(line.substr(0, sp1), &out->time_ns)) {
    return Fail("not a CRI log line: it does not start with an RFC 3339 time");
  }
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Fail("not a CRI log line: no tag after the stream");
  std::string_view stream = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (stream != "stdout" && stream != "stderr") {
    return Fail("not a CRI log line: the stream is neither stdout nor stderr");
  }
  // The tag is P or F, possibly followed by more tags after ':' (the CRI format allows them).
  size_t sp3 = line.find(' ', sp2 + 1);
  std::string_view tags =
      line.substr(sp2 + 1, sp3 == std::string_view::npos ? line.npos : sp3 - sp2 - 1);
  if (tags.empty() || (tags[0] != 'P' && tags[0] != 'F') || (tags.size() > 1 && tags[1] != ':')) {
    return Fail("not a CRI log line: the tag is neither P nor F");
  }
  out->format = ContainerFormat::kCri;
  out->stream = stream;
  out->partial = tags[0] == 'P';
  out->text = sp3 == std::string_view::npos ? std::string_view() : line.substr(sp3 + 1);
  return true;
}

bool ContainerLineDecoder::DecodeDocker(std::string_view line, ContainerLine* out) {
  std::vector<char>& buf = json_->padded;
  if (buf.size() < line.size() + simdjson::SIMDJSON_PADDING) {
    buf.resize(line.size() + simdjson::SIMDJSON_PADDING);
  }
  if (!line.empty()) std::memcpy(buf.data(), line.data(), line.size());
  od::document doc;
  if (json_->parser.iterate(buf.data(), line.size(), buf.size()).get(doc)) {
    return Fail("not a Docker json-file line: not JSON");
  }
  od::object object;
  if (doc.get_object().get(object))
    return Fail("not a Docker json-file line: not one complete JSON object");
  bool have_log = false, have_stream = false, have_time = false;
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return Fail("not a Docker json-file line: broken JSON");
    std::string_view value;
    if (key == "log") {
      if (field.value().get_string().get(value)) {
        return Fail("not a Docker json-file line: \"log\" is not a string");
      }
      out->text = value;
      have_log = true;
    } else if (key == "stream") {
      if (field.value().get_string().get(value) || (value != "stdout" && value != "stderr")) {
        return Fail("not a Docker json-file line: \"stream\" is neither stdout nor stderr");
      }
      out->stream = value == "stdout" ? std::string_view("stdout") : std::string_view("stderr");
      have_stream = true;
    } else if (key == "time") {
      if (field.value().get_string().get(value) || !ParseRfc3339Nanos(value, &out->time_ns)) {
        return Fail("not a Docker json-file line: \"time\" is not an RFC 3339 time");
      }
      have_time = true;
    }
    // Other keys (attrs, …): simdjson skips an unvisited value when the loop moves on.
  }
  // simdjson stops at the closing brace: anything after it is not this format.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    return Fail("not a Docker json-file line: text after the object");
  }
  if (!have_log || !have_stream || !have_time) {
    return Fail("not a Docker json-file line: it needs \"log\", \"stream\" and \"time\"");
  }
  out->format = ContainerFormat::kDocker;
  out->partial = !out->text.empty() && out->text.back() != '\n';
  if (!out->partial) out->text.remove_suffix(1);
  return true;
}

}  // namespace logship

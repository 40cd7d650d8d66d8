// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/index_pattern.h"

#include <time.h>

#include <algorithm>
#include <string_view>
#include <vector>

namespace logship {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

// strftime conversions that depend on the date only, on the hour, on the minute, or on the
// second. Left out: locale-dependent ones (%c, %x, %X), since an index name must not change with
// the machine's locale, and those that write characters an index name cannot hold (%e and %k pad
// with a space, %D writes '/', %R and %T write ':').
constexpr std::string_view kDayConversions = "YmdjyCbBhaAuwUWVGgF";
constexpr std::string_view kHourConversions = "HIp";
constexpr std::string_view kMinuteConversions = "M";
constexpr std::string_view kSecondConversions = "SszZ";
// Characters Elasticsearch refuses anywhere in an index name.
constexpr std::string_view kForbidden = "\\/*?\"<>| ,#:";

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void LowerAscii(std::string& s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

}  // namespace

Result<IndexPattern> IndexPattern::Parse(std::string_view text) {
  auto invalid = [&](std::string reason) {
    return Status::InvalidArgument("'" + std::string(text) + "'", reason);
  };
  if (text.empty()) return invalid("must not be empty");
  IndexPattern p;
  p.text_ = std::string(text);
  bool in_field = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_field) {
      if (text.compare(i, 2, "}}") == 0) {
        in_field = false;
        ++i;
      } else if (c == '%') {
        return invalid("'%' inside a {{field}} name");
      }
      continue;
    }
    if (text.compare(i, 2, "{{") == 0) {
      in_field = true;
      p.constant_ = false;
      ++i;
      continue;
    }
    if (c == '%') {
      if (i + 1 == text.size()) return invalid("ends with a lone '%'");
      char conv = text[++i];
      if (conv == '%') continue;
      int64_t bucket = 0;
      if (kDayConversions.find(conv) != std::string_view::npos) {
        bucket = kSecondsPerDay;
      } else if (kHourConversions.find(conv) != std::string_view::npos) {
        bucket = 3600;
      } else if (kMinuteConversions.find(conv) != std::string_view::npos) {
        bucket = 60;
      } else if (kSecondConversions.find(conv) != std::string_view::npos) {
        bucket = 1;
      } else {
        return invalid("unknown conversion '%" + std::string(1, conv) +
                       "' (use %Y %m %d %H and the like)");
      }
      p.bucket_seconds_ = p.has_time_ ? std::min(p.bucket_seconds_, bucket) : bucket;
      p.has_time_ = true;
      p.constant_ = false;
      continue;
    }
    if (c >= 'A' && c <= 'Z') return invalid("index names must be lower case");
    if (kForbidden.find(c) != std::string_view::npos) {
      return invalid(std::string("'") + c + "' is not allowed in an index name");
    }
    if (i == 0 && (c == '-' || c == '_' || c == '+')) {
      return invalid(std::string("an index name cannot start with '") + c + "'");
    }
  }
  // Template::Parse reports an unclosed "{{" or an empty "{{}}" with its position.
  Result<Template> t = Template::Parse(text);
  if (!t.ok()) return invalid(std::string(t.status().message()));
  if (!p.has_time_) {
    p.expanded_ = std::move(t).value();
    p.expanded_has_fields_ = !p.expanded_.literal();
    p.literal_name_ = p.expanded_.text();
    p.cached_bucket_ = 0;
  }
  return p;
}

bool IndexPattern::Render(const Batch& batch, const Event& event, std::string& out) {
  if (has_time_) {
    int64_t seconds = FloorDiv(event.timestamp_ns, 1'000'000'000);
    int64_t bucket = FloorDiv(seconds, bucket_seconds_);
    if (bucket != cached_bucket_) {
      time_t t = static_cast<time_t>(bucket * bucket_seconds_);
      struct tm tm;
      gmtime_r(&t, &tm);
      // Every conversion expands to at most ~25 bytes; 16x the pattern is plenty.
      std::vector<char> buf(text_.size() * 16 + 64);
      size_t n = strftime(buf.data(), buf.size(), text_.c_str(), &tm);
      Result<Template> t2 = Template::Parse(std::string_view(buf.data(), n));
      // Parse validated the pattern and strftime never writes braces, so this cannot fail.
      if (!t2.ok()) return false;
      expanded_ = std::move(t2).value();
      expanded_has_fields_ = !expanded_.literal();
      literal_name_ = expanded_.text();
      LowerAscii(literal_name_);  // %b, %a, %p are capitalised
      cached_bucket_ = bucket;
    }
  }
  if (!expanded_has_fields_) {
    out.assign(literal_name_);
    return true;
  }
  bool complete = expanded_.Render(batch, event, out);
  LowerAscii(out);
  return complete;
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "src/config/config_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <utility>

namespace logship {
namespace {

std::string_view TrimSpace(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end + 1 - begin);
}

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// A value as it may appear in a message: quoted, or "<redacted>" for an option whose name says it
// holds a secret (a wrong password must not end up in a log).
std::string QuoteValue(const ConfigNode& n, std::string_view value) {
  std::string_view path = n.path();
  size_t dot = path.rfind('.');
  std::string_view name = dot == std::string_view::npos ? path : path.substr(dot + 1);
  return IsSecretOptionName(name) || IsSecretOptionName(path) ? "<redacted>" : Quote(value);
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.append(separator);
    out.append(items[i]);
  }
  return out;
}

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// adjacent characters each cost 1.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// The name of `n` relative to the reader's map: "path", "brokers[1]"; the full path for a node
// outside it.
std::string OptionName(const ConfigNode& reader_node, const ConfigNode& n) {
  const std::string& base = reader_node.path();
  const std::string& path = n.path();
  if (base.empty()) return path;
  if (path.size() > base.size() && path.compare(0, base.size(), base) == 0) {
    if (path[base.size()] == '.') return path.substr(base.size() + 1);
    if (path[base.size()] == '[') return path.substr(base.size());
  }
  return path;
}

// "option 'path': " for messages about `n`; empty for the root node itself.
std::string OptionPrefix(const ConfigNode& reader_node, const ConfigNode& n) {
  std::string name = OptionName(reader_node, n);
  return name.empty() ? std::string() : "option " + Quote(name) + ": ";
}

// True for text in one of the spellings yaml-cpp accepts for a word: "true", "TRUE", "True".
bool MatchesFlexibleCase(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  bool all_lower = true;
  bool all_upper = true;
  bool capitalized = true;
  for (size_t i = 0; i < text.size(); ++i) {
    char lower = word[i];
    char upper = static_cast<char>(lower - 'a' + 'A');
    all_lower = all_lower && text[i] == lower;
    all_upper = all_upper && text[i] == upper;
    capitalized = capitalized && text[i] == (i == 0 ? upper : lower);
  }
  return all_lower || all_upper || capitalized;
}

}  // namespace

ConfigReader::ConfigReader(const ConfigNode& node, ConfigErrors& errors)
    : ConfigReader(node, errors, ProcessEnv()) {}

ConfigReader::ConfigReader(const ConfigNode& node, ConfigErrors& errors, EnvLookup env)
    : node_(node), errors_(errors), env_(std::move(env)), errors_at_start_(errors.size()) {
  if (!node_.IsNull() && !node_.IsMap()) {
    std::string message = "expected a map, got " + std::string(node_.KindName());
    if (!node_.path().empty()) message = Quote(node_.path()) + ": " + message;
    Error(node_, std::move(message));
    bad_node_ = true;
  }
}

ConfigNode ConfigReader::Take(std::string_view key) {
  if (taken_.insert(std::string(key)).second) known_.emplace_back(key);
  return node_.Get(key);
}

void ConfigReader::Error(const ConfigNode& at, std::string message) {
  // Every option of a node that is not a map is "missing"; the one "expected a map" says it all.
  if (bad_node_ && &at == &node_) return;
  errors_.Add(at.position(), std::move(message));
}

void ConfigReader::Error(std::string_view key, std::string_view message) {
  if (key.empty()) {
    errors_.Add(node_.position(), std::string(message));
    return;
  }
  // A missing key's node carries the map's position.
  Error(node_.Get(key), "option " + Quote(key) + ": " + std::string(message));
}

void ConfigReader::Check(bool ok, std::string_view key, std::string_view message) {
  if (!ok) Error(key, message);
}

void ConfigReader::OptionalEnum(std::string_view key, std::string* out,
                                std::string_view default_value,
                                std::initializer_list<std::string_view> choices) {
  ConfigNode child = Take(key);
  if (child.IsNull()) {
    *out = std::string(default_value);
    return;
  }
  std::string value;
  if (!ExpandScalar(child, &value)) return;
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) {
    *out = std::move(value);
    return;
  }
  std::string list;
  for (std::string_view choice : choices) {
    if (!list.empty()) list.append(", ");
    list.append(choice);
  }
  Error(child, OptionPrefix(node_, child) + "expected one of " + list + ", got " +
                   QuoteValue(child, value));
}

bool ConfigReader::Finish() {
  std::set<std::string, std::less<>> seen;
  for (const auto& [key, value] : node_.Entries()) {
    if (!key.IsScalar()) {
      Error(key, "option names must be plain words, got " + std::string(key.KindName()));
      continue;
    }
    std::string name = key.Scalar();
    if (!seen.insert(name).second) {
      Error(key, "duplicate option " + Quote(name));
      continue;
    }
    if (taken_.find(name) != taken_.end()) continue;
    std::string message = "unknown option " + Quote(name);
    if (!known_.empty()) message += " (known: " + Join(known_, ", ") + ")";
    const std::string* best = nullptr;
    size_t best_distance = 3;  // suggest only within an edit distance of 2
    for (const std::string& candidate : known_) {
      size_t distance = EditDistance(name, candidate);
      if (distance < best_distance && distance < name.size()) {
        best = &candidate;
        best_distance = distance;
      }
    }
    if (best != nullptr) message += "; did you mean " + Quote(*best) + "?";
    Error(key, std::move(message));
  }
  return errors_.size() == errors_at_start_;
}

bool ConfigReader::ExpandScalar(const ConfigNode& n, std::string* out) {
  std::string prefix = OptionPrefix(node_, n);
  if (!n.IsScalar()) {
    Error(n, prefix + "expected a value, got " + std::string(n.KindName()));
    return false;
  }
  Result<std::string> expanded = ExpandEnv(n.Scalar(), env_);
  if (!expanded.ok()) {
    Error(n, prefix + std::string(expanded.status().message()));
    return false;
  }
  *out = std::move(expanded).value();
  return true;
}

void ConfigReader::Decode(const ConfigNode& n, std::string* out) {
  std::string value;
  if (ExpandScalar(n, &value)) *out = std::move(value);
}

void ConfigReader::Decode(const ConfigNode& n, bool* out) {
  std::string value;
  if (!ExpandScalar(n, &value)) return;
  std::string_view text = TrimSpace(value);
  for (std::string_view word : {"true", "yes", "on"}) {
    if (MatchesFlexibleCase(text, word)) {
      *out = true;
      return;
    }
  }
  for (std::string_view word : {"false", "no", "off"}) {
    if (MatchesFlexibleCase(text, word)) {
      *out = false;
      return;
    }
  }
  Error(n, OptionPrefix(node_, n) + "expected true or false, got " + QuoteValue(n, value));
}

void ConfigReader::Decode(const ConfigNode& n, int64_t* out) {
  std::string value;
  if (!ExpandScalar(n, &value)) return;
  std::string_view text = TrimSpace(value);
  if (text.size() > 1 && text[0] == '+') text.remove_prefix(1);
  int64_t parsed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  std::string option = OptionPrefix(node_, n);
  if (ec == std::errc::result_out_of_range) {
    Error(n, option + "integer " + Quote(value) + " is out of range");
  } else if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    Error(n, option + "expected an integer, got " + QuoteValue(n, value));
  } else {
    *out = parsed;
  }
}

void ConfigReader::Decode(const ConfigNode& n, uint64_t* out) {
  std::string value;
  if (!ExpandScalar(n, &value)) return;
  std::string_view text = TrimSpace(value);
  if (text.size() > 1 && text[0] == '+') text.remove_prefix(1);
  uint64_t parsed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  std::string option = OptionPrefix(node_, n);
  if (ec == std::errc::result_out_of_range) {
    Error(n, option + "integer " + Quote(value) + " is out of range");
  } else if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    Error(n, option + "expected a non-negative integer, got " + QuoteValue(n, value));
  } else {
    *out = parsed;
  }
}

void ConfigReader::Decode(const ConfigNode& n, int* out) {
  size_t errors_before = errors_.size();
  int64_t wide = 0;
  Decode(n, &wide);
  if (errors_.size() != errors_before) return;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    Error(n, OptionPrefix(node_, n) + "integer " + std::to_string(wide) + " is out of range");
    return;
  }
  *out = static_cast<int>(wide);
}

void ConfigReader::Decode(const ConfigNode& n, double* out) {
  std::string value;
  if (!ExpandScalar(n, &value)) return;
  std::string_view text = TrimSpace(value);
  if (text.size() > 1 && text[0] == '+') text.remove_prefix(1);
  double parsed = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(parsed)) {
    Error(n, OptionPrefix(node_, n) + "expected a number, got " + QuoteValue(n, value));
    return;
  }
  *out = parsed;
}

void ConfigReader::Decode(const ConfigNode& n, ByteSize* out) {
  std::string value;
  if (!ExpandScalar(n, &value)) return;
  Result<ByteSize> size = ParseByteSize(value);
  if (!size.ok()) {
    Error(n, OptionPrefix(node_, n) + (QuoteValue(n, value) == "<redacted>"
                                           ? std::string("expected a size, got <redacted>")
                                           : std::string(size.status().message())));
    return;
  }
  *out = *size;
}

void ConfigReader::Decode(const ConfigNode& n, Duration* out) {
  std::string value;
  if (!ExpandScalar(n, &value)) return;
  Result<Duration> duration = ParseDuration(value);
  if (!duration.ok()) {
    Error(n, OptionPrefix(node_, n) + (QuoteValue(n, value) == "<redacted>"
                                           ? std::string("expected a duration, got <redacted>")
                                           : std::string(duration.status().message())));
    return;
  }
  *out = *duration;
}

void ConfigReader::Decode(const ConfigNode& n, std::vector<std::string>* out) {
  if (n.IsScalar()) {
    std::string value;
    if (ExpandScalar(n, &value)) *out = {std::move(value)};
    return;
  }
  if (!n.IsSequence()) {
    Error(n, OptionPrefix(node_, n) + "expected a list, got " + std::string(n.KindName()));
    return;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (const ConfigNode& element : n.Elements()) {
    std::string value;
    if (ExpandScalar(element, &value)) {
      values.push_back(std::move(value));
    } else {
      ok = false;
    }
  }
  if (ok) *out = std::move(values);
}

bool IsSecretOptionName(std::string_view name) {
  static constexpr std::string_view kWords[] = {"password",   "passwd",      "secret",
                                                "token",      "api_key",     "apikey",
                                                "credential", "private_key", "bearer"};
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view w : kWords) {
    if (lower.find(w) != std::string::npos) return true;
  }
  return false;
}

}  // namespace logship

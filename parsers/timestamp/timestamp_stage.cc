// SPDX-License-Identifier: Apache-2.0
#include "parsers/timestamp/timestamp_stage.h"

#include <optional>
#include <string_view>
#include <utility>

#include "parsers/timestamp/time_format.h"
#include "src/base/check.h"
#include "src/base/status_macros.h"
#include "src/config/config_reader.h"

namespace logship {
namespace {

// At most this many bytes of the field's text are quoted in error.message.
constexpr size_t kMaxQuotedBytes = 64;

// `text` cut to at most `max` bytes without splitting a UTF-8 sequence.
std::string_view Prefix(std::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

class TimestampStage final : public Stage {
 public:
  TimestampStage(TimestampStageOptions options, std::vector<TimeFormat> formats,
                 TimeZoneConverter zone)
      : options_(std::move(options)),
        formats_(std::move(formats)),
        zone_(std::move(zone)),
        write_timestamp_(options_.target.builtin() == BuiltinField::kTimestamp) {
    // Sized once, so building messages and formatting numbers never allocates per event.
    message_.reserve(options_.field.path().size() + kMaxQuotedBytes + 128);
    scratch_.reserve(64);
  }

  void Process(Batch& batch, const EventSelection& selected) override {
    ForEachSelected(batch, selected, [&](Event& event, size_t) { ProcessEvent(batch, event); });
  }

 private:
  void ProcessEvent(Batch& batch, Event& event) {
    std::optional<std::string_view> text = GetFieldText(batch, event, options_.field, scratch_);
    if (!text) {
      message_.assign("field '").append(options_.field.path()).append("' is not set");
      Fail(batch, event);
      return;
    }
    bool out_of_range = false;
    for (const TimeFormat& format : formats_) {
      const ParsedTime t = format.Parse(*text, zone_, event.timestamp_ns);
      if (t.status == TimeParseStatus::kOk) {
        Succeed(batch, event, t.unix_nanos);
        return;
      }
      out_of_range = out_of_range || t.status == TimeParseStatus::kOutOfRange;
    }
    const std::string_view quoted = Prefix(*text, kMaxQuotedBytes);
    const std::string_view ellipsis = quoted.size() < text->size() ? "..." : "";
    message_.assign("field '").append(options_.field.path()).append("': ");
    if (out_of_range) {
      message_.append("timestamp out of range: '")
          .append(quoted)
          .append(ellipsis)
          .append("' (@timestamp holds 1677-09-21 to 2262-04-11)");
    } else {
      message_.append("'").append(quoted).append(ellipsis).append("' matches none of the formats");
    }
    Fail(batch, event);
  }

  void Succeed(Batch& batch, Event& event, int64_t unix_nanos) {
    if (write_timestamp_) {
      SetField(batch, event, options_.target, Value::Int(unix_nanos));
      event.precision = options_.precision;
    } else {
      char buf[TimestampFormatter::kMaxLength];
      char* end = formatter_.Format(unix_nanos, options_.precision, buf);
      std::string_view iso =
          batch.arena().Copy(std::string_view(buf, static_cast<size_t>(end - buf)));
      SetField(batch, event, options_.target, Value::String(iso));
    }
    if (options_.remove_field) RemoveField(batch, event, options_.field);
  }

  // Tags `event` with message_; @timestamp keeps the read time.
  void Fail(Batch& batch, Event& event) {
    if (!event.error_type.empty()) return;  // an earlier stage's failure is the root cause
    TagError(event, "timestamp", batch.arena().Copy(message_));
  }

  const TimestampStageOptions options_;
  const std::vector<TimeFormat> formats_;
  TimeZoneConverter zone_;
  const bool write_timestamp_;
  TimestampFormatter formatter_;
  std::string message_;
  std::string scratch_;
};

}  // namespace

Result<TimestampStageOptions> ParseTimestampStageOptions(const ConfigNode& node,
                                                         PluginContext& ctx) {
  TimestampStageOptions o;
  ConfigReader r(node, *ctx.errors);
  r.Ignore("type");
  r.Ignore("when");  // read by the pipeline, which selects the events (EventSelection)
  std::string field;
  std::string target;
  std::string precision;
  ConfigNode formats;
  r.Required("field", &field);
  r.Required("formats", &formats);
  r.Optional("timezone", &o.timezone, std::string("UTC"));
  r.OptionalEnum("precision", &precision, "ms", {"ms", "us", "ns"});
  r.Optional("target", &target, std::string("@timestamp"));
  r.Optional("remove_field", &o.remove_field, false);

  if (node.Get("field").IsScalar()) r.Check(!field.empty(), "field", "must not be empty");
  if (node.Get("target").IsScalar()) r.Check(!target.empty(), "target", "must not be empty");
  o.field = FieldRef(field);
  o.target = FieldRef(target.empty() ? std::string("@timestamp") : target);
  o.precision = precision == "ns"   ? TimePrecision::kNanos
                : precision == "us" ? TimePrecision::kMicros
                                    : TimePrecision::kMillis;
  if (o.remove_field && !field.empty()) {
    r.Check(CanRemove(o.field), "remove_field",
            "field '" + field + "' is built in and cannot be removed");
    r.Check(field != o.target.path(), "remove_field",
            "field and target are the same field: removing it would undo the parse");
  }

  // formats: a list (or one format as a scalar), each compiled now so that a bad conversion is
  // reported at its own position.
  std::vector<ConfigNode> elements;
  if (formats.IsSequence()) {
    elements = formats.Elements();
    if (elements.empty()) r.Error("formats", "must list at least one format");
  } else if (formats.IsScalar()) {
    elements.push_back(formats);
  } else if (formats.defined() && !formats.IsNull()) {
    r.Error("formats", "expected a list of formats, got " + std::string(formats.KindName()));
  }
  for (size_t i = 0; i < elements.size(); ++i) {
    std::string spec;
    size_t errors_before = r.errors().size();
    r.Decode(elements[i], &spec);
    if (r.errors().size() != errors_before) continue;
    Result<TimeFormat> format = TimeFormat::Compile(spec);
    if (!format.ok()) {
      std::string name = formats.IsSequence() ? "formats[" + std::to_string(i) + "]" : "formats";
      ctx.errors->Add(elements[i].position(),
                      "option '" + name + "': " + std::string(format.status().message()));
      continue;
    }
    o.formats.push_back(std::move(spec));
  }

  if (node.Get("timezone").IsScalar() && !o.timezone.empty()) {
    Result<TimeZoneConverter> zone = TimeZoneConverter::Load(o.timezone);
    if (!zone.ok()) r.Error("timezone", zone.status().message());
  } else if (node.Get("timezone").IsScalar()) {
    r.Error("timezone", "must not be empty");
  }

  bool ok = r.Finish();
  ok = ok && !o.formats.empty() && o.formats.size() == elements.size();
  if (!ok) return Status::InvalidArgument(ctx.component, "invalid options");
  return o;
}

Result<std::unique_ptr<Stage>> MakeTimestampStage(const ConfigNode& node, PluginContext& ctx) {
  LOGSHIP_ASSIGN_OR_RETURN(TimestampStageOptions options, ParseTimestampStageOptions(node, ctx));
  std::vector<TimeFormat> formats;
  for (const std::string& spec : options.formats) {
    Result<TimeFormat> format = TimeFormat::Compile(spec);
    LOGSHIP_CHECK(format.ok()) << format.status().ToString();  // validated above
    formats.push_back(std::move(format).value());
  }
  Result<TimeZoneConverter> zone = TimeZoneConverter::Load(options.timezone);
  LOGSHIP_CHECK(zone.ok()) << zone.status().ToString();  // validated above
  return std::unique_ptr<Stage>(
      new TimestampStage(std::move(options), std::move(formats), std::move(zone).value()));
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/dead_letter.h"

#include <charconv>

#include "src/config/byte_size.h"
#include "src/config/config_reader.h"
#include "src/event/json_writer.h"

namespace logship {

Result<DeadLetterOptions> ParseDeadLetterOptions(const ConfigNode& sink_node, PluginContext& ctx) {
  DeadLetterOptions o;
  ConfigNode node = sink_node.Get("dead_letter");
  std::string path;
  ByteSize max_file_bytes = ByteSize::MiB(64);
  size_t errors_before = ctx.errors->size();
  if (!node.IsNull()) {
    ConfigReader r(node, *ctx.errors);
    r.Optional("path", &path, std::string());
    r.Optional("max_file_bytes", &max_file_bytes, ByteSize::MiB(64));
    r.Check(max_file_bytes.bytes >= 4096, "max_file_bytes", "must be at least 4KiB");
    r.Finish();
  }
  o.spool.dir =
      path.empty() ? JoinPath(JoinPath(ctx.data_dir, "dead_letter"), std::to_string(ctx.sink_index))
                   : ctx.ResolvePath(path);
  o.spool.max_file_bytes = max_file_bytes.bytes;
  if (ctx.claims != nullptr) {
    ctx.claims->Claim(o.spool.dir, ctx.component + ".dead_letter", node.IsNull() ? sink_node : node,
                      *ctx.errors);
  }
  if (ctx.errors->size() != errors_before) {
    return Status::InvalidArgument(ctx.component, "invalid dead_letter options");
  }
  return o;
}

DeadLetterSpool::DeadLetterSpool(std::string sink_name, DeadLetterOptions options, Clock& clock,
                                 FileSystem& fs)
    : sink_name_(std::move(sink_name)),
      dir_(options.spool.dir),
      clock_(clock),
      writer_(std::move(options.spool), clock, fs) {}

Status DeadLetterSpool::Open() {
  std::lock_guard<std::mutex> lock(mu_);
  Status st = writer_.Open();
  return st.ok() ? st : st.WithContext(sink_name_ + ": dead letter spool");
}

void DeadLetterSpool::Add(std::string_view event_json, std::string_view reason, int status) {
  std::lock_guard<std::mutex> lock(mu_);
  char ts[TimestampFormatter::kMaxLength];
  char* ts_end = timestamps_.Format(clock_.NowUnixNanos(), TimePrecision::kMillis, ts);
  pending_.Append("{\"@timestamp\":\"");
  pending_.Append(std::string_view(ts, static_cast<size_t>(ts_end - ts)));
  pending_.Append("\",\"sink\":");
  JsonWriter::WriteString(sink_name_, pending_);
  pending_.Append(",\"reason\":");
  JsonWriter::WriteString(reason, pending_);
  if (status != 0) {
    char digits[16];
    auto r = std::to_chars(digits, digits + sizeof(digits), status);
    pending_.Append(",\"status\":");
    pending_.Append(std::string_view(digits, static_cast<size_t>(r.ptr - digits)));
  }
  pending_.Append(",\"event\":");
  pending_.Append(event_json);
  pending_.Append("}\n");
  ++pending_count_;
  log_.Warn(sink_name_ + ": event dead-lettered to '" + dir_ + "': " + std::string(reason),
            clock_.MonotonicNanos());
}

Status DeadLetterSpool::Commit() {
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_.empty()) return Status::Ok();
  Status st = writer_.Write(pending_.view());
  if (st.ok()) st = writer_.Sync();
  if (!st.ok()) return st.WithContext(sink_name_ + ": dead letter spool");
  written_.fetch_add(pending_count_, std::memory_order_relaxed);
  pending_.clear();
  pending_count_ = 0;
  return Status::Ok();
}

}  // namespace logship

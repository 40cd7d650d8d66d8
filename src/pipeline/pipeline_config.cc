// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/pipeline_config.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <map>

#include "src/base/cpu_count.h"
#include "src/base/file_system.h"
#include "src/config/byte_size.h"
#include "src/config/config_node.h"
#include "src/config/config_reader.h"

namespace logship {
namespace {

bool ValidPipelineName(const std::string& name) {
  if (name.empty() || name[0] == '.' || name.size() > 128) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Reads the `type` of a component node and finds its factory; records an error when missing or
// unknown. `kind` is "input", "stage" or "sink".
template <class Factory>
Factory FindFactory(const ConfigNode& node, const char* kind,
                    Factory (Registry::*find)(const std::string&) const,
                    std::vector<std::string> (Registry::*names)() const, const Registry& registry,
                    ConfigErrors& errors) {
  if (!node.IsMap()) {
    errors.Add(node.position(), std::string(kind) + " must be a map with a 'type', got " +
                                    std::string(node.KindName()));
    return nullptr;
  }
  ConfigNode type_node = node.Get("type");
  if (type_node.IsNull() || !type_node.IsScalar()) {
    errors.Add(node.position(), std::string(kind) + " has no 'type' (known: " +
                                    JoinNames((registry.*names)()) + ")");
    return nullptr;
  }
  std::string type = type_node.Scalar();
  Factory f = (registry.*find)(type);
  if (f == nullptr) {
    errors.Add(type_node.position(), "unknown " + std::string(kind) + " type '" + type +
                                         "' (known: " + JoinNames((registry.*names)()) + ")");
  }
  return f;
}

// `http: {listen: HOST:PORT}`: where /metrics, /health and /status are served.
void ParseHttp(const ConfigNode& node, ConfigErrors& errors, HttpOptions& out) {
  ConfigReader r(node, errors);
  std::string listen;
  r.Required("listen", &listen);
  size_t colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos && colon + 1 < listen.size()) {
    port = 0;
    for (size_t i = colon + 1; i < listen.size() && port >= 0; ++i) {
      char c = listen[i];
      port = (c >= '0' && c <= '9' && port <= 65535) ? port * 10 + (c - '0') : -1;
    }
  }
  r.Check(listen.empty() || (colon != std::string::npos && colon > 0 && port >= 0 && port <= 65535),
          "listen", "expected HOST:PORT, like 127.0.0.1:9180 (port 0 picks a free one)");
  if (r.Finish() && !listen.empty()) {
    out.host = listen.substr(0, colon);
    if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']') {
      out.host = out.host.substr(1, out.host.size() - 2);  // [::1]:9180
    }
    out.port = port;
  }
}

// The component's `when:` condition, if it has one (the component's factory ignores the key).
std::optional<Condition> ParseWhen(const ConfigNode& node, ConfigErrors& errors) {
  ConfigNode when = node.Get("when");
  if (when.IsNull()) return std::nullopt;
  return Condition::Parse(when, errors);
}

// `workers:` when a pipeline does not say: LOGSHIP_WORKERS when it is a positive number (one
// setting for every pipeline of a host, and how the test suite runs with `workers: 1`), else one
// per usable CPU.
uint64_t DefaultStageWorkers() {
  const char* env = std::getenv("LOGSHIP_WORKERS");
  if (env != nullptr) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(env, &end, 10);
    if (end != env && *end == '\0' && n >= 1 && n <= 256) return n;
  }
  return UsableCpuCount();
}

void BuildPipeline(const std::string& name, const ConfigNode& node, const Registry& registry,
                   const std::string& base_dir, const std::string& data_dir, Clock& clock,
                   ConfigErrors& errors, ResourceClaims& claims, MetricsRegistry& metrics,
                   PipelineParts& parts) {
  parts.name = name;
  parts.data_dir = JoinPath(data_dir, name);
  ConfigReader r(node, errors);
  ConfigNode inputs, stages, sinks, batch;
  r.Required("inputs", &inputs);
  r.Optional("stages", &stages, ConfigNode());
  r.Required("sinks", &sinks);
  r.Optional("batch", &batch, ConfigNode());
  uint64_t in_flight = 8;
  r.Optional("max_batches_in_flight", &in_flight, uint64_t{8});
  r.Check(in_flight >= 2 && in_flight <= 1024, "max_batches_in_flight",
          "must be between 2 and 1024");
  parts.max_batches_in_flight = static_cast<size_t>(in_flight);
  // Stage workers: by default one per CPU the process may use. More than the batches in flight
  // could never all be busy.
  uint64_t workers = DefaultStageWorkers();
  r.Optional("workers", &workers, workers);
  r.Check(workers >= 1 && workers <= 256, "workers", "must be between 1 and 256");
  workers = std::clamp<uint64_t>(workers, 1, std::min<uint64_t>(256, in_flight));
  if (batch.defined() && !batch.IsNull()) {
    ConfigReader b(batch, errors);
    uint64_t max_events = 2048;
    ByteSize max_bytes;
    b.Optional("max_events", &max_events, uint64_t{2048});
    b.Optional("max_bytes", &max_bytes, ByteSize::MiB(1));
    Duration timeout;
    b.Optional("timeout", &timeout, Duration::Millis(200));
    b.Check(timeout.nanos >= Duration::Millis(1).nanos, "timeout", "must be at least 1ms");
    parts.batch_timeout_ns = timeout.nanos;
    b.Check(max_events >= 1 && max_events <= 1'000'000, "max_events",
            "must be between 1 and 1000000");
    b.Check(max_bytes.bytes >= 1024 && max_bytes.bytes <= (uint64_t{256} << 20), "max_bytes",
            "must be between 1KiB and 256MiB");
    b.Finish();
    parts.batch_max_events = static_cast<size_t>(max_events);
    parts.batch_max_bytes = static_cast<size_t>(max_bytes.bytes);
  }
  r.Finish();

  PluginContext ctx;
  ctx.pipeline = name;
  ctx.base_dir = base_dir;
  ctx.data_dir = parts.data_dir;
  ctx.errors = &errors;
  ctx.claims = &claims;
  ctx.clock = &clock;
  ctx.metrics = &metrics;

  auto list = [&](const ConfigNode& n, const char* what, bool required) -> std::vector<ConfigNode> {
    if (n.IsNull()) return {};
    if (!n.IsSequence()) {
      errors.Add(n.position(),
                 "'" + std::string(what) + "' must be a list, got " + std::string(n.KindName()));
      return {};
    }
    std::vector<ConfigNode> elements = n.Elements();
    if (required && elements.empty()) {
      errors.Add(n.position(), "'" + std::string(what) + "' must not be empty");
    }
    return elements;
  };

  for (const ConfigNode& in : list(inputs, "inputs", true)) {
    SourceFactory f =
        FindFactory(in, "input", &Registry::FindSource, &Registry::SourceNames, registry, errors);
    if (f == nullptr) continue;
    ctx.component = in.path();
    Result<std::unique_ptr<Source>> src = f(in, ctx);
    if (src.ok()) {
      parts.sources.push_back(std::move(*src));
      parts.source_names.push_back(in.path());
    }
  }
  std::vector<ConfigNode> stage_nodes = list(stages, "stages", false);
  // Each worker gets its own instances (stages keep scratch state); a pipeline without stages
  // needs no workers. The first chain reports the configuration's problems; the others are
  // built from the same, checked, configuration.
  parts.stage_chains.resize(stage_nodes.empty() ? 1 : static_cast<size_t>(workers));
  for (const ConfigNode& st : stage_nodes) {
    StageFactory f =
        FindFactory(st, "stage", &Registry::FindStage, &Registry::StageNames, registry, errors);
    if (f == nullptr) continue;
    ctx.component = st.path();
    for (size_t w = 0; w < parts.stage_chains.size(); ++w) {
      ConfigErrors copy_errors;
      ctx.errors = w == 0 ? &errors : &copy_errors;
      std::optional<Condition> when = ParseWhen(st, *ctx.errors);
      Result<std::unique_ptr<Stage>> stage = f(st, ctx);
      ctx.errors = &errors;
      if (!stage.ok()) {
        if (w > 0) {
          errors.Add(st.position(), "cannot build the stage for worker " + std::to_string(w) +
                                        ": " + std::string(stage.status().message()));
        }
        break;
      }
      parts.stage_chains[w].Add(std::move(*stage), std::move(when));
    }
  }
  // A sink's id in metrics and /status: its type, suffixed with its position when the pipeline
  // has more than one sink of that type.
  std::vector<ConfigNode> sink_nodes = list(sinks, "sinks", true);
  std::map<std::string, int> sinks_of_type;
  for (const ConfigNode& sk : sink_nodes) {
    if (sk.IsMap() && sk.Get("type").IsScalar()) ++sinks_of_type[sk.Get("type").Scalar()];
  }
  int sink_position = -1;
  for (const ConfigNode& sk : sink_nodes) {
    ++sink_position;
    SinkFactory f =
        FindFactory(sk, "sink", &Registry::FindSink, &Registry::SinkNames, registry, errors);
    if (f == nullptr) continue;
    ctx.component = sk.path();
    ctx.sink_index = static_cast<int>(parts.sinks.size());
    std::optional<Condition> when = ParseWhen(sk, errors);
    auto health = std::make_unique<SinkHealth>();
    std::string type = sk.Get("type").Scalar();
    std::string id = sinks_of_type[type] > 1 ? type + "-" + std::to_string(sink_position) : type;
    auto stats = std::make_unique<SinkStats>(MakeSinkStats(metrics, name, id, health.get()));
    ctx.sink_stats = stats.get();
    Result<std::unique_ptr<Sink>> sink = f(sk, ctx);
    ctx.sink_index = -1;
    ctx.sink_stats = nullptr;
    if (sink.ok()) {
      parts.sinks.push_back(SinkSlot{sk.path(), id, type, std::move(when), std::move(health),
                                     std::move(stats), std::move(*sink)});
    }
  }
}

}  // namespace

Result<AgentConfig> LoadAgentConfig(const std::string& path, const Registry& registry,
                                    ConfigErrors& errors, Clock& clock,
                                    std::shared_ptr<MetricsRegistry> metrics) {
  char cwd[PATH_MAX];
  std::string base = ::getcwd(cwd, sizeof(cwd)) != nullptr ? std::string(cwd) : "/";
  AgentConfig config;
  config.file = MakeAbsolutePath(base, path);
  config.loaded_unix_ns = clock.NowUnixNanos();
  Result<ConfigNode> root = ConfigNode::LoadFile(config.file);
  if (!root.ok()) {
    // The message already reads "FILE:LINE:COL: reason" or "FILE: reason".
    errors.Add(ConfigPosition{}, std::string(root.status().message()));
    return Status::InvalidArgument(config.file, "invalid pipeline file");
  }
  std::string base_dir = DirName(config.file);
  ConfigReader r(*root, errors);
  std::string data_dir;
  ConfigNode pipelines;
  r.Optional("data_dir", &data_dir, std::string("data"));
  r.Required("pipelines", &pipelines);
  r.Optional("shutdown_timeout", &config.shutdown_timeout, Duration::Seconds(30));
  ConfigNode http;
  r.Optional("http", &http, ConfigNode());
  if (!http.IsNull()) ParseHttp(http, errors, config.http);
  r.Check(config.shutdown_timeout.nanos > 0, "shutdown_timeout", "must be positive");
  r.Finish();
  config.data_dir = MakeAbsolutePath(base_dir, data_dir);

  config.metrics = metrics != nullptr ? std::move(metrics) : std::make_shared<MetricsRegistry>();
  ResourceClaims claims;
  if (pipelines.defined() && !pipelines.IsNull()) {
    if (!pipelines.IsMap()) {
      errors.Add(pipelines.position(), "'pipelines' must be a map of name to pipeline, got " +
                                           std::string(pipelines.KindName()));
    } else {
      std::map<std::string, std::string> first_at;  // name -> where it is first defined
      for (const auto& [key, value] : pipelines.Entries()) {
        std::string name = key.Scalar();
        if (!ValidPipelineName(name)) {
          errors.Add(key.position(), "pipeline name '" + name +
                                         "' must be letters, digits, '-', '_' or '.' (it names "
                                         "a directory in data_dir)");
          continue;
        }
        // Two pipelines of one name would share one state directory (and one lock).
        ConfigPosition at = key.position();
        auto [seen, inserted] = first_at.emplace(
            name, "line " + std::to_string(at.line) + ", column " + std::to_string(at.column));
        if (!inserted) {
          errors.Add(key.position(),
                     "pipeline '" + name + "' is defined twice (first at " + seen->second + ")");
          continue;
        }
        PipelineParts parts;
        parts.fingerprint = YAML::Dump(value.yaml()) + "\n# data_dir: " + config.data_dir;
        BuildPipeline(name, value, registry, base_dir, config.data_dir, clock, errors, claims,
                      *config.metrics, parts);
        config.pipelines.push_back(std::move(parts));
      }
      if (config.pipelines.empty() && errors.empty()) {
        errors.Add(pipelines.position(), "'pipelines' must define at least one pipeline");
      }
    }
  }
  if (!errors.empty()) return Status::InvalidArgument(config.file, "invalid pipeline file");
  return config;
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "src/pipeline/registry.h"

#include "src/base/check.h"

namespace logship {
namespace {

template <class F>
void Add(std::map<std::string, F>& table, const std::string& type, F factory, const char* kind) {
  LOGSHIP_CHECK(factory != nullptr) << kind << " '" << type << "' has no factory";
  bool inserted = table.emplace(type, factory).second;
  LOGSHIP_CHECK(inserted) << kind << " type '" << type << "' registered twice";
}

template <class F>
F Find(const std::map<std::string, F>& table, const std::string& type) {
  auto it = table.find(type);
  return it == table.end() ? nullptr : it->second;
}

template <class F>
std::vector<std::string> Names(const std::map<std::string, F>& table) {
  std::vector<std::string> out;
  for (const auto& [name, f] : table) out.push_back(name);
  return out;
}

}  // namespace

void Registry::AddSource(const std::string& type, SourceFactory f) {
  Add(sources_, type, f, "source");
}
void Registry::AddStage(const std::string& type, StageFactory f) { Add(stages_, type, f, "stage"); }
void Registry::AddSink(const std::string& type, SinkFactory f) { Add(sinks_, type, f, "sink"); }
SourceFactory Registry::FindSource(const std::string& type) const { return Find(sources_, type); }
StageFactory Registry::FindStage(const std::string& type) const { return Find(stages_, type); }
SinkFactory Registry::FindSink(const std::string& type) const { return Find(sinks_, type); }
std::vector<std::string> Registry::SourceNames() const { return Names(sources_); }
std::vector<std::string> Registry::StageNames() const { return Names(stages_); }
std::vector<std::string> Registry::SinkNames() const { return Names(sinks_); }

}  // namespace logship

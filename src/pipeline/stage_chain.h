// SPDX-License-Identifier: Apache-2.0
#pragma once

// StageChain is one set of a pipeline's stage instances, each with its `when:` condition, run in
// order over a batch. Stages keep scratch state, so one chain processes one batch at a time; a
// pipeline with N workers builds N chains from the same configuration, one per worker thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "src/event/batch.h"
#include "src/pipeline/condition.h"
#include "src/pipeline/stage.h"

namespace logship {

class StageChain {
 public:
  StageChain() = default;
  StageChain(StageChain&&) noexcept = default;
  StageChain& operator=(StageChain&&) noexcept = default;

  void Add(std::unique_ptr<Stage> stage, std::optional<Condition> when);
  // Runs every stage over `batch`, each on the events its condition selects.
  void Run(Batch& batch);

  size_t size() const { return stages_.size(); }
  bool empty() const { return stages_.empty(); }
  const Stage& stage(size_t i) const { return *stages_[i]; }

 private:
  std::vector<std::unique_ptr<Stage>> stages_;
  std::vector<std::optional<Condition>> when_;  // one per stage
  std::vector<uint8_t> marks_;                  // a stage's selection, reused
};

}  // namespace logship

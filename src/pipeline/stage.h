// SPDX-License-Identifier: Apache-2.0
#pragma once

// Stage transforms a batch in place (parse, edit, filter). A bad line is never a failure: the event
// is tagged with error.type / error.message and shipped, or marked dropped and counted. Only a
// stage's factory can fail (bad configuration). Process runs on one pipeline thread at a time; a
// stage keeps per-call scratch state in members and must not allocate per event in steady state.

#include "src/event/batch.h"

namespace logship {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual void Process(Batch& batch) = 0;
};

}  // namespace logship

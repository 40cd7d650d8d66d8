// SPDX-License-Identifier: Apache-2.0
#pragma once

// What an Elasticsearch `_bulk` answer means for each document, and for the request as a whole.
// The table follows Vector's retry.rs with retry_partial (only the failed items go again), not
// Fluent Bit's es.c, which resends a whole chunk when one item failed and so duplicates the rest:
//
//   whole request                         per item (2xx answers with errors: true)
//   2xx          read the items           2xx                        indexed
//   413, 400     split in halves; a       409 on create with our _id already indexed (duplicate)
//                single document: reject  429, 5xx                   retry this item only
//                (a 400 only when it is
//                Elasticsearch's own error;
//                a proxy's 400 is retried)
//   401, 403     retry (log: credentials) other 4xx                  reject: dead-letter spool
//   408,429,5xx  retry (next URL)
//   anything else retry, logged
//
// BulkResponse parses with simdjson's DOM API, which validates the whole document: the
// on-demand API (the json stage's) accepts `{"a":"b":1}` when values are skipped unread.
// One per thread; parsing reuses the parser's memory, and the views it hands out point into it
// until the next Parse.

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "src/base/status.h"

namespace logship {

enum class ItemOutcome : uint8_t { kIndexed, kDuplicate, kRetry, kReject };
enum class RequestOutcome : uint8_t { kItems, kSplit, kAuth, kRetry, kUnexpected };

// What to do with the per-item `status` of a document sent with a deterministic _id via
// `create` (`deterministic_create`) or not.
ItemOutcome ClassifyItem(int status, bool deterministic_create);

// What to do with an HTTP status of the whole request (0 = no answer: connection refused,
// timeout, TLS failure: retried like a 503).
RequestOutcome ClassifyRequest(long http_status);

// A one-line reason from an error answer's body, Elasticsearch's {"error":{"type","reason"}}
// form when it is that ("security_exception: missing authentication credentials"), else the
// start of the body with control characters replaced.
std::string ErrorSummary(std::string_view body);

// True when `body` is Elasticsearch's error form, {"error":{"type":…}}: the cluster itself
// refused the request, not a proxy in front of it.
bool IsElasticsearchError(std::string_view body);

class BulkResponse {
 public:
  struct Item {
    int status = 0;
    std::string_view error_type;  // empty when the item has no error
    std::string_view error_reason;
    std::string_view caused_by_type;
    std::string_view caused_by_reason;
  };

  // Parses a 2xx answer to a request of `expected_items` documents. `padded_capacity` is how
  // many bytes are readable from body.data() (simdjson reads up to SIMDJSON_PADDING past the
  // end; the body is copied when there is less). Corruption when the body is not valid JSON, not
  // an object, has no boolean `errors`, or — with errors: true — no `items` array with exactly
  // one object per document, each with an integer `status`.
  Status Parse(std::string_view body, size_t padded_capacity, size_t expected_items);

  // False: every document was indexed (items() may then be empty: they are not read).
  bool errors() const { return errors_; }
  const std::vector<Item>& items() const { return items_; }

  // "mapper_parsing_exception: failed to parse field [n] (caused by: illegal_argument_exception:
  // For input string: \"x\")", or "status 503" for an item without an error object.
  static std::string Reason(const Item& item);

 private:
  simdjson::dom::parser parser_;
  bool errors_ = false;
  std::vector<Item> items_;
};

}  // namespace logship

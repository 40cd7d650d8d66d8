// SPDX-License-Identifier: Apache-2.0
#include "sinks/elasticsearch/bulk_response.h"

namespace logship {
namespace {

std::string_view StringMember(simdjson::dom::object obj, std::string_view key) {
  std::string_view s;
  if (obj[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return s;
}

std::string Printable(std::string_view s, size_t max) {
  std::string out;
  for (char c : s.substr(0, max)) {
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  }
  if (s.size() > max) out += "…";
  return out;
}

}  // namespace

ItemOutcome ClassifyItem(int status, bool deterministic_create) {
  if (status >= 200 && status < 300) return ItemOutcome::kIndexed;
  if (status == 409 && deterministic_create) return ItemOutcome::kDuplicate;
  if (status == 429 || status >= 500) return ItemOutcome::kRetry;
  if (status >= 400) return ItemOutcome::kReject;
  // 1xx/3xx per item never happen; retrying is the choice that loses nothing.
  return ItemOutcome::kRetry;
}

RequestOutcome ClassifyRequest(long http_status) {
  if (http_status >= 200 && http_status < 300) return RequestOutcome::kItems;
  if (http_status == 413 || http_status == 400) return RequestOutcome::kSplit;
  if (http_status == 401 || http_status == 403) return RequestOutcome::kAuth;
  if (http_status == 0 || http_status == 408 || http_status == 429 || http_status >= 500) {
    return RequestOutcome::kRetry;
  }
  return RequestOutcome::kUnexpected;
}

std::string ErrorSummary(std::string_view body) {
  if (body.empty()) return "empty body";
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) == simdjson::SUCCESS) {
    simdjson::dom::element error;
    if (root["error"].get(error) == simdjson::SUCCESS) {
      std::string_view text;
      if (error.get_string().get(text) == simdjson::SUCCESS) return Printable(text, 300);
      simdjson::dom::object obj;
      if (error.get_object().get(obj) == simdjson::SUCCESS) {
        std::string_view type = StringMember(obj, "type");
        std::string_view reason = StringMember(obj, "reason");
        if (!type.empty() || !reason.empty()) {
          return Printable(std::string(type) + (type.empty() || reason.empty() ? "" : ": ") +
                               std::string(reason),
                           300);
        }
      }
    }
  }
  return Printable(body, 200);
}

bool IsElasticsearchError(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) return false;
  simdjson::dom::object error;
  if (root["error"].get_object().get(error) != simdjson::SUCCESS) return false;
  std::string_view type;
  return error["type"].get_string().get(type) == simdjson::SUCCESS && !type.empty();
}

Status BulkResponse::Parse(std::string_view body, size_t padded_capacity, size_t expected_items) {
  items_.clear();
  errors_ = false;
  auto corrupt = [](std::string reason) { return Status::Corruption("bulk response", reason); };
  simdjson::dom::element root;
  bool copy = padded_capacity < body.size() + simdjson::SIMDJSON_PADDING;
  simdjson::error_code ec = parser_.parse(body.data(), body.size(), copy).get(root);
  if (ec != simdjson::SUCCESS) {
    return corrupt(std::string("not valid JSON (") + simdjson::error_message(ec) + ")");
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) return corrupt("not a JSON object");
  if (obj["errors"].get_bool().get(errors_) != simdjson::SUCCESS) {
    return corrupt("no boolean 'errors'");
  }
  if (!errors_) return Status::Ok();
  simdjson::dom::array items;
  if (obj["items"].get_array().get(items) != simdjson::SUCCESS) {
    return corrupt("'errors' is true but there is no 'items' array");
  }
  if (items.size() != expected_items) {
    return corrupt(std::to_string(items.size()) + " items for " + std::to_string(expected_items) +
                   " documents");
  }
  items_.reserve(expected_items);
  for (simdjson::dom::element element : items) {
    // Each item is {"<action>": {...}}: one member whose name is the action sent.
    simdjson::dom::object wrapper;
    simdjson::dom::object inner;
    if (element.get_object().get(wrapper) != simdjson::SUCCESS || wrapper.size() != 1 ||
        (*wrapper.begin()).value.get_object().get(inner) != simdjson::SUCCESS) {
      return corrupt("item " + std::to_string(items_.size()) + " is not {\"<action>\":{…}}");
    }
    Item item;
    int64_t status = 0;
    if (inner["status"].get_int64().get(status) != simdjson::SUCCESS || status < 100 ||
        status > 599) {
      return corrupt("item " + std::to_string(items_.size()) + " has no valid 'status'");
    }
    item.status = static_cast<int>(status);
    simdjson::dom::element error;
    if (inner["error"].get(error) == simdjson::SUCCESS) {
      simdjson::dom::object e;
      if (error.get_object().get(e) == simdjson::SUCCESS) {
        item.error_type = StringMember(e, "type");
        item.error_reason = StringMember(e, "reason");
        simdjson::dom::object cause;
        if (e["caused_by"].get_object().get(cause) == simdjson::SUCCESS) {
          item.caused_by_type = StringMember(cause, "type");
          item.caused_by_reason = StringMember(cause, "reason");
        }
      } else {
        std::string_view text;
        if (error.get_string().get(text) == simdjson::SUCCESS) item.error_reason = text;
      }
    }
    items_.push_back(item);
  }
  return Status::Ok();
}

std::string BulkResponse::Reason(const Item& item) {
  std::string r;
  if (!item.error_type.empty()) r += std::string(item.error_type);
  if (!item.error_reason.empty()) {
    if (!r.empty()) r += ": ";
    r += std::string(item.error_reason);
  }
  if (!item.caused_by_type.empty() || !item.caused_by_reason.empty()) {
    r += " (caused by: " + std::string(item.caused_by_type);
    if (!item.caused_by_type.empty() && !item.caused_by_reason.empty()) r += ": ";
    r += std::string(item.caused_by_reason) + ")";
  }
  if (r.empty()) r = "status " + std::to_string(item.status);
  return Printable(r, 1000);
}

}  // namespace logship

// SPDX-License-Identifier: Apache-2.0
#include "src/host/host_info.h"

#include <array>

#include "src/host/proc_file.h"

namespace logship {
namespace {

std::string Unquote(std::string_view v) {
  // Trailing whitespace is not part of a value (os-release(5) values are shell-like).
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
    v.remove_suffix(1);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
    char quote = v.front();
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (quote == '"' && v[i] == '\\' && i + 1 < v.size()) {
        char c = v[i + 1];
        if (c == '"' || c == '\\' || c == '$' || c == '`') {
          out += c;
          ++i;
          continue;
        }
      }
      out += v[i];
    }
    return out;
  }
  return std::string(v);
}

struct FamilyRule {
  std::string_view family;
  std::array<std::string_view, 10> members;
};
constexpr FamilyRule kFamilies[] = {
    {"debian", {"debian", "ubuntu", "raspbian", "linuxmint", "pop", "elementary", "kali"}},
    {"redhat",
     {"rhel", "centos", "fedora", "amzn", "rocky", "almalinux", "ol", "scientific", "openEuler"}},
    {"suse", {"suse", "sles", "opensuse", "opensuse-leap", "opensuse-tumbleweed", "sled"}},
    {"arch", {"arch", "manjaro", "antergos", "endeavouros"}},
    {"alpine", {"alpine"}},
};

std::string_view FamilyOf(std::string_view word) {
  for (const FamilyRule& rule : kFamilies) {
    for (std::string_view m : rule.members) {
      if (!m.empty() && m == word) return rule.family;
    }
  }
  return {};
}

}  // namespace

OsRelease ParseOsRelease(std::string_view text) {
  OsRelease r;
  LineCursor lines(text);
  while (std::optional<std::string_view> line = lines.Next()) {
    size_t eq = line->find('=');
    if (eq == std::string_view::npos || line->empty() || line->front() == '#') continue;
    std::string_view key = line->substr(0, eq);
    std::string* slot = nullptr;
    if (key == "ID")
      slot = &r.id;
    else if (key == "ID_LIKE")
      slot = &r.id_like;
    else if (key == "NAME")
      slot = &r.name;
    else if (key == "VERSION")
      slot = &r.version;
    else if (key == "VERSION_ID")
      slot = &r.version_id;
    else if (key == "VERSION_CODENAME")
      slot = &r.version_codename;
    if (slot != nullptr) *slot = Unquote(line->substr(eq + 1));
  }
  return r;
}

std::string OsFamily(std::string_view id, std::string_view id_like) {
  std::string_view family = FamilyOf(id);
  if (!family.empty()) return std::string(family);
  FieldCursor likes(id_like);
  std::string_view first = likes.Next();
  for (std::string_view like = first; !like.empty(); like = likes.Next()) {
    family = FamilyOf(like);
    if (!family.empty()) return std::string(family);
  }
  return std::string(first.empty() ? id : first);
}

std::string FormatMac(const unsigned char* bytes, size_t len) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < len; ++i) {
    if (i > 0) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xf];
  }
  return out;
}

}  // namespace logship

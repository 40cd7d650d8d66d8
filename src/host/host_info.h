// SPDX-License-Identifier: Apache-2.0
#pragma once

// HostInfo describes the machine an agent runs on, in the Elastic Common Schema's host.* fields
// as Metricbeat's add_host_metadata processor fills them: names, architecture, operating system
// (from os-release(5) and uname(2)), machine id and network addresses. Reading it costs a few
// file reads and a getifaddrs(3): it is meant to be cached and refreshed now and then, never read
// per event. The platform's ReadHostInfo lives in host_info_<platform>.cc.

#include <string>
#include <string_view>
#include <vector>

#include "src/base/result.h"

namespace logship {

struct HostInfo {
  std::string name;               // host.name: the host name
  std::string hostname;           // host.hostname
  std::string architecture;       // host.architecture: "x86_64", "aarch64"
  std::string os_type;            // host.os.type: "linux"
  std::string os_family;          // host.os.family: "debian", "redhat", "suse", "arch", …
  std::string os_name;            // host.os.name: "Debian GNU/Linux"
  std::string os_version;         // host.os.version: "12 (bookworm)"
  std::string os_platform;        // host.os.platform: "debian", "ubuntu", "rhel", …
  std::string os_kernel;          // host.os.kernel: "6.1.0-18-amd64"
  std::string os_codename;        // host.os.codename: "bookworm" (empty when unknown)
  std::string id;                 // host.id: /etc/machine-id (empty when there is none)
  std::vector<std::string> ips;   // host.ip: every address but loopback, IPv4 and IPv6
  std::vector<std::string> macs;  // host.mac: "00-15-5D-0A-1B-2C", ECS style
};

struct HostInfoSources {
  // os-release(5): the first of these files that exists.
  std::vector<std::string> os_release = {"/etc/os-release", "/usr/lib/os-release"};
  std::string machine_id = "/etc/machine-id";
  bool netinfo = true;  // read addresses (host.ip, host.mac)
};

// Reads the running host's description. Fails only when uname(2) or gethostname(2) fail; parts
// that cannot be read (no os-release, no machine id) are left empty.
Result<HostInfo> ReadHostInfo(const HostInfoSources& sources);

// The KEY=value lines of an os-release file, values unquoted ("…" or '…', with \" \\ \$ \`
// escapes undone).
struct OsRelease {
  std::string id, id_like, name, version, version_id, version_codename;
};
OsRelease ParseOsRelease(std::string_view text);

// host.os.family from os-release's ID and ID_LIKE, the way Metricbeat groups distributions:
// debian (debian, ubuntu, raspbian, linuxmint, …), redhat (rhel, centos, fedora, amzn, rocky,
// almalinux, ol, …), suse, arch, alpine; otherwise the first ID_LIKE word, else the ID.
std::string OsFamily(std::string_view id, std::string_view id_like);

// A MAC address in ECS form: upper-case hex pairs joined by '-'.
std::string FormatMac(const unsigned char* bytes, size_t len);

}  // namespace logship

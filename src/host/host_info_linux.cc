// SPDX-License-Identifier: Apache-2.0
// ReadHostInfo on Linux: uname(2), gethostname(2), os-release(5), /etc/machine-id and
// getifaddrs(3) (AF_INET/AF_INET6 for host.ip, AF_PACKET for host.mac).

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "src/host/host_info.h"
#include "src/host/proc_file.h"

namespace logship {
namespace {

void AddUnique(std::vector<std::string>& list, std::string value) {
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(std::move(value));
}

void ReadAddresses(HostInfo& info) {
  struct ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return;  // no addresses rather than no metadata
  for (struct ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || (a->ifa_flags & IFF_LOOPBACK) != 0) continue;
    char text[INET6_ADDRSTRLEN] = {};
    switch (a->ifa_addr->sa_family) {
      case AF_INET: {
        const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
        if (::inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text)) != nullptr) {
          AddUnique(info.ips, text);
        }
        break;
      }
      case AF_INET6: {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) break;
        if (::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text)) != nullptr) {
          AddUnique(info.ips, text);
        }
        break;
      }
      case AF_PACKET: {
        const auto* ll = reinterpret_cast<const sockaddr_ll*>(a->ifa_addr);
        if (ll->sll_halen == 0) break;
        bool all_zero = std::all_of(ll->sll_addr, ll->sll_addr + ll->sll_halen,
                                    [](unsigned char b) { return b == 0; });
        if (!all_zero) AddUnique(info.macs, FormatMac(ll->sll_addr, ll->sll_halen));
        break;
      }
      default:
        break;
    }
  }
  ::freeifaddrs(list);
}

}  // namespace

Result<HostInfo> ReadHostInfo(const HostInfoSources& sources) {
  HostInfo info;
  struct utsname u;
  if (::uname(&u) != 0) return Status::FromErrno("uname", errno);
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) return Status::FromErrno("gethostname", errno);
  info.name = host;
  info.hostname = host;
  info.architecture = u.machine;
  info.os_type = "linux";
  info.os_kernel = u.release;
  ProcFileReader files;
  for (const std::string& path : sources.os_release) {
    Result<std::string_view> text = files.Read(path);
    if (!text.ok()) continue;
    OsRelease r = ParseOsRelease(*text);
    info.os_platform = r.id;
    info.os_name = r.name;
    info.os_version = r.version.empty() ? r.version_id : r.version;
    info.os_codename = r.version_codename;
    info.os_family = OsFamily(r.id, r.id_like);
    break;
  }
  Result<std::string_view> id = files.Read(sources.machine_id);
  if (id.ok()) {
    FieldCursor fields(*id);
    info.id = std::string(fields.Next());
  }
  if (sources.netinfo) ReadAddresses(info);
  return info;
}

}  // namespace logship

// What the gRPC benchmarks share: in-process membership and catalog servers on port 0 over the
// MariaDB of tools/db.sh (databases named after the benchmark), a bootstrapped platform admin with
// its token, and small helpers for request ids, errors and percentiles.
#ifndef COOPLINK_TOOLS_BENCH_BENCH_SERVERS_H_
#define COOPLINK_TOOLS_BENCH_BENCH_SERVERS_H_

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/catalog/catalog_server.h"
#include "services/membership/membership_server.h"
#include "tests/support/test_env.h"

namespace cooplink::bench {

inline bool Check(const absl::Status& s, const char* what) {
  if (!s.ok()) std::fprintf(stderr, "%s: %s\n", what, std::string(s.ToString()).c_str());
  return s.ok();
}

inline std::string Rid(const char* prefix) {
  static std::atomic<int> n{0};
  return absl::StrCat(prefix, "-", n.fetch_add(1));
}

inline double Percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

struct BenchServers {
  std::unique_ptr<membership::MembershipServer> membership;
  std::unique_ptr<catalog::CatalogServer> catalog;
  Principal admin;          // the bootstrapped platform admin
  std::string admin_token;  // its bearer token (also catalog's token towards membership)
  std::string token_key;    // the key both servers sign and verify tokens with
};

// Starts membership, bootstraps a platform admin, then starts catalog talking to that membership;
// databases "bench_<name>_membership" and "bench_<name>_catalog", access logs off.
inline absl::StatusOr<BenchServers> StartBenchServers(const std::string& name, const Clock* clock) {
  BenchServers out;
  membership::MembershipConfig mc;
  mc.db = testing::TestDbConfig(absl::StrCat("bench_", name, "_membership"));
  mc.server.listen = "127.0.0.1:0";
  mc.token_key = testing::RandomKeyBase64();
  mc.pii_key = testing::RandomKeyBase64();
  mc.access_log = false;
  auto membership = membership::MembershipServer::Start(mc, clock);
  if (!membership.ok()) return membership.status();
  out.membership = *std::move(membership);
  membership::v1::Principal admin_row;
  membership::v1::IssueTokenResponse admin_token;
  if (auto s = out.membership->membership().BootstrapPlatformAdmin("bench", absl::Hours(2),
                                                                   &admin_row, &admin_token);
      !s.ok()) {
    return s;
  }
  out.admin.id = admin_row.id();
  out.admin.role = Role::kPlatformAdmin;
  out.admin_token = admin_token.token();
  out.token_key = mc.token_key;

  catalog::CatalogConfig cc;
  cc.db = testing::TestDbConfig(absl::StrCat("bench_", name, "_catalog"));
  cc.server.listen = "127.0.0.1:0";
  cc.token_key = mc.token_key;
  cc.membership_target = absl::StrCat("127.0.0.1:", out.membership->port());
  cc.membership_token = out.admin_token;
  cc.access_log = false;
  auto catalog = catalog::CatalogServer::Start(cc, clock);
  if (!catalog.ok()) return catalog.status();
  out.catalog = *std::move(catalog);
  return out;
}

}  // namespace cooplink::bench

#endif  // COOPLINK_TOOLS_BENCH_BENCH_SERVERS_H_

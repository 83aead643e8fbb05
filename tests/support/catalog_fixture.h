// A membership server and a catalog server started in-process for a test suite (port 0, their
// own databases, one fake clock at 2026-03-01 09:00 CST), stubs talking to both over real gRPC,
// and helpers that build a cooperative world through the APIs themselves.
#ifndef COOPLINK_TESTS_SUPPORT_CATALOG_FIXTURE_H_
#define COOPLINK_TESTS_SUPPORT_CATALOG_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "cooplink/catalog/v1/catalog.grpc.pb.h"
#include "cooplink/membership/v1/membership.grpc.pb.h"
#include "services/catalog/catalog_server.h"
#include "services/common/clock.h"
#include "services/membership/identity.h"
#include "services/membership/membership_server.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {

namespace mv1 = ::cooplink::membership::v1;
namespace cv1 = ::cooplink::catalog::v1;

// Every recorded change, sequenced or still waiting in the outbox, as one derived table: a single
// SQL statement over it reads one consistent snapshot while the relay moves rows (it marks an
// outbox row delivered in the transaction that sequences it).
inline constexpr char kAllChanges[] =
    "(SELECT kind, product_id, offer_id, partner_id FROM catalog_changes UNION ALL "
    "SELECT CAST(JSON_VALUE(payload, '$.kind') AS SIGNED), msg_key, "
    "JSON_VALUE(payload, '$.offer.id'), JSON_VALUE(payload, '$.offer.partner_id') "
    "FROM outbox WHERE topic = 'catalog.changes' AND delivered_time_us IS NULL) AS all_changes";

// A cooperative with one member household and tokens for its admin and that member.
struct CoopWorld {
  mv1::Cooperative cooperative;
  mv1::Household household;
  mv1::Member member;
  std::string admin_token;   // cooperative admin
  std::string member_token;  // the member (producer household)
};

struct PartnerWorld {
  mv1::Partner partner;
  std::string token;
};

class CatalogFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  static void TearDownTestSuite();

  static FakeClock* clock_;
  static std::unique_ptr<membership::MembershipServer>* membership_;
  static std::unique_ptr<catalog::CatalogServer>* catalog_server_;
  static std::unique_ptr<mv1::MembershipService::Stub>* membership_stub_;
  static std::unique_ptr<cv1::CatalogService::Stub>* catalog_stub_;
  static std::string* admin_token_;
  static std::string* token_key_;  // the key the servers sign and verify tokens with

  mv1::MembershipService::Stub& members() { return **membership_stub_; }
  cv1::CatalogService::Stub& catalog() { return **catalog_stub_; }
  catalog::Catalog& domain() { return (*catalog_server_)->catalog(); }
  Database& db() { return (*catalog_server_)->database(); }  // catalog's database
  const std::string& admin() { return *admin_token_; }
  // A fresh stub (its own channel), e.g. for a watch stream that is cut and resumed.
  std::unique_ptr<cv1::CatalogService::Stub> NewCatalogStub();

  // Worlds, built through the membership API as the platform admin.
  CoopWorld NewCoop(const std::string& region_code = "530828");
  // A partner without a platform has its refunds decided by the cooperatives; one with a
  // `platform` set by that platform (membership.proto Partner.refund_decider).
  PartnerWorld NewPartner(common::v1::ChannelKind kind = common::v1::CHANNEL_KIND_ECOMMERCE,
                          common::v1::Platform platform = common::v1::PLATFORM_UNSPECIFIED);
  std::string AssignedWorkerToken(const std::string& cooperative_id);
  std::string UnassignedWorkerToken();
  // A new principal with `principal`'s role and scope, and a bearer token for it.
  std::string TokenForPrincipal(const mv1::Principal& principal);
  // A second member household in the same cooperative, with its member token.
  std::pair<mv1::Member, std::string> AddMember(const CoopWorld& world);

  // A valid DRAFT product body for the world's producer household: 普洱茶 (processed tea, cake).
  cv1::Product ProductBody(const CoopWorld& world);
  // Create (cooperative admin) → submit (member) → approve (platform admin); then stock
  // `on_hand` units (AdjustStock RESTOCK) if > 0. Asserts every step.
  cv1::Product ActiveProduct(const CoopWorld& world, int64_t on_hand = 0);
  // The same from a body of the caller's (e.g. ProductBody with another unit).
  cv1::Product ActiveProductFrom(const CoopWorld& world, const cv1::Product& body,
                                 int64_t on_hand = 0);
  cv1::Offer OfferTo(const cv1::Product& product, const PartnerWorld& partner,
                     const std::string& token);
};

}  // namespace cooplink::testing

#endif  // COOPLINK_TESTS_SUPPORT_CATALOG_FIXTURE_H_

// Reservation rules (request limits, the TTL bounds, how a reservation reads over time, commit
// and release decisions, lock order), without a database (the search rules: search_rules_test.cc).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/catalog/reservation_rules.h"
#include "services/common/status.h"

namespace cooplink::catalog {
namespace {

constexpr char kPartnerId[] = "01PTN00000000000000000000A";
constexpr int64_t kNow = 1'772'000'000'000'000;
const ReservationLimits kLimits{absl::Minutes(15), absl::Hours(24), 3};

v1::CreateReservationRequest Request(int lines, absl::Duration ttl) {
  v1::CreateReservationRequest req;
  req.set_reservation_id("order-1");
  req.set_partner_id(kPartnerId);
  for (int i = 0; i < lines; ++i) {
    auto* line = req.add_lines();
    line->set_product_id(std::string("01PRD0000000000000000000") + static_cast<char>('A' + i) +
                         "A");
    line->set_quantity(1);
  }
  req.mutable_ttl()->set_seconds(absl::ToInt64Seconds(ttl));
  return req;
}

TEST(ReservationRulesTest, TtlBounds) {
  struct Case {
    absl::Duration ttl;
    bool ok;
    absl::Duration effective;
  };
  for (const Case& c :
       {Case{absl::ZeroDuration(), true, kLimits.default_ttl}, Case{absl::Seconds(59), false, {}},
        Case{kMinReservationTtl, true, kMinReservationTtl},
        Case{kLimits.max_ttl, true, kLimits.max_ttl},
        Case{kLimits.max_ttl + absl::Seconds(1), false, {}}, Case{absl::Seconds(-1), false, {}}}) {
    FieldViolations v;
    const absl::Duration ttl = ValidateReservation(v, Request(1, c.ttl), kLimits);
    EXPECT_EQ(v.empty(), c.ok) << c.ttl;
    if (c.ok) {
      EXPECT_EQ(ttl, c.effective) << c.ttl;
    }
  }
}

TEST(ReservationRulesTest, LineLimits) {
  FieldViolations ok;
  ValidateReservation(ok, Request(kLimits.max_lines, absl::ZeroDuration()), kLimits);
  EXPECT_TRUE(ok.empty());
  for (int lines : {0, kLimits.max_lines + 1}) {
    FieldViolations v;
    ValidateReservation(v, Request(lines, absl::ZeroDuration()), kLimits);
    EXPECT_FALSE(v.empty()) << lines;
  }
  auto req = Request(2, absl::ZeroDuration());
  req.mutable_lines(1)->set_product_id(req.lines(0).product_id());  // the same product twice
  FieldViolations dup;
  ValidateReservation(dup, req, kLimits);
  EXPECT_FALSE(dup.empty());
  for (int64_t q : {int64_t{0}, kLineQuantity.max + 1}) {
    auto bad = Request(1, absl::ZeroDuration());
    bad.mutable_lines(0)->set_quantity(q);
    FieldViolations v;
    ValidateReservation(v, bad, kLimits);
    EXPECT_FALSE(v.empty()) << q;
  }
  auto max = Request(1, absl::ZeroDuration());
  max.mutable_lines(0)->set_quantity(kLineQuantity.max);
  FieldViolations v;
  ValidateReservation(v, max, kLimits);
  EXPECT_TRUE(v.empty());
}

TEST(ReservationRulesTest, APartnerReservesForItselfAnAdminNamesThePartner) {
  Principal p;
  p.role = Role::kPartner;
  p.partner_id = kPartnerId;
  FieldViolations none;
  EXPECT_EQ(ReservingPartner(none, p, ""), kPartnerId);  // from the token
  EXPECT_EQ(ReservingPartner(none, p, kPartnerId), kPartnerId);
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(CheckReservesForItself(p, "").ok());
  EXPECT_TRUE(CheckReservesForItself(p, kPartnerId).ok());
  EXPECT_EQ(CheckReservesForItself(p, "01PTN00000000000000000000B").code(),
            absl::StatusCode::kPermissionDenied);

  p.role = Role::kPlatformAdmin;
  p.partner_id.clear();
  EXPECT_TRUE(CheckReservesForItself(p, "01PTN00000000000000000000B").ok());
  EXPECT_EQ(ReservingPartner(none, p, "01PTN00000000000000000000B"), "01PTN00000000000000000000B");
  EXPECT_TRUE(none.empty());
  FieldViolations missing;
  ReservingPartner(missing, p, "");
  EXPECT_EQ(ReasonOf(missing.ToStatus()), "INVALID_ARGUMENT");
  EXPECT_FALSE(missing.empty());
}

TEST(ReservationRulesTest, TheBodyIsBoundWithTheEffectivePartnerAndTtl) {
  auto without_partner = Request(1, absl::ZeroDuration());
  without_partner.clear_partner_id();
  const auto body = ReservationBody(without_partner, kPartnerId, kLimits.default_ttl);
  EXPECT_TRUE(body.reservation_id().empty());
  EXPECT_EQ(body.ttl().seconds(), 15 * 60);
  EXPECT_EQ(body.partner_id(), kPartnerId);
  // Naming itself or not, with the default TTL or none: the same request.
  EXPECT_EQ(body.SerializeAsString(),
            ReservationBody(Request(1, kLimits.default_ttl), kPartnerId, kLimits.default_ttl)
                .SerializeAsString());
}

// The list filter matches exactly the reservations that read as the filtered state.
TEST(ReservationRulesTest, TheStateFilterMatchesTheStateAReservationReadsAs) {
  const v1::ReservationState states[] = {
      v1::RESERVATION_STATE_HELD, v1::RESERVATION_STATE_COMMITTED, v1::RESERVATION_STATE_RELEASED,
      v1::RESERVATION_STATE_EXPIRED};
  EXPECT_TRUE(StoredStatesFor(v1::RESERVATION_STATE_UNSPECIFIED).empty());
  for (v1::ReservationState filter : states) {
    const auto matches = StoredStatesFor(filter);
    for (v1::ReservationState stored : states) {
      for (int64_t expire : {kNow - 1, kNow, kNow + 1}) {
        bool matched = false;
        for (const StoredStateMatch& m : matches) {
          const bool expired = expire <= kNow;
          matched |=
              m.stored == stored && (m.expiry == StoredStateMatch::Expiry::kAny ||
                                     (m.expiry == StoredStateMatch::Expiry::kExpired) == expired);
        }
        EXPECT_EQ(matched, EffectiveState(stored, expire, kNow) == filter)
            << "filter " << filter << ", stored " << stored << ", expire " << expire - kNow;
      }
    }
  }
}

TEST(ReservationRulesTest, HeldPastItsTtlReadsAsExpired) {
  const int64_t expire = kNow;
  EXPECT_EQ(EffectiveState(v1::RESERVATION_STATE_HELD, expire, kNow - 1),
            v1::RESERVATION_STATE_HELD);
  EXPECT_EQ(EffectiveState(v1::RESERVATION_STATE_HELD, expire, kNow),
            v1::RESERVATION_STATE_EXPIRED);
  for (auto s : {v1::RESERVATION_STATE_COMMITTED, v1::RESERVATION_STATE_RELEASED,
                 v1::RESERVATION_STATE_EXPIRED}) {
    EXPECT_EQ(EffectiveState(s, expire, kNow + 1), s);  // final states stay
  }
}

TEST(ReservationRulesTest, CommitReleaseAndSweeperDecisions) {
  const int64_t expire = kNow;
  EXPECT_EQ(CommitStepFor(v1::RESERVATION_STATE_HELD, expire, kNow - 1), CommitStep::kConsume);
  EXPECT_EQ(CommitStepFor(v1::RESERVATION_STATE_HELD, expire, kNow), CommitStep::kRefuse);
  EXPECT_EQ(CommitStepFor(v1::RESERVATION_STATE_COMMITTED, expire, kNow + 1),
            CommitStep::kAlreadyDone);
  EXPECT_EQ(CommitStepFor(v1::RESERVATION_STATE_RELEASED, expire, kNow - 1), CommitStep::kRefuse);
  EXPECT_EQ(CommitStepFor(v1::RESERVATION_STATE_EXPIRED, expire, kNow - 1), CommitStep::kRefuse);
  EXPECT_EQ(ReasonOf(CommitRefusal()), "RESERVATION_NOT_HELD");

  EXPECT_EQ(ReleaseStepFor(v1::RESERVATION_STATE_HELD, expire, kNow - 1), ReleaseStep::kRelease);
  EXPECT_EQ(ReleaseStepFor(v1::RESERVATION_STATE_HELD, expire, kNow), ReleaseStep::kExpire);
  EXPECT_EQ(ReleaseStepFor(v1::RESERVATION_STATE_COMMITTED, expire, kNow), ReleaseStep::kRefuse);
  EXPECT_EQ(ReleaseStepFor(v1::RESERVATION_STATE_RELEASED, expire, kNow), ReleaseStep::kUnchanged);
  EXPECT_EQ(ReleaseStepFor(v1::RESERVATION_STATE_EXPIRED, expire, kNow), ReleaseStep::kUnchanged);
  EXPECT_EQ(ReasonOf(ReleaseRefusal()), "RESERVATION_COMMITTED");

  EXPECT_FALSE(SweeperExpires(v1::RESERVATION_STATE_HELD, expire, kNow - 1));
  EXPECT_TRUE(SweeperExpires(v1::RESERVATION_STATE_HELD, expire, kNow));
  EXPECT_FALSE(SweeperExpires(v1::RESERVATION_STATE_COMMITTED, expire, kNow + 1));
}

TEST(ReservationRulesTest, LinesLockInProductOrder) {
  const auto sorted = ByProduct({{0, "c", 1}, {1, "a", 2}, {2, "b", 3}});
  ASSERT_EQ(sorted.size(), 3u);
  EXPECT_EQ(sorted[0].product_id, "a");
  EXPECT_EQ(sorted[0].line_no, 1);
  EXPECT_EQ(sorted[2].product_id, "c");
}

}  // namespace
}  // namespace cooplink::catalog

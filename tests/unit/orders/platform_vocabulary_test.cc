// The platform vocabularies as data: every status code maps (and the codes named in DOMAIN.md and
// issue 9 map where they say), unknown codes are INVALID_ARGUMENT, hold signals, carrier codes
// round-trip in both directions, and every row's state is one the state machine accepts.
#include <gtest/gtest.h>

#include <iterator>
#include <set>
#include <string>
#include <tuple>
#include <utility>

#include "services/common/status.h"
#include "services/orders/order_rules.h"
#include "services/orders/platform_vocabulary.h"

namespace cooplink::orders {
namespace {

using P = Platform;

TEST(PlatformVocabularyTest, EveryRowMapsToItselfAndCodesAreUniquePerPlatform) {
  std::set<std::pair<P, std::string>> seen;
  std::set<P> platforms;
  for (const PlatformStatus& row : PlatformStatuses()) {
    SCOPED_TRACE(::testing::Message() << PlatformName(row.platform) << " " << row.code);
    EXPECT_TRUE(seen.insert({row.platform, std::string(row.code)}).second) << "duplicate code";
    platforms.insert(row.platform);
    absl::StatusOr<PlatformStatus> mapped = MapPlatformStatus(row.platform, row.code);
    ASSERT_TRUE(mapped.ok()) << mapped.status();
    EXPECT_EQ(mapped->state, row.state);
    EXPECT_EQ(mapped->shipping_held, row.shipping_held);
    EXPECT_NE(row.state, v1::ORDER_STATE_UNSPECIFIED);
    EXPECT_TRUE(v1::OrderState_IsValid(row.state));
    EXPECT_FALSE(row.meaning.empty());
    EXPECT_FALSE(row.source.empty());
    // Held only means something for a paid order; a close effect only on closes, and every close
    // has one.
    if (row.shipping_held) {
      EXPECT_EQ(row.state, v1::ORDER_STATE_PAID);
    }
    EXPECT_EQ(row.close != CloseEffect::kNone, row.state == v1::ORDER_STATE_CANCELLED);
  }
  EXPECT_EQ(platforms.size(), std::size(kPlatforms));
}

TEST(PlatformVocabularyTest, RowsAreOrderedByPlatformThenState) {
  auto key = [](const PlatformStatus& r) {
    return std::make_tuple(static_cast<int>(r.platform), static_cast<int>(r.state));
  };
  const auto rows = PlatformStatuses();
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_LE(key(rows[i - 1]), key(rows[i])) << i;
}

// The mappings DOMAIN.md and issue 9 state, written out independently of the table.
TEST(PlatformVocabularyTest, DocumentedCodesMapAsDocumented) {
  struct Want {
    P platform;
    const char* code;
    v1::OrderState state;
    bool held;
  } wants[] = {
      {P::kTaobao, "WAIT_BUYER_PAY", v1::ORDER_STATE_PENDING_PAYMENT, false},
      {P::kTaobao, "WAIT_SELLER_SEND_GOODS", v1::ORDER_STATE_PAID, false},
      {P::kTaobao, "PAID_FORBID_CONSIGN", v1::ORDER_STATE_PAID, true},
      {P::kTaobao, "SELLER_CONSIGNED_PART", v1::ORDER_STATE_PARTIALLY_SHIPPED, false},
      {P::kTaobao, "WAIT_BUYER_CONFIRM_GOODS", v1::ORDER_STATE_SHIPPED, false},
      {P::kTaobao, "TRADE_BUYER_SIGNED", v1::ORDER_STATE_DELIVERED, false},
      {P::kTaobao, "TRADE_FINISHED", v1::ORDER_STATE_COMPLETED, false},
      {P::kTaobao, "TRADE_CLOSED", v1::ORDER_STATE_CANCELLED, false},
      {P::kTaobao, "TRADE_CLOSED_BY_TAOBAO", v1::ORDER_STATE_CANCELLED, false},
      {P::kWeChatShop, "10", v1::ORDER_STATE_PENDING_PAYMENT, false},
      {P::kWeChatShop, "20", v1::ORDER_STATE_PAID, false},
      {P::kWeChatShop, "21", v1::ORDER_STATE_PARTIALLY_SHIPPED, false},
      {P::kWeChatShop, "30", v1::ORDER_STATE_SHIPPED, false},
      {P::kWeChatShop, "100", v1::ORDER_STATE_COMPLETED, false},
      {P::kWeChatShop, "200", v1::ORDER_STATE_CANCELLED, false},
      {P::kWeChatShop, "250", v1::ORDER_STATE_CANCELLED, false},
      {P::kDouyin, "105", v1::ORDER_STATE_PAID, false},
      {P::kDouyin, "2", v1::ORDER_STATE_PAID, false},
      {P::kDouyin, "101", v1::ORDER_STATE_PARTIALLY_SHIPPED, false},
      {P::kDouyin, "3", v1::ORDER_STATE_SHIPPED, false},
      {P::kDouyin, "4", v1::ORDER_STATE_CANCELLED, false},
      {P::kDouyin, "5", v1::ORDER_STATE_COMPLETED, false},
      {P::kKuaishou, "50", v1::ORDER_STATE_DELIVERED, false},  // 已签收
  };
  for (const Want& w : wants) {
    absl::StatusOr<PlatformStatus> row = MapPlatformStatus(w.platform, w.code);
    ASSERT_TRUE(row.ok()) << PlatformName(w.platform) << " " << w.code;
    EXPECT_EQ(row->state, w.state) << w.code;
    EXPECT_EQ(row->shipping_held, w.held) << w.code;
  }
  EXPECT_EQ(MapPlatformStatus(P::kTaobao, "TRADE_CLOSED")->close, CloseEffect::kRefundsShipped);
  EXPECT_EQ(MapPlatformStatus(P::kWeChatShop, "250")->close, CloseEffect::kBeforePaymentOnly);
}

TEST(PlatformVocabularyTest, UnknownCodesAreInvalidArgument) {
  const std::pair<P, const char*> unknown[] = {
      {P::kTaobao, "wait_buyer_pay"},  // case matters
      {P::kTaobao, ""},
      {P::kTaobao, "20"},                  // WeChat's code on Taobao
      {P::kWeChatShop, "WAIT_BUYER_PAY"},  // Taobao's code on WeChat
      {P::kWeChatShop, "12"},              // gift orders: not mapped yet
      {P::kDouyin, " 3"},
      {P::kPinduoduo, "0"},
      {P::kKuaishou, "99"},
  };
  for (const auto& [platform, code] : unknown) {
    absl::StatusOr<PlatformStatus> row = MapPlatformStatus(platform, code);
    ASSERT_FALSE(row.ok()) << PlatformName(platform) << " '" << code << "'";
    EXPECT_EQ(row.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(PlatformVocabularyTest, EveryRowIsAcceptedByTheStateMachine) {
  for (const PlatformStatus& row : PlatformStatuses()) {
    for (v1::OrderState current : kOrderStates) {
      absl::StatusOr<ReportedStatePlan> plan = PlanReportedState(current, row.state, {});
      ASSERT_TRUE(plan.ok()) << row.code << " " << plan.status();
    }
  }
}

TEST(PlatformVocabularyTest, HoldSignals) {
  EXPECT_TRUE(IsHoldSignal(P::kPinduoduo, "risk_control_status", "1"));
  EXPECT_FALSE(IsHoldSignal(P::kPinduoduo, "risk_control_status", "0"));
  EXPECT_FALSE(IsHoldSignal(P::kTaobao, "risk_control_status", "1"));
  EXPECT_TRUE(IsHoldSignal(P::kTaobao, "status", "PAID_FORBID_CONSIGN"));
  // A hold given as a status code is the status table's held row.
  for (const PlatformHoldSignal& s : PlatformHoldSignals()) {
    absl::StatusOr<PlatformStatus> row = MapPlatformStatus(s.platform, s.value);
    if (s.field == "status") {
      ASSERT_TRUE(row.ok());
      EXPECT_TRUE(row->shipping_held);
    }
    EXPECT_FALSE(s.source.empty());
  }
}

TEST(PlatformVocabularyTest, PlatformNamesAndRefundDecider) {
  for (P p : kPlatforms) {
    absl::StatusOr<P> parsed = ParsePlatform(PlatformName(p));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, p);
    EXPECT_EQ(RefundDeciderOf(p), common::v1::REFUND_DECIDER_PLATFORM);
  }
  EXPECT_EQ(ParsePlatform("jd").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CarrierCodesTest, RoundTripBothWaysAndOneCodePerCarrierAndPlatform) {
  const std::set<absl::string_view> canonical(CanonicalCarriers().begin(),
                                              CanonicalCarriers().end());
  for (absl::string_view c : {"SF", "ZTO", "YTO", "STO", "YUNDA", "EMS", "JD"}) {
    EXPECT_TRUE(canonical.count(c)) << c;
  }
  std::set<std::pair<P, absl::string_view>> carriers, codes;
  for (const CarrierCode& row : CarrierCodes()) {
    SCOPED_TRACE(::testing::Message() << PlatformName(row.platform) << " " << row.carrier);
    EXPECT_TRUE(canonical.count(row.carrier));
    EXPECT_TRUE(carriers.insert({row.platform, row.carrier}).second) << "carrier twice";
    EXPECT_TRUE(codes.insert({row.platform, row.platform_code}).second) << "code twice";
    absl::StatusOr<absl::string_view> to = ToPlatformCarrier(row.platform, row.carrier);
    ASSERT_TRUE(to.ok());
    EXPECT_EQ(*to, row.platform_code);
    absl::StatusOr<absl::string_view> back = FromPlatformCarrier(row.platform, *to);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, row.carrier);
    EXPECT_FALSE(row.source.empty());
  }
  // Taobao, WeChat and Douyin know every canonical carrier.
  for (P p : {P::kTaobao, P::kWeChatShop, P::kDouyin}) {
    for (absl::string_view c : CanonicalCarriers()) {
      EXPECT_TRUE(ToPlatformCarrier(p, c).ok()) << PlatformName(p) << " " << c;
    }
  }
  EXPECT_EQ(*ToPlatformCarrier(P::kDouyin, "SF"), "shunfeng");
  EXPECT_EQ(*FromPlatformCarrier(P::kDouyin, "zhongtong"), "ZTO");
}

TEST(CarrierCodesTest, UnknownCarriersAreInvalidArgument) {
  EXPECT_EQ(ToPlatformCarrier(P::kTaobao, "NOPE").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ToPlatformCarrier(P::kTaobao, "sf").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FromPlatformCarrier(P::kDouyin, "SF").status().code(),
            absl::StatusCode::kInvalidArgument);  // Douyin's code is "shunfeng"
  EXPECT_EQ(FromPlatformCarrier(P::kTaobao, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  // Not in the table yet: Pinduoduo's and Kuaishou's carrier ids.
  EXPECT_EQ(ToPlatformCarrier(P::kPinduoduo, "SF").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ToPlatformCarrier(P::kKuaishou, "SF").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace cooplink::orders

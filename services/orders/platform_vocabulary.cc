#include "services/orders/platform_vocabulary.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "services/common/status.h"

namespace cooplink::orders {
namespace {

using P = Platform;
constexpr auto kNone = CloseEffect::kNone;

constexpr char kDomain[] = "../shared/DOMAIN.md";
constexpr char kIssue[] = "issue 9 (platform SDKs and API metadata)";
constexpr char kTaobaoTop[] = "Taobao TOP Trade.status enumeration (as quoted by SDKs)";
constexpr char kPddSdk[] = "pdd.order.list.get order_status, as quoted by SDKs";
constexpr char kUnconfirmed[] = "unconfirmed";

constexpr PlatformStatus kStatuses[] = {
    // Taobao (trade status).
    {P::kTaobao, "WAIT_BUYER_PAY", v1::ORDER_STATE_PENDING_PAYMENT, false, kNone, "等待买家付款",
     kDomain},
    {P::kTaobao, "TRADE_NO_CREATE_PAY", v1::ORDER_STATE_PENDING_PAYMENT, false, kNone,
     "没有创建支付宝交易", kTaobaoTop},
    {P::kTaobao, "PAY_PENDING", v1::ORDER_STATE_PENDING_PAYMENT, false, kNone,
     "国际信用卡支付付款确认中", kTaobaoTop},
    {P::kTaobao, "WAIT_PRE_AUTH_CONFIRM", v1::ORDER_STATE_PENDING_PAYMENT, false, kNone,
     "0元购合约中", kTaobaoTop},
    {P::kTaobao, "WAIT_SELLER_SEND_GOODS", v1::ORDER_STATE_PAID, false, kNone,
     "等待卖家发货（买家已付款）", kDomain},
    {P::kTaobao, "PAID_FORBID_CONSIGN", v1::ORDER_STATE_PAID, true, kNone, "已付款但禁止发货",
     kIssue},
    {P::kTaobao, "SELLER_CONSIGNED_PART", v1::ORDER_STATE_PARTIALLY_SHIPPED, false, kNone,
     "卖家部分发货", kDomain},
    {P::kTaobao, "WAIT_BUYER_CONFIRM_GOODS", v1::ORDER_STATE_SHIPPED, false, kNone,
     "等待买家确认收货（卖家已发货）", kDomain},
    {P::kTaobao, "TRADE_BUYER_SIGNED", v1::ORDER_STATE_DELIVERED, false, kNone, "买家已签收",
     kIssue},
    {P::kTaobao, "TRADE_FINISHED", v1::ORDER_STATE_COMPLETED, false, kNone, "交易成功", kDomain},
    {P::kTaobao, "TRADE_CLOSED", v1::ORDER_STATE_CANCELLED, false, CloseEffect::kRefundsShipped,
     "付款以后用户退款成功，交易自动关闭", kDomain},
    {P::kTaobao, "TRADE_CLOSED_BY_TAOBAO", v1::ORDER_STATE_CANCELLED, false,
     CloseEffect::kBeforePaymentOnly, "付款以前，卖家或买家主动关闭交易", kTaobaoTop},
    // WeChat 小店 (order status).
    {P::kWeChatShop, "10", v1::ORDER_STATE_PENDING_PAYMENT, false, kNone, "待付款", kDomain},
    {P::kWeChatShop, "20", v1::ORDER_STATE_PAID, false, kNone, "待发货", kDomain},
    {P::kWeChatShop, "21", v1::ORDER_STATE_PARTIALLY_SHIPPED, false, kNone, "部分发货", kDomain},
    {P::kWeChatShop, "30", v1::ORDER_STATE_SHIPPED, false, kNone, "待收货", kDomain},
    {P::kWeChatShop, "100", v1::ORDER_STATE_COMPLETED, false, kNone, "完成", kDomain},
    {P::kWeChatShop, "200", v1::ORDER_STATE_CANCELLED, false, CloseEffect::kRefundsShipped,
     "全部商品售后之后，订单取消", kDomain},
    {P::kWeChatShop, "250", v1::ORDER_STATE_CANCELLED, false, CloseEffect::kBeforePaymentOnly,
     "未付款用户主动取消或超时未付款订单自动取消", kDomain},
    // Douyin 抖店 (order_status).
    {P::kDouyin, "1", v1::ORDER_STATE_PENDING_PAYMENT, false, kNone, "待确认/待支付", kUnconfirmed},
    {P::kDouyin, "105", v1::ORDER_STATE_PAID, false, kNone, "已支付", kDomain},
    {P::kDouyin, "2", v1::ORDER_STATE_PAID, false, kNone, "备货中", kDomain},
    {P::kDouyin, "101", v1::ORDER_STATE_PARTIALLY_SHIPPED, false, kNone, "部分发货", kDomain},
    {P::kDouyin, "3", v1::ORDER_STATE_SHIPPED, false, kNone, "已发货", kDomain},
    {P::kDouyin, "5", v1::ORDER_STATE_COMPLETED, false, kNone, "已完成", kDomain},
    {P::kDouyin, "4", v1::ORDER_STATE_CANCELLED, false, CloseEffect::kRefundsShipped, "已取消",
     kDomain},
    // Pinduoduo (order_status; only paid orders are listed, closes arrive as refunds).
    {P::kPinduoduo, "1", v1::ORDER_STATE_PAID, false, kNone, "待发货", kPddSdk},
    {P::kPinduoduo, "2", v1::ORDER_STATE_SHIPPED, false, kNone, "已发货待签收", kPddSdk},
    {P::kPinduoduo, "3", v1::ORDER_STATE_DELIVERED, false, kNone, "已签收", kPddSdk},
    // Kuaishou 快手小店 (order status).
    {P::kKuaishou, "10", v1::ORDER_STATE_PENDING_PAYMENT, false, kNone, "待付款", kUnconfirmed},
    {P::kKuaishou, "30", v1::ORDER_STATE_PAID, false, kNone, "已付款", kUnconfirmed},
    {P::kKuaishou, "40", v1::ORDER_STATE_SHIPPED, false, kNone, "已发货", kUnconfirmed},
    {P::kKuaishou, "50", v1::ORDER_STATE_DELIVERED, false, kNone, "已签收", kUnconfirmed},
    {P::kKuaishou, "70", v1::ORDER_STATE_COMPLETED, false, kNone, "订单成功", kUnconfirmed},
    {P::kKuaishou, "80", v1::ORDER_STATE_CANCELLED, false, CloseEffect::kRefundsShipped, "订单失败",
     kUnconfirmed},
};

constexpr PlatformHoldSignal kHoldSignals[] = {
    {P::kTaobao, "status", "PAID_FORBID_CONSIGN", kIssue},
    {P::kPinduoduo, "risk_control_status", "1",
     "pdd.order.list.get risk_control_status (0 正常订单, 1 审核中订单), as quoted by SDKs"},
};

constexpr absl::string_view kCarriers[] = {"SF", "ZTO", "YTO", "STO", "YUNDA", "EMS", "JD", "JTSD"};

// Carrier codes are unconfirmed on every platform: check each against the platform's logistics
// company list (Taobao taobao.logistics.companies.get, WeChat 小店 delivery company list, Douyin
// logistics company list) before a connector ships with them. Pinduoduo's and Kuaishou's numeric
// carrier ids are not in the table yet.
constexpr CarrierCode kCarrierCodes[] = {
    {"SF", P::kTaobao, "SF", kUnconfirmed},
    {"ZTO", P::kTaobao, "ZTO", kUnconfirmed},
    {"YTO", P::kTaobao, "YTO", kUnconfirmed},
    {"STO", P::kTaobao, "STO", kUnconfirmed},
    {"YUNDA", P::kTaobao, "YUNDA", kUnconfirmed},
    {"EMS", P::kTaobao, "EMS", kUnconfirmed},
    {"JD", P::kTaobao, "JD", kUnconfirmed},
    {"JTSD", P::kTaobao, "JTSD", kUnconfirmed},
    {"SF", P::kWeChatShop, "SF", kUnconfirmed},
    {"ZTO", P::kWeChatShop, "ZTO", kUnconfirmed},
    {"YTO", P::kWeChatShop, "YTO", kUnconfirmed},
    {"STO", P::kWeChatShop, "STO", kUnconfirmed},
    {"YUNDA", P::kWeChatShop, "YUNDA", kUnconfirmed},
    {"EMS", P::kWeChatShop, "EMS", kUnconfirmed},
    {"JD", P::kWeChatShop, "JD", kUnconfirmed},
    {"JTSD", P::kWeChatShop, "JTSD", kUnconfirmed},
    {"SF", P::kDouyin, "shunfeng", kUnconfirmed},
    {"ZTO", P::kDouyin, "zhongtong", kUnconfirmed},
    {"YTO", P::kDouyin, "yuantong", kUnconfirmed},
    {"STO", P::kDouyin, "shentong", kUnconfirmed},
    {"YUNDA", P::kDouyin, "yunda", kUnconfirmed},
    {"EMS", P::kDouyin, "ems", kUnconfirmed},
    {"JD", P::kDouyin, "jd", kUnconfirmed},
    {"JTSD", P::kDouyin, "jtexpress", kUnconfirmed},
};

}  // namespace

absl::string_view PlatformName(Platform platform) {
  switch (platform) {
    case P::kTaobao:
      return "taobao";
    case P::kWeChatShop:
      return "wechat_shop";
    case P::kDouyin:
      return "douyin";
    case P::kPinduoduo:
      return "pinduoduo";
    case P::kKuaishou:
      return "kuaishou";
  }
  return "?";
}

absl::StatusOr<Platform> ParsePlatform(absl::string_view name) {
  for (Platform p : kPlatforms) {
    if (PlatformName(p) == name) return p;
  }
  return InvalidField("platform", absl::StrCat("unknown platform \"", name, "\""));
}

common::v1::RefundDecider RefundDeciderOf(Platform platform) {
  return common::v1::REFUND_DECIDER_PLATFORM;
}

absl::Span<const PlatformStatus> PlatformStatuses() { return kStatuses; }

absl::StatusOr<PlatformStatus> MapPlatformStatus(Platform platform, absl::string_view code) {
  for (const PlatformStatus& row : kStatuses) {
    if (row.platform == platform && row.code == code) return row;
  }
  return InvalidField("order.partner_status",
                      absl::StrCat("unknown ", PlatformName(platform), " status \"", code, "\""));
}

absl::Span<const PlatformHoldSignal> PlatformHoldSignals() { return kHoldSignals; }

bool IsHoldSignal(Platform platform, absl::string_view field, absl::string_view value) {
  for (const PlatformHoldSignal& s : kHoldSignals) {
    if (s.platform == platform && s.field == field && s.value == value) return true;
  }
  return false;
}

absl::Span<const CarrierCode> CarrierCodes() { return kCarrierCodes; }

absl::Span<const absl::string_view> CanonicalCarriers() { return kCarriers; }

absl::StatusOr<absl::string_view> ToPlatformCarrier(Platform platform, absl::string_view carrier) {
  for (const CarrierCode& c : kCarrierCodes) {
    if (c.platform == platform && c.carrier == carrier) return c.platform_code;
  }
  return InvalidField(
      "shipment.carrier_code",
      absl::StrCat("carrier \"", carrier, "\" has no code on ", PlatformName(platform)));
}

absl::StatusOr<absl::string_view> FromPlatformCarrier(Platform platform,
                                                      absl::string_view platform_code) {
  for (const CarrierCode& c : kCarrierCodes) {
    if (c.platform == platform && c.platform_code == platform_code) return c.carrier;
  }
  return InvalidField("carrier_code", absl::StrCat("unknown ", PlatformName(platform),
                                                   " carrier code \"", platform_code, "\""));
}

}  // namespace cooplink::orders

#include "services/orders/order_input_rules.h"

#include <cctype>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/status.h"
#include "services/orders/orders_limits.h"

namespace cooplink::orders {
namespace {

bool IsPhoneChar(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == ' ' ||
         c == '*';
}

void CheckPhone(FieldViolations& v, const std::string& field, const std::string& phone) {
  const std::string p = Trimmed(phone);
  if (p.size() < static_cast<size_t>(kBuyerPhone.min) ||
      p.size() > static_cast<size_t>(kBuyerPhone.max)) {
    v.Add(field, absl::StrCat("required: ", DescribeLimit(kBuyerPhone)));
    return;
  }
  for (char c : p) {
    if (!IsPhoneChar(c)) {
      v.Add(field, "only digits, \"+\", \"-\", \" \" and \"*\"");
      return;
    }
  }
}

void CheckDigits(FieldViolations& v, const std::string& field, const std::string& value,
                 const FieldLimit& limit) {
  bool ok = value.size() >= static_cast<size_t>(limit.min) &&
            value.size() <= static_cast<size_t>(limit.max);
  for (char c : value) ok = ok && std::isdigit(static_cast<unsigned char>(c));
  if (!ok) v.Add(field, absl::StrCat("must be ", DescribeLimit(limit), " digits"));
}

void CheckLine(FieldViolations& v, const std::string& at, const v1::OrderLine& line,
               absl::flat_hash_set<std::string>& seen) {
  const std::string ext =
      CheckText(v, at + ".external_line_id", line.external_line_id(), kExternalLineId);
  if (!ext.empty() && !seen.insert(ext).second) {
    v.Add(at + ".external_line_id", "repeats another line's external_line_id");
  }
  CheckId(v, at + ".product_id", line.product_id());
  CheckInteger(v, at + ".quantity", line.quantity(), kLineQuantity);
  const bool price_ok =
      CheckFen(v, at + ".unit_price", line.has_unit_price(), line.unit_price(), kUnitPrice);
  const bool total_ok =
      CheckFen(v, at + ".line_total", line.has_line_total(), line.line_total(), kLineTotal);
  if (price_ok && total_ok && line.quantity() > 0) {
    int64_t most = 0;  // quantity × unit_price; an overflow bounds nothing a line_total reaches
    const bool overflow = __builtin_mul_overflow(line.quantity(), line.unit_price().fen(), &most);
    if (!overflow && line.line_total().fen() > most) {
      v.Add(at + ".line_total", "must not exceed quantity × unit_price");
    }
  }
}

void AppendField(std::string& out, absl::string_view value) {
  absl::StrAppend(&out, value.size(), ":", value, ";");
}

}  // namespace

absl::Status ValidateUpsert(const v1::UpsertPartnerOrderRequest& req) {
  FieldViolations v;
  const v1::Order& o = req.order();
  CheckText(v, "order.shop_id", o.shop_id(), kShopId);
  CheckText(v, "order.external_order_id", o.external_order_id(), kExternalOrderId);
  CheckText(v, "order.partner_status", o.partner_status(), kPartnerStatus);
  if (!o.has_platform_update_time()) v.Add("order.platform_update_time", "required");
  if (!o.has_platform_create_time()) v.Add("order.platform_create_time", "required");
  if (CheckCount(v, "order.lines", o.lines_size(), kOrderLines)) {
    absl::flat_hash_set<std::string> seen;
    int64_t total = 0;
    bool overflow = false;
    for (int i = 0; i < o.lines_size(); ++i) {
      CheckLine(v, absl::StrCat("order.lines[", i, "]"), o.lines(i), seen);
      overflow = overflow || __builtin_add_overflow(total, o.lines(i).line_total().fen(), &total);
    }
    if (overflow) v.Add("order.lines", "the lines' totals overflow");
  }
  if (o.has_shipping_fee()) {
    CheckFen(v, "order.shipping_fee", true, o.shipping_fee(), kShippingFee);
  }
  const v1::BuyerContact& b = o.buyer();
  CheckText(v, "order.buyer.name", b.name(), kBuyerName);
  CheckPhone(v, "order.buyer.phone", b.phone());
  CheckDigits(v, "order.buyer.region_code", b.region_code(), kBuyerRegionCode);
  CheckText(v, "order.buyer.address", b.address(), kBuyerAddress);
  CheckText(v, "order.buyer.platform_contact_ref", b.platform_contact_ref(), kBuyerContactRef);
  if (!o.reservation_id().empty() &&
      (o.reservation_id().size() > static_cast<size_t>(kPartnerReservationId.max) ||
       !IsValidRequestId(o.reservation_id()))) {
    v.Add("order.reservation_id",
          absl::StrCat(DescribeLimit(kPartnerReservationId), " of [A-Za-z0-9_-]"));
  }
  if (req.reported_state() == v1::ORDER_STATE_UNSPECIFIED ||
      !v1::OrderState_IsValid(req.reported_state())) {
    v.Add("reported_state", "required: a defined OrderState");
  }
  return v.ToStatus();
}

std::string MaskName(absl::string_view name) {
  const std::string n = Trimmed(std::string(name));
  if (n.empty()) return "";
  // The first UTF-8 character, then one "*" per further character.
  size_t first = 1;
  while (first < n.size() && (static_cast<unsigned char>(n[first]) & 0xC0) == 0x80) ++first;
  std::string out = n.substr(0, first);
  out.append(CharCount(n) - 1, '*');
  return out;
}

std::string MaskPhone(absl::string_view phone) {
  const std::string p = Trimmed(std::string(phone));
  if (p.find('*') != std::string::npos) return p;
  bool mobile = p.size() == 11 && p[0] == '1';
  for (char c : p) mobile = mobile && std::isdigit(static_cast<unsigned char>(c));
  if (mobile) return absl::StrCat(p.substr(0, 3), "****", p.substr(7));
  if (p.size() <= 4) return "****";
  return absl::StrCat("*", p.substr(p.size() - 4));
}

std::string LinesFingerprint(const v1::Order& order) {
  std::string s;
  for (const v1::OrderLine& l : order.lines()) {
    AppendField(s, Trimmed(l.external_line_id()));
    AppendField(s, l.product_id());
    absl::StrAppend(&s, l.quantity(), ";", l.unit_price().fen(), ";", l.line_total().fen(), "|");
  }
  return Sha256Hex(s);
}

std::string ContentFingerprint(const v1::UpsertPartnerOrderRequest& req) {
  const v1::Order& o = req.order();
  std::string s = LinesFingerprint(o);
  AppendField(s, Trimmed(o.partner_status()));
  absl::StrAppend(&s, req.reported_state(), ";", o.platform_update_time().seconds(), ".",
                  o.platform_update_time().nanos(), ";", o.platform_create_time().seconds(), ".",
                  o.platform_create_time().nanos(), ";", o.pay_time().seconds(), ".",
                  o.pay_time().nanos(), ";", o.shipping_fee().fen(), ";", o.shipping_held(), ";");
  AppendField(s, o.reservation_id());
  AppendField(s, Trimmed(o.buyer().name()));
  AppendField(s, Trimmed(o.buyer().phone()));
  AppendField(s, o.buyer().region_code());
  AppendField(s, Trimmed(o.buyer().address()));
  AppendField(s, Trimmed(o.buyer().platform_contact_ref()));
  return Sha256Hex(s);
}

std::vector<std::pair<std::string, int64_t>> QuantitiesByProduct(const v1::Order& order) {
  std::vector<std::pair<std::string, int64_t>> out;
  absl::flat_hash_map<std::string, size_t> at;
  for (const v1::OrderLine& l : order.lines()) {
    auto [it, inserted] = at.emplace(l.product_id(), out.size());
    if (inserted) {
      out.emplace_back(l.product_id(), l.quantity());
    } else {
      out[it->second].second += l.quantity();
    }
  }
  return out;
}

}  // namespace cooplink::orders

#include "services/catalog/stock_rules.h"

#include "absl/strings/ascii.h"
#include "services/common/fields.h"

namespace cooplink::catalog {

bool IsLotCode(const std::string& code) {
  const auto n = static_cast<int64_t>(code.size());
  if (n < kLotCode.min || n > kLotCode.max) return false;
  for (char c : code) {
    if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

std::optional<ValidLot> ValidateLot(FieldViolations& v, const v1::Lot& lot, absl::CivilDay today) {
  CheckId(v, "lot.product_id", lot.product_id());
  const std::string code = Trimmed(lot.lot_code());
  if (!IsLotCode(code)) v.Add("lot.lot_code", "required: 1-40 characters of A-Z a-z 0-9 _ -");
  const auto harvest = CheckDate(v, "lot.harvest_date", lot.harvest_date());
  if (harvest && *harvest > today) v.Add("lot.harvest_date", "must not be in the future");
  CheckInteger(v, "lot.quantity", lot.quantity(), kLotQuantity);
  if (!v.empty() || !harvest) return std::nullopt;
  return ValidLot{code, *harvest};
}

std::string ValidateAdjustment(FieldViolations& v, const v1::AdjustStockRequest& req) {
  CheckId(v, "product_id", req.product_id());
  if (!req.lot_id().empty()) CheckId(v, "lot_id", req.lot_id());
  const int64_t delta = req.delta();
  CheckInteger(v, "delta", delta, kStockDelta);
  const v1::StockAdjustmentReason reason = req.reason();
  if (!v1::StockAdjustmentReason_IsValid(reason) ||
      reason == v1::STOCK_ADJUSTMENT_REASON_UNSPECIFIED) {
    v.Add("reason", "required: RESTOCK, CORRECTION, SPOILAGE or RETURN");
  } else if (delta != 0) {
    if ((reason == v1::STOCK_ADJUSTMENT_REASON_RESTOCK ||
         reason == v1::STOCK_ADJUSTMENT_REASON_RETURN) &&
        delta < 0) {
      v.Add("delta", "must be positive for RESTOCK and RETURN");
    } else if (reason == v1::STOCK_ADJUSTMENT_REASON_SPOILAGE && delta > 0) {
      v.Add("delta", "must be negative for SPOILAGE");
    }
  }
  return CheckText(v, "note", req.note(), kStockNote);
}

absl::Status CheckTakesStock(const v1::Product& product) {
  if (product.state() == v1::PRODUCT_STATE_ARCHIVED) {
    return FailedPrecondition("INVALID_STATE_TRANSITION", "the product is ARCHIVED");
  }
  return absl::OkStatus();
}

}  // namespace cooplink::catalog

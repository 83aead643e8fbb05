#include "services/catalog/stock_rules.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
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

absl::Status InsufficientStock(const std::vector<StockShortfall>& shortfalls) {
  std::map<std::string, std::string> available;
  google::rpc::PreconditionFailure failure;
  for (const StockShortfall& s : shortfalls) {
    available[absl::StrCat("available_", s.product_id)] = absl::StrCat(s.available);
    if (static_cast<size_t>(failure.violations_size()) == kMaxDescribedShortfalls) continue;
    auto* violation = failure.add_violations();
    violation->set_type("INSUFFICIENT_STOCK");
    violation->set_subject(s.product_id);
    violation->set_description(
        absl::StrCat("requested ", s.requested, ", available ", s.available));
  }
  const StockShortfall& first = shortfalls.front();
  std::string message =
      absl::StrCat("not enough available stock: product ", first.product_id, " requested ",
                   first.requested, ", available ", first.available);
  if (shortfalls.size() > 1) {
    absl::StrAppend(&message, "; ", shortfalls.size() - 1,
                    " more short line(s) in the ErrorInfo metadata");
  }
  absl::Status status = FailedPrecondition("INSUFFICIENT_STOCK", message, available);
  status.SetPayload("type.googleapis.com/google.rpc.PreconditionFailure",
                    absl::Cord(failure.SerializeAsString()));
  return status;
}

absl::Status InsufficientLot(const std::string& lot_id, int64_t requested, int64_t remaining) {
  return FailedPrecondition(
      "INSUFFICIENT_STOCK",
      absl::StrCat("lot ", lot_id, " has ", remaining, " remaining, fewer than ", requested),
      {{absl::StrCat("lot_remaining_", lot_id), absl::StrCat(remaining)}});
}

}  // namespace cooplink::catalog

// The review lifecycle of products (submit, approve, reject, pause, resume, archive) and its
// transition log. Each action is one story: role check -> field checks -> the caller's scope ->
// one idempotent transaction that locks the product, applies the rules of product_rules.h
// (relation, state machine, self-review, certificate) and writes through products_store.h.
#include <string>
#include <utility>
#include <vector>

#include "services/catalog/access.h"
#include "services/catalog/catalog.h"
#include "services/catalog/change_log.h"
#include "services/catalog/offers_store.h"
#include "services/catalog/product_rules.h"
#include "services/catalog/products_store.h"
#include "services/common/fields.h"
#include "services/common/idempotency.h"
#include "services/common/ids.h"
#include "services/common/paging.h"

namespace cooplink::catalog {
namespace {

absl::Status RunTransition(Database& db, const Clock& clock, MembershipDirectory& directory,
                           const CallContext& call, const google::protobuf::Message& req,
                           ProductAction action, const std::string& product_id,
                           const std::string& raw_reason, v1::Product* out) {
  const Principal& p = call.principal();
  if (auto s = RequireActionRole(action, p); !s.ok()) return s;
  auto reason = CheckTransitionReason(action, raw_reason);
  if (!reason.ok()) return reason.status();
  auto key = MakeIdempotencyKey(p, ProductActionMethod(action), req);
  if (!key.ok()) return key.status();
  FieldViolations v;
  CheckId(v, "product_id", product_id);
  if (!v.empty()) return v.ToStatus();
  auto scope = ResolveScope(call, directory);
  if (!scope.ok()) return scope.status();
  const ProductActionEffects effects = EffectsOf(action);

  return RunIdempotent(db, clock, *key, out, [&](Tx& tx) -> absl::Status {
    v1::Product current;
    if (auto s = LoadProduct(tx, product_id, /*for_update=*/true, &current); !s.ok()) return s;
    const Relation r = RelationIn(*scope, current.cooperative_id(), current.household_id());
    if (auto s = RequireActionRelation(action, r, product_id); !s.ok()) return s;
    auto to = NextState(action, current.state());
    if (!to.ok()) return to.status();
    if (effects.forbid_submitter) {
      if (auto s = CheckNotSelfReview(action, Submitter(tx, product_id), p.id); !s.ok()) return s;
    }
    if (effects.certificate_rule) {
      if (auto s = CertificateRule(clock.Now(), current); !s.ok()) return s;
    }
    const absl::Time now_time = clock.Now();
    const int64_t now = ToMicros(now_time);
    SetProductState(tx, product_id, *to, *to == v1::PRODUCT_STATE_REJECTED ? *reason : "", now);
    if (effects.record_submitter) SetSubmitter(tx, product_id, p.id);
    RecordTransition(tx, NewId(now_time), product_id, current.state(), *to, *reason, p.id, now);
    std::vector<std::pair<std::string, std::string>> withdrawn;  // (offer id, partner id)
    if (effects.withdraw_offers) withdrawn = WithdrawOffersOfProduct(tx, product_id, now);
    if (auto s = LoadProduct(tx, product_id, false, out); !s.ok()) return s;
    std::vector<ChangeRow> changes = {
        ProductChange(v1::CATALOG_CHANGE_KIND_PRODUCT_STATE_CHANGED, *out)};
    for (const auto& offer : withdrawn) changes.push_back(OfferChange(*out, offer.first));
    AppendChanges(tx, changes, now);
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status Catalog::SubmitProduct(const CallContext& call, const v1::SubmitProductRequest& req,
                                    v1::Product* out) {
  return RunTransition(*db_, *clock_, *directory_, call, req, ProductAction::kSubmit,
                       req.product_id(), "", out);
}

absl::Status Catalog::ApproveProduct(const CallContext& call, const v1::ApproveProductRequest& req,
                                     v1::Product* out) {
  return RunTransition(*db_, *clock_, *directory_, call, req, ProductAction::kApprove,
                       req.product_id(), "", out);
}

absl::Status Catalog::RejectProduct(const CallContext& call, const v1::RejectProductRequest& req,
                                    v1::Product* out) {
  return RunTransition(*db_, *clock_, *directory_, call, req, ProductAction::kReject,
                       req.product_id(), req.reason(), out);
}

absl::Status Catalog::PauseProduct(const CallContext& call, const v1::PauseProductRequest& req,
                                   v1::Product* out) {
  return RunTransition(*db_, *clock_, *directory_, call, req, ProductAction::kPause,
                       req.product_id(), req.reason(), out);
}

absl::Status Catalog::ResumeProduct(const CallContext& call, const v1::ResumeProductRequest& req,
                                    v1::Product* out) {
  return RunTransition(*db_, *clock_, *directory_, call, req, ProductAction::kResume,
                       req.product_id(), "", out);
}

absl::Status Catalog::ArchiveProduct(const CallContext& call, const v1::ArchiveProductRequest& req,
                                     v1::Product* out) {
  return RunTransition(*db_, *clock_, *directory_, call, req, ProductAction::kArchive,
                       req.product_id(), req.reason(), out);
}

absl::Status Catalog::ListProductTransitions(const CallContext& call,
                                             const v1::ListProductTransitionsRequest& req,
                                             v1::ListProductTransitionsResponse* out) {
  const Principal& p = call.principal();
  if (auto s = RequireEditorRole(p); !s.ok()) return s;
  FieldViolations v;
  CheckId(v, "product_id", req.product_id());
  if (!v.empty()) return v.ToStatus();
  auto page = ParsePage(req.page_size(), req.page_token(), req.product_id());
  if (!page.ok()) return page.status();
  auto scope = ResolveScope(call, *directory_);
  if (!scope.ok()) return scope.status();
  return db_->Read([&](Tx& tx) -> absl::Status {
    if (auto s = CheckProductReadable(tx, *scope, req.product_id()); !s.ok()) return s;
    auto rs = SelectTransitions(tx, req.product_id(), *page);
    FillPage(*rs, *page, req.product_id(), out->mutable_transitions(),
             out->mutable_next_page_token(), TransitionFromRow);
    return absl::OkStatus();
  });
}

}  // namespace cooplink::catalog

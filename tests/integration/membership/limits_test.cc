// Every limit membership.proto states for a request field
// (services/membership/membership_limits.h, tied to the proto comments by
// tests/unit/common/limits_contract_test.cc), walked through real gRPC just below, at and just
// above each bound (tests/support/limit_walker.h).
#include <gtest/gtest.h>

#include <iostream>

#include "services/common/fields.h"
#include "services/membership/membership_limits.h"
#include "tests/support/limit_walker.h"
#include "tests/support/membership_fixture.h"

namespace cooplink::testing {
namespace {

using Stub = mv1::MembershipService::Stub;

class MembershipLimitsTest : public MembershipFixture {};

TEST_F(MembershipLimitsTest, EveryDocumentedLimitIsEnforcedExactly) {
  const mv1::Cooperative coop = CreateCooperative();
  const mv1::Household household = CreateHousehold();
  const mv1::Member member = CreateMember(coop.id(), household.id());
  const mv1::Member leaving = CreateMember(coop.id(), CreateHousehold().id());
  const mv1::SocialWorker worker = CreateSocialWorker();
  const mv1::Assignment assignment = AssignVillage(worker.id(), "530828100201");
  const mv1::Partner partner = CreatePartner();
  mv1::Principal partner_principal;
  partner_principal.set_display_name("合作平台接口账号");
  partner_principal.set_role(common::v1::ROLE_PARTNER);
  partner_principal.set_partner_id(partner.id());
  const Caller caller = CallerFor(partner_principal);
  const std::string token = admin();

  // `leaving` gives notice, so CompleteMemberExit has a member to complete (after the year ends).
  {
    mv1::RequestMemberExitRequest req;
    req.set_request_id(NewRequestId());
    req.set_member_id(leaving.id());
    mv1::Member out;
    ASSERT_TRUE(stub().RequestMemberExit(Ctx(token).get(), req, &out).ok());
  }
  // A token of the partner principal, for RevokeToken.
  mv1::IssueTokenResponse issued;
  {
    mv1::IssueTokenRequest req;
    req.set_request_id(NewRequestId());
    req.set_principal_id(caller.id);
    ASSERT_TRUE(stub().IssueToken(Ctx(token).get(), req, &issued).ok());
  }

  LimitWalker walker(google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
                         mv1::MembershipService::service_full_name()),
                     membership::kMembershipLimits, Today(clock_->Now()));
  walker.Example(membership::limits::kCooperative, "uscc",
                 [] { return CooperativeUscc(NextSequence()); });
  walker.Example(membership::limits::kMember, "resident_id",
                 [] { return ResidentId(NextSequence()); });
  walker.Example(membership::limits::kMember, "phone", [] { return std::string("13812345678"); });
  walker.Example(membership::limits::kSocialWorker, "phone",
                 [] { return std::string("13912345678"); });
  // Immutable fields an update request carries but ignores (their comments say so).
  walker.Ignore("cooplink.membership.v1.UpdateCooperativeRequest", "cooperative.uscc");
  walker.Ignore("cooplink.membership.v1.UpdateMemberRequest", "member.resident_id");
  walker.Ignore("cooplink.membership.v1.UpdateMemberRequest", "member.join_date");

  auto cooperative_body = [] {
    mv1::Cooperative c;
    c.set_name("澜沧县茶农专业合作社");
    c.set_uscc(CooperativeUscc(NextSequence()));
    c.set_region_code("530828");
    c.set_fiscal_year_end_month(12);
    c.set_service_fee_bps(300);
    return c;
  };
  auto household_body = [] {
    mv1::Household h;
    h.set_village_code("530828100201");
    h.set_head_name("扎约");
    h.set_resident_size(4);
    h.set_ethnicity("拉祜族");
    return h;
  };
  auto member_body = [&] {
    mv1::Member m;
    m.set_cooperative_id(coop.id());
    m.set_household_id(household.id());
    m.set_name("娜海");
    m.set_resident_id(ResidentId(NextSequence()));
    m.set_phone("13812345678");
    m.set_is_farmer(true);
    *m.mutable_join_date() = ToDate(Today(clock_->Now()));
    return m;
  };
  auto partner_body = [] {
    mv1::Partner p;
    p.set_name("云品汇");
    p.set_channel_kind(common::v1::CHANNEL_KIND_ECOMMERCE);
    p.set_commission_rate_bps(500);
    p.set_contact("刘经理");
    return p;
  };

  walker.Rpc<mv1::CreateCooperativeRequest, mv1::Cooperative>(
      stub(), &Stub::CreateCooperative, token, [&] {
        mv1::CreateCooperativeRequest req;
        *req.mutable_cooperative() = cooperative_body();
        return req;
      });
  walker.Rpc<mv1::ListCooperativesRequest, mv1::ListCooperativesResponse>(
      stub(), &Stub::ListCooperatives, token, [] { return mv1::ListCooperativesRequest(); });
  walker.Rpc<mv1::UpdateCooperativeRequest,
             mv1::Cooperative>(stub(), &Stub::UpdateCooperative, token, [&] {
    mv1::UpdateCooperativeRequest req;
    *req.mutable_cooperative() = cooperative_body();
    req.mutable_cooperative()->set_id(coop.id());
    for (const char* path : {"name", "region_code", "fiscal_year_end_month", "service_fee_bps"}) {
      req.mutable_update_mask()->add_paths(path);
    }
    return req;
  });
  walker.Rpc<mv1::CreateHouseholdRequest, mv1::Household>(
      stub(), &Stub::CreateHousehold, token, [&] {
        mv1::CreateHouseholdRequest req;
        *req.mutable_household() = household_body();
        return req;
      });
  walker.Rpc<mv1::ListHouseholdsRequest, mv1::ListHouseholdsResponse>(
      stub(), &Stub::ListHouseholds, token, [] { return mv1::ListHouseholdsRequest(); });
  walker.Rpc<mv1::UpdateHouseholdRequest, mv1::Household>(
      stub(), &Stub::UpdateHousehold, token, [&] {
        mv1::UpdateHouseholdRequest req;
        *req.mutable_household() = household_body();
        req.mutable_household()->set_id(household.id());
        for (const char* path : {"head_name", "village_code", "resident_size", "ethnicity"}) {
          req.mutable_update_mask()->add_paths(path);
        }
        // The stored size, so that a probe of resident_size_effective_date changes no size and
        // meets only the date's own limits, not the rule that the history grows forward (probes
        // of resident_size record their sizes from today; household_sizes_test covers the rule).
        mv1::GetHouseholdRequest get;
        get.set_id(household.id());
        mv1::Household stored;
        EXPECT_TRUE(stub().GetHousehold(Ctx(token).get(), get, &stored).ok());
        req.mutable_household()->set_resident_size(stored.resident_size());
        return req;
      });
  walker.Rpc<mv1::ChangeMonitoringCategoryRequest, mv1::Household>(
      stub(), &Stub::ChangeMonitoringCategory, token, [&] {
        mv1::ChangeMonitoringCategoryRequest req;
        req.set_household_id(household.id());
        req.set_category(mv1::MONITORING_CATEGORY_MARGINAL_AT_RISK);
        req.set_reason("入户核实：家庭成员突发重病");
        *req.mutable_effective_date() = ToDate(Today(clock_->Now()));
        return req;
      });
  walker.Rpc<mv1::ListCategoryChangesRequest, mv1::ListCategoryChangesResponse>(
      stub(), &Stub::ListCategoryChanges, token, [&] {
        mv1::ListCategoryChangesRequest req;
        req.set_household_id(household.id());
        return req;
      });
  walker.Rpc<mv1::CreateMemberRequest, mv1::Member>(stub(), &Stub::CreateMember, token, [&] {
    mv1::CreateMemberRequest req;
    *req.mutable_member() = member_body();
    return req;
  });
  walker.Rpc<mv1::ListMembersRequest, mv1::ListMembersResponse>(stub(), &Stub::ListMembers, token,
                                                                [&] {
                                                                  mv1::ListMembersRequest req;
                                                                  req.set_cooperative_id(coop.id());
                                                                  return req;
                                                                });
  walker.Rpc<mv1::UpdateMemberRequest, mv1::Member>(stub(), &Stub::UpdateMember, token, [&] {
    mv1::UpdateMemberRequest req;
    *req.mutable_member() = member_body();
    req.mutable_member()->set_id(member.id());
    req.mutable_update_mask()->add_paths("name");
    req.mutable_update_mask()->add_paths("phone");
    return req;
  });
  walker.Rpc<mv1::RecordCapitalContributionRequest, mv1::CapitalContribution>(
      stub(), &Stub::RecordCapitalContribution, token, [&] {
        mv1::RecordCapitalContributionRequest req;
        req.set_member_id(member.id());
        req.mutable_amount()->set_fen(50000);
        *req.mutable_contribution_date() = ToDate(Today(clock_->Now()));
        req.set_note("现金");
        return req;
      });
  walker.Rpc<mv1::ListCapitalContributionsRequest, mv1::ListCapitalContributionsResponse>(
      stub(), &Stub::ListCapitalContributions, token, [&] {
        mv1::ListCapitalContributionsRequest req;
        req.set_member_id(member.id());
        return req;
      });
  walker.Rpc<mv1::RequestMemberExitRequest, mv1::Member>(stub(), &Stub::RequestMemberExit, token,
                                                         [&] {
                                                           mv1::RequestMemberExitRequest req;
                                                           req.set_member_id(member.id());
                                                           req.set_reason("外出务工");
                                                           return req;
                                                         });
  walker.Rpc<mv1::CompleteMemberExitRequest, mv1::Member>(stub(), &Stub::CompleteMemberExit, token,
                                                          [&] {
                                                            mv1::CompleteMemberExitRequest req;
                                                            req.set_member_id(leaving.id());
                                                            req.mutable_refund()->set_fen(0);
                                                            return req;
                                                          });
  walker.Rpc<mv1::CreateSocialWorkerRequest, mv1::SocialWorker>(
      stub(), &Stub::CreateSocialWorker, token, [] {
        mv1::CreateSocialWorkerRequest req;
        auto* w = req.mutable_social_worker();
        w->set_name("王社工");
        w->set_organization("澜沧县社会工作服务中心");
        w->set_phone("13912345678");
        w->set_county_code("530828");
        return req;
      });
  walker.Rpc<mv1::ListSocialWorkersRequest, mv1::ListSocialWorkersResponse>(
      stub(), &Stub::ListSocialWorkers, token, [] { return mv1::ListSocialWorkersRequest(); });
  walker.Rpc<mv1::AssignSocialWorkerRequest, mv1::Assignment>(
      stub(), &Stub::AssignSocialWorker, token, [&] {
        mv1::AssignSocialWorkerRequest req;
        req.set_social_worker_id(worker.id());
        req.set_village_code("530828100202");
        return req;
      });
  walker.Rpc<mv1::UnassignSocialWorkerRequest, mv1::Assignment>(
      stub(), &Stub::UnassignSocialWorker, token, [&] {
        mv1::UnassignSocialWorkerRequest req;
        req.set_assignment_id(assignment.id());
        return req;
      });
  walker.Rpc<mv1::ListAssignmentsRequest, mv1::ListAssignmentsResponse>(
      stub(), &Stub::ListAssignments, token, [&] {
        mv1::ListAssignmentsRequest req;
        req.set_social_worker_id(worker.id());
        return req;
      });
  walker.Rpc<mv1::CreatePartnerRequest, mv1::Partner>(stub(), &Stub::CreatePartner, token, [&] {
    mv1::CreatePartnerRequest req;
    *req.mutable_partner() = partner_body();
    return req;
  });
  walker.Rpc<mv1::ListPartnersRequest, mv1::ListPartnersResponse>(
      stub(), &Stub::ListPartners, token, [] { return mv1::ListPartnersRequest(); });
  walker.Rpc<mv1::UpdatePartnerRequest, mv1::Partner>(stub(), &Stub::UpdatePartner, token, [&] {
    mv1::UpdatePartnerRequest req;
    *req.mutable_partner() = partner_body();
    req.mutable_partner()->set_id(partner.id());
    for (const char* path : {"name", "channel_kind", "commission_rate_bps", "contact"}) {
      req.mutable_update_mask()->add_paths(path);
    }
    return req;
  });
  walker.Rpc<mv1::CreatePrincipalRequest, mv1::Principal>(
      stub(), &Stub::CreatePrincipal, token, [&] {
        mv1::CreatePrincipalRequest req;
        *req.mutable_principal() = partner_principal;
        return req;
      });
  walker.Rpc<mv1::ListPrincipalsRequest, mv1::ListPrincipalsResponse>(
      stub(), &Stub::ListPrincipals, token, [] { return mv1::ListPrincipalsRequest(); });
  walker.Rpc<mv1::IssueTokenRequest, mv1::IssueTokenResponse>(stub(), &Stub::IssueToken, token,
                                                              [&] {
                                                                mv1::IssueTokenRequest req;
                                                                req.set_principal_id(caller.id);
                                                                return req;
                                                              });
  walker.Rpc<mv1::ListTokensRequest, mv1::ListTokensResponse>(stub(), &Stub::ListTokens, token,
                                                              [&] {
                                                                mv1::ListTokensRequest req;
                                                                req.set_principal_id(caller.id);
                                                                return req;
                                                              });
  walker.Rpc<mv1::RevokeTokenRequest, mv1::Token>(stub(), &Stub::RevokeToken, token, [&] {
    mv1::RevokeTokenRequest req;
    req.set_token_id(issued.token_info().id());
    return req;
  });
  walker.Rpc<mv1::ListTokenRevocationsRequest, mv1::ListTokenRevocationsResponse>(
      stub(), &Stub::ListTokenRevocations, token,
      [] { return mv1::ListTokenRevocationsRequest(); });

  const LimitWalker::Totals totals = walker.Walk();
  std::cout << "membership: " << totals.limits << " limits (" << totals.entries
            << " table entries) over " << totals.rpcs << " RPCs, " << totals.probes << " calls, "
            << totals.ok << " succeeded\n";
  RecordProperty("limits", totals.limits);
  RecordProperty("probes", totals.probes);
  EXPECT_GE(totals.rpcs, 25);
}

}  // namespace
}  // namespace cooplink::testing

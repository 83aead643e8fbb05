// The gRPC adapter: one line per RPC (RpcRunner: authentication, worker pool, status
// conversion, access log).
#ifndef COOPLINK_SERVICES_INCOME_INCOME_GRPC_H_
#define COOPLINK_SERVICES_INCOME_INCOME_GRPC_H_

#include "cooplink/income/v1/income.grpc.pb.h"
#include "services/common/server.h"
#include "services/income/income.h"

namespace cooplink::income {

class IncomeGrpc final : public v1::IncomeService::CallbackService {
 public:
  IncomeGrpc(Income* income, RpcRunner* runner) : income_(income), runner_(runner) {}

#define COOPLINK_INCOME_RPC(Method, Request, Reply)                                          \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* ctx, const v1::Request* req, \
                                   v1::Reply* reply) override {                              \
    return runner_->Unary(ctx, #Method, [this, req, reply](const CallContext& call) {        \
      return income_->Method(call, *req, reply);                                             \
    });                                                                                      \
  }

  COOPLINK_INCOME_RPC(RecordIncomeEntry, RecordIncomeEntryRequest, IncomeEntry)
  COOPLINK_INCOME_RPC(ReverseIncomeEntry, ReverseIncomeEntryRequest, IncomeEntry)
  COOPLINK_INCOME_RPC(ListIncomeEntries, ListIncomeEntriesRequest, ListIncomeEntriesResponse)
  COOPLINK_INCOME_RPC(GetHouseholdIncomeSummary, GetHouseholdIncomeSummaryRequest,
                      HouseholdIncomeSummary)
  COOPLINK_INCOME_RPC(SetHouseholdBaseline, SetHouseholdBaselineRequest, HouseholdBaseline)
  COOPLINK_INCOME_RPC(CreateSupportSource, CreateSupportSourceRequest, SupportSource)
  COOPLINK_INCOME_RPC(ListSupportSources, ListSupportSourcesRequest, ListSupportSourcesResponse)
  COOPLINK_INCOME_RPC(CreateMonitoringThreshold, CreateMonitoringThresholdRequest,
                      MonitoringThreshold)
  COOPLINK_INCOME_RPC(ListMonitoringThresholds, ListMonitoringThresholdsRequest,
                      ListMonitoringThresholdsResponse)
  COOPLINK_INCOME_RPC(ListAlerts, ListAlertsRequest, ListAlertsResponse)
  COOPLINK_INCOME_RPC(AcknowledgeAlert, AcknowledgeAlertRequest, Alert)
  COOPLINK_INCOME_RPC(ResolveAlert, ResolveAlertRequest, Alert)
  COOPLINK_INCOME_RPC(GetAlertSettings, GetAlertSettingsRequest, AlertSettings)
  COOPLINK_INCOME_RPC(GenerateReport, GenerateReportRequest, GenerateReportResponse)
  COOPLINK_INCOME_RPC(CreateSurplusDistribution, CreateSurplusDistributionRequest,
                      SurplusDistribution)
  COOPLINK_INCOME_RPC(GetSurplusDistribution, GetSurplusDistributionRequest, SurplusDistribution)
  COOPLINK_INCOME_RPC(ListSurplusDistributions, ListSurplusDistributionsRequest,
                      ListSurplusDistributionsResponse)
  COOPLINK_INCOME_RPC(PublishSurplusDistribution, PublishSurplusDistributionRequest,
                      SurplusDistribution)
  COOPLINK_INCOME_RPC(ApproveSurplusDistribution, ApproveSurplusDistributionRequest,
                      SurplusDistribution)
  COOPLINK_INCOME_RPC(GetMemberAccount, GetMemberAccountRequest, MemberAccount)
  COOPLINK_INCOME_RPC(GetSettlementImportStatus, GetSettlementImportStatusRequest,
                      SettlementImportStatus)

#undef COOPLINK_INCOME_RPC

 private:
  Income* income_;
  RpcRunner* runner_;
};

}  // namespace cooplink::income

#endif  // COOPLINK_SERVICES_INCOME_INCOME_GRPC_H_

// Walks a service's limits table (services/common/limits.h) through real gRPC: for every RPC whose
// request can carry a limited field, every entry that applies to that field is probed just below,
// at and just above each bound (and at the special values: 0 when it stands for a default, unset
// message fields, whitespace around text, impossible dates) starting from a valid request the test
// supplies. A value inside the limit must not be refused as INVALID_ARGUMENT nor fail as INTERNAL
// or UNKNOWN (a column too narrow for it); other refusals, such as ALREADY_EXISTS for a second
// identical create, are fine: the value passed validation. A value
// outside must be INVALID_ARGUMENT with a field violation naming exactly the field's path (a Money
// field may be named with or without ".fen"). Text is built of a 3-byte character (茶), so the
// limits are seen to count characters, not bytes.
//
// Coverage is enforced, not assumed: an RPC whose request carries a limited field but has no
// baseline, a limited path the baseline does not reach, and a table entry no RPC walked all fail.
#ifndef COOPLINK_TESTS_SUPPORT_LIMIT_WALKER_H_
#define COOPLINK_TESTS_SUPPORT_LIMIT_WALKER_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/types/span.h"
#include "services/common/limits.h"
#include "tests/support/test_env.h"

namespace cooplink::testing {

// The entries of `table` (and of kCommonLimits) that apply to `field`: those naming its message,
// else the shared ones (message "") naming its field, for messages of `package`
// ("cooplink.catalog.v1.").
std::vector<FieldLimit> LimitsFor(absl::Span<const FieldLimit> table, const std::string& package,
                                  const google::protobuf::FieldDescriptor* field);

class LimitWalker {
 public:
  using Call = std::function<grpc::Status(const google::protobuf::Message&)>;
  using Baseline = std::function<std::unique_ptr<google::protobuf::Message>()>;

  LimitWalker(const google::protobuf::ServiceDescriptor* service,
              absl::Span<const FieldLimit> table, absl::CivilDay today);

  // The RPC taking requests of type `Req`: a valid request and the call (stub and token).
  template <typename Req, typename Resp, typename Stub>
  void Rpc(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Req&, Resp*),
           std::string token, std::function<Req()> baseline) {
    AddRpc(
        Req::descriptor(), [baseline] { return std::make_unique<Req>(baseline()); },
        [&stub, method, token](const google::protobuf::Message& m) {
          Resp resp;
          auto ctx = Ctx(token);
          return (stub.*method)(ctx.get(), static_cast<const Req&>(m), &resp);
        });
  }
  // A valid value of a kCode field (message full name, field), fresh on every call.
  void Example(const std::string& message, const std::string& field,
               std::function<std::string()> make);
  // The value of `n` characters of a kToken field (message full name, field) whose alphabet has no
  // "a" (default: n times "a"), or nullopt when no value of that length can pass (a code that must
  // also be one of a table): that length is then not probed.
  void Token(const std::string& message, const std::string& field,
             std::function<std::optional<std::string>(int64_t n)> make);
  // Fills repeated field `field` of `parent` with `count` valid, distinct elements (default: copies
  // of the baseline's first element).
  void Elements(const std::string& message, const std::string& field,
                std::function<void(google::protobuf::Message* parent, int count)> fill);

  // Does not walk `path` ("cooperative.uscc") of requests of type `request` (a full name): the RPC
  // ignores the field, as its proto comment says (an immutable field in an update request).
  void Ignore(const std::string& request, const std::string& path);

  struct Totals {
    int rpcs = 0;     // RPCs walked
    int limits = 0;   // (RPC, field path, entry) walked
    int entries = 0;  // distinct table entries walked (shared ones once)
    int probes = 0;   // calls made
    int ok = 0;       // calls that succeeded (the rest of the values inside a limit met another
                      // refusal after validation, such as ALREADY_EXISTS)
  };
  // Walks everything, reporting failures with gtest; returns what was walked.
  Totals Walk();

 private:
  struct Step {
    const google::protobuf::FieldDescriptor* field;
    int index;  // element of a repeated field, -1 for the field itself
  };
  struct Probe {
    std::string label;
    bool valid;
    // Writes the value into `field` of `holder` (element `index` of a repeated field, or the field
    // itself when -1).
    std::function<void(google::protobuf::Message* holder,
                       const google::protobuf::FieldDescriptor* field, int index)>
        set;
  };
  void AddRpc(const google::protobuf::Descriptor* request, Baseline baseline, Call call);
  void CollectPaths(const google::protobuf::Descriptor* message, std::vector<Step>* prefix,
                    std::vector<std::pair<std::vector<Step>, FieldLimit>>* out) const;
  std::vector<Probe> ProbesFor(const FieldLimit& limit, const google::protobuf::FieldDescriptor* f,
                               bool creating) const;
  void WalkOne(const std::string& method, const std::vector<Step>& path, const FieldLimit& limit,
               const Baseline& baseline, const Call& call, Totals* totals);

  const google::protobuf::ServiceDescriptor* service_;
  absl::Span<const FieldLimit> table_;
  std::string package_;
  absl::CivilDay today_;
  std::map<const google::protobuf::Descriptor*, std::pair<Baseline, Call>> rpcs_;
  std::map<std::string, std::function<std::string()>> examples_;
  std::map<std::string, std::function<std::optional<std::string>(int64_t)>> tokens_;
  std::map<std::string, std::function<void(google::protobuf::Message*, int)>> elements_;
  std::set<std::string> ignored_;  // "<request full name> <path>"
};

}  // namespace cooplink::testing

#endif  // COOPLINK_TESTS_SUPPORT_LIMIT_WALKER_H_

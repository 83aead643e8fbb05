// The limits tables (services/common/limits.h, services/catalog/catalog_limits.h,
// services/membership/membership_limits.h, services/orders/orders_limits.h,
// services/income/income_limits.h) against the proto
// comments, so the two cannot drift:
//   - every entry's numbers equal the numbers its field's comment states (read from the protos'
//     own source info, compiled into a descriptor set at build time);
//   - every field a request can carry whose comment states a limit has an entry.
// What the server does with each entry is walked through gRPC in
// tests/integration/{catalog,membership,orders,income}/limits_test.cc.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/catalog/catalog_limits.h"
#include "services/common/limits.h"
#include "services/income/income_limits.h"
#include "services/membership/membership_limits.h"
#include "services/orders/orders_limits.h"
#include "tests/support/limit_walker.h"

namespace cooplink {
namespace {

namespace pb = ::google::protobuf;

// The protos, with their comments, as protoc compiled them for this build.
const pb::DescriptorPool& Pool() {
  static const pb::DescriptorPool* pool = [] {
    auto* p = new pb::DescriptorPool();
    std::ifstream in(COOPLINK_CONTRACT_DESCRIPTORS, std::ios::binary);
    pb::FileDescriptorSet set;
    EXPECT_TRUE(set.ParseFromIstream(&in)) << COOPLINK_CONTRACT_DESCRIPTORS;
    for (const auto& file : set.file()) EXPECT_NE(p->BuildFile(file), nullptr) << file.name();
    return p;
  }();
  return *pool;
}

// The leading comment of a field, on one line.
std::string CommentOf(const pb::FieldDescriptor* field) {
  pb::SourceLocation location;
  if (!field->GetSourceLocation(&location)) return "";
  std::vector<std::string> words =
      absl::StrSplit(location.leading_comments, absl::ByAnyChar(" \n"), absl::SkipEmpty());
  return absl::StrJoin(words, " ");
}

bool OutputOnly(const std::string& comment) { return absl::StartsWith(comment, "Output only"); }

struct Service {
  const char* name;     // full name of the service
  const char* package;  // its package, for the entries with message ""
  absl::Span<const FieldLimit> table;
};
const Service kServices[] = {
    {"cooplink.catalog.v1.CatalogService", "cooplink.catalog.v1.", catalog::kCatalogLimits},
    {"cooplink.membership.v1.MembershipService", "cooplink.membership.v1.",
     membership::kMembershipLimits},
    {"cooplink.orders.v1.OrdersService", "cooplink.orders.v1.", orders::kOrdersLimits},
    {"cooplink.income.v1.IncomeService", "cooplink.income.v1.", income::kIncomeLimits},
};

// --- What a comment states ----------------------------------------------------------------------
// The groups of the first match of `pattern` in `text` ([0] the whole match).
std::optional<std::vector<std::string>> Find(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern))) return std::nullopt;
  std::vector<std::string> groups;
  for (const auto& g : m) groups.push_back(g.str());
  return groups;
}

int64_t Num(const std::string& s) { return std::stoll(s); }

int64_t Seconds(int64_t n, const std::string& unit) {
  if (absl::StartsWith(unit, "minute")) return n * 60;
  if (absl::StartsWith(unit, "hour")) return n * 3600;
  if (absl::StartsWith(unit, "day")) return n * 86400;
  return n;
}

// The facts a comment states for a limit of `kind`, rendered like Expected() renders an entry;
// "" when the comment states none.
std::string Stated(LimitKind kind, const std::string& c) {
  const std::string range = R"((-?\d+) to (-?\d+))";
  switch (kind) {
    case LimitKind::kText:
    case LimitKind::kToken:
      if (auto m = Find(c, range + " characters")) {
        return absl::StrCat("min=", Num((*m)[1]), " max=", Num((*m)[2]));
      }
      if (auto m = Find(c, R"(at most (\d+) characters)")) {
        return absl::StrCat("min=0 max=", Num((*m)[1]));
      }
      return "";
    case LimitKind::kUrl:
      if (auto m = Find(c, R"(at most (\d+) characters)"))
        return absl::StrCat("max=", Num((*m)[1]));
      return "";
    case LimitKind::kDigits:
      if (auto m = Find(c, range + " digits")) {
        return absl::StrCat("min=", Num((*m)[1]), " max=", Num((*m)[2]));
      }
      if (auto m = Find(c, R"((\d+)[- ]digits?\b)")) {
        return absl::StrCat("min=", Num((*m)[1]), " max=", Num((*m)[1]));
      }
      return "";
    case LimitKind::kCode:
      if (auto m = Find(c, R"((\d+)[- ](characters?|digits?)\b)")) {
        const bool may_be_empty = c.find("or empty") != std::string::npos;
        return absl::StrCat("min=", may_be_empty ? 0 : Num((*m)[1]), " max=", Num((*m)[1]));
      }
      return "";
    case LimitKind::kInteger: {
      std::string out;
      if (auto m = Find(c, range)) {
        out = absl::StrCat("min=", Num((*m)[1]), " max=", Num((*m)[2]));
      } else if (auto more = Find(c, R"((\d+) or more)")) {
        out = absl::StrCat("min=", Num((*more)[1]), " max=unbounded");
      } else {
        return "";
      }
      if (auto m = Find(c, R"(\b0 on create means (\d+))")) {
        absl::StrAppend(&out, " zero_means=", Num((*m)[1]), " on_create");
      }
      if (c.find("non-zero") != std::string::npos) absl::StrAppend(&out, " nonzero");
      return out;
    }
    case LimitKind::kFen: {
      std::string out;
      if (auto m = Find(c, range)) {
        out = absl::StrCat("min=", Num((*m)[1]), " max=", Num((*m)[2]));
      } else if (auto greater = Find(c, R"(greater than (\d+))")) {
        out = absl::StrCat("min=", Num((*greater)[1]) + 1, " max=unbounded");
      } else if (auto more = Find(c, R"((\d+) or more)")) {
        out = absl::StrCat("min=", Num((*more)[1]), " max=unbounded");
      } else {
        return "";
      }
      if (c.find("unset means") != std::string::npos) absl::StrAppend(&out, " optional");
      return out;
    }
    case LimitKind::kCount:
      if (auto m = Find(c, range)) {
        return absl::StrCat("min=", Num((*m)[1]), " max=", Num((*m)[2]));
      }
      if (auto m = Find(c, R"(at most (\d+)(?![\d ]*characters))")) {
        return absl::StrCat("min=0 max=", Num((*m)[1]));
      }
      return "";
    case LimitKind::kSeconds: {
      const std::string d = R"((\d+) (second|minute|hour|day)s?)";
      std::string out;
      if (auto m = Find(c, d + " to " + d)) {
        out = absl::StrCat("min=", Seconds(Num((*m)[1]), (*m)[2]),
                           " max=", Seconds(Num((*m)[3]), (*m)[4]));
      } else if (auto most = Find(c, "at most " + d)) {
        out = absl::StrCat("min=1 max=", Seconds(Num((*most)[1]), (*most)[2]));
      } else {
        return "";
      }
      if (auto m = Find(c, "zero means " + d)) {
        absl::StrAppend(&out, " zero_means=", Seconds(Num((*m)[1]), (*m)[2]));
      }
      return out;
    }
    case LimitKind::kPageSize: {
      auto def = Find(c, R"(default (\d+))");
      auto clamp = Find(c, R"(clamped to (\d+))");
      if (!def || !clamp) return "";
      return absl::StrCat("max=", Num((*clamp)[1]), " zero_means=", Num((*def)[1]));
    }
    case LimitKind::kPastDate:
      if (c.find("not in the future") == std::string::npos &&
          c.find("not after today") == std::string::npos) {
        return "";
      }
      return c.find("default today") != std::string::npos ? "past optional" : "past";
  }
  return "";
}

// The same facts, from a table entry.
std::string Expected(const FieldLimit& l) {
  switch (l.kind) {
    case LimitKind::kText:
    case LimitKind::kToken:
    case LimitKind::kDigits:
    case LimitKind::kCode:
    case LimitKind::kCount:
      return absl::StrCat("min=", l.min, " max=", l.max);
    case LimitKind::kUrl:
      return absl::StrCat("max=", l.max);
    case LimitKind::kInteger:
    case LimitKind::kFen: {
      std::string out = absl::StrCat(
          "min=", l.min, " max=", l.max == kUnbounded ? "unbounded" : absl::StrCat(l.max));
      if (l.zero_means != 0) {
        absl::StrAppend(&out, " zero_means=", l.zero_means,
                        l.zero_means_on_create_only ? " on_create" : "");
      }
      if (l.nonzero) absl::StrAppend(&out, " nonzero");
      if (l.optional) absl::StrAppend(&out, " optional");
      return out;
    }
    case LimitKind::kSeconds:
      return absl::StrCat("min=", l.min, " max=", l.max,
                          l.zero_means != 0 ? absl::StrCat(" zero_means=", l.zero_means) : "");
    case LimitKind::kPageSize:
      return absl::StrCat("max=", l.max, " zero_means=", l.zero_means);
    case LimitKind::kPastDate:
      return l.optional ? "past optional" : "past";
  }
  return "";
}

// --- The fields of a service ---------------------------------------------------------------------
bool InOurPackages(const pb::Descriptor* d) {
  return absl::StartsWith(d->full_name(), "cooplink.");
}

// Every (message, field) a request of `service` can carry: the request messages and, recursively,
// the cooplink messages their input fields hold (output-only fields are not followed).
std::vector<const pb::FieldDescriptor*> RequestFields(const pb::ServiceDescriptor* service) {
  std::vector<const pb::FieldDescriptor*> out;
  std::set<const pb::Descriptor*> seen;
  std::vector<const pb::Descriptor*> todo;
  for (int i = 0; i < service->method_count(); ++i)
    todo.push_back(service->method(i)->input_type());
  while (!todo.empty()) {
    const pb::Descriptor* d = todo.back();
    todo.pop_back();
    if (!seen.insert(d).second) continue;
    for (int i = 0; i < d->field_count(); ++i) {
      const pb::FieldDescriptor* f = d->field(i);
      if (OutputOnly(CommentOf(f))) continue;
      out.push_back(f);
      if (f->message_type() != nullptr && InOurPackages(f->message_type())) {
        todo.push_back(f->message_type());
      }
    }
  }
  return out;
}

std::vector<FieldLimit> EntriesFor(const Service& service, const pb::FieldDescriptor* field) {
  return testing::LimitsFor(service.table, service.package, field);
}

// A phrase that states a limit.
bool StatesALimit(const std::string& comment) {
  static const std::regex kPhrase(
      R"(-?\d+ to -?\d+|at most \d+|greater than \d+|\d+ or more|\d+[- ](digit|character)|)"
      R"(not in the future|not after today|clamped to \d+)");
  return std::regex_search(comment, kPhrase);
}

TEST(LimitsContractTest, DescriptorsCarryComments) {
  const pb::Descriptor* product = Pool().FindMessageTypeByName("cooplink.catalog.v1.Product");
  ASSERT_NE(product, nullptr);
  EXPECT_NE(CommentOf(product->FindFieldByName("title")), "");
}

TEST(LimitsContractTest, EveryEntryStatesTheNumbersOfItsProtoComment) {
  int checked = 0;
  for (const Service& service : kServices) {
    const pb::ServiceDescriptor* s = Pool().FindServiceByName(service.name);
    ASSERT_NE(s, nullptr) << service.name;
    std::set<std::string> used;  // entries that matched a field
    for (const pb::FieldDescriptor* field : RequestFields(s)) {
      const std::string comment = CommentOf(field);
      for (const FieldLimit& l : EntriesFor(service, field)) {
        used.insert(absl::StrCat(l.message, ".", l.field, "#", static_cast<int>(l.kind)));
        EXPECT_EQ(Stated(l.kind, comment), Expected(l))
            << field->full_name() << " (" << DescribeLimit(l) << "): \"" << comment << "\"";
        ++checked;
      }
    }
    for (const FieldLimit& l : service.table) {
      EXPECT_TRUE(used.count(absl::StrCat(l.message, ".", l.field, "#", static_cast<int>(l.kind))))
          << l.message << "." << l.field << " names no field a request of " << service.name
          << " can carry";
    }
  }
  EXPECT_GT(checked, 100);
}

TEST(LimitsContractTest, EveryLimitStatedForARequestFieldHasAnEntry) {
  for (const Service& service : kServices) {
    for (const pb::FieldDescriptor* field : RequestFields(Pool().FindServiceByName(service.name))) {
      const std::string comment = CommentOf(field);
      if (!StatesALimit(comment)) continue;
      EXPECT_FALSE(EntriesFor(service, field).empty())
          << field->full_name() << " states a limit that no table holds: \"" << comment << "\"";
    }
  }
}

TEST(LimitsContractTest, DateLimitsAreCommonProtos) {
  const pb::Descriptor* date = Pool().FindMessageTypeByName("cooplink.common.v1.Date");
  ASSERT_NE(date, nullptr);
  for (const FieldLimit& l : kCommonLimits) {
    if (std::string(l.message) != "cooplink.common.v1.Date") continue;
    const pb::FieldDescriptor* field = date->FindFieldByName(l.field);
    ASSERT_NE(field, nullptr) << l.field;
    EXPECT_EQ(Stated(l.kind, CommentOf(field)), Expected(l)) << l.field;
  }
}

// The helpers the validators use read the entries as the protos mean them.
TEST(LimitsContractTest, HelpersApplyTheEntries) {
  FieldViolations v;
  EXPECT_EQ(CheckText(v, "t", "  普洱茶  ", Limit("", "t", LimitKind::kText, 1, 3)), "普洱茶");
  EXPECT_TRUE(v.empty());  // trimmed, and 3 code points although 9 bytes
  // A full-width (ideographic) space around the text is whitespace too.
  EXPECT_EQ(CheckText(v, "t", "\u3000普洱茶 \u3000", Limit("", "t", LimitKind::kText, 1, 3)),
            "普洱茶");
  EXPECT_TRUE(v.empty());
  CheckText(v, "t", "\u3000\u3000", Limit("", "t", LimitKind::kText, 1, 3));
  EXPECT_FALSE(v.empty());  // nothing but whitespace is empty
  FieldViolations longer;
  CheckText(longer, "t", "普洱茶饼", Limit("", "t", LimitKind::kText, 1, 3));
  EXPECT_FALSE(longer.empty());

  constexpr FieldLimit kMin = Limit("", "m", LimitKind::kInteger, 1, 10).ZeroMeansOnCreate(1);
  EXPECT_EQ(EffectiveValue(0, kMin, /*creating=*/true), 1);
  EXPECT_EQ(EffectiveValue(0, kMin, /*creating=*/false), 0);
  EXPECT_EQ(EffectiveValue(7, kMin, /*creating=*/true), 7);
  FieldViolations ints;
  EXPECT_TRUE(CheckInteger(ints, "m", 10, kMin));
  EXPECT_FALSE(CheckInteger(ints, "m", 11, kMin));
  EXPECT_FALSE(CheckInteger(ints, "m", 0, kMin));
  EXPECT_FALSE(CheckInteger(ints, "d", 0, Limit("", "d", LimitKind::kInteger, -5, 5).NonZero()));

  FieldViolations fen;
  common::v1::Money money;
  EXPECT_TRUE(CheckFen(fen, "p", false, money, Limit("", "p", LimitKind::kFen, 1, 9).Optional()));
  EXPECT_FALSE(CheckFen(fen, "p", false, money, Limit("", "p", LimitKind::kFen, 1, 9)));
  money.set_fen(0);
  EXPECT_FALSE(CheckFen(fen, "p", true, money, Limit("", "p", LimitKind::kFen, 1, 9).Optional()));

  EXPECT_EQ(DescribeLimit(Limit("", "t", LimitKind::kText, 1, 60)), "1 to 60 characters");
  EXPECT_EQ(DescribeLimit(Limit("", "c", LimitKind::kCount, 0, 9)), "at most 9");
  EXPECT_EQ(DescribeLimit(Limit("", "f", LimitKind::kFen, 0, kUnbounded)), "0 or more");
}

}  // namespace
}  // namespace cooplink

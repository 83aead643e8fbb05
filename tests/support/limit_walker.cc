#include "tests/support/limit_walker.h"

#include <gtest/gtest.h>

#include <limits>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cooplink::testing {
namespace {

namespace pb = ::google::protobuf;

std::string Key(const FieldLimit& l) {
  return absl::StrCat(l.message, ".", l.field, "#", static_cast<int>(l.kind));
}

std::string Repeat(const std::string& unit, int64_t n) {
  std::string out;
  for (int64_t i = 0; i < n; ++i) out += unit;
  return out;
}

// A string of n digits that starts like a real village code, so that every prefix of 6 or more
// digits is a real region.
std::string Digits(int64_t n) {
  std::string base = "530828100201";
  while (static_cast<int64_t>(base.size()) < n) base += "0";
  return base.substr(0, static_cast<size_t>(n));
}

// Where a probe writes: the message holding the field, the field and, for an element of a repeated
// field, its index.
struct Slot {
  pb::Message* holder;
  const pb::FieldDescriptor* field;
  int index;
};

void SetString(const Slot& s, const std::string& value) {
  const pb::Reflection* r = s.holder->GetReflection();
  if (s.index >= 0) {
    r->SetRepeatedString(s.holder, s.field, s.index, value);
  } else {
    r->SetString(s.holder, s.field, value);
  }
}

void SetInteger(const Slot& s, int64_t value) {
  const pb::Reflection* r = s.holder->GetReflection();
  if (s.field->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT32) {
    r->SetInt32(s.holder, s.field, static_cast<int32_t>(value));
  } else {
    r->SetInt64(s.holder, s.field, value);
  }
}

// Sets field `name` of the message in the slot (Money.fen, Duration.seconds).
void SetInner(const Slot& s, const std::string& name, int64_t value) {
  pb::Message* inner = s.holder->GetReflection()->MutableMessage(s.holder, s.field);
  const pb::FieldDescriptor* f = inner->GetDescriptor()->FindFieldByName(name);
  SetInteger({inner, f, -1}, value);
}

void SetDate(const Slot& s, int year, int month, int day) {
  pb::Message* date = s.holder->GetReflection()->MutableMessage(s.holder, s.field);
  const pb::Descriptor* d = date->GetDescriptor();
  date->GetReflection()->SetInt32(date, d->FindFieldByName("year"), year);
  date->GetReflection()->SetInt32(date, d->FindFieldByName("month"), month);
  date->GetReflection()->SetInt32(date, d->FindFieldByName("day"), day);
}

bool FitsField(const pb::FieldDescriptor* f, int64_t v) {
  if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_INT32) {
    return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
  }
  return true;
}

// The distinct values just below, at and just above both bounds (only those that exist).
std::set<int64_t> AroundBounds(int64_t min, int64_t max) {
  std::set<int64_t> out = {min, max};
  if (min > std::numeric_limits<int64_t>::min()) out.insert(min - 1);
  if (min < max) out.insert(min + 1);
  if (max > min) out.insert(max - 1);
  if (max < kUnbounded) out.insert(max + 1);
  return out;
}

std::string PathText(const std::vector<std::pair<const pb::FieldDescriptor*, int>>& steps) {
  std::string out;
  for (const auto& [field, index] : steps) {
    if (!out.empty()) out += ".";
    out += field->name();
    if (index >= 0) absl::StrAppend(&out, "[", index, "]");
  }
  return out;
}

}  // namespace

std::vector<FieldLimit> LimitsFor(absl::Span<const FieldLimit> table, const std::string& package,
                                  const pb::FieldDescriptor* field) {
  std::vector<FieldLimit> specific, shared;
  const std::string& message = field->containing_type()->full_name();
  for (absl::Span<const FieldLimit> t : {table, absl::Span<const FieldLimit>(kCommonLimits)}) {
    for (const FieldLimit& l : t) {
      if (field->name() != l.field) continue;
      if (message == l.message) specific.push_back(l);
      if (std::string(l.message).empty() && absl::StartsWith(message, package)) {
        shared.push_back(l);
      }
    }
  }
  return specific.empty() ? shared : specific;
}

LimitWalker::LimitWalker(const pb::ServiceDescriptor* service, absl::Span<const FieldLimit> table,
                         absl::CivilDay today)
    : service_(service),
      table_(table),
      package_(absl::StrCat(service->file()->package(), ".")),
      today_(today) {}

void LimitWalker::AddRpc(const pb::Descriptor* request, Baseline baseline, Call call) {
  rpcs_[request] = {std::move(baseline), std::move(call)};
}

void LimitWalker::Example(const std::string& message, const std::string& field,
                          std::function<std::string()> make) {
  examples_[absl::StrCat(message, ".", field)] = std::move(make);
}

void LimitWalker::Token(const std::string& message, const std::string& field,
                        std::function<std::optional<std::string>(int64_t)> make) {
  tokens_[absl::StrCat(message, ".", field)] = std::move(make);
}

void LimitWalker::Elements(const std::string& message, const std::string& field,
                           std::function<void(pb::Message*, int)> fill) {
  elements_[absl::StrCat(message, ".", field)] = std::move(fill);
}

void LimitWalker::Ignore(const std::string& request, const std::string& path) {
  ignored_.insert(absl::StrCat(request, " ", path));
}

void LimitWalker::CollectPaths(const pb::Descriptor* message, std::vector<Step>* prefix,
                               std::vector<std::pair<std::vector<Step>, FieldLimit>>* out) const {
  if (prefix->size() > 6) return;  // no recursive messages in the protos; a guard all the same
  for (int i = 0; i < message->field_count(); ++i) {
    const pb::FieldDescriptor* f = message->field(i);
    for (const FieldLimit& l : LimitsFor(table_, package_, f)) {
      std::vector<Step> path = *prefix;
      path.push_back({f, f->is_repeated() && l.kind != LimitKind::kCount ? 0 : -1});
      out->emplace_back(std::move(path), l);
    }
    if (f->message_type() != nullptr &&
        absl::StartsWith(f->message_type()->full_name(), package_)) {
      prefix->push_back({f, f->is_repeated() ? 0 : -1});
      CollectPaths(f->message_type(), prefix, out);
      prefix->pop_back();
    }
  }
}

std::vector<LimitWalker::Probe> LimitWalker::ProbesFor(const FieldLimit& l,
                                                       const pb::FieldDescriptor* f,
                                                       bool creating) const {
  using Set = std::function<void(const Slot&)>;
  std::vector<Probe> probes;
  auto put = [&](std::string label, bool valid, Set set) {
    probes.push_back({std::move(label), valid,
                      [set](pb::Message* holder, const pb::FieldDescriptor* field, int index) {
                        set({holder, field, index});
                      }});
  };
  const bool zero_is_default = l.zero_means != 0 && (creating || !l.zero_means_on_create_only);
  switch (l.kind) {
    case LimitKind::kText:
      if (l.min > 0) put("only whitespace", false, [](const Slot& s) { SetString(s, "   "); });
      for (int64_t n : AroundBounds(l.min, l.max)) {
        if (n < 0) continue;
        std::string text = Repeat("茶", n);
        if (n == l.max) text = "  " + text + "\u3000";  // surrounding whitespace does not count
        put(absl::StrCat(n, " characters"), n >= l.min && n <= l.max,
            [text](const Slot& s) { SetString(s, text); });
      }
      break;
    case LimitKind::kToken: {
      auto token = tokens_.find(absl::StrCat(l.message, ".", l.field));
      for (int64_t n : AroundBounds(l.min, l.max)) {
        if (n < 0) continue;
        std::optional<std::string> made =
            token == tokens_.end() ? std::optional<std::string>(Repeat("a", n)) : token->second(n);
        if (!made) continue;
        const std::string text = *made;
        put(absl::StrCat(n, " characters"), n >= l.min && n <= l.max,
            [text](const Slot& s) { SetString(s, text); });
      }
      break;
    }
    case LimitKind::kUrl:
      for (int64_t n : AroundBounds(l.min, l.max)) {
        if (n < 8) continue;
        const std::string url = "https://" + Repeat("a", n - 8);
        put(absl::StrCat("URL of ", n, " characters"), n >= l.min && n <= l.max,
            [url](const Slot& s) { SetString(s, url); });
      }
      break;
    case LimitKind::kDigits:
      for (int64_t n : AroundBounds(l.min, l.max)) {
        if (n < 0) continue;
        const std::string digits = Digits(n);
        put(absl::StrCat(n, " digits"), n >= l.min && n <= l.max,
            [digits](const Slot& s) { SetString(s, digits); });
      }
      break;
    case LimitKind::kCode: {
      auto it = examples_.find(absl::StrCat(l.message, ".", l.field));
      if (it == examples_.end()) {
        ADD_FAILURE() << "no example value for " << l.message << "." << l.field;
        break;
      }
      auto make = it->second;
      put("a valid value", true, [make](const Slot& s) { SetString(s, make()); });
      put("one character short", false, [make](const Slot& s) {
        std::string v = make();
        SetString(s, v.substr(0, v.size() - 1));
      });
      put("one character long", false, [make](const Slot& s) { SetString(s, make() + "1"); });
      put("empty", l.min == 0, [](const Slot& s) { SetString(s, ""); });
      break;
    }
    case LimitKind::kInteger:
    case LimitKind::kFen: {
      const bool fen = l.kind == LimitKind::kFen;
      std::set<int64_t> values = AroundBounds(l.min, l.max);
      if (l.nonzero || l.zero_means != 0) values.insert(0);
      if (l.max == kUnbounded) values.insert(kUnbounded);
      for (int64_t v : values) {
        if (!fen && !FitsField(f, v)) continue;
        bool valid = v >= l.min && v <= l.max;
        if (v == 0 && l.nonzero) valid = false;
        if (v == 0 && zero_is_default) valid = true;
        put(absl::StrCat(v), valid, [v, fen](const Slot& s) {
          if (fen) {
            SetInner(s, "fen", v);
          } else {
            SetInteger(s, v);
          }
        });
      }
      if (fen) {
        put("unset", l.optional,
            [](const Slot& s) { s.holder->GetReflection()->ClearField(s.holder, s.field); });
      }
      break;
    }
    case LimitKind::kCount:
      for (int64_t n : AroundBounds(l.min, l.max)) {
        if (n < 0) continue;
        const int count = static_cast<int>(n);
        auto fill = elements_.find(absl::StrCat(l.message, ".", l.field));
        std::function<void(pb::Message*, int)> filler =
            fill == elements_.end() ? nullptr : fill->second;
        put(absl::StrCat(n, " entries"), n >= l.min && n <= l.max, [count, filler](const Slot& s) {
          if (filler) {
            filler(s.holder, count);
            return;
          }
          const pb::Reflection* r = s.holder->GetReflection();
          ASSERT_GT(r->FieldSize(*s.holder, s.field), 0)
              << s.field->full_name() << ": the baseline needs one element to copy";
          if (s.field->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
            const std::string first = r->GetRepeatedString(*s.holder, s.field, 0);
            r->ClearField(s.holder, s.field);
            for (int i = 0; i < count; ++i) r->AddString(s.holder, s.field, first);
          } else {
            std::unique_ptr<pb::Message> first(r->GetRepeatedMessage(*s.holder, s.field, 0).New());
            first->CopyFrom(r->GetRepeatedMessage(*s.holder, s.field, 0));
            r->ClearField(s.holder, s.field);
            for (int i = 0; i < count; ++i) r->AddMessage(s.holder, s.field)->CopyFrom(*first);
          }
        });
      }
      break;
    case LimitKind::kSeconds: {
      std::set<int64_t> values = AroundBounds(l.min, l.max);
      values.insert(-1);
      values.insert(0);
      for (int64_t v : values) {
        if (v < -1) continue;
        const bool valid = v == 0 ? l.zero_means != 0 : v >= l.min && v <= l.max;
        put(absl::StrCat(v, " seconds"), valid, [v](const Slot& s) { SetInner(s, "seconds", v); });
      }
      break;
    }
    case LimitKind::kPageSize:
      for (int64_t v : {int64_t{-1}, int64_t{0}, int64_t{1}, l.max - 1, l.max, l.max + 1}) {
        put(absl::StrCat(v), v >= 0, [v](const Slot& s) { SetInteger(s, v); });
      }
      break;
    case LimitKind::kPastDate: {
      const absl::CivilDay yesterday = today_ - 1, tomorrow = today_ + 1;
      const int y = static_cast<int>(today_.year()) - 1;
      struct D {
        const char* label;
        int year, month, day;
        bool valid;
      };
      const D dates[] = {
          {"1899-12-31", 1899, 12, 31, false},
          {"1900-01-01", 1900, 1, 1, true},
          {"1900-01-02", 1900, 1, 2, true},
          {"yesterday", static_cast<int>(yesterday.year()), yesterday.month(), yesterday.day(),
           true},
          {"today", static_cast<int>(today_.year()), today_.month(), today_.day(), true},
          {"tomorrow", static_cast<int>(tomorrow.year()), tomorrow.month(), tomorrow.day(), false},
          {"month 0", y, 0, 1, false},
          {"month 13", y, 13, 1, false},
          {"day 0", y, 1, 0, false},
          {"day 32", y, 1, 32, false},
          {"2025-02-29", 2025, 2, 29, false},
          {"2024-02-29", 2024, 2, 29, true},
      };
      for (const D& d : dates) {
        put(d.label, d.valid, [d](const Slot& s) { SetDate(s, d.year, d.month, d.day); });
      }
      put("unset", l.optional,
          [](const Slot& s) { s.holder->GetReflection()->ClearField(s.holder, s.field); });
      break;
    }
  }
  return probes;
}

void LimitWalker::WalkOne(const std::string& method, const std::vector<Step>& path,
                          const FieldLimit& limit, const Baseline& baseline, const Call& call,
                          Totals* totals) {
  std::vector<std::pair<const pb::FieldDescriptor*, int>> steps;
  for (const Step& s : path) steps.emplace_back(s.field, s.index);
  const std::string path_text = PathText(steps);
  const Step& last = path.back();
  const bool creating = absl::StartsWith(method, "Create");
  ++totals->limits;
  for (const Probe& probe : ProbesFor(limit, last.field, creating)) {
    std::unique_ptr<pb::Message> req = baseline();
    // A fresh idempotency key (and reservation id) for every call that does not probe it.
    for (const char* id_field : {"request_id", "reservation_id"}) {
      const pb::FieldDescriptor* f = req->GetDescriptor()->FindFieldByName(id_field);
      if (f != nullptr && f != path.front().field) {
        req->GetReflection()->SetString(req.get(), f, NewRequestId());
      }
    }
    // Follow the path to the message that holds the field.
    pb::Message* holder = req.get();
    for (size_t i = 0; i + 1 < path.size() && holder != nullptr; ++i) {
      const pb::Reflection* r = holder->GetReflection();
      const Step& s = path[i];
      if (s.index >= 0) {
        holder = r->FieldSize(*holder, s.field) > s.index
                     ? r->MutableRepeatedMessage(holder, s.field, s.index)
                     : nullptr;
      } else {
        holder = r->HasField(*holder, s.field) ? r->MutableMessage(holder, s.field) : nullptr;
      }
    }
    if (holder == nullptr || (last.index >= 0 && holder->GetReflection()->FieldSize(
                                                     *holder, last.field) <= last.index)) {
      ADD_FAILURE() << method << ": the baseline request does not reach " << path_text;
      return;
    }
    probe.set(holder, last.field, last.index);
    const grpc::Status status = call(*req);
    ++totals->probes;
    if (status.ok()) ++totals->ok;
    const std::vector<std::string> fields = ViolatedFields(status);
    const std::string where =
        absl::StrCat(method, " ", path_text, " (", DescribeLimit(limit), ") = ", probe.label);
    const std::string got = absl::StrCat(status.error_code(), " \"", status.error_message(),
                                         "\" fields [", absl::StrJoin(fields, ", "), "]");
    if (probe.valid) {
      EXPECT_NE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << where << " is inside the limit but was refused: " << got;
      // Nor may it break the server (a column too narrow for the documented limit).
      EXPECT_NE(status.error_code(), grpc::StatusCode::INTERNAL)
          << where << " is inside the limit but failed: " << got;
      EXPECT_NE(status.error_code(), grpc::StatusCode::UNKNOWN)
          << where << " is inside the limit but failed: " << got;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
          << where << " is outside the limit but was not refused: " << got;
      const bool named = fields.size() == 1 &&
                         (fields[0] == path_text ||
                          (limit.kind == LimitKind::kFen && fields[0] == path_text + ".fen"));
      EXPECT_TRUE(named) << where << ": the one violation must name " << path_text << "; " << got;
    }
  }
}

LimitWalker::Totals LimitWalker::Walk() {
  Totals totals;
  std::set<std::string> walked;
  std::set<std::string> carried;  // the entries some request of the service can carry
  for (int i = 0; i < service_->method_count(); ++i) {
    const pb::MethodDescriptor* method = service_->method(i);
    std::vector<std::pair<std::vector<Step>, FieldLimit>> paths;
    std::vector<Step> prefix;
    CollectPaths(method->input_type(), &prefix, &paths);
    for (const auto& [path, limit] : paths) {
      carried.insert(Key(limit));
      if (limit.kind == LimitKind::kPastDate) {
        for (const FieldLimit& date : {kDateYear, kDateMonth, kDateDay}) carried.insert(Key(date));
      }
    }
    if (paths.empty()) continue;
    auto rpc = rpcs_.find(method->input_type());
    if (rpc == rpcs_.end()) {
      ADD_FAILURE() << method->name() << " carries " << paths.size()
                    << " limited fields but the test gives no baseline request for it";
      continue;
    }
    ++totals.rpcs;
    for (const auto& [path, limit] : paths) {
      std::vector<std::pair<const pb::FieldDescriptor*, int>> steps;
      for (const Step& s : path) steps.emplace_back(s.field, s.index);
      if (ignored_.count(absl::StrCat(method->input_type()->full_name(), " ", PathText(steps)))) {
        continue;
      }
      WalkOne(method->name(), path, limit, rpc->second.first, rpc->second.second, &totals);
      walked.insert(Key(limit));
      if (limit.kind == LimitKind::kPastDate) {
        walked.insert(Key(kDateYear));
        walked.insert(Key(kDateMonth));
        walked.insert(Key(kDateDay));
      }
    }
  }
  // Every entry of the service's table; the shared ones its requests carry (a service without a
  // Date field has no Date limit to walk).
  for (absl::Span<const FieldLimit> t : {table_, absl::Span<const FieldLimit>(kCommonLimits)}) {
    for (const FieldLimit& l : t) {
      if (t.data() == kCommonLimits && !carried.count(Key(l))) continue;
      EXPECT_TRUE(walked.count(Key(l)))
          << l.message << "." << l.field << " (" << DescribeLimit(l) << ") was walked by no RPC";
    }
  }
  totals.entries = static_cast<int>(walked.size());
  return totals;
}

}  // namespace cooplink::testing

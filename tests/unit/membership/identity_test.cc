#include "services/membership/identity.h"

#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace cooplink::membership {
namespace {

// A fixed "today", so no test depends on the wall clock.
const absl::CivilDay kToday(2024, 6, 1);

constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

// ---------------------------------------------------------------- USCC ----

TEST(ValidateUsccTest, AcceptsDomainVectors) {
  // Σ = 1640 and Σ = 538 respectively (DOMAIN.md).
  for (std::string_view code : {"91350100M000100Y43", "91110000600037341L"}) {
    SCOPED_TRACE(code);
    EXPECT_TRUE(ValidateUscc(code).ok()) << ValidateUscc(code);
  }
}

// 93530828MA6K3R2X0 has Σ = 3141; 3141 mod 31 = 10; 31 - 10 = 21 -> 'M'.
constexpr std::string_view kCooperativeUscc = "93530828MA6K3R2X0M";
// 93530100000001234 has Σ = 416; 416 mod 31 = 13; 31 - 13 = 18 -> 'J'.
constexpr std::string_view kCooperativeUscc2 = "93530100000001234J";

TEST(ValidateUsccTest, AcceptsHandComputedCooperativeCodes) {
  EXPECT_TRUE(ValidateUscc(kCooperativeUscc).ok());
  EXPECT_TRUE(ValidateUscc(kCooperativeUscc2).ok());
}

struct BadUsccCase {
  const char* name;
  std::string code;
  std::string message_part;
};

void PrintTo(const BadUsccCase& c, std::ostream* os) { *os << c.name; }

class ValidateUsccRejectsTest : public ::testing::TestWithParam<BadUsccCase> {};

TEST_P(ValidateUsccRejectsTest, WithInvalidArgumentNamingTheRule) {
  const BadUsccCase& c = GetParam();
  const absl::Status status = ValidateUscc(c.code);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), c.message_part)) << status.message();
}

INSTANTIATE_TEST_SUITE_P(Cases, ValidateUsccRejectsTest,
                         ::testing::Values(
                             // DOMAIN.md's invalid vector: Z is not in the alphabet at all.
                             BadUsccCase{"DomainInvalidVector", "91350100M000100Y4Z",
                                         "bad character 'Z' at position 18"},
                             BadUsccCase{"WrongCheckCharacter", "91350100M000100Y44",
                                         "check character mismatch: expected '3', got '4'"},
                             BadUsccCase{"Empty", "", "must be 18 characters, got 0"},
                             BadUsccCase{"TooShort", "91350100M000100Y4", "got 17"},
                             BadUsccCase{"TooLong", "91350100M000100Y433", "got 19"},
                             BadUsccCase{"LetterNotInAlphabet", "91350100M000100I43",
                                         "bad character 'I' at position 16"},
                             BadUsccCase{"LowerCase", "91350100m000100Y43",
                                         "bad character 'm' at position 9"},
                             BadUsccCase{"LetterInRegionCode", "913501A0M000100Y43",
                                         "bad character 'A' at position 7; positions 3-8"},
                             BadUsccCase{"NonAscii", std::string("9135010\xE4M000100Y4", 18),
                                         "bad character '\\xe4' at position 8"}),
                         [](const ::testing::TestParamInfo<BadUsccCase>& case_info) {
                           return std::string(case_info.param.name);
                         });

// Every weight is non-zero mod 31 (31 is prime), so any single substituted
// character must be caught.
TEST(ValidateUsccTest, RejectsEverySingleCharacterSubstitution) {
  for (std::string_view valid : std::initializer_list<std::string_view>{
           "91350100M000100Y43", "91110000600037341L", kCooperativeUscc}) {
    for (size_t i = 0; i < valid.size(); ++i) {
      for (char replacement : kUsccAlphabet) {
        if (replacement == valid[i]) continue;
        std::string mutated(valid);
        mutated[i] = replacement;
        SCOPED_TRACE(mutated);
        EXPECT_FALSE(ValidateUscc(mutated).ok());
      }
    }
  }
}

TEST(IsCooperativeUsccTest, TrueOnlyForValidCodesStartingWith93) {
  EXPECT_TRUE(IsCooperativeUscc(kCooperativeUscc));
  EXPECT_TRUE(IsCooperativeUscc(kCooperativeUscc2));
  EXPECT_FALSE(IsCooperativeUscc("91350100M000100Y43"));  // Enterprise.
  EXPECT_FALSE(IsCooperativeUscc("91110000600037341L"));  // Enterprise.
  EXPECT_FALSE(IsCooperativeUscc("93530828MA6K3R2X0N"));  // Bad check.
  EXPECT_FALSE(IsCooperativeUscc("93"));
  EXPECT_FALSE(IsCooperativeUscc(""));
}

// --------------------------------------------------------- Resident ID ----

struct GoodIdCase {
  std::string raw;
  std::string normalized;
  int year;
  int month;
  int day;
  bool male;
  std::string region_code;
};

TEST(ParseResidentIdTest, ParsesValidNumbers) {
  const GoodIdCase cases[] = {
      // DOMAIN.md vectors (Σ = 189, 262, 231).
      {"34052419800101001X", "34052419800101001X", 1980, 1, 1, true, "340524"},
      {"370101190102039973", "370101190102039973", 1901, 2, 3, true, "370101"},
      {"360426199101010071", "360426199101010071", 1991, 1, 1, true, "360426"},
      // Lower-case x is accepted and upper-cased.
      {"34052419800101001x", "34052419800101001X", 1980, 1, 1, true, "340524"},
      // Surrounding whitespace is ignored.
      {" 34052419800101001X\n", "34052419800101001X", 1980, 1, 1, true, "340524"},
      // Female (17th digit 2), Σ = 222 -> r = 2 -> 'X'.
      {"53010219900228002X", "53010219900228002X", 1990, 2, 28, false, "530102"},
      // 29 Feb 2000 (a leap year), Σ = 243 -> r = 1 -> '0'.
      {"530828200002290030", "530828200002290030", 2000, 2, 29, true, "530828"},
      // Born "today" is not in the future, Σ = 166 -> r = 1 -> '0'.
      {"530102202406010020", "530102202406010020", 2024, 6, 1, false, "530102"},
  };
  for (const GoodIdCase& c : cases) {
    SCOPED_TRACE(c.raw);
    absl::StatusOr<ResidentId> id = ParseResidentId(c.raw, kToday);
    ASSERT_TRUE(id.ok()) << id.status();
    EXPECT_EQ(id->normalized, c.normalized);
    EXPECT_EQ(id->year, c.year);
    EXPECT_EQ(id->month, c.month);
    EXPECT_EQ(id->day, c.day);
    EXPECT_EQ(id->male, c.male);
    EXPECT_EQ(id->region_code, c.region_code);
  }
}

struct BadIdCase {
  const char* name;
  std::string raw;
  std::string message_part;
};

void PrintTo(const BadIdCase& c, std::ostream* os) { *os << c.name; }

class ParseResidentIdRejectsTest : public ::testing::TestWithParam<BadIdCase> {};

TEST_P(ParseResidentIdRejectsTest, WithInvalidArgumentNamingTheRule) {
  const BadIdCase& c = GetParam();
  absl::StatusOr<ResidentId> id = ParseResidentId(c.raw, kToday);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(id.status().message(), c.message_part)) << id.status().message();
  // PIPL: the number itself never appears in the message.
  if (c.raw.size() >= 6) {
    EXPECT_FALSE(absl::StrContains(id.status().message(), c.raw));
  }
}

// Unless the case is about the check character, each number carries a
// correct check character, so the rule under test is what rejects it.
INSTANTIATE_TEST_SUITE_P(
    Cases, ParseResidentIdRejectsTest,
    ::testing::Values(
        BadIdCase{"WrongCheckCharacter", "340524198001010011", "check character mismatch"},
        BadIdCase{"WrongCheckDigit", "370101190102039970", "check character mismatch"},
        BadIdCase{"February30", "530102198002300014", "not a real calendar date"},
        BadIdCase{"February29InNonLeap1900", "530102190002290016", "not a real calendar date"},
        BadIdCase{"Month13", "530102198013010012", "not a real calendar date"},
        BadIdCase{"Day00", "53010219800100001X", "not a real calendar date"},
        BadIdCase{"BeforeYear1900", "530102189912310014", "before 1900"},
        BadIdCase{"BornTomorrow", "530102202406020018", "in the future"},
        BadIdCase{"LetterInBody", "3405241980010A001X", "position 14"},
        BadIdCase{"BadCheckLetter", "34052419800101001Y", "position 18"},
        BadIdCase{"FifteenDigitOldFormat", "340524800101001", "must be 18 characters, got 15"},
        BadIdCase{"TooLong", "34052419800101001X0", "got 19"}, BadIdCase{"Empty", "", "got 0"}),
    [](const ::testing::TestParamInfo<BadIdCase>& case_info) {
      return std::string(case_info.param.name);
    });

// Every weight is non-zero mod 11, so replacing any one digit either breaks
// the check character or the birth date; either way it must be rejected.
TEST(ParseResidentIdTest, RejectsEverySingleDigitSubstitution) {
  const std::string valid = "370101190102039973";
  for (size_t i = 0; i < valid.size(); ++i) {
    for (char replacement : std::string_view("0123456789X")) {
      if (replacement == valid[i]) continue;
      if (replacement == 'X' && i != 17) continue;
      std::string mutated = valid;
      mutated[i] = replacement;
      SCOPED_TRACE(mutated);
      EXPECT_FALSE(ParseResidentId(mutated, kToday).ok());
    }
  }
}

// ---------------------------------------------------------------- Phone ----

TEST(NormalizeMobilePhoneTest, AcceptsCommonWritings) {
  const std::string_view inputs[] = {
      "13812345678",      "138 1234 5678",     "138-1234-5678",
      "+8613812345678",   "+86 138 1234 5678", "8613812345678",
      "86-138-1234-5678", " 13812345678 ",     "+86-138-1234-5678",
  };
  for (std::string_view raw : inputs) {
    SCOPED_TRACE(raw);
    absl::StatusOr<std::string> phone = NormalizeMobilePhone(raw);
    ASSERT_TRUE(phone.ok()) << phone.status();
    EXPECT_EQ(*phone, "13812345678");
  }
  EXPECT_EQ(NormalizeMobilePhone("19912345678").value(), "19912345678");
}

TEST(NormalizeMobilePhoneTest, RejectsNonMobileNumbers) {
  const std::string_view inputs[] = {
      "",                 // Empty.
      "1381234567",       // 10 digits.
      "138123456789",     // 12 digits.
      "12812345678",      // Second digit 2.
      "10812345678",      // Second digit 0.
      "23812345678",      // Does not start with 1.
      "0871-65123456",    // Kunming landline.
      "138a2345678",      // Letter.
      "(138)12345678",    // Parentheses are not stripped.
      "+85213812345678",  // Hong Kong prefix.
      "138+8612345678",   // +86 only as a prefix.
  };
  for (std::string_view raw : inputs) {
    SCOPED_TRACE(raw);
    absl::StatusOr<std::string> phone = NormalizeMobilePhone(raw);
    ASSERT_FALSE(phone.ok());
    EXPECT_EQ(phone.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

// -------------------------------------------------------------- Masking ----

TEST(MaskResidentIdTest, KeepsFirstFourAndLastFour) {
  EXPECT_EQ(MaskResidentId("53010219900228011X"), "5301**********011X");
  EXPECT_EQ(MaskResidentId("34052419800101001X"), "3405**********001X");
}

TEST(MaskResidentIdTest, KeepsOnlyLastTwoForOtherLengths) {
  EXPECT_EQ(MaskResidentId("340524800101001"), "*************01");
  EXPECT_EQ(MaskResidentId("123"), "*23");
  EXPECT_EQ(MaskResidentId("12"), "**");
  EXPECT_EQ(MaskResidentId(""), "");
}

TEST(MaskPhoneTest, KeepsFirstThreeAndLastFour) {
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
}

TEST(MaskPhoneTest, KeepsOnlyLastTwoForOtherLengths) {
  EXPECT_EQ(MaskPhone("1381234567"), "********67");
  EXPECT_EQ(MaskPhone("7"), "*");
}

// --------------------------------------------------------- Region codes ----

TEST(IsRegionCodeTest, AcceptsProvincePrefectureAndCountyCodes) {
  for (std::string_view code : {"530000", "530100", "530800", "530828", "110000", "650100",
                                "710000", "810000", "820000", "460100"}) {
    SCOPED_TRACE(code);
    EXPECT_TRUE(IsRegionCode(code));
  }
}

TEST(IsRegionCodeTest, RejectsUnknownProvincesAndMalformedCodes) {
  for (std::string_view code :
       {"000000", "100000", "160000", "240000", "470000", "550000", "700000", "830000", "990000",
        "53082", "5308280", "53082A", "", " 53082"}) {
    SCOPED_TRACE(code);
    EXPECT_FALSE(IsRegionCode(code));
  }
}

TEST(IsVillageCodeTest, AcceptsTwelveDigitsUnderARealRegion) {
  EXPECT_TRUE(IsVillageCode("530828100201"));
  EXPECT_TRUE(IsVillageCode("110101001001"));
}

TEST(IsVillageCodeTest, RejectsBadLengthCharactersOrRegion) {
  for (std::string_view code :
       {"53082810020", "5308281002011", "53082810020A", "990828100201", "530828", ""}) {
    SCOPED_TRACE(code);
    EXPECT_FALSE(IsVillageCode(code));
  }
}

}  // namespace
}  // namespace cooplink::membership

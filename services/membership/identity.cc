#include "services/membership/identity.h"

#include <algorithm>
#include <array>
#include <cstddef>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace cooplink::membership {
namespace {

// GB 32100-2015: the 31 characters in value order (no I, O, S, V, Z).
constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kUsccWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                              29, 25, 13, 8,  24, 10, 30, 28};

// GB 11643-1999: weights for positions 1-17 and the check character indexed
// by the weighted sum mod 11.
constexpr std::array<int, 17> kResidentIdWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                    3, 7, 9,  10, 5, 8, 4, 2};
constexpr std::string_view kResidentIdCheck = "10X98765432";

// GB/T 2260 province-level codes, including Taiwan, Hong Kong and Macao.
constexpr std::array<int, 34> kProvinceCodes = {11, 12, 13, 14, 15,          // North
                                                21, 22, 23,                  // North-east
                                                31, 32, 33, 34, 35, 36, 37,  // East
                                                41, 42, 43, 44, 45, 46,      // Central and south
                                                50, 51, 52, 53, 54,          // South-west
                                                61, 62, 63, 64, 65,          // North-west
                                                71, 81, 82};  // Taiwan, Hong Kong, Macao

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isdigit(c); });
}

// Note: Debian's Abseil is built with its own absl::string_view, distinct from
// std::string_view, so this file avoids absl helpers that take string_view.
std::string_view StripAsciiWhitespace(std::string_view s) {
  while (!s.empty() && absl::ascii_isspace(s.front())) s.remove_prefix(1);
  while (!s.empty() && absl::ascii_isspace(s.back())) s.remove_suffix(1);
  return s;
}

// Value of a run of ASCII digits; callers check AllDigits first.
int DigitsValue(std::string_view s) {
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value;
}

// Keeps the first `head` and last `tail` characters and replaces the rest by
// `stars` asterisks; `s.size()` must be head + stars + tail.
std::string MaskMiddle(std::string_view s, size_t head, size_t stars, size_t tail) {
  return std::string(s.substr(0, head)) + std::string(stars, '*') +
         std::string(s.substr(s.size() - tail));
}

// Fallback mask for input of an unexpected length: all but the last 2.
std::string MaskAllButLastTwo(std::string_view s) {
  if (s.size() <= 2) return std::string(s.size(), '*');
  return MaskMiddle(s, 0, s.size() - 2, 2);
}

}  // namespace

absl::Status ValidateUscc(std::string_view code) {
  if (code.size() != 18) {
    return absl::InvalidArgumentError(
        absl::StrCat("USCC must be 18 characters, got ", code.size()));
  }
  int sum = 0;
  for (size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    const size_t value = kUsccAlphabet.find(c);
    if (value == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("USCC has bad character '", absl::CHexEscape(absl::string_view(&c, 1)),
                       "' at position ", i + 1,
                       "; allowed are 0-9 and upper-case letters except "
                       "I, O, S, V, Z"));
    }
    if (i >= 2 && i < 8 && !absl::ascii_isdigit(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat("USCC has bad character '", std::string(1, c), "' at position ", i + 1,
                       "; positions 3-8 (region code) must be digits"));
    }
    if (i < kUsccWeights.size()) {
      sum += static_cast<int>(value) * kUsccWeights[i];
    }
  }
  const size_t expected = (31 - sum % 31) % 31;
  if (code[17] != kUsccAlphabet[expected]) {
    return absl::InvalidArgumentError(absl::StrCat("USCC check character mismatch: expected '",
                                                   std::string(1, kUsccAlphabet[expected]),
                                                   "', got '", std::string(1, code[17]), "'"));
  }
  return absl::OkStatus();
}

bool IsCooperativeUscc(std::string_view code) {
  return code.starts_with("93") && ValidateUscc(code).ok();
}

absl::StatusOr<ResidentId> ParseResidentId(std::string_view raw, absl::CivilDay today) {
  const std::string_view id = StripAsciiWhitespace(raw);
  if (id.size() != 18) {
    return absl::InvalidArgumentError(
        absl::StrCat("resident ID must be 18 characters, got ", id.size()));
  }
  for (size_t i = 0; i < 17; ++i) {
    if (!absl::ascii_isdigit(id[i])) {
      return absl::InvalidArgumentError(absl::StrCat("resident ID has a bad character at position ",
                                                     i + 1, "; positions 1-17 must be digits"));
    }
  }
  const char check = absl::ascii_toupper(id[17]);
  if (!absl::ascii_isdigit(check) && check != 'X') {
    return absl::InvalidArgumentError(
        "resident ID has a bad character at position 18; the check "
        "character must be a digit or X");
  }

  const int year = DigitsValue(id.substr(6, 4));
  const int month = DigitsValue(id.substr(10, 2));
  const int day = DigitsValue(id.substr(12, 2));
  if (year < 1900) {
    return absl::InvalidArgumentError("resident ID birth year is before 1900");
  }
  // CivilDay normalises out-of-range fields (Feb 30 -> Mar 2), so a date is
  // real exactly when it survives the round trip unchanged.
  const absl::CivilDay birth(year, month, day);
  if (birth.year() != year || birth.month() != month || birth.day() != day) {
    return absl::InvalidArgumentError("resident ID birth date is not a real calendar date");
  }
  if (birth > today) {
    return absl::InvalidArgumentError("resident ID birth date is in the future");
  }

  int sum = 0;
  for (size_t i = 0; i < 17; ++i) {
    sum += (id[i] - '0') * kResidentIdWeights[i];
  }
  if (check != kResidentIdCheck[sum % 11]) {
    return absl::InvalidArgumentError("resident ID check character mismatch");
  }

  ResidentId parsed;
  parsed.normalized = std::string(id.substr(0, 17));
  parsed.normalized.push_back(check);
  parsed.year = year;
  parsed.month = month;
  parsed.day = day;
  parsed.male = (id[16] - '0') % 2 == 1;
  parsed.region_code = std::string(id.substr(0, 6));
  return parsed;
}

absl::StatusOr<std::string> NormalizeMobilePhone(std::string_view raw) {
  std::string compact;
  compact.reserve(raw.size());
  for (char c : raw) {
    if (c != '-' && !absl::ascii_isspace(c)) compact.push_back(c);
  }
  std::string_view number = compact;
  // No mainland mobile number starts with 8, so dropping "86" is unambiguous.
  if (number.starts_with("+86")) {
    number.remove_prefix(3);
  } else if (number.starts_with("86")) {
    number.remove_prefix(2);
  }
  if (!AllDigits(number)) {
    return absl::InvalidArgumentError(
        "mobile phone number may contain only digits, spaces, hyphens and a "
        "leading +86");
  }
  if (number.size() != 11) {
    return absl::InvalidArgumentError(
        absl::StrCat("mobile phone number must have 11 digits, got ", number.size()));
  }
  if (number[0] != '1' || number[1] < '3') {
    return absl::InvalidArgumentError("not a mainland mobile phone number: must start with 13-19");
  }
  return std::string(number);
}

std::string MaskResidentId(std::string_view normalized) {
  if (normalized.size() == 18) return MaskMiddle(normalized, 4, 10, 4);
  return MaskAllButLastTwo(normalized);
}

std::string MaskPhone(std::string_view normalized) {
  if (normalized.size() == 11) return MaskMiddle(normalized, 3, 4, 4);
  return MaskAllButLastTwo(normalized);
}

bool IsRegionCode(std::string_view code) {
  if (code.size() != 6 || !AllDigits(code)) return false;
  const int province = DigitsValue(code.substr(0, 2));
  return std::find(kProvinceCodes.begin(), kProvinceCodes.end(), province) != kProvinceCodes.end();
}

bool IsVillageCode(std::string_view code) {
  return code.size() == 12 && AllDigits(code) && IsRegionCode(code.substr(0, 6));
}

bool IsCodePrefix(std::string_view prefix, size_t max_digits) {
  return prefix.size() <= max_digits && AllDigits(prefix);
}

std::string CompleteUscc(std::string_view first17) {
  for (char c : std::string_view("0123456789ABCDEFGHJKLMNPQRTUWXY")) {
    std::string code = std::string(first17) + c;
    if (ValidateUscc(code).ok()) return code;
  }
  return "";
}

std::string CompleteResidentId(std::string_view first17) {
  for (char c : std::string_view("0123456789X")) {
    std::string id = std::string(first17) + c;
    if (ParseResidentId(id, absl::CivilDay(2200, 1, 1)).ok()) return id;
  }
  return "";
}

}  // namespace cooplink::membership

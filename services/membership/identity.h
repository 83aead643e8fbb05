// Validation, normalisation and masking of the identifiers cooperatives and
// members carry: the unified social credit code (USCC) of an organisation,
// the resident ID number and mobile phone of a person, and GB/T 2260 region
// and 12-digit village codes. The rules, with the standards they come from:
//
// - USCC, GB 32100-2015: 18 characters from 0123456789ABCDEFGHJKLMNPQRTUWXY
//   (no I O S V Z; character values 0-30). Position 1 is the registering
//   authority (9 = market regulation), position 2 the entity type under it
//   (3 = farmers' cooperative, so a cooperative's code begins "93"),
//   positions 3-8 the GB/T 2260 region code, 9-17 the organisation code and
//   18 the check character: with weights 1 3 9 27 19 26 16 17 20 29 25 13 8
//   24 10 30 28 for positions 1-17, check value = 31 - (sum of value x weight
//   mod 31), and 31 becomes 0. E.g. 91350100M000100Y43 is valid (sum 1640).
// - Resident ID (公民身份号码), GB 11643-1999: 18 characters, 6 digits of
//   region, 8 of birth date YYYYMMDD (a real date), 3 of sequence (odd for
//   men) and a check character: with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8
//   4 2 for positions 1-17, r = sum mod 11 and the check character is
//   "10X98765432"[r]. E.g. 34052419800101001X is valid (sum 189).
// - Region codes, GB/T 2260: 6 digits (province 2, prefecture 2, county 2);
//   village codes are the 12-digit statistical division codes (统计用区划代码)
//   whose first 6 digits are a region code.
//
// Resident IDs and phone numbers are sensitive personal information under
// PIPL: error messages here never echo them, and anything shown to people or
// written to logs should go through MaskResidentId / MaskPhone.
//
// Positions in error messages count from 1, as the standards do.

#ifndef COOPLINK_SERVICES_MEMBERSHIP_IDENTITY_H_
#define COOPLINK_SERVICES_MEMBERSHIP_IDENTITY_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace cooplink::membership {

// Checks a unified social credit code (GB 32100-2015): exactly 18 characters
// from 0123456789ABCDEFGHJKLMNPQRTUWXY (upper case only), positions 3-8 (the
// region code) digits, and position 18 the check character computed from
// positions 1-17. Returns INVALID_ARGUMENT saying which rule failed.
absl::Status ValidateUscc(std::string_view code);

// True if `code` is a valid USCC of a farmers' professional cooperative,
// i.e. registered by market regulation (9) as entity type 3: prefix "93".
bool IsCooperativeUscc(std::string_view code);

// A parsed resident ID number (公民身份号码, GB 11643-1999).
struct ResidentId {
  std::string normalized;  // 18 characters, check character upper-cased.
  int year = 0;            // Date of birth.
  int month = 0;
  int day = 0;
  bool male = false;        // Sequence number (17th digit) odd.
  std::string region_code;  // First 6 digits: the region of first issue.
};

// Parses and checks an 18-character resident ID: surrounding ASCII whitespace
// is ignored; positions 1-17 must be digits and position 18 a digit or X
// (lower-case x is accepted and upper-cased); the birth date must be a real
// calendar date from 1900-01-01 up to and including `today`; and the check
// character must match. The region code is deliberately not checked against
// GB/T 2260: an ID keeps the code of the region that issued it, which may
// since have been renamed or abolished. Returns INVALID_ARGUMENT otherwise.
absl::StatusOr<ResidentId> ParseResidentId(std::string_view raw, absl::CivilDay today);

// Normalises a mainland China mobile number to its 11 digits. Spaces and
// hyphens anywhere are dropped, then a leading "+86" or "86"; what remains
// must be 11 digits starting with 1 and a second digit 3-9.
// Returns INVALID_ARGUMENT otherwise.
absl::StatusOr<std::string> NormalizeMobilePhone(std::string_view raw);

// Masks a normalised resident ID for display: "5301**********011X" (first 4,
// ten '*', last 4). Input of any other length keeps only its last 2
// characters ("****1X"); input of 2 characters or fewer is masked entirely.
std::string MaskResidentId(std::string_view normalized);

// Masks a normalised mobile number for display: "138****5678" (first 3, four
// '*', last 4). Input of any other length is masked like MaskResidentId's
// fallback: all but the last 2 characters, or entirely if 2 or fewer.
std::string MaskPhone(std::string_view normalized);

// True if `code` is 6 digits whose first two are a real province-level code
// (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82). Province (530000)
// and prefecture (530800) codes qualify, so they can be used as filters.
bool IsRegionCode(std::string_view code);

// True if `code` is a 12-digit village code (统计用区划代码) whose first 6
// digits satisfy IsRegionCode.
bool IsVillageCode(std::string_view code);

// True if `prefix` is at most `max_digits` ASCII digits (the empty prefix
// included): the rule for region and village code prefixes used as list
// filters.
bool IsCodePrefix(std::string_view prefix, size_t max_digits);

// Appends the check character to the first 17 characters of a USCC / resident ID ("" when no
// character makes it valid, e.g. a bad birth date). For demo data, fixtures and data-entry tools.
std::string CompleteUscc(std::string_view first17);
std::string CompleteResidentId(std::string_view first17);

}  // namespace cooplink::membership

#endif  // COOPLINK_SERVICES_MEMBERSHIP_IDENTITY_H_

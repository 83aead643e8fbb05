#include "services/common/paging.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/common/crypto.h"
#include "services/common/status.h"

namespace cooplink {
namespace {
std::string Fingerprint(absl::string_view filters) { return Sha256Hex(filters).substr(0, 16); }
}  // namespace

absl::StatusOr<PageRequest> ParsePage(int page_size, absl::string_view page_token,
                                      absl::string_view filters) {
  if (page_size < 0) return InvalidField("page_size", "must not be negative");
  PageRequest page;
  page.size = page_size == 0 ? kDefaultPageSize : std::min(page_size, kMaxPageSize);
  if (page_token.empty()) return page;
  auto raw = Base64UrlDecode(page_token);
  std::vector<std::string> parts;
  if (raw.ok()) parts = absl::StrSplit(*raw, absl::MaxSplits('|', 2));
  if (parts.size() != 3 || parts[0] != "p1" || parts[2].empty()) {
    return InvalidField("page_token", "is not a page token issued by this service");
  }
  if (parts[1] != Fingerprint(filters)) {
    return InvalidField("page_token", "was issued for a request with different filters");
  }
  page.after = parts[2];
  return page;
}

std::string MakePageToken(absl::string_view last_key, absl::string_view filters) {
  return Base64UrlEncode(absl::StrCat("p1|", Fingerprint(filters), "|", last_key));
}

}  // namespace cooplink

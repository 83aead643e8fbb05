// List pagination: page_size defaults to 50 and is clamped to 500 (AIP-158); a negative size is
// INVALID_ARGUMENT. Page tokens are opaque keyset cursors (the last key returned) bound to a
// fingerprint of the filters, so a token is refused when reused with other filters.
#ifndef COOPLINK_SERVICES_COMMON_PAGING_H_
#define COOPLINK_SERVICES_COMMON_PAGING_H_

#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include <google/protobuf/repeated_ptr_field.h>

#include "absl/status/statusor.h"
#include "services/common/limits.h"

namespace cooplink {

// From the shared limits table (limits.h), like every documented limit.
inline constexpr int kDefaultPageSize = static_cast<int>(kPageSizeLimit.zero_means);
inline constexpr int kMaxPageSize = static_cast<int>(kPageSizeLimit.max);

struct PageRequest {
  int size = kDefaultPageSize;
  std::string after;  // last key of the previous page, "" for the first page
};

// `filters` is any stable rendering of the request's filters.
absl::StatusOr<PageRequest> ParsePage(int page_size, absl::string_view page_token,
                                      absl::string_view filters);
std::string MakePageToken(absl::string_view last_key, absl::string_view filters);

// For rows already read (fetched with LIMIT page.size + 1): keeps the page's rows and returns the
// token after the last kept row's key (`key(row)`), or "" when no further row was fetched.
template <typename Row, typename Key>
std::string TrimToPage(std::vector<Row>& rows, const PageRequest& page, absl::string_view filters,
                       Key key) {
  if (rows.size() <= static_cast<size_t>(page.size)) return "";
  rows.resize(page.size);
  return MakePageToken(key(rows.back()), filters);
}

// Reads a keyset query's rows (fetched with LIMIT page.size + 1) into `items` until the page is
// full; when a further row exists, sets `next_page_token` after the last kept item's id.
template <typename Rows, typename Item, typename FromRow>
void FillPage(Rows& rows, const PageRequest& page, absl::string_view filters,
              google::protobuf::RepeatedPtrField<Item>* items, std::string* next_page_token,
              FromRow from_row) {
  while (rows.next()) {
    if (items->size() == page.size) {
      *next_page_token = MakePageToken(items->rbegin()->id(), filters);
      return;
    }
    from_row(rows, items->Add());
  }
}

}  // namespace cooplink

#endif  // COOPLINK_SERVICES_COMMON_PAGING_H_

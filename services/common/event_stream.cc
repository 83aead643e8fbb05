#include "services/common/event_stream.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/common/crypto.h"

namespace cooplink {

std::string CursorCodec::Encode(int64_t position) const {
  return Base64UrlEncode(absl::StrCat(prefix_, position));
}

absl::StatusOr<int64_t> CursorCodec::Decode(absl::string_view cursor) const {
  auto raw = Base64UrlDecode(std::string(cursor));
  int64_t position = 0;
  if (raw.ok() && absl::StartsWith(*raw, prefix_)) {
    const absl::string_view digits = absl::string_view(*raw).substr(prefix_.size());
    if (!digits.empty() && digits.size() <= 18 &&
        std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) &&
        absl::SimpleAtoi(digits, &position)) {
      return position;
    }
  }
  return InvalidField("cursor", "malformed cursor; pass back a cursor this stream sent");
}

absl::Status CursorExpired(absl::string_view message) {
  return FailedPrecondition("CURSOR_EXPIRED", message);
}

namespace stream_internal {

std::chrono::system_clock::time_point AlarmDeadline(absl::Duration after) {
  return std::chrono::system_clock::now() +
         std::chrono::microseconds(absl::ToInt64Microseconds(after));
}

absl::Status ShuttingDown() {
  return WithReason(
      absl::UnavailableError("the server is shutting down; resume with the last cursor"),
      "SERVER_SHUTTING_DOWN");
}

}  // namespace stream_internal
}  // namespace cooplink

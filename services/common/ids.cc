#include "services/common/ids.h"

#include <cstdint>

#include "absl/numeric/int128.h"
#include "absl/synchronization/mutex.h"

#include "services/common/crypto.h"

namespace cooplink {
namespace {
constexpr absl::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr size_t kIdLength = 26;
}  // namespace

std::string NewId(absl::Time now) {
  const uint64_t millis = static_cast<uint64_t>(absl::ToUnixMillis(now)) & ((1ULL << 48) - 1);
  const std::string random = RandomBytes(10);
  // 128 bits: 48 time bits then 80 random bits, emitted 5 bits at a time (130 bits, top 2 zero).
  absl::uint128 value = absl::uint128(millis) << 80;
  for (size_t i = 0; i < random.size(); ++i) {
    value |= absl::uint128(static_cast<uint8_t>(random[i])) << (8 * (9 - i));
  }
  {
    // Monotonic within this process: an id made in the same (or an earlier) millisecond as the
    // previous one is the previous one plus one, so ids sort in creation order.
    static absl::Mutex mu(absl::kConstInit);
    static absl::uint128 last ABSL_GUARDED_BY(mu) = 0;
    absl::MutexLock lock(&mu);
    if ((value >> 80) <= (last >> 80)) value = last + 1;
    last = value;
  }
  std::string id(kIdLength, '0');
  for (size_t i = 0; i < kIdLength; ++i) {
    id[kIdLength - 1 - i] = kAlphabet[absl::Uint128Low64(value & 31)];
    value >>= 5;
  }
  return id;
}

bool LooksLikeId(absl::string_view id) {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    if (kAlphabet.find(c) == absl::string_view::npos) return false;
  }
  return true;
}

}  // namespace cooplink

#include "services/catalog/search_rules.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace cooplink::catalog {
namespace {

bool IsCjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) ||  // CJK Unified Ideographs
         (c >= 0x3400 && c <= 0x4DBF) ||  // Extension A
         (c >= 0xF900 && c <= 0xFAFF) ||  // Compatibility Ideographs
         (c >= 0x20000 && c <= 0x3134F);  // Extensions B-G
}

// Decodes UTF-8 (invalid bytes become U+FFFD, a separator).
std::vector<char32_t> Decode(const std::string& s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t c = 0;
    if (b < 0x80) {
      len = 1;
      c = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      c = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      c = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      c = b & 0x07;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    if (i + len > s.size()) {
      out.push_back(0xFFFD);
      break;
    }
    bool ok = true;
    for (int k = 1; k < len; ++k) {
      const unsigned char cb = static_cast<unsigned char>(s[i + k]);
      if ((cb & 0xC0) != 0x80) ok = false;
      c = (c << 6) | (cb & 0x3F);
    }
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    // Fullwidth ASCII letters and digits fold to ASCII.
    if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + '0';
    if (c >= 0xFF21 && c <= 0xFF3A) c = c - 0xFF21 + 'A';
    if (c >= 0xFF41 && c <= 0xFF5A) c = c - 0xFF41 + 'a';
    out.push_back(c);
    i += len;
  }
  return out;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

bool IsAsciiAlnum(char32_t c) { return c < 0x80 && absl::ascii_isalnum(static_cast<char>(c)); }

}  // namespace

void TokenSet::Add(const std::string& text, bool query) {
  const std::vector<char32_t> cs = Decode(text);
  size_t i = 0;
  while (i < cs.size()) {
    if (IsCjk(cs[i])) {
      size_t j = i;
      while (j < cs.size() && IsCjk(cs[j])) ++j;
      const size_t run = j - i;
      for (size_t k = i; k < j; ++k) {
        if (!query || run == 1) {
          std::string t;
          AppendUtf8(cs[k], &t);
          Put(std::move(t));
        }
        if (k + 1 < j) {
          std::string t;
          AppendUtf8(cs[k], &t);
          AppendUtf8(cs[k + 1], &t);
          Put(std::move(t));
        }
      }
      i = j;
    } else if (IsAsciiAlnum(cs[i])) {
      std::string word;
      while (i < cs.size() && IsAsciiAlnum(cs[i])) {
        if (word.size() < kMaxTokenBytes) {
          word.push_back(absl::ascii_tolower(static_cast<char>(cs[i])));
        }
        ++i;
      }
      if (word.size() >= 2) Put(std::move(word));
    } else {
      ++i;
    }
  }
}

void TokenSet::Put(std::string t) {
  if (tokens_.size() >= cap_) return;
  if (seen_.insert(t).second) tokens_.push_back(std::move(t));
}

std::vector<std::string> ProductTokens(const v1::Product& product) {
  TokenSet set(kMaxTokensPerProduct);
  set.Add(product.title(), /*query=*/false);
  for (const auto& label : product.labels()) set.Add(label.title(), false);
  set.Add(product.description(), false);
  for (const auto& label : product.labels()) set.Add(label.description(), false);
  return set.tokens();
}

std::vector<std::string> QueryTokens(const std::string& query) {
  TokenSet set(/*cap=*/kMaxQueryChars * 2);
  set.Add(query, /*query=*/true);
  std::vector<std::string> tokens = set.tokens();
  std::sort(tokens.begin(), tokens.end());
  return tokens;
}

}  // namespace cooplink::catalog

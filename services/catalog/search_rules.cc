#include "services/catalog/search_rules.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

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

bool HasDigit(const std::string& w) {
  return std::any_of(w.begin(), w.end(), [](char c) { return absl::ascii_isdigit(c); });
}

bool EndsWith(const std::string& w, const char* suffix) {
  const std::string s(suffix);
  return w.size() >= s.size() && w.compare(w.size() - s.size(), s.size(), s) == 0;
}

// Collects distinct index terms with the first (best) field each, up to a cap.
class TermCollector {
 public:
  explicit TermCollector(size_t cap) : cap_(cap) {}
  void Add(const std::string& text, SearchField field) {
    const TextTerms t = CutText(text);
    for (const std::string& u : t.units) Put(u, field);
    for (const std::string& p : t.pairs) Put(p, field);
  }
  std::vector<IndexTerm> Take() { return std::move(terms_); }

 private:
  void Put(const std::string& term, SearchField field) {
    if (terms_.size() >= cap_) return;
    if (seen_.insert(term).second) terms_.push_back({term, field});
  }
  size_t cap_;
  absl::flat_hash_set<std::string> seen_;
  std::vector<IndexTerm> terms_;
};

}  // namespace

double FieldWeight(SearchField field) {
  switch (field) {
    case SearchField::kInTitle:
      return 1.0;
    case SearchField::kInLabelTitle:
      return 0.7;
    case SearchField::kInText:
      break;
  }
  return 0.3;
}

std::string FoldWord(const std::string& word) {
  if (word.size() <= 3 || HasDigit(word)) return word;
  const size_t n = word.size();
  if (EndsWith(word, "ies") && n > 4) return word.substr(0, n - 3) + "y";
  if (EndsWith(word, "sses") || EndsWith(word, "xes") || EndsWith(word, "ches") ||
      EndsWith(word, "shes")) {
    return word.substr(0, n - 2);
  }
  const char before = word[n - 2];
  if (word[n - 1] == 's' && before != 's') {
    return word.substr(0, n - 1);
  }
  return word;
}

TextTerms CutText(const std::string& text) {
  TextTerms out;
  const std::vector<char32_t> cs = Decode(text);
  size_t i = 0;
  while (i < cs.size()) {
    if (IsCjk(cs[i])) {
      size_t j = i;
      while (j < cs.size() && IsCjk(cs[j])) ++j;
      for (size_t k = i; k < j; ++k) {
        std::string unit;
        AppendUtf8(cs[k], &unit);
        if (k + 1 < j) {
          std::string pair = unit;
          AppendUtf8(cs[k + 1], &pair);
          out.pairs.push_back(std::move(pair));
        }
        out.units.push_back(std::move(unit));
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
      if (word.size() >= 2) out.units.push_back(FoldWord(word));
    } else {
      ++i;
    }
  }
  return out;
}

std::vector<IndexTerm> ProductTerms(const v1::Product& product) {
  TermCollector terms(kMaxTokensPerProduct);
  terms.Add(product.title(), SearchField::kInTitle);
  for (const auto& label : product.labels()) terms.Add(label.title(), SearchField::kInLabelTitle);
  terms.Add(product.description(), SearchField::kInText);
  for (const auto& label : product.labels()) terms.Add(label.description(), SearchField::kInText);
  return terms.Take();
}

std::vector<std::string> QueryTerms::all() const {
  std::vector<std::string> out = units;
  out.insert(out.end(), pairs.begin(), pairs.end());
  return out;
}

std::string QueryTerms::Fingerprint() const {
  return absl::StrCat(absl::StrJoin(units, " "), "|", absl::StrJoin(pairs, " "));
}

QueryTerms CutQuery(const std::string& query) {
  const TextTerms t = CutText(query);
  QueryTerms out;
  absl::flat_hash_set<std::string> units;
  for (const std::string& u : t.units) {
    if (out.units.size() >= kMaxQueryUnits) break;
    if (units.insert(u).second) out.units.push_back(u);
  }
  absl::flat_hash_set<std::string> pairs;
  for (const std::string& p : t.pairs) {
    // Both characters of a pair are CJK (3 or 4 UTF-8 bytes each).
    const size_t first = (static_cast<unsigned char>(p[0]) & 0xF0) == 0xF0 ? 4 : 3;
    if (units.contains(p.substr(0, first)) && units.contains(p.substr(first)) &&
        pairs.insert(p).second) {
      out.pairs.push_back(p);
    }
  }
  return out;
}

size_t MinUnitsToMatch(size_t units) { return (units + 1) / 2; }

double Idf(int64_t df) {
  if (df <= 0) return 0.0;
  return std::log(1.0 + static_cast<double>(kDfCap) / static_cast<double>(std::min(df, kDfCap)));
}

std::vector<Ranked> RankCandidates(const QueryTerms& query,
                                   const absl::flat_hash_map<std::string, int64_t>& df,
                                   const std::vector<Candidate>& candidates) {
  auto idf = [&](const std::string& term) {
    auto it = df.find(term);
    return it == df.end() ? 0.0 : Idf(it->second);
  };
  const size_t min_units = MinUnitsToMatch(query.units.size());
  std::vector<Ranked> out;
  out.reserve(candidates.size());
  for (const Candidate& c : candidates) {
    Ranked r;
    r.product_id = c.product_id;
    for (const std::string& u : query.units) {
      auto it = c.fields.find(u);
      if (it == c.fields.end()) continue;
      ++r.units;
      r.score += idf(u) * FieldWeight(it->second);
    }
    if (r.units < min_units || r.units == 0) continue;
    for (const std::string& p : query.pairs) {
      auto it = c.fields.find(p);
      if (it != c.fields.end()) r.score += idf(p) * FieldWeight(it->second);
    }
    out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const Ranked& a, const Ranked& b) {
    if (a.units != b.units) return a.units > b.units;
    if (a.score != b.score) return a.score > b.score;
    return a.product_id < b.product_id;
  });
  return out;
}

}  // namespace cooplink::catalog

// Which literals each rule needs (RE2's FilteredRE2 atoms, reduced to a minimal set of
// which every match holds one) and the trigram scan that looks for them.
#include "logs/rule_prefilter.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include <re2/filtered_re2.h>
#include <re2/re2.h>

namespace ddbg::logs {
namespace {

static_assert(std::endian::native == std::endian::little, "MayMatch loads trigrams little-endian");

constexpr int kMinAtomLength = 3;  // shorter literals are not worth a probe

uint32_t Fold(unsigned char c) { return c | 0x20u; }  // ASCII letters to lower case

// The three bytes at `p`, folded, little-endian.
uint32_t Trigram(const unsigned char* p) { return Fold(p[0]) | Fold(p[1]) << 8 | Fold(p[2]) << 16; }

uint32_t TrigramHash(uint32_t trigram) { return (trigram * 2654435761u) >> 16; }

// How rarely a byte appears in English text (higher: rarer), to probe a literal's rarest
// trigram.
int Rarity(char c) {
  static constexpr std::string_view kByFrequency = "etaoinsrhldcumfpgwybvkxjqz";
  size_t rank = kByFrequency.find(c);
  if (rank != std::string_view::npos) return static_cast<int>(rank);
  return c == ' ' ? 0 : 20;
}

// A minimal subset of `atoms` such that the rule's prefilter fails whenever the text holds
// none of it: start from all atoms and drop each (shortest first) that the rule does not
// need once the atoms already dropped count as present. Empty when the rule needs no atom.
std::vector<std::string> NeededAtoms(const std::string& regex) {
  re2::FilteredRE2 filter(kMinAtomLength);
  int id = 0;
  if (filter.Add(regex, RE2::Options(), &id) != RE2::NoError) return {};
  std::vector<std::string> atoms;
  filter.Compile(&atoms);
  std::vector<int> order(atoms.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return atoms[a].size() < atoms[b].size(); });
  std::vector<int> present;
  std::vector<int> passing;
  filter.AllPotentials(present, &passing);
  if (!passing.empty()) return {};  // matches without any atom
  std::vector<std::string> needed;
  for (int a : order) {
    present.push_back(a);
    filter.AllPotentials(present, &passing);
    if (!passing.empty()) {
      present.pop_back();
      needed.push_back(atoms[a]);
    }
  }
  return needed;
}

}  // namespace

RulePrefilter RulePrefilter::Build(const std::vector<std::string>& regexes) {
  RulePrefilter p;
  std::vector<std::string> literals;
  for (const std::string& regex : regexes) {
    std::vector<std::string> needed = NeededAtoms(regex);
    if (needed.empty()) return RulePrefilter();  // some rule cannot be prefiltered
    for (const std::string& n : needed) {
      if (n.size() < 3) return RulePrefilter();  // too short to probe by trigram
    }
    literals.insert(literals.end(), needed.begin(), needed.end());
  }
  std::sort(literals.begin(), literals.end());
  literals.erase(std::unique(literals.begin(), literals.end()), literals.end());
  size_t shortest = literals.empty() ? 3 : literals.front().size();
  for (const std::string& l : literals) shortest = std::min(shortest, l.size());
  p.stride_ = shortest >= 4 ? 2 : 1;
  for (std::string& l : literals) p.Index(std::move(l));
  std::sort(p.probes_.begin(), p.probes_.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  p.enabled_ = !regexes.empty();
  return p;
}

void RulePrefilter::Index(std::string literal) {
  // The rarest run of stride_ adjacent trigrams: a scan probing every stride_-th position
  // meets one of them wherever the literal lies.
  size_t best = 0;
  int best_rarity = -1;
  for (size_t i = 0; i + 2 + stride_ <= literal.size(); ++i) {
    int r = 0;
    for (size_t j = i; j < i + 2 + stride_; ++j) r += Rarity(literal[j]);
    if (r > best_rarity) {
      best = i;
      best_rarity = r;
    }
  }
  auto id = static_cast<uint32_t>(literals_.size());
  for (size_t o = best; o < best + stride_; ++o) {
    uint32_t hash = TrigramHash(Trigram(reinterpret_cast<const unsigned char*>(&literal[o])));
    trigrams_.set(hash);
    probes_.push_back({hash, Probe{id, static_cast<uint32_t>(o)}});
  }
  literals_.push_back(std::move(literal));
}

// Whether a probed literal whose trigram hashes to `hash` lies in `message` with that
// trigram starting at `at` (letters compared case-insensitively).
bool RulePrefilter::Verify(std::string_view message, size_t at, uint32_t hash) const {
  auto first = std::lower_bound(probes_.begin(), probes_.end(), hash,
                                [](const auto& e, uint32_t h) { return e.first < h; });
  for (auto it = first; it != probes_.end() && it->first == hash; ++it) {
    const std::string& literal = literals_[it->second.literal];
    if (at < it->second.offset) continue;
    size_t begin = at - it->second.offset;
    if (begin + literal.size() > message.size()) continue;
    bool same = true;
    for (size_t i = 0; i < literal.size() && same; ++i) {
      char c = message[begin + i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      same = c == literal[i];
    }
    if (same) return true;
  }
  return false;
}

bool RulePrefilter::MayMatch(std::string_view message) const {
  if (!enabled_) return true;
  const auto* bytes = reinterpret_cast<const unsigned char*>(message.data());
  unsigned char high = 0;
  for (size_t i = 0; i < message.size(); ++i) high |= bytes[i];
  if (high & 0x80) return true;  // non-ASCII: leave case folding to RE2
  size_t n = message.size();
  size_t i = 0;
  for (; i + 4 <= n; i += stride_) {  // one 4-byte load per probe
    uint32_t word;
    std::memcpy(&word, bytes + i, 4);
    uint32_t hash = TrigramHash((word | 0x20202020u) & 0xFFFFFFu);
    if (trigrams_[hash] && Verify(message, i, hash)) return true;
  }
  for (; i + 3 <= n; i += stride_) {
    uint32_t hash = TrigramHash(Trigram(bytes + i));
    if (trigrams_[hash] && Verify(message, i, hash)) return true;
  }
  return false;
}

}  // namespace ddbg::logs

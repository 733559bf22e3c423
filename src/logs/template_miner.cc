// The template miner. Templates live in shards chosen by (token count, first masked token),
// so a message can only ever join templates of its own shard: shards are mined
// independently, in message order, which makes the result independent of the thread count.
// In a shard, an exact-sequence cache answers repeated masked messages with one lookup; the
// others are compared with every template of their leaf (same length and first token), as
// Drain does, and join the most similar one at or above the threshold, turning the
// positions that differ into variables ("<*>", or "user=<*>" for "user=root"/"user=bob").
// Except when the one difference is between two plain words ("Failed password …" / "Failed
// none …"): such a word usually names the event, so the message starts a template of its
// own, until a third word turns up at that position; then the family merges into its oldest
// template (the others point to it: CanonicalId) with "<*>" there ("Invalid user <*> …").
#include <algorithm>
#include <thread>
#include <unordered_map>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "ddbg/logmine.h"
#include "logs/flat_hash_map.h"
#include "logs/mask.h"

namespace ddbg::logs {
namespace {

constexpr size_t kShards = 64;
constexpr size_t kBlock = 1 << 16;
constexpr size_t kMaxExactCache = 1 << 20;
constexpr uint32_t kNotMerged = UINT32_MAX;
// Templates that differ only by one plain word stay apart until this many distinct words
// were seen at that position; then they merge into one template with "<*>" there.
constexpr size_t kWordsToMerge = 3;

struct Cluster {
  std::vector<uint64_t> tokens;
  std::vector<std::string> words;
  uint32_t id = 0;  // global id, 0 until assigned
  uint64_t count = 0;
  uint32_t merged_into = kNotMerged;  // index of the template that absorbed this one
};

struct Shard {
  std::vector<Cluster> clusters;
  std::unordered_map<uint64_t, std::vector<uint32_t>> leaves;
  FlatHashMap exact;  // masked sequence hash -> cluster index
};

uint64_t LeafKey(const uint64_t* toks, size_t n) {
  uint64_t first = n > 0 ? toks[0] : 0;
  return XXH3_64bits_withSeed(&first, sizeof first, n);
}

uint64_t SequenceHash(const uint64_t* toks, size_t n) {
  return XXH3_64bits_withSeed(toks, n * sizeof(uint64_t), n);
}

// The share of positions where the template's constant equals the message's token; template
// wildcards count as equal to message wildcards and are left out otherwise.
double Similarity(const Cluster& c, const uint64_t* toks, size_t n, uint64_t wild) {
  size_t equal = 0, free = 0;
  for (size_t i = 0; i < n; ++i) {
    uint64_t t = c.tokens[i];
    if (t == toks[i]) {
      ++equal;
    } else if (t == wild) {
      ++free;
    }
  }
  if (n == free) return 1.0;
  return static_cast<double>(equal) / static_cast<double>(n - free);
}

// Letters only: a word of the message's own vocabulary ("password", "bytes"), as opposed to
// a value.
bool IsPlainWord(std::string_view w) {
  if (w.empty()) return false;
  for (char c : w) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

uint32_t Resolve(const Shard& shard, uint32_t index) {
  while (shard.clusters[index].merged_into != kNotMerged) index = shard.clusters[index].merged_into;
  return index;
}

// Whether `a` and `b` have the same tokens except at position `p`.
bool SameExceptAt(const Cluster& a, const Cluster& b, size_t p) {
  for (size_t i = 0; i < a.tokens.size(); ++i) {
    if (i != p && a.tokens[i] != b.tokens[i]) return false;
  }
  return true;
}

}  // namespace

struct TemplateMiner::Impl {
  MinerOptions options;
  uint64_t wild = WildcardHash();
  std::vector<Shard> shards{kShards};
  // Global id - 1 -> (shard, index).
  std::vector<std::pair<uint32_t, uint32_t>> by_id;

  // Per-thread scratch for the single-message path.
  std::vector<uint64_t> hashes;
  std::string scratch;

  static size_t ShardOf(uint64_t leaf) { return (leaf >> 17) % kShards; }

  // Finds or creates the cluster of a masked message in its shard; returns its index there.
  uint32_t Match(Shard& shard, uint64_t leaf, const uint64_t* toks, size_t n,
                 std::string_view message) {
    uint64_t seq = SequenceHash(toks, n);
    if (const uint32_t* hit = shard.exact.Find(seq)) {
      uint32_t index = Resolve(shard, *hit);
      ++shard.clusters[index].count;
      return index;
    }
    std::vector<uint32_t>& leaf_clusters = shard.leaves[leaf];
    int64_t best = -1;
    double best_sim = -1;
    for (uint32_t ci : leaf_clusters) {
      double sim = Similarity(shard.clusters[ci], toks, n, wild);
      if (sim > best_sim) {
        best_sim = sim;
        best = ci;
      }
    }
    uint32_t index;
    std::vector<std::string> masked;
    int conflict = best >= 0 && best_sim >= options.similarity
                       ? WordConflict(shard.clusters[best], toks, message, &masked)
                       : -1;
    if (best >= 0 && best_sim >= options.similarity && conflict < 0) {
      index = static_cast<uint32_t>(best);
      Generalize(shard.clusters[index], toks, message);
    } else if (std::vector<uint32_t> family =
                   conflict >= 0 ? WordFamily(shard, leaf_clusters, best, conflict)
                                 : std::vector<uint32_t>{};
               family.size() + 1 >= kWordsToMerge) {
      index = MergeFamily(shard, leaf_clusters, family, conflict);
      Generalize(shard.clusters[index], toks, message);
    } else {
      index = static_cast<uint32_t>(shard.clusters.size());
      Cluster c;
      c.tokens.assign(toks, toks + n);
      if (masked.empty()) MaskMessage(message, &masked);
      c.words = std::move(masked);
      shard.clusters.push_back(std::move(c));
      leaf_clusters.push_back(index);
    }
    ++shard.clusters[index].count;
    if (shard.exact.size() >= kMaxExactCache) shard.exact.clear();
    shard.exact.Put(seq, index);
    return index;
  }

  // The one position where the template and the message hold different plain words while
  // agreeing (or being free) everywhere else ("Failed password …" / "Failed none …"), or
  // -1. Fills *masked with the message's masked tokens when it needs them.
  int WordConflict(const Cluster& c, const uint64_t* toks, std::string_view message,
                   std::vector<std::string>* masked) const {
    int at = -1;
    for (size_t i = 0; i < c.tokens.size(); ++i) {
      if (c.tokens[i] == toks[i] || c.tokens[i] == wild) continue;
      if (at >= 0 || !IsPlainWord(c.words[i])) return -1;
      at = static_cast<int>(i);
    }
    if (at < 0) return -1;
    if (masked->empty()) MaskMessage(message, masked);
    return static_cast<size_t>(at) < masked->size() && IsPlainWord((*masked)[at]) ? at : -1;
  }

  // `best` and the templates of its leaf that differ from it only by their word at `p`.
  static std::vector<uint32_t> WordFamily(const Shard& shard, const std::vector<uint32_t>& leaf,
                                          int64_t best, int p) {
    std::vector<uint32_t> family;
    const Cluster& b = shard.clusters[best];
    for (uint32_t ci : leaf) {
      const Cluster& c = shard.clusters[ci];
      if (ci == best || (IsPlainWord(c.words[p]) && SameExceptAt(b, c, p))) family.push_back(ci);
    }
    return family;
  }

  // Merges `family` into its oldest member with "<*>" at `p`; returns that member.
  uint32_t MergeFamily(Shard& shard, std::vector<uint32_t>& leaf,
                       const std::vector<uint32_t>& family, int p) {
    uint32_t keep = *std::min_element(family.begin(), family.end());
    Cluster& k = shard.clusters[keep];
    k.tokens[p] = wild;
    k.words[p] = "<*>";
    for (uint32_t ci : family) {
      if (ci == keep) continue;
      k.count += shard.clusters[ci].count;
      shard.clusters[ci].merged_into = keep;
      leaf.erase(std::find(leaf.begin(), leaf.end(), ci));
    }
    return keep;
  }

  // Positions where the message differs become variables, keeping what the two tokens share
  // around the variable part (see GeneralizeToken). Such positions are free in Similarity
  // like "<*>"; a later message that does not fit their affixes widens them.
  void Generalize(Cluster& c, const uint64_t* toks, std::string_view message) {
    std::vector<std::string> masked;
    for (size_t i = 0; i < c.tokens.size(); ++i) {
      bool differs = c.tokens[i] != toks[i] && c.tokens[i] != wild;
      bool affixed = c.tokens[i] == wild && c.words[i] != "<*>";
      if (!differs && !affixed) continue;
      if (masked.empty()) MaskMessage(message, &masked);
      if (i < masked.size()) c.words[i] = GeneralizeToken(c.words[i], masked[i]);
      c.tokens[i] = wild;
    }
  }

  uint32_t AssignId(uint32_t shard, uint32_t index) {
    Cluster& c = shards[shard].clusters[index];
    if (c.id == 0) {
      by_id.emplace_back(shard, index);
      c.id = static_cast<uint32_t>(by_id.size());
    }
    return c.id;
  }

  uint32_t AddOne(std::string_view message) {
    hashes.clear();
    size_t n = MaskHashes(message, &hashes, &scratch);
    uint64_t leaf = LeafKey(hashes.data(), n);
    uint32_t s = static_cast<uint32_t>(ShardOf(leaf));
    return AssignId(s, Match(shards[s], leaf, hashes.data(), n, message));
  }

  std::vector<uint32_t> MineAll(const std::vector<std::string_view>& messages);
};

namespace {

// Masked tokens of one block of messages, filled by several threads (each its own range of
// messages, its own token array).
struct MaskedBlock {
  std::vector<uint64_t> leaf;                 // per message
  std::vector<uint32_t> local;                // cluster index in the shard, per message
  std::vector<size_t> offset;                 // per message, into tokens[thread]
  std::vector<const uint64_t*> first_token;   // per message, once tokens[thread] is final
  std::vector<uint32_t> length;               // per message
  std::vector<std::vector<uint64_t>> tokens;  // per thread
};

int ThreadCount(int requested) {
  if (requested > 0) return requested;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

template <typename Fn>
void RunThreads(int threads, Fn fn) {
  if (threads == 1) {
    fn(0);
    return;
  }
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(fn, t);
  fn(0);
  for (std::thread& th : pool) th.join();
}

}  // namespace

std::vector<uint32_t> TemplateMiner::Impl::MineAll(const std::vector<std::string_view>& messages) {
  int threads = ThreadCount(options.threads);
  std::vector<uint32_t> ids(messages.size());
  MaskedBlock block;
  block.leaf.resize(kBlock);
  block.local.resize(kBlock);
  block.offset.resize(kBlock);
  block.first_token.resize(kBlock);
  block.length.resize(kBlock);
  block.tokens.resize(threads);
  for (size_t base = 0; base < messages.size(); base += kBlock) {
    size_t count = std::min(kBlock, messages.size() - base);
    RunThreads(threads, [&](int t) {
      std::string scratch_t;
      std::vector<uint64_t>& tokens = block.tokens[t];
      tokens.clear();
      size_t lo = count * t / threads, hi = count * (t + 1) / threads;
      for (size_t i = lo; i < hi; ++i) {
        size_t begin = tokens.size();
        size_t n = MaskHashes(messages[base + i], &tokens, &scratch_t);
        block.length[i] = static_cast<uint32_t>(n);
        block.leaf[i] = LeafKey(tokens.data() + begin, n);
        block.offset[i] = begin;
      }
      for (size_t i = lo; i < hi; ++i) block.first_token[i] = tokens.data() + block.offset[i];
    });
    RunThreads(threads, [&](int t) {
      for (size_t i = 0; i < count; ++i) {
        size_t s = ShardOf(block.leaf[i]);
        if (s % threads != static_cast<size_t>(t)) continue;
        block.local[i] = Match(shards[s], block.leaf[i], block.first_token[i], block.length[i],
                               messages[base + i]);
      }
    });
    for (size_t i = 0; i < count; ++i) {
      ids[base + i] = AssignId(static_cast<uint32_t>(ShardOf(block.leaf[i])), block.local[i]);
    }
  }
  return ids;
}

TemplateMiner::TemplateMiner(const MinerOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}
TemplateMiner::~TemplateMiner() = default;
TemplateMiner::TemplateMiner(TemplateMiner&&) noexcept = default;
TemplateMiner& TemplateMiner::operator=(TemplateMiner&&) noexcept = default;

uint32_t TemplateMiner::Add(std::string_view message) { return impl_->AddOne(message); }

std::vector<uint32_t> TemplateMiner::MineMessages(const std::vector<std::string_view>& messages) {
  return impl_->MineAll(messages);
}

void TemplateMiner::Restore(uint32_t id, std::string_view text, uint64_t count) {
  while (impl_->by_id.size() + 1 < id) impl_->by_id.emplace_back(UINT32_MAX, 0);
  Cluster c;
  size_t i = 0;
  while (i < text.size()) {
    size_t sp = text.find(' ', i);
    if (sp == std::string_view::npos) sp = text.size();
    if (sp > i) {
      c.words.emplace_back(text.substr(i, sp - i));
      c.tokens.push_back(TokenHash(c.words.back()));
    }
    i = sp + 1;
  }
  c.count = count;
  c.id = id;
  uint64_t leaf = LeafKey(c.tokens.data(), c.tokens.size());
  uint32_t s = static_cast<uint32_t>(Impl::ShardOf(leaf));
  Shard& shard = impl_->shards[s];
  uint32_t index = static_cast<uint32_t>(shard.clusters.size());
  shard.clusters.push_back(std::move(c));
  shard.leaves[leaf].push_back(index);
  if (impl_->by_id.size() < id) impl_->by_id.emplace_back(s, index);
  else impl_->by_id[id - 1] = {s, index};
}

size_t TemplateMiner::size() const { return impl_->by_id.size(); }

TemplateInfo TemplateMiner::Template(uint32_t id) const {
  TemplateInfo info;
  if (id == 0 || id > impl_->by_id.size()) return info;
  auto [s, index] = impl_->by_id[id - 1];
  if (s == UINT32_MAX) return info;
  const Shard& shard = impl_->shards[s];
  const Cluster& c = shard.clusters[Resolve(shard, index)];
  info.id = c.id;
  info.count = c.count;
  for (size_t i = 0; i < c.words.size(); ++i) {
    if (i > 0) info.text += ' ';
    info.text += c.words[i];
  }
  return info;
}

uint32_t TemplateMiner::CanonicalId(uint32_t id) const {
  uint32_t canonical = Template(id).id;
  return canonical == 0 ? id : canonical;
}

std::vector<TemplateInfo> TemplateMiner::Templates() const {
  std::vector<TemplateInfo> out;
  for (uint32_t id = 1; id <= impl_->by_id.size(); ++id) {
    TemplateInfo t = Template(id);
    if (t.id == id) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace ddbg::logs

#include "store/embedded/posting_lists.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "ddbg/index_terms.h"
#include "store/embedded/column_codec.h"

namespace ddbg::store {
namespace {

constexpr uint32_t kNoSlot = UINT32_MAX;

bool IndexedType(AttrType t) {
  return t == AttrType::kString || t == AttrType::kInt || t == AttrType::kDouble ||
         t == AttrType::kBool;
}

bool IsKeyed(TermField f) {
  return f == TermField::kAttr || f == TermField::kResourceAttr || f == TermField::kEventAttr ||
         f == TermField::kLinkAttr || f == TermField::kScopeAttr;
}

// Collects the rows of each distinct term of a batch. Terms are identified by dictionary
// ids while rows are added, and rendered to text once per distinct term.
class TermCollector {
 public:
  explicit TermCollector(const StringDict& dict) : dict_(dict) {}

  // The slot of attribute `i` of `a` in field `f`, or kNoSlot when it is not indexed.
  uint32_t AttrSlot(TermField f, const AttrColumns& a, size_t i) {
    AttrType t = a.type[i];
    if (!IndexedType(t)) return kNoSlot;
    Key k{a.value[i], a.key[i], static_cast<uint8_t>(f), static_cast<uint8_t>(t)};
    return Slot(k, [&] {
      std::string text = a.ValueText(dict_, i);
      return text.size() > kMaxIndexedValueBytes ? std::string()
                                                 : IndexTerm(f, dict_.Get(a.key[i]), t, text);
    });
  }
  // A keyless field whose value is dictionary string `s`.
  uint32_t StringSlot(TermField f, StrId s) {
    Key k{s, 0, static_cast<uint8_t>(f), 0xff};
    return Slot(k, [&] {
      std::string_view text = dict_.Get(s);
      return text.size() > kMaxIndexedValueBytes ? std::string() : IndexTerm(f, text);
    });
  }
  // A keyless field whose value is enum value `v` named `name`.
  uint32_t EnumSlot(TermField f, uint64_t v, const char* name) {
    Key k{v, 0, static_cast<uint8_t>(f), 0xfe};
    return Slot(k, [&] { return IndexTerm(f, name); });
  }
  void Add(uint32_t slot, uint32_t row) {
    if (slot != kNoSlot) rows_[slot].add(row);
  }
  // Every attribute of [begin, end) of `a` in field `f`, as slots.
  void AttrSlots(TermField f, const AttrColumns& a, uint32_t begin, uint32_t end,
                 std::vector<uint32_t>* out) {
    for (uint32_t i = begin; i < end && i < a.size(); ++i) {
      uint32_t s = AttrSlot(f, a, i);
      if (s != kNoSlot) out->push_back(s);
    }
  }
  PostingLists Finish();

 private:
  struct Key {
    uint64_t value;
    uint32_t key;
    uint8_t field, type;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h = k.value * 0x9E3779B97F4A7C15ull ^ (uint64_t{k.key} << 16) ^
                   (uint64_t{k.field} << 8) ^ k.type;
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };
  template <typename TextFn>
  uint32_t Slot(const Key& k, TextFn&& text) {
    auto [it, inserted] = slots_.try_emplace(k, kNoSlot);
    if (inserted) {
      std::string t = text();
      if (!t.empty()) {
        it->second = static_cast<uint32_t>(terms_.size());
        terms_.push_back(std::move(t));
        rows_.emplace_back();
      }
    }
    return it->second;
  }

  const StringDict& dict_;
  std::unordered_map<Key, uint32_t, KeyHash> slots_;
  std::vector<std::string> terms_;
  std::vector<Roaring> rows_;
};

// Sorts terms with their rows, merging equal terms.
PostingLists SortedLists(std::vector<std::string> terms, std::vector<Roaring> rows) {
  std::vector<uint32_t> order(terms.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return terms[a] < terms[b]; });
  PostingLists out;
  for (uint32_t i : order) {
    if (!out.terms.empty() && out.terms.back() == terms[i]) {
      out.rows.back() |= rows[i];
      continue;
    }
    out.terms.push_back(std::move(terms[i]));
    out.rows.push_back(std::move(rows[i]));
  }
  for (Roaring& r : out.rows) r.runOptimize();
  return out;
}

PostingLists TermCollector::Finish() { return SortedLists(std::move(terms_), std::move(rows_)); }

// Slots of every attribute of each owner of a table (resources, scopes).
template <typename Table>
std::vector<std::vector<uint32_t>> OwnerSlots(TermCollector& c, TermField f, const Table& t) {
  std::vector<std::vector<uint32_t>> out(t.size());
  for (size_t o = 0; o < t.size() && o + 1 < t.attr_off.off.size(); ++o) {
    c.AttrSlots(f, t.attrs, t.attr_off.begin(o), t.attr_off.end(o), &out[o]);
  }
  return out;
}

void AddAll(TermCollector& c, const std::vector<std::vector<uint32_t>>& owners, uint32_t owner,
            uint32_t row) {
  if (owner >= owners.size()) return;
  for (uint32_t s : owners[owner]) c.Add(s, row);
}

// Events and links: attributes of every child [begin, end) of the row.
void AddChildAttrs(TermCollector& c, TermField f, const Offsets& children, const Offsets& attr_off,
                   const AttrColumns& attrs, uint32_t row, std::vector<uint32_t>* scratch) {
  if (row + 1 >= children.off.size()) return;
  for (uint32_t k = children.begin(row); k < children.end(row) && k + 1 < attr_off.off.size(); ++k) {
    scratch->clear();
    c.AttrSlots(f, attrs, attr_off.begin(k), attr_off.end(k), scratch);
    for (uint32_t s : *scratch) c.Add(s, row);
  }
}

}  // namespace

PostingLists BuildTermPostings(const SpanBatch& b) {
  TermCollector c(b.dict);
  auto resources = OwnerSlots(c, TermField::kResourceAttr, b.resources);
  auto scopes = OwnerSlots(c, TermField::kScopeAttr, b.scopes);
  for (size_t s = 0; s < b.scopes.size(); ++s) {
    scopes[s].push_back(c.StringSlot(TermField::kScopeName, b.scopes.name[s]));
  }
  std::vector<uint32_t> scratch;
  for (uint32_t row = 0; row < b.size(); ++row) {
    c.Add(c.StringSlot(TermField::kService, b.service[row]), row);
    c.Add(c.StringSlot(TermField::kSpanName, b.name[row]), row);
    c.Add(c.EnumSlot(TermField::kStatus, static_cast<uint64_t>(b.status[row]),
                     SpanStatusName(b.status[row])), row);
    c.Add(c.EnumSlot(TermField::kKind, static_cast<uint64_t>(b.kind[row]), SpanKindName(b.kind[row])),
          row);
    for (uint32_t i = b.attr_off.begin(row); i < b.attr_off.end(row); ++i) {
      c.Add(c.AttrSlot(TermField::kAttr, b.attrs, i), row);
    }
    AddAll(c, resources, b.resource[row], row);
    AddAll(c, scopes, b.scope[row], row);
    AddChildAttrs(c, TermField::kEventAttr, b.event_off, b.event_attr_off, b.event_attrs, row, &scratch);
    AddChildAttrs(c, TermField::kLinkAttr, b.link_off, b.link_attr_off, b.link_attrs, row, &scratch);
  }
  return c.Finish();
}

PostingLists BuildTermPostings(const LogBatch& b) {
  TermCollector c(b.dict);
  auto resources = OwnerSlots(c, TermField::kResourceAttr, b.resources);
  for (uint32_t row = 0; row < b.size(); ++row) {
    c.Add(c.StringSlot(TermField::kService, b.service[row]), row);
    uint8_t sev = b.severity_number[row];
    c.Add(c.EnumSlot(TermField::kSeverity, sev, SeverityShortName(sev)), row);
    AddAll(c, resources, b.resource[row], row);
  }
  return c.Finish();
}

PostingLists BuildTokenPostings(const LogBatch& b) {
  std::unordered_map<std::string_view, uint32_t> slots;
  std::vector<std::string> tokens;
  std::vector<Roaring> rows;
  for (uint32_t row = 0; row < b.size(); ++row) {
    ForEachToken(b.dict.Get(b.body[row]), [&](std::string_view tok) {
      auto [it, inserted] = slots.try_emplace(tok, static_cast<uint32_t>(tokens.size()));
      if (inserted) {
        tokens.emplace_back(tok);
        rows.emplace_back();
      }
      rows[it->second].add(row);
    });
  }
  return SortedLists(std::move(tokens), std::move(rows));
}

void PutPostingTerms(const PostingLists& p, std::string* raw) { PutStringList(p.terms, raw); }

void PutPostingBitmaps(const PostingLists& p, std::string* raw) {
  for (const Roaring& r : p.rows) PutVarint64(r.getSizeInBytes(true), raw);
  for (const Roaring& r : p.rows) {
    size_t at = raw->size();
    raw->resize(at + r.getSizeInBytes(true));
    r.write(raw->data() + at, true);
  }
}

bool IsIndexedTerm(Signal signal, std::string_view term) {
  if (term.empty()) return false;
  auto f = static_cast<TermField>(term[0]);
  size_t nul = term.find('\0', 1);
  if (nul == std::string_view::npos || nul + 1 >= term.size()) return false;
  auto type = static_cast<AttrType>(term[nul + 1] - '0');
  if (IsKeyed(f) && !IndexedType(type)) return false;
  if (term.size() - nul - 2 > kMaxIndexedValueBytes) return false;
  switch (f) {
    case TermField::kService:
    case TermField::kResourceAttr: return true;
    case TermField::kSeverity: return signal == Signal::kLogs;
    case TermField::kSpanName:
    case TermField::kStatus:
    case TermField::kKind:
    case TermField::kAttr:
    case TermField::kEventAttr:
    case TermField::kLinkAttr:
    case TermField::kScopeAttr:
    case TermField::kScopeName: return signal == Signal::kSpans;
    default: return false;
  }
}

namespace {

// Offsets of a string list: `count` varint lengths, then the bytes; *bytes views them.
bool ParseStringList(std::string_view raw, uint64_t count, std::vector<uint64_t>* off,
                     std::string_view* bytes) {
  if (count > raw.size()) return false;
  off->assign(1, 0);
  off->reserve(count + 1);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t len = 0;
    if (!GetVarint64(&raw, &len) || len > raw.size()) return false;
    off->push_back(off->back() + len);
  }
  if (off->back() != raw.size()) return false;
  *bytes = raw;
  return true;
}

}  // namespace

bool PostingTable::Parse(std::string terms_raw, std::string bitmaps_raw, uint64_t count) {
  terms_raw_ = std::move(terms_raw);
  bitmaps_raw_ = std::move(bitmaps_raw);
  return ParseStringList(terms_raw_, count, &term_off_, &term_bytes_) &&
         ParseStringList(bitmaps_raw_, count, &bitmap_off_, &bitmap_bytes_);
}

std::string_view PostingTable::Term(size_t i) const {
  return term_bytes_.substr(term_off_[i], term_off_[i + 1] - term_off_[i]);
}

bool PostingTable::Bitmap(size_t i, Roaring* rows) const {
  size_t n = bitmap_off_[i + 1] - bitmap_off_[i];
  try {
    *rows = Roaring::readSafe(bitmap_bytes_.data() + bitmap_off_[i], n);
  } catch (const std::runtime_error&) {
    return false;
  }
  return rows->getSizeInBytes(true) == n;
}

bool PostingTable::Lookup(std::string_view term, Roaring* rows) const {
  *rows = Roaring();
  size_t lo = 0, hi = size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (Term(mid) < term) lo = mid + 1;
    else hi = mid;
  }
  if (lo == size() || Term(lo) != term) return true;
  return Bitmap(lo, rows);
}

void PostingTable::Prefixed(std::string_view prefix, std::vector<std::string>* terms) const {
  terms->clear();
  size_t lo = 0, hi = size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (Term(mid) < prefix) lo = mid + 1;
    else hi = mid;
  }
  for (size_t i = lo; i < size() && Term(i).substr(0, prefix.size()) == prefix; ++i) {
    terms->emplace_back(Term(i));
  }
}

bool PostingTable::Containing(std::string_view piece, Roaring* rows) const {
  constexpr size_t kMemoPieces = 64;
  {
    std::lock_guard<std::mutex> lock(memo_mu_);
    auto it = memo_.find(piece);
    if (it != memo_.end()) {
      *rows = it->second;
      return true;
    }
  }
  if (!Search(piece, rows)) return false;
  std::lock_guard<std::mutex> lock(memo_mu_);
  if (memo_.size() >= kMemoPieces) memo_.clear();
  memo_.emplace(std::string(piece), *rows);
  return true;
}

bool PostingTable::Search(std::string_view piece, Roaring* rows) const {
  *rows = Roaring();
  if (piece.empty()) return true;
  // Search the concatenated terms once; a hit counts when it lies inside one term.
  std::vector<Roaring> hits;
  size_t pos = 0;
  while (true) {
    size_t at = term_bytes_.find(piece, pos);
    if (at == std::string_view::npos) break;
    size_t i = static_cast<size_t>(std::upper_bound(term_off_.begin(), term_off_.end(), at) -
                                   term_off_.begin()) - 1;
    if (at + piece.size() <= term_off_[i + 1]) {
      hits.emplace_back();
      if (!Bitmap(i, &hits.back())) return false;
      pos = term_off_[i + 1];
    } else {
      pos = at + 1;
    }
  }
  if (hits.empty()) return true;
  std::vector<const Roaring*> ptrs;
  for (const Roaring& h : hits) ptrs.push_back(&h);
  *rows = Roaring::fastunion(ptrs.size(), ptrs.data());
  return true;
}

}  // namespace ddbg::store

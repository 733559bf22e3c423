// The inverted indexes of span and log segments (docs/storage.md, "Posting list chunks"):
// one posting list, a CRoaring bitmap of row numbers, per distinct term of a segment (terms
// of ddbg/index_terms.h), and for log segments one per distinct token of the bodies.
// The writer builds PostingLists from a batch; the segment cursor parses the stored chunks
// into a PostingTable and looks terms up in it. Thread-safety: building is per thread; a
// PostingTable is immutable after Parse and may be shared.
#pragma once

#include <roaring/roaring.hh>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/model.h"
#include "store/embedded/segment_format.h"

namespace ddbg::store {

// Chunk ids of the posting lists. They follow the column chunks (a reader fetches them one
// by one when a query asks), never the index section at the front of the file.
inline constexpr uint32_t kColTerms = 910;          // sorted distinct terms
inline constexpr uint32_t kColTermPostings = 911;   // one serialized bitmap per term
inline constexpr uint32_t kColTokens = 912;         // logs: sorted distinct body tokens
inline constexpr uint32_t kColTokenPostings = 913;  // one serialized bitmap per token

// Values longer than this are not indexed: a query for one reads every row.
inline constexpr size_t kMaxIndexedValueBytes = 256;

// Terms (or tokens) sorted, each with the rows holding it.
struct PostingLists {
  std::vector<std::string> terms;
  std::vector<Roaring> rows;
};

// Service, span name, status, kind, scope name and every string, int, double and bool
// attribute of the span, its resource, scope, events and links.
PostingLists BuildTermPostings(const SpanBatch& b);
// Service, severity short name and resource attributes.
PostingLists BuildTermPostings(const LogBatch& b);
// Every token (ForEachToken) of every body.
PostingLists BuildTokenPostings(const LogBatch& b);

// Chunk contents, both in the string-list encoding: the terms, and each term's bitmap in
// CRoaring's portable serialization (run-optimized).
void PutPostingTerms(const PostingLists& p, std::string* raw);
void PutPostingBitmaps(const PostingLists& p, std::string* raw);

// Whether a segment of `signal` indexes every occurrence of `term`; when not, a lookup must
// answer "every row".
bool IsIndexedTerm(Signal signal, std::string_view term);

// The decoded chunks of one posting index.
class PostingTable {
 public:
  // Takes the decompressed bytes of the terms and bitmaps chunks (`count` values each);
  // false when they are not two string lists of `count` values.
  bool Parse(std::string terms_raw, std::string bitmaps_raw, uint64_t count);
  size_t size() const { return term_off_.empty() ? 0 : term_off_.size() - 1; }
  size_t MemoryBytes() const {
    return terms_raw_.size() + bitmaps_raw_.size() + (term_off_.size() + bitmap_off_.size()) * 8;
  }
  // The rows of `term` (empty when the segment does not hold it). False when the stored
  // bitmap does not deserialize.
  bool Lookup(std::string_view term, Roaring* rows) const;
  // The terms starting with `prefix`, sorted.
  void Prefixed(std::string_view prefix, std::vector<std::string>* terms) const;
  // The union of the rows of every term containing `piece` as a substring. The answers
  // for the last pieces asked are remembered (a table kept in a query cache serves a
  // repeated needle without searching the terms again).
  bool Containing(std::string_view piece, Roaring* rows) const;

 private:
  bool Search(std::string_view piece, Roaring* rows) const;
  std::string_view Term(size_t i) const;
  bool Bitmap(size_t i, Roaring* rows) const;

  std::string terms_raw_, bitmaps_raw_;
  std::string_view term_bytes_, bitmap_bytes_;
  std::vector<uint64_t> term_off_, bitmap_off_;  // count + 1 offsets each
  mutable std::mutex memo_mu_;
  mutable std::map<std::string, Roaring, std::less<>> memo_;  // piece -> Containing()
};

}  // namespace ddbg::store

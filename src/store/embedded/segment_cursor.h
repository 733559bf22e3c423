// The embedded store's SegmentCursor: one committed span or log segment offered to a query
// planner. The posting list chunks are read lazily, one chunk at a time, the first time a
// query asks for a term or a token (the directory is read from the end of the file first);
// rows are read whole with ReadSegment, or some columns with ReadSegmentColumns. Segments
// written before the posting lists existed (or of events) have no index: has_index() is
// false and planners scan their rows.
// Thread-safety: a cursor belongs to the thread running the query.
#pragma once

#include <memory>
#include <vector>

#include "ddbg/store.h"
#include "store/embedded/posting_lists.h"
#include "store/embedded/query_cache.h"
#include "store/embedded/store_snapshot.h"

namespace ddbg::store {

class EmbeddedSegmentCursor final : public SegmentCursor {
 public:
  // `cache` (may be null) keeps decoded posting tables and column projections across
  // queries.
  explicit EmbeddedSegmentCursor(const SegmentHandle& h, QueryCache* cache = nullptr)
      : h_(h), cache_(cache) {}

  uint64_t rows() const override { return h_.entry.rows; }
  bool has_index() const override;
  Status Postings(std::string_view term, ::Roaring* rows) override;
  Status TokenRows(std::string_view piece, ::Roaring* rows) override;
  Status TermsWithPrefix(std::string_view prefix, std::vector<std::string>* terms) override;
  Status ReadSpans(SpanBatch* batch) override;
  Status ReadLogs(LogBatch* batch) override;
  Result<std::shared_ptr<const SpanColumnSet>> SpanColumns(uint32_t columns) override;
  Result<std::shared_ptr<const LogBatch>> LogColumns(uint32_t columns) override;
  uint64_t segment_id() const override { return h_.entry.seq; }

 private:
  // Reads the trailer and directory (once); its status is remembered.
  const Status& LoadDirectory() const;
  // Reads, checks and decompresses one chunk of the directory.
  Status ReadChunk(uint32_t column, std::string* raw, uint64_t* values) const;
  Status LoadTable(uint32_t terms_id, uint32_t bitmaps_id,
                   std::shared_ptr<const PostingTable>* out);
  Status Corrupt(const std::string& why) const;

  const SegmentHandle& h_;
  QueryCache* cache_;
  mutable bool dir_loaded_ = false;
  mutable Status dir_status_;
  mutable std::vector<DirectoryEntry> dir_;
  mutable uint64_t dir_offset_ = 0;
  std::shared_ptr<const PostingTable> terms_, tokens_;
};

}  // namespace ddbg::store

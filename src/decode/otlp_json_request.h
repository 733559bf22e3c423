// Decodes one parsed OTLP/JSON export request (an ExportTraceServiceRequest or
// ExportLogsServiceRequest as a simdjson DOM tree) into the spans and logs of a DecodeContext,
// applying the OTLP record rules and rejecting bad records with a reason and a place.
// One decoder per input; it belongs to the decoding thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ddbg/decode.h"
#include "decode/otlp_common.h"
#include "decode/otlp_json_values.h"

namespace ddbg::otlp {

// Where the document being decoded sits in the input, so that a rejected record can be
// placed: `text` is the document's JSON text (what was parsed), starting at byte `offset`
// and line `line` of the input.
struct DocPlace {
  std::string_view text;
  uint64_t line = 1;
  uint64_t offset = 0;
};

class JsonRequestDecoder {
 public:
  explicit JsonRequestDecoder(DecodeContext& ctx);

  // In repair mode the document's invalid UTF-8 was replaced before parsing; records whose
  // strings hold U+FFFD are counted as warnings.
  void set_repair_mode(bool on);

  // Decodes one request. Sets *is_otlp to false (and *why) when the document is not an OTLP
  // request at all; bad records inside it are rejected through the context. A non-OK status
  // comes only from a failing flush.
  Status Decode(simdjson::dom::element root, const DocPlace& place, bool* is_otlp,
                std::string* why);

 private:
  using Element = JsonElement;
  static constexpr uint32_t kNoIndex = UINT32_MAX;

  Status DecodeRequest(Element root, bool* is_otlp, std::string* why);
  Status DecodeResourceBlocks(Element blocks, bool logs);
  // Notes the scope of a scope block and finds its record array; false when there is none
  // (or it is malformed, which is rejected).
  bool ReadScopeBlock(Element scope_block, uint8_t records_key, std::string_view records_name,
                      simdjson::dom::array* records);
  Status DecodeScopeSpans(Element scope_block);
  Status DecodeScopeLogs(Element scope_block);
  bool DecodeSpan(Element span, SpanRow* row, bool* fixed, std::string* why);
  bool DecodeEvents(Element events, std::string* why);
  bool DecodeLinks(Element links, std::string* why);
  bool DecodeStatus(Element status, SpanRow* row, bool* fixed, std::string* why);
  bool DecodeLog(Element log, LogRow* row, bool* fixed, std::string* why);

  // Commits the current resource and scope rows unless they are committed already (they
  // must be committed again after a flush cleared the batch). False (with *why) when the
  // resource or scope itself is malformed.
  template <typename Batch>
  bool EnsureBlock(Batch& batch, TextInterner& text, std::string* why);
  template <typename Batch>
  bool CommitResource(Batch& batch, TextInterner& text, std::string* why);
  template <typename Batch>
  bool CommitScope(Batch& batch, TextInterner& text, std::string* why);
  // Called after each committed record: flushes now and then when the batches are large.
  Status AfterRecord();

  // Rejects a record, placing it by searching hint_ (its spanId or another of its strings)
  // in the document text after the previously placed record.
  void RejectRecord(std::string reason);
  // The string a rejected record is placed by: spanId, else traceId, else name/body.
  void NoteHint(Element record);

  DecodeContext& ctx_;
  TextInterner span_text_;
  TextInterner log_text_;
  DocPlace place_;
  size_t cursor_ = 0;         // search position in place_.text
  uint64_t cursor_line_ = 0;  // newlines in place_.text before cursor_
  uint32_t since_flush_check_ = 0;
  // The resource and scope of the block being decoded, for re-committing after a flush.
  Element cur_resource_;
  Element cur_scope_;
  bool has_resource_ = false;
  bool has_scope_ = false;
  uint32_t resource_index_ = kNoIndex;
  uint32_t scope_index_ = kNoIndex;
  std::string_view hint_;
  JsonValueReader values_;

  KeyMatcher request_keys_;
  KeyMatcher resource_block_keys_;
  KeyMatcher scope_block_keys_;
  KeyMatcher resource_keys_;
  KeyMatcher scope_keys_;
  KeyMatcher span_keys_;
  KeyMatcher event_keys_;
  KeyMatcher link_keys_;
  KeyMatcher status_keys_;
  KeyMatcher log_keys_;
};

}  // namespace ddbg::otlp

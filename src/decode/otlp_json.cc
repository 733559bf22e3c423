// DecodeOtlpJson: OTLP/JSON input framing. An input is either one export request (possibly
// pretty-printed) or JSON lines of them, as the Collector's file exporter writes. Each
// document is parsed with simdjson's DOM parser (in place when the input has room for the
// padding, else through a reused buffer), repaired when it holds invalid UTF-8, and handed
// to JsonRequestDecoder. A document that does not parse is rejected as a whole, at its line.
#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>
#include <string>
#include <vector>

#include "ddbg/decode.h"
#include "decode/otlp_common.h"
#include "decode/otlp_json_request.h"

namespace ddbg {
namespace {

using otlp::DocPlace;

// Document-level failures seen before any document was OTLP are held back: when no document
// ever is, the input is not OTLP JSON at all and the caller gets one error instead. Past this
// many, the input is given up on.
constexpr size_t kMaxFailuresBeforeGivingUp = 1000;

const char* ErrorName(simdjson::error_code e) {
  switch (e) {
    case simdjson::CAPACITY:
      return "CAPACITY";
    case simdjson::MEMALLOC:
      return "MEMALLOC";
    case simdjson::TAPE_ERROR:
      return "TAPE_ERROR";
    case simdjson::DEPTH_ERROR:
      return "DEPTH_ERROR";
    case simdjson::STRING_ERROR:
      return "STRING_ERROR";
    case simdjson::T_ATOM_ERROR:
      return "T_ATOM_ERROR";
    case simdjson::F_ATOM_ERROR:
      return "F_ATOM_ERROR";
    case simdjson::N_ATOM_ERROR:
      return "N_ATOM_ERROR";
    case simdjson::NUMBER_ERROR:
      return "NUMBER_ERROR";
    case simdjson::UTF8_ERROR:
      return "UTF8_ERROR";
    case simdjson::EMPTY:
      return "EMPTY";
    case simdjson::UNESCAPED_CHARS:
      return "UNESCAPED_CHARS";
    case simdjson::UNCLOSED_STRING:
      return "UNCLOSED_STRING";
    case simdjson::NUMBER_OUT_OF_RANGE:
      return "NUMBER_OUT_OF_RANGE";
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "INCOMPLETE_ARRAY_OR_OBJECT";
    case simdjson::TRAILING_CONTENT:
      return "TRAILING_CONTENT";
    default:
      return "ERROR";
  }
}

// Replaces \u escapes of unpaired UTF-16 surrogates (which simdjson refuses) with \ufffd, in
// place: the escape keeps its length. Returns how many were replaced.
size_t RepairSurrogateEscapes(char* p, size_t n) {
  auto hex4 = [&](size_t at, unsigned* v) {
    if (at + 4 > n) return false;
    unsigned x = 0;
    for (size_t i = at; i < at + 4; ++i) {
      char c = p[i];
      unsigned d = (c >= '0' && c <= '9')   ? c - '0'
                   : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                   : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                            : 16;
      if (d == 16) return false;
      x = x * 16 + d;
    }
    *v = x;
    return true;
  };
  size_t replaced = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    if (p[i] != '\\') continue;
    if (p[i + 1] != 'u') {
      ++i;  // skip the escaped character (it may be a backslash)
      continue;
    }
    unsigned v = 0;
    if (!hex4(i + 2, &v)) continue;
    if (v >= 0xD800 && v <= 0xDBFF) {
      unsigned low = 0;
      if (i + 7 < n && p[i + 6] == '\\' && p[i + 7] == 'u' && hex4(i + 8, &low) && low >= 0xDC00 &&
          low <= 0xDFFF) {
        i += 11;
        continue;
      }
    } else if (v < 0xDC00 || v > 0xDFFF) {
      i += 5;
      continue;
    }
    std::memcpy(p + i + 2, "fffd", 4);
    ++replaced;
    i += 5;
  }
  return replaced;
}

class OtlpJsonInput {
 public:
  OtlpJsonInput(std::string_view data, DecodeContext& ctx)
      : data_(data), ctx_(ctx), requests_(ctx) {}

  Status Run();

 private:
  struct Failure {
    uint64_t line;
    uint64_t offset;
    std::string reason;
  };

  // Parses data_[begin, end) into *root; *text gets the parsed text. Repairs invalid UTF-8
  // and unpaired surrogate escapes (setting *repaired) before giving up.
  simdjson::error_code Parse(size_t begin, size_t end, simdjson::dom::element* root,
                             std::string_view* text, bool* repaired);
  simdjson::error_code ParseCopy(std::string_view text, simdjson::dom::element* root);
  // Decodes one parsed document.
  Status DecodeParsed(simdjson::dom::element root, std::string_view text, bool repaired,
                      uint64_t line, size_t begin);
  // Parses and decodes one document; *parsed says whether it was valid JSON.
  Status DecodeDocument(size_t begin, size_t end, uint64_t line, bool* parsed,
                        simdjson::error_code* error);
  void DocumentFailed(uint64_t line, uint64_t offset, std::string reason);
  Status DecodeLines(size_t pos, uint64_t line);
  size_t LineEnd(size_t pos) const {
    const void* nl = std::memchr(data_.data() + pos, '\n', data_.size() - pos);
    return nl ? static_cast<const char*>(nl) - data_.data() : data_.size();
  }
  bool Blank(size_t begin, size_t end) const {
    for (size_t i = begin; i < end; ++i) {
      char c = data_[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    }
    return true;
  }
  Status NotOtlp() const;

  std::string_view data_;
  DecodeContext& ctx_;
  simdjson::dom::parser parser_;
  std::string buffer_;  // a padded copy of a document that needs one
  otlp::JsonRequestDecoder requests_;
  bool any_otlp_ = false;
  std::vector<Failure> held_;
  uint64_t held_dropped_ = 0;
  std::string whole_document_error_;
};

simdjson::error_code OtlpJsonInput::ParseCopy(std::string_view text, simdjson::dom::element* root) {
  if (text.data() != buffer_.data()) buffer_.assign(text);
  size_t n = buffer_.size();
  buffer_.append(simdjson::SIMDJSON_PADDING, ' ');
  return parser_.parse(buffer_.data(), n, false).get(*root);
}

simdjson::error_code OtlpJsonInput::Parse(size_t begin, size_t end, simdjson::dom::element* root,
                                          std::string_view* text, bool* repaired) {
  *repaired = false;
  std::string_view doc = data_.substr(begin, end - begin);
  *text = doc;
  simdjson::error_code err;
  if (end + simdjson::SIMDJSON_PADDING <= data_.size()) {
    err = parser_.parse(doc.data(), doc.size(), false).get(*root);
  } else {
    err = ParseCopy(doc, root);
    *text = std::string_view(buffer_.data(), doc.size());
  }
  if (err != simdjson::UTF8_ERROR && err != simdjson::STRING_ERROR) return err;
  std::string repaired_text;
  size_t fixes = 0;
  if (err == simdjson::UTF8_ERROR) {
    fixes = otlp::AppendRepairedUtf8(doc, &repaired_text);
  } else {
    repaired_text.assign(doc);
  }
  fixes += RepairSurrogateEscapes(repaired_text.data(), repaired_text.size());
  if (fixes == 0) return err;
  buffer_ = std::move(repaired_text);
  size_t n = buffer_.size();
  simdjson::error_code again = ParseCopy(buffer_, root);
  if (again != simdjson::SUCCESS) return again;
  *text = std::string_view(buffer_.data(), n);
  *repaired = true;
  return simdjson::SUCCESS;
}

void OtlpJsonInput::DocumentFailed(uint64_t line, uint64_t offset, std::string reason) {
  if (any_otlp_) {
    ctx_.Reject(line, offset, std::move(reason));
  } else if (held_.size() < kMaxFailuresBeforeGivingUp) {
    held_.push_back(Failure{line, offset, std::move(reason)});
  } else {
    ++held_dropped_;
  }
}

Status OtlpJsonInput::DecodeDocument(size_t begin, size_t end, uint64_t line, bool* parsed,
                                     simdjson::error_code* error) {
  simdjson::dom::element root;
  std::string_view text;
  bool repaired = false;
  *error = Parse(begin, end, &root, &text, &repaired);
  *parsed = *error == simdjson::SUCCESS;
  if (!*parsed) {
    unsigned char first = static_cast<unsigned char>(data_[begin]);
    if (first != '{' && first != '[') {
      DocumentFailed(line, begin,
                     fmt::format("not JSON: the line starts with byte 0x{:02x}", first));
    } else {
      DocumentFailed(line, begin,
                     fmt::format("malformed JSON: {} ({})", ErrorName(*error),
                                 simdjson::error_message(*error)));
    }
    return Status::Ok();
  }
  return DecodeParsed(root, text, repaired, line, begin);
}

Status OtlpJsonInput::DecodeParsed(simdjson::dom::element root, std::string_view text,
                                   bool repaired, uint64_t line, size_t begin) {
  requests_.set_repair_mode(repaired);
  bool is_otlp = false;
  std::string why;
  DDBG_RETURN_IF_ERROR(requests_.Decode(root, DocPlace{text, line, begin}, &is_otlp, &why));
  if (!is_otlp) {
    DocumentFailed(line, begin, std::move(why));
    return Status::Ok();
  }
  if (!any_otlp_) {
    any_otlp_ = true;
    for (Failure& f : held_) ctx_.Reject(f.line, f.offset, std::move(f.reason));
    held_.clear();
  }
  return ctx_.MaybeFlush();
}

Status OtlpJsonInput::DecodeLines(size_t pos, uint64_t line) {
  while (pos < data_.size()) {
    size_t end = LineEnd(pos);
    if (!Blank(pos, end)) {
      size_t begin = pos;
      while (data_[begin] == ' ' || data_[begin] == '\t') ++begin;
      bool parsed = false;
      simdjson::error_code err;
      DDBG_RETURN_IF_ERROR(DecodeDocument(begin, end, line, &parsed, &err));
      if (!any_otlp_ && held_dropped_ > 0) return NotOtlp();
    }
    pos = end + 1;
    ++line;
  }
  return Status::Ok();
}

Status OtlpJsonInput::NotOtlp() const {
  const Failure& f = held_.front();
  if (!whole_document_error_.empty()) {
    return Status::InvalidArgument(
        fmt::format("{}:{}: not OTLP JSON: {}", ctx_.source(), f.line, whole_document_error_));
  }
  std::string more;
  size_t others = held_.size() - 1 + held_dropped_;
  if (others > 0) more = fmt::format(" (and {} more like it)", others);
  std::string_view reason = f.reason;
  for (std::string_view redundant : {"not JSON: ", "not an OTLP export request: "}) {
    if (reason.starts_with(redundant)) reason.remove_prefix(redundant.size());
  }
  return Status::InvalidArgument(
      fmt::format("{}:{}: not OTLP JSON: {}{}", ctx_.source(), f.line, reason, more));
}

Status OtlpJsonInput::Run() {
  size_t pos = 0;
  if (data_.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  uint64_t line = 1;
  // Skip blank lines to the first document.
  while (pos < data_.size()) {
    size_t end = LineEnd(pos);
    if (!Blank(pos, end)) break;
    pos = end + 1;
    ++line;
  }
  if (pos >= data_.size()) return Status::Ok();  // empty: nothing to decode
  size_t first_end = LineEnd(pos);
  size_t begin = pos;
  while (data_[begin] == ' ' || data_[begin] == '\t') ++begin;

  simdjson::dom::element root;
  std::string_view text;
  bool repaired = false;
  if (Parse(begin, first_end, &root, &text, &repaired) == simdjson::SUCCESS) {
    // JSON lines (or a single-line document).
    DDBG_RETURN_IF_ERROR(DecodeParsed(root, text, repaired, line, begin));
    if (first_end < data_.size()) DDBG_RETURN_IF_ERROR(DecodeLines(first_end + 1, line + 1));
  } else if (!Blank(first_end, data_.size()) && (data_[begin] == '{' || data_[begin] == '[')) {
    // A multi-line (pretty-printed) document, or JSON lines whose first line is bad.
    bool parsed = false;
    simdjson::error_code err;
    size_t held_before = held_.size();
    DDBG_RETURN_IF_ERROR(DecodeDocument(begin, data_.size(), line, &parsed, &err));
    if (!parsed) {
      held_.resize(held_before);
      whole_document_error_ =
          fmt::format("malformed JSON: {} ({})", ErrorName(err), simdjson::error_message(err));
      DDBG_RETURN_IF_ERROR(DecodeLines(pos, line));
      if (any_otlp_) whole_document_error_.clear();
    }
  } else {
    DDBG_RETURN_IF_ERROR(DecodeLines(pos, line));
  }
  if (!any_otlp_ && !held_.empty()) return NotOtlp();
  return Status::Ok();
}

}  // namespace

Status DecodeOtlpJson(std::string_view data, DecodeContext& ctx) {
  OtlpJsonInput input(data, ctx);
  return input.Run();
}

}  // namespace ddbg

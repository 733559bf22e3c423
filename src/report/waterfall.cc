// Terminal and JSON forms of the trace view. Text is laid out in display columns (UTF-8
// aware, East Asian wide characters count two); colours are added around already-fitted text
// so they never change the layout.
#include "ddbg/waterfall.h"

#include <fmt/format.h>

#include <unordered_map>
#include <unordered_set>

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <vector>

#include "util/escape.h"
#include "util/time_format.h"
#include "util/utf8.h"

namespace ddbg {
namespace {

constexpr const char* kReset = "\x1b[0m";
constexpr const char* kBold = "\x1b[1m";
constexpr const char* kDim = "\x1b[2m";
constexpr const char* kRed = "\x1b[31m";
constexpr const char* kYellow = "\x1b[33m";
constexpr const char* kPalette[] = {"\x1b[36m", "\x1b[32m", "\x1b[35m", "\x1b[34m",
                                    "\x1b[96m", "\x1b[92m", "\x1b[95m", "\x1b[94m"};

int CodePointWidth(uint32_t cp) {
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp == 0xfeff) return 0;
  bool wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp != 0x303f) ||
              (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
              (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
              (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
              (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

// Span-supplied text made safe for a terminal: control characters (C0, DEL, C1) and invalid
// UTF-8 become '?', line breaks and tabs become spaces.
std::string Clean(std::string_view s) { return TerminalSafe(s); }

// A piece of cleaned text with an optional colour.
struct Seg {
  std::string text;
  const char* color = nullptr;
};

class Painter {
 public:
  explicit Painter(const WaterfallOptions& o) : o_(o) {}
  bool ascii() const { return o_.ascii; }
  // Appends segments in at most `width` columns (cut with an ellipsis); pads when asked.
  void Fit(std::string* out, const std::vector<Seg>& segs, int width, bool pad) const {
    int total = 0;
    for (const Seg& s : segs) total += Width(s.text);
    bool cut = total > width;
    int budget = cut ? width - 1 : width;
    int used = 0;
    for (const Seg& s : segs) {
      if (used >= budget) break;
      size_t end = 0;
      while (end < s.text.size()) {
        uint32_t cp = 0;
        size_t len = DecodeUtf8(s.text, end, &cp);
        if (len == 0) len = 1;
        int w = CodePointWidth(cp);
        if (used + w > budget) break;
        used += w;
        end += len;
      }
      Paint(out, std::string_view(s.text).substr(0, end), s.color);
      if (end < s.text.size()) break;
    }
    if (cut && width > 0) {
      out->append(o_.ascii ? "~" : "\xe2\x80\xa6");
      ++used;
    }
    if (pad && used < width) out->append(width - used, ' ');
  }
  void Paint(std::string* out, std::string_view text, const char* color) const {
    if (text.empty()) return;
    if (o_.color && color) out->append(color);
    out->append(text);
    if (o_.color && color) out->append(kReset);
  }
  static int Width(std::string_view s) {
    int w = 0;
    for (size_t i = 0; i < s.size();) {
      uint32_t cp = 0;
      size_t len = DecodeUtf8(s, i, &cp);
      w += len == 0 ? 1 : CodePointWidth(cp);
      i += len == 0 ? 1 : len;
    }
    return w;
  }

 private:
  const WaterfallOptions& o_;
};

const char* ServiceColor(std::string_view service) {
  uint64_t h = 1469598103934665603ull;
  for (char c : service) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return kPalette[h % std::size(kPalette)];
}

std::string Offset(int64_t ns, bool ascii) { return ns == 0 ? "0" : FormatDurationNs(ns, ascii); }

std::string FirstLine(std::string_view v) {
  size_t nl = v.find_first_of("\r\n");
  return nl == std::string_view::npos ? std::string(v) : std::string(v.substr(0, nl));
}

// "key=value" pairs of an event, exception.* first; multi-line values show their first line.
std::string EventAttrText(const SpanBatch& b, uint32_t ev) {
  static constexpr std::string_view kFirst[] = {"exception.type", "exception.message",
                                                "exception.stacktrace"};
  const AttrColumns& a = b.event_attrs;
  uint32_t begin = b.event_attr_off.begin(ev), end = b.event_attr_off.end(ev);
  std::vector<uint32_t> order;
  for (std::string_view k : kFirst) {
    for (uint32_t i = begin; i < end; ++i) {
      if (b.dict.Get(a.key[i]) == k) order.push_back(i);
    }
  }
  for (uint32_t i = begin; i < end; ++i) {
    std::string_view k = b.dict.Get(a.key[i]);
    if (std::find(std::begin(kFirst), std::end(kFirst), k) == std::end(kFirst)) {
      order.push_back(i);
    }
  }
  std::string out;
  for (uint32_t i : order) {
    std::string value = a.ValueText(b.dict, i);
    bool multi = value.find_first_of("\r\n") != std::string::npos;
    value = FirstLine(value);
    if (multi) value += " ...";
    bool quote = a.type[i] == AttrType::kString &&
                 (value.empty() || value.find_first_of(" =\"") != std::string::npos);
    out += fmt::format(" {}={}", b.dict.Get(a.key[i]), quote ? "\"" + value + "\"" : value);
  }
  return out;
}

class TextRenderer {
 public:
  TextRenderer(const TraceTree& t, const WaterfallOptions& o) : t_(t), b_(t.batch()), o_(o), p_(o) {
    int rest = std::max(o_.width, 40) - 32;
    label_w_ = std::max(16, rest * 3 / 5);
    bar_w_ = std::max(8, rest - label_w_);
    width_ = label_w_ + bar_w_ + 32;
    uint32_t max_depth = 0;
    for (const Node& n : t_.nodes()) max_depth = std::max(max_depth, n.depth);
    compact_ = static_cast<int>(max_depth) * 3 > label_w_ * 2 / 5;
  }

  std::string Render() {
    Header();
    if (t_.span_count() == 0) return out_;
    out_ += '\n';
    ColumnHeader();
    IndexLogs();
    for (uint32_t n : t_.preorder()) Row(n);
    if (unattached_logs_ > 0) {
      Line({{fmt::format("{} log record(s) of this trace carry no span id of the tree",
                         unattached_logs_),
             kDim}});
    }
    return out_;
  }

 private:
  using Node = TraceTree::Node;
  std::string Sep() const { return o_.ascii ? " | " : " \xc2\xb7 "; }
  const char* Arrow() const { return o_.ascii ? " -> " : " \xe2\x86\x92 "; }
  std::string_view Str(StrId id) const { return b_.dict.Get(id); }
  static constexpr size_t kSkewLinesMax = 4;

  void Line(std::vector<Seg> segs) {
    p_.Fit(&out_, segs, width_, false);
    out_ += '\n';
  }

  void Header() {
    if (t_.span_count() == 0) {
      Line({{"trace " + TraceIdToHex(t_.trace_id()), kBold},
            {Sep(), nullptr},
            {"no spans", nullptr}});
      return;
    }
    Line({{"trace " + TraceIdToHex(t_.trace_id()), kBold},
          {Sep() + FormatRfc3339(t_.start_ns(), 6) + Sep() +
               FormatDurationNs(t_.duration_ns(), o_.ascii),
           nullptr}});
    std::vector<std::string_view> services = t_.Services();
    std::string names;
    for (std::string_view s : services) names += (names.empty() ? "" : ", ") + Clean(s);
    Line({{fmt::format("{} span{}{}{} service{}: {}", t_.span_count(),
                       t_.span_count() == 1 ? "" : "s", Sep(), services.size(),
                       services.size() == 1 ? "" : "s", names),
           nullptr}});
    SkewLines();
    IssueLines();
    if (t_.other_trace_rows() > 0) {
      Line({{fmt::format("note: {} spans of other traces in the input were ignored",
                         t_.other_trace_rows()),
             kDim}});
    }
  }

  // One line per adjustment when there are few; else one line per service.
  void SkewLines() {
    const std::vector<SkewAdjustment>& all = t_.skew_adjustments();
    if (all.size() <= kSkewLinesMax) {
      for (const SkewAdjustment& s : all) {
        std::string what = Clean(Str(b_.service[t_.node(s.node).row]));
        std::string delta = FormatDurationNs(s.delta_ns, o_.ascii);
        Line({{s.applied ? fmt::format("clock skew: {} shifted by {} ({})", what, delta, s.reason)
                         : fmt::format("clock skew: {} not shifted, {} is over the limit ({})",
                                       what, delta, s.reason),
               kYellow}});
      }
      return;
    }
    struct PerService {
      StrId service;
      size_t count;
      int64_t lo, hi;
    };
    std::vector<PerService> per;
    for (const SkewAdjustment& s : all) {
      StrId svc = b_.service[t_.node(s.node).row];
      auto it = std::find_if(per.begin(), per.end(),
                             [svc](const PerService& p) { return p.service == svc; });
      if (it == per.end()) {
        per.push_back({svc, 1, s.delta_ns, s.delta_ns});
      } else {
        ++it->count;
        it->lo = std::min(it->lo, s.delta_ns);
        it->hi = std::max(it->hi, s.delta_ns);
      }
    }
    Line({{fmt::format("clock skew: {} spans shifted (subtrees move with them)", all.size()),
           kYellow}});
    for (const PerService& p : per) {
      std::string range = p.lo == p.hi ? FormatDurationNs(p.lo, o_.ascii)
                                       : FormatDurationNs(p.lo, o_.ascii) + " to " +
                                             FormatDurationNs(p.hi, o_.ascii);
      Line({{fmt::format("  {}: {} span{}, by {}", Clean(Str(p.service)), p.count,
                         p.count == 1 ? "" : "s", range),
             kYellow}});
    }
  }

  void IssueLines() {
    std::vector<SpanId> missing;
    size_t orphans = 0;
    std::vector<SpanId> dups;
    for (const TraceIssue& is : t_.issues()) {
      if (is.kind == TraceIssueKind::kOrphan) {
        ++orphans;
        if (std::find(missing.begin(), missing.end(), is.parent_span_id) == missing.end()) {
          missing.push_back(is.parent_span_id);
        }
      } else if (is.kind == TraceIssueKind::kDuplicateId) {
        dups.push_back(is.span_id);
      } else {
        Line({{"parent cycle: " + CycleText(is) + " (broken at " + SpanIdToHex(is.span_id) + ")",
               kYellow}});
      }
    }
    if (orphans > 0) {
      std::string ids;
      for (SpanId id : missing) ids += (ids.empty() ? "" : ", ") + SpanIdToHex(id);
      Line({{fmt::format("orphans: {} span{} whose parent is not in the trace (missing {})",
                         orphans, orphans == 1 ? "" : "s", ids),
             kYellow}});
    }
    if (!dups.empty()) {
      std::string ids;
      for (SpanId id : dups) ids += (ids.empty() ? "" : ", ") + SpanIdToHex(id);
      Line({{fmt::format("duplicate span ids: {} span{} left out ({})", dups.size(),
                         dups.size() == 1 ? "" : "s", ids),
             kYellow}});
    }
  }

  std::string CycleText(const TraceIssue& is) const {
    std::string s;
    for (SpanId id : is.cycle) s += SpanIdToHex(id) + Arrow();
    return s + SpanIdToHex(is.cycle.empty() ? is.span_id : is.cycle[0]);
  }

  void ColumnHeader() {
    std::string h;
    p_.Fit(&h, {{"SPAN", kBold}}, label_w_, true);
    h += fmt::format(" {:>9} {:>9} {:>9}  ", "START", "DURATION", "SELF");
    std::string total = FormatDurationNs(t_.duration_ns(), o_.ascii);
    int gap = bar_w_ - 1 - Painter::Width(total);
    h += "0";
    if (gap > 0) h.append(gap, ' ');
    h += total;
    p_.Paint(&out_, h, o_.color ? kBold : nullptr);
    out_ += '\n';
  }

  bool IsLastChild(uint32_t i) const {
    const Node& n = t_.node(i);
    if (n.parent == TraceTree::kNone) return t_.roots().back() == i;
    return *(t_.children_end(n.parent) - 1) == i;
  }

  // Tree glyphs: continuation of every ancestor below the top level, then the node's own.
  // Deep trees get two-column glyphs so the names keep some room.
  std::string Prefix(uint32_t i, bool detail) const {
    enum { kTee, kCorner, kBar, kBlank };
    static constexpr const char* kGlyphs[2][2][4] = {
        {{"\xe2\x94\x9c\xe2\x94\x80 ", "\xe2\x94\x94\xe2\x94\x80 ", "\xe2\x94\x82  ", "   "},
         {"|- ", "`- ", "|  ", "   "}},
        {{"\xe2\x94\x9c\xe2\x94\x80", "\xe2\x94\x94\xe2\x94\x80", "\xe2\x94\x82 ", "  "},
         {"|-", "`-", "| ", "  "}}};
    const char* const* g = kGlyphs[compact_ ? 1 : 0][o_.ascii ? 1 : 0];
    const char* const* two = kGlyphs[1][o_.ascii ? 1 : 0];
    std::vector<const char*> parts;
    const Node& n = t_.node(i);
    if (detail) parts.push_back(n.child_count > 0 ? two[kBar] : two[kBlank]);
    if (n.depth > 0) {
      bool last = IsLastChild(i);
      parts.push_back(detail ? g[last ? kBlank : kBar] : g[last ? kCorner : kTee]);
      for (uint32_t a = n.parent; a != TraceTree::kNone && t_.node(a).depth > 0;
           a = t_.node(a).parent) {
        parts.push_back(g[IsLastChild(a) ? kBlank : kBar]);
      }
    }
    std::string s;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) s += *it;
    return s;
  }

  void Row(uint32_t i) {
    const Node& n = t_.node(i);
    std::vector<Seg> label{{Prefix(i, false), kDim}};
    if (n.is_placeholder()) {
      label.push_back({PlaceholderText(i), kYellow});
      p_.Fit(&out_, label, label_w_, true);
      out_ += fmt::format(" {:>9}", Offset(n.start_ns - t_.start_ns(), o_.ascii));
      TrimRight();
      out_ += '\n';
      return;
    }
    bool error = b_.status[n.row] == SpanStatus::kError;
    std::string_view service = Str(b_.service[n.row]);
    if (error) label.push_back({o_.ascii ? "ERROR " : "\xe2\x9c\x97 ", kRed});
    label.push_back({Clean(service), ServiceColor(service)});
    label.push_back({" ", nullptr});
    label.push_back({Clean(Str(b_.name[n.row])), nullptr});
    p_.Fit(&out_, label, label_w_, true);
    out_ += fmt::format(" {:>9} {:>9} {:>9}  ", Offset(n.start_ns - t_.start_ns(), o_.ascii),
                        FormatDurationNs(n.duration_ns(), o_.ascii),
                        FormatDurationNs(n.self_ns, o_.ascii));
    Bar(n, error ? kRed : ServiceColor(service));
    TrimRight();
    out_ += '\n';
    Details(i);
    LogLines(i);
  }

  // Log rows per span id, in time order.
  void IndexLogs() {
    if (o_.logs == nullptr) return;
    const LogBatch& l = *o_.logs;
    std::unordered_set<SpanId> spans;
    for (const Node& n : t_.nodes()) spans.insert(n.span_id);
    for (uint32_t r = 0; r < l.size(); ++r) {
      if (l.span_id[r] != 0 && spans.count(l.span_id[r])) logs_by_span_[l.span_id[r]].push_back(r);
      else ++unattached_logs_;
    }
    for (auto& [span, rows] : logs_by_span_) {
      std::stable_sort(rows.begin(), rows.end(),
                       [&](uint32_t a, uint32_t b) { return l.time_ns[a] < l.time_ns[b]; });
    }
  }

  void LogLines(uint32_t i) {
    const Node& n = t_.node(i);
    auto it = logs_by_span_.find(n.span_id);
    if (n.is_placeholder() || it == logs_by_span_.end()) return;
    const LogBatch& l = *o_.logs;
    for (size_t k = 0; k < it->second.size() && k < o_.max_logs; ++k) {
      uint32_t r = it->second[k];
      uint8_t sev = l.severity_number[r];
      std::string when = Offset(l.time_ns[r] + n.skew_ns - t_.start_ns(), o_.ascii);
      Detail(i, {{o_.ascii ? "> " : "\xe2\x96\xb8 ", kDim},
                 {SeverityShortName(sev), sev >= 17 ? kRed : sev >= 13 ? kYellow : kDim},
                 {" @" + when + " ", kDim},
                 {Clean(FirstLine(l.dict.Get(l.body[r]))), nullptr}});
    }
    if (it->second.size() > o_.max_logs) {
      Detail(i, {{fmt::format("{} {} more log records", o_.ascii ? "..." : "\xe2\x80\xa6",
                              it->second.size() - o_.max_logs),
                  kDim}});
    }
  }

  std::string PlaceholderText(uint32_t i) const {
    const Node& n = t_.node(i);
    if (n.placeholder == TraceTree::Placeholder::kMissingParent) {
      return "(missing parent " + SpanIdToHex(n.span_id) + ")";
    }
    for (const TraceIssue& is : t_.issues()) {
      uint32_t node = t_.NodeOfRow(is.row);
      if (is.kind == TraceIssueKind::kCycle && node != TraceTree::kNone &&
          t_.node(node).parent == i) {
        return "(parent cycle " + CycleText(is) + ")";
      }
    }
    return "(parent cycle)";
  }

  void Bar(const Node& n, const char* color) {
    int64_t total = std::max<int64_t>(t_.duration_ns(), 1);
    auto cell = [&](int64_t t) {
      return static_cast<int>(static_cast<__int128>(t - t_.start_ns()) * bar_w_ / total);
    };
    int from = std::clamp(cell(n.start_ns), 0, bar_w_ - 1);
    int64_t end_rel = n.end_ns - t_.start_ns();
    int to = static_cast<int>((static_cast<__int128>(end_rel) * bar_w_ + total - 1) / total);
    to = std::clamp(to, from + 1, bar_w_);
    out_.append(from, ' ');
    std::string bar;
    for (int k = from; k < to; ++k) bar += o_.ascii ? "-" : "\xe2\x96\x88";
    p_.Paint(&out_, bar, color);
  }

  void TrimRight() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
  }

  void Detail(uint32_t i, std::vector<Seg> segs) {
    segs.insert(segs.begin(), Seg{Prefix(i, true), kDim});
    Line(std::move(segs));
  }

  void Details(uint32_t i) {
    const Node& n = t_.node(i);
    if (b_.status[n.row] == SpanStatus::kError && b_.status_message[n.row] != kEmptyStr) {
      Detail(i, {{"error: " + Clean(FirstLine(Str(b_.status_message[n.row]))), kRed}});
    }
    for (const SkewAdjustment& s : t_.skew_adjustments()) {
      if (s.node != i) continue;
      Detail(i, {{fmt::format("clock skew: {} by {} ({})", s.applied ? "shifted" : "not shifted",
                              FormatDurationNs(s.delta_ns, o_.ascii), s.reason),
                  kYellow}});
    }
    if (!o_.show_events) return;
    uint32_t begin = b_.event_off.begin(n.row), end = b_.event_off.end(n.row);
    events_.clear();
    for (uint32_t e = begin; e < end; ++e) events_.push_back(e);
    std::stable_sort(events_.begin(), events_.end(), [this](uint32_t a, uint32_t b) {
      return b_.event_time_ns[a] < b_.event_time_ns[b];
    });
    for (size_t k = 0; k < events_.size() && k < o_.max_events; ++k) {
      uint32_t e = events_[k];
      std::string_view name = Str(b_.event_name[e]);
      bool exc = name == "exception";
      std::string when = Offset(b_.event_time_ns[e] + n.skew_ns - t_.start_ns(), o_.ascii);
      Detail(i, {{o_.ascii ? "* " : "\xe2\x80\xa2 ", exc ? kRed : kDim},
                 {Clean(name), exc ? kRed : nullptr},
                 {" @" + when, kDim},
                 {Clean(EventAttrText(b_, e)), nullptr}});
    }
    if (end - begin > o_.max_events) {
      Detail(i, {{fmt::format("{} {} more events", o_.ascii ? "..." : "\xe2\x80\xa6",
                              end - begin - o_.max_events),
                  kDim}});
    }
  }

  const TraceTree& t_;
  const SpanBatch& b_;
  const WaterfallOptions& o_;
  Painter p_;
  int label_w_ = 0;
  int bar_w_ = 0;
  int width_ = 0;
  bool compact_ = false;          // two-column tree glyphs
  std::unordered_map<SpanId, std::vector<uint32_t>> logs_by_span_;
  size_t unattached_logs_ = 0;
  std::vector<uint32_t> events_;  // reused: one span's events in time order
  std::string out_;
};

}  // namespace

std::string RenderWaterfallText(const TraceTree& tree, const WaterfallOptions& options) {
  return TextRenderer(tree, options).Render();
}

}  // namespace ddbg

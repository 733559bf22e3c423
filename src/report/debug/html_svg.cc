#include "report/debug/html_svg.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "util/escape.h"
#include "util/time_format.h"

namespace ddbg::report {
namespace {

constexpr int kNodeW = 170, kNodeH = 46, kColGap = 110, kRowGap = 26, kPad = 16;
constexpr size_t kMaxLanes = 14;
constexpr size_t kMaxBars = 40;
constexpr int kLabelW = 280, kPlotW = 620, kRowH = 18;

// Column of each node: the longest caller chain leading to it (cycles stop after n rounds).
std::vector<int> Columns(const ServiceGraph& g, const std::map<std::string, size_t>& index) {
  std::vector<int> col(g.nodes.size(), 0);
  for (size_t round = 0; round < g.nodes.size(); ++round) {
    bool changed = false;
    for (const ServiceEdge& e : g.edges) {
      auto f = index.find(e.from), t = index.find(e.to);
      if (f == index.end() || t == index.end() || f->second == t->second) continue;
      if (col[t->second] < col[f->second] + 1) {
        col[t->second] = col[f->second] + 1;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return col;
}

void Text(std::string& out, int x, int y, const char* cls, std::string_view s) {
  out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"{}\">", x, y, cls);
  AppendHtmlEscaped(out, s);
  out += "</text>";
}

void Tooltip(std::string& out, std::string_view s) {
  out += "<title>";
  AppendHtmlEscaped(out, s);
  out += "</title>";
}

std::string Shorten(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  size_t cut = max - 1;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "…";
}

}  // namespace

void AppendServiceMapSvg(std::string& out, const ServiceGraph& g) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < g.nodes.size(); ++i) index[g.nodes[i].name] = i;
  std::vector<int> col = Columns(g, index);
  std::vector<int> row(g.nodes.size(), 0);
  std::map<int, int> used;
  for (size_t i = 0; i < g.nodes.size(); ++i) row[i] = used[col[i]]++;
  int cols = 0, rows = 0;
  for (auto& [c, n] : used) {
    cols = std::max(cols, c + 1);
    rows = std::max(rows, n);
  }
  auto x = [&](size_t i) { return kPad + col[i] * (kNodeW + kColGap); };
  auto y = [&](size_t i) { return kPad + row[i] * (kNodeH + kRowGap); };
  int w = 2 * kPad + cols * kNodeW + std::max(0, cols - 1) * kColGap;
  int h = 2 * kPad + rows * kNodeH + std::max(0, rows - 1) * kRowGap;
  out += fmt::format("<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
                     "height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">", w, h, w, h);
  out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
         "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L10,5L0,10z\" "
         "class=\"arrowhead\"/></marker></defs>";
  for (const ServiceEdge& e : g.edges) {
    auto f = index.find(e.from), t = index.find(e.to);
    if (f == index.end() || t == index.end()) continue;
    int x1 = x(f->second) + kNodeW, y1 = y(f->second) + kNodeH / 2;
    int x2 = x(t->second), y2 = y(t->second) + kNodeH / 2;
    int mid = (x1 + x2) / 2;
    out += fmt::format("<g class=\"edge{}\"><path d=\"M{},{} C{},{} {},{} {},{}\" "
                       "marker-end=\"url(#arrow)\"/>",
                       e.unhealthy ? " bad" : "", x1, y1, mid, y1, mid, y2, x2, y2);
    Tooltip(out, fmt::format("{} → {}{}: {} calls, {:.2f}/s, {:.1f}% errors, p50 {}, p95 {}, p99 {}",
                             e.from, e.to, e.messaging ? " (async)" : "", e.calls, e.rate_per_s, e.error_rate * 100,
                             FormatDuration(e.p50_ns), FormatDuration(e.p95_ns),
                             FormatDuration(e.p99_ns)));
    Text(out, mid - 40, (y1 + y2) / 2 - 4, "elabel",
         fmt::format("{:.1f}/s · {:.1f}% · p99 {}", e.rate_per_s, e.error_rate * 100,
                     FormatDuration(e.p99_ns)));
    out += "</g>";
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ServiceNode& n = g.nodes[i];
    out += fmt::format("<g class=\"node{}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"6\"/>",
                       n.unhealthy ? " bad" : "", x(i), y(i), kNodeW, kNodeH);
    Tooltip(out, fmt::format("{}: {} requests, {} errors, p50 {}, p99 {}", n.name, n.requests,
                             n.errors, FormatDuration(n.p50_ns), FormatDuration(n.p99_ns)));
    Text(out, x(i) + 8, y(i) + 18, "nname", Shorten(n.name, 22));
    Text(out, x(i) + 8, y(i) + 36, "nstat",
         fmt::format("{} req · {} err · p99 {}", n.requests, n.errors, FormatDuration(n.p99_ns)));
    out += "</g>";
  }
  out += "</svg>";
}

void AppendTimelineSvg(std::string& out, const Timeline& t) {
  std::vector<std::string> lanes;
  for (const TimelineEntry& e : t.entries) {
    if (std::find(lanes.begin(), lanes.end(), e.lane) == lanes.end() && lanes.size() < kMaxLanes) {
      lanes.push_back(e.lane);
    }
  }
  int h = kPad * 2 + static_cast<int>(lanes.size()) * kRowH + 14;
  int w = kLabelW + kPlotW + kPad;
  double span = static_cast<double>(std::max<int64_t>(t.end_ns - t.start_ns, 1));
  out += fmt::format("<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
                     "height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">", w, h, w, h);
  for (size_t l = 0; l < lanes.size(); ++l) {
    Text(out, 4, kPad + static_cast<int>(l) * kRowH + 12, "lane", Shorten(lanes[l], 36));
  }
  for (const TimelineEntry& e : t.entries) {
    auto it = std::find(lanes.begin(), lanes.end(), e.lane);
    if (it == lanes.end()) continue;
    int y = kPad + static_cast<int>(it - lanes.begin()) * kRowH + 3;
    double x = kLabelW + static_cast<double>(e.time_ns - t.start_ns) / span * kPlotW;
    double len = std::max(2.0, static_cast<double>(e.end_ns - e.time_ns) / span * kPlotW);
    std::string cls = e.kind + " sev-" + SeverityName(e.severity);
    if (e.end_ns > e.time_ns) {
      out += fmt::format("<rect class=\"{}\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"12\">",
                         HtmlEscape(cls), x, y, len);
    } else {
      out += fmt::format("<circle class=\"{}\" cx=\"{:.1f}\" cy=\"{}\" r=\"5\">", HtmlEscape(cls), x, y + 6);
    }
    Tooltip(out, fmt::format("+{} {} [{}] {}", FormatDuration(e.time_ns - t.start_ns), e.kind,
                             e.lane, e.label));
    out += e.end_ns > e.time_ns ? "</rect>" : "</circle>";
  }
  Text(out, kLabelW, h - 6, "axis", FormatRfc3339(t.start_ns, 3));
  Text(out, kLabelW + kPlotW - 150, h - 6, "axis", fmt::format("+{}", FormatDuration(t.end_ns - t.start_ns)));
  out += "</svg>";
}

void AppendBarsSvg(std::string& out, const CriticalPathBars& b) {
  size_t rows = std::min(b.segments.size(), kMaxBars);
  int h = kPad * 2 + static_cast<int>(rows) * kRowH;
  int w = kLabelW + kPlotW + 90;
  double span = static_cast<double>(std::max<int64_t>(b.duration_ns, 1));
  out += fmt::format("<svg class=\"bars\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" "
                     "height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\">", w, h, w, h);
  for (size_t i = 0; i < rows; ++i) {
    const BarSegment& s = b.segments[i];
    int y = kPad + static_cast<int>(i) * kRowH;
    int indent = 4 + 8 * static_cast<int>(std::min<uint32_t>(s.depth, 10));
    Text(out, indent, y + 12, s.critical ? "blabel crit" : "blabel",
         Shorten(s.service + " " + s.operation, 40 - std::min<size_t>(s.depth, 10)));
    double x = kLabelW + static_cast<double>(s.offset_ns) / span * kPlotW;
    double len = std::max(1.5, static_cast<double>(s.duration_ns) / span * kPlotW);
    out += fmt::format("<rect class=\"seg{}{}\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"12\">",
                       s.critical ? " crit" : "", s.error ? " err" : "", x, y + 2, len);
    Tooltip(out, fmt::format("{} {}: +{} for {} (self {}){}{}", s.service, s.operation,
                             FormatDuration(s.offset_ns), FormatDuration(s.duration_ns),
                             FormatDuration(s.self_ns), s.critical ? ", critical path" : "",
                             s.error ? ", error" : ""));
    out += "</rect>";
    Text(out, kLabelW + kPlotW + 6, y + 12, "bdur", FormatDuration(s.duration_ns));
  }
  out += "</svg>";
}

}  // namespace ddbg::report

#include "report/report_table.h"

#include <fmt/format.h>

#include <algorithm>

#include "ddbg/trace_tree.h"
#include "util/json_writer.h"

namespace ddbg {

ReportTable& ReportTable::Row() {
  rows.emplace_back();
  return *this;
}
ReportTable& ReportTable::Text(std::string s) {
  rows.back().push_back({std::move(s), false, 0});
  return *this;
}
ReportTable& ReportTable::Int(int64_t v) {
  rows.back().push_back({std::to_string(v), true, static_cast<double>(v)});
  return *this;
}
ReportTable& ReportTable::Num(double v, int decimals) {
  rows.back().push_back({fmt::format("{:.{}f}", v, decimals), true, v});
  return *this;
}
ReportTable& ReportTable::Percent(double f) {
  rows.back().push_back({fmt::format("{:.1f}%", f * 100), true, f});
  return *this;
}
ReportTable& ReportTable::Duration(int64_t ns) {
  rows.back().push_back({FormatDurationNs(ns, true), true, static_cast<double>(ns)});
  return *this;
}

bool ParseReportFormat(std::string_view name, ReportFormat* out) {
  if (name == "table" || name == "text") *out = ReportFormat::kTable;
  else if (name == "csv") *out = ReportFormat::kCsv;
  else if (name == "md" || name == "markdown") *out = ReportFormat::kMarkdown;
  else if (name == "json") *out = ReportFormat::kJson;
  else return false;
  return true;
}

namespace {

size_t Width(std::string_view s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;  // count UTF-8 code points
  return w;
}

void RenderText(const ReportTable& t, std::string* out) {
  *out += t.title + "\n";
  if (t.rows.empty()) {
    *out += "  " + (t.note.empty() ? std::string("(none)") : t.note) + "\n\n";
    return;
  }
  std::vector<size_t> w(t.columns.size(), 0);
  for (size_t c = 0; c < t.columns.size(); ++c) w[c] = Width(t.columns[c]);
  for (const auto& row : t.rows) {
    for (size_t c = 0; c < row.size() && c < w.size(); ++c) w[c] = std::max(w[c], Width(row[c].text));
  }
  auto line = [&](auto cell_text, auto numeric) {
    std::string l = " ";
    for (size_t c = 0; c < w.size(); ++c) {
      std::string s = cell_text(c);
      std::string pad(w[c] - std::min(w[c], Width(s)), ' ');
      l += " " + (numeric(c) ? pad + s : s + pad);
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    *out += l + "\n";
  };
  const auto& first = t.rows[0];
  auto is_num = [&](size_t c) { return c < first.size() && first[c].numeric; };
  line([&](size_t c) { return t.columns[c]; }, is_num);
  line([&](size_t c) { return std::string(w[c], '-'); }, is_num);
  for (const auto& row : t.rows) {
    line([&](size_t c) { return c < row.size() ? row[c].text : std::string(); }, is_num);
  }
  *out += "\n";
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

std::string MdField(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '|') o += "\\|";
    else if (c == '\n') o += ' ';
    else o += c;
  }
  return o;
}

}  // namespace

std::string RenderTables(const std::vector<ReportTable>& tables, ReportFormat format) {
  std::string out;
  if (format == ReportFormat::kJson) {
    JsonWriter w(&out);
    w.BeginObject();
    for (const ReportTable& t : tables) {
      w.Key(t.key).BeginArray();
      for (const auto& row : t.rows) {
        w.BeginObject();
        for (size_t c = 0; c < row.size() && c < t.columns.size(); ++c) {
          w.Key(t.columns[c]);
          if (row[c].numeric) w.Double(row[c].number);
          else w.String(row[c].text);
        }
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
    out += "\n";
    return out;
  }
  for (const ReportTable& t : tables) {
    if (format == ReportFormat::kTable) {
      RenderText(t, &out);
    } else if (format == ReportFormat::kCsv) {
      if (tables.size() > 1) out += "# " + t.title + "\n";
      for (size_t c = 0; c < t.columns.size(); ++c) out += (c ? "," : "") + CsvField(t.columns[c]);
      out += "\n";
      for (const auto& row : t.rows) {
        for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + CsvField(row[c].text);
        out += "\n";
      }
      if (tables.size() > 1) out += "\n";
    } else {
      out += "## " + MdField(t.title) + "\n\n";
      if (t.rows.empty()) {
        out += (t.note.empty() ? std::string("(none)") : t.note) + "\n\n";
        continue;
      }
      out += "|";
      for (const auto& c : t.columns) out += " " + MdField(c) + " |";
      out += "\n|";
      for (size_t c = 0; c < t.columns.size(); ++c) out += t.rows[0][c].numeric ? " ---: |" : " --- |";
      out += "\n";
      for (const auto& row : t.rows) {
        out += "|";
        for (const auto& cell : row) out += " " + MdField(cell.text) + " |";
        out += "\n";
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace ddbg

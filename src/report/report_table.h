// ReportTable: a titled table of typed cells, rendered as an aligned text table, CSV,
// Markdown or JSON (an object of arrays of row objects). The trace-analysis commands build
// their output as a list of these. Pure values; rendering is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddbg {

struct ReportCell {
  std::string text;  // as printed in table/csv/md
  bool numeric = false;
  double number = 0;  // the JSON value when numeric
};

struct ReportTable {
  ReportTable(std::string t, std::string k, std::vector<std::string> cols)
      : title(std::move(t)), key(std::move(k)), columns(std::move(cols)) {}
  std::string title;   // printed heading
  std::string key;     // JSON member name
  std::vector<std::string> columns;
  std::vector<std::vector<ReportCell>> rows;
  std::string note;    // printed under the table (table/md only), e.g. "no N+1 found"

  ReportTable& Row();  // starts a new row
  ReportTable& Text(std::string s);
  ReportTable& Int(int64_t v);
  ReportTable& Num(double v, int decimals);        // printed with `decimals`
  ReportTable& Percent(double fraction);           // 0.123 -> "12.3%", JSON 0.123
  ReportTable& Duration(int64_t ns);               // "12.3ms", JSON ns
};

enum class ReportFormat : uint8_t { kTable, kCsv, kMarkdown, kJson };
bool ParseReportFormat(std::string_view name, ReportFormat* out);

std::string RenderTables(const std::vector<ReportTable>& tables, ReportFormat format);

}  // namespace ddbg

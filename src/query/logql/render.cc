// Output of LogQL results: a terminal table and Loki's query_range JSON.
#include <fmt/format.h>

#include "ddbg/logql.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg {

std::string FormatLabels(const LabelSet& labels) {
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    out += (i ? ", " : "") + labels[i].first + "=";
    AppendJsonString(out, labels[i].second);
  }
  return out + "}";
}

std::string LogQueryTable(const LogQueryResult& r) {
  std::string out;
  if (!r.is_metric) {
    for (const LogLine& l : r.lines) {
      out += fmt::format("{}  {}  {}\n", FormatRfc3339(l.time_ns), FormatLabels(l.labels), l.line);
    }
    out += fmt::format("{} lines\n", r.lines.size());
    return out;
  }
  for (const Series& s : r.series) {
    out += FormatLabels(s.labels) + "\n";
    for (const Sample& x : s.samples) out += fmt::format("  {}  {:g}\n", FormatRfc3339(x.time_ns), x.value);
  }
  out += fmt::format("{} series, step {}\n", r.series.size(), FormatDuration(r.step_ns));
  return out;
}

std::string LokiQueryJson(const LogQueryResult& r) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject().Key("status").String("success").Key("data").BeginObject();
  w.Key("resultType").String(r.is_metric ? "matrix" : "streams").Key("result").BeginArray();
  auto labels = [&w](const LabelSet& ls) {
    w.BeginObject();
    for (const auto& [k, v] : ls) w.Key(k).String(v);
    w.EndObject();
  };
  if (r.is_metric) {
    for (const Series& s : r.series) {
      w.BeginObject().Key("metric");
      labels(s.labels);
      w.Key("values").BeginArray();
      for (const Sample& x : s.samples) {
        w.BeginArray().Double(static_cast<double>(x.time_ns) / 1e9).String(fmt::format("{:g}", x.value)).EndArray();
      }
      w.EndArray().EndObject();
    }
  } else {
    for (const LogLine& l : r.lines) {
      w.BeginObject().Key("stream");
      labels(l.labels);
      w.Key("values").BeginArray().BeginArray().String(std::to_string(l.time_ns)).String(l.line);
      w.EndArray().EndArray().EndObject();
    }
  }
  w.EndArray().EndObject().EndObject();
  out.push_back('\n');
  return out;
}

}  // namespace ddbg

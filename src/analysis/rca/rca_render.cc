// Renderings of an RcaReport: JSON (the documented schema), a terminal table, Markdown.
#include <fmt/format.h>

#include "ddbg/rca.h"
#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg {
namespace {

void WriteEvidence(JsonWriter& w, const RcaEvidence& e) {
  w.BeginObject().Key("signal").String(e.signal).Key("score").Double(e.score);
  w.Key("summary").String(e.summary).Key("figures").BeginObject();
  for (const auto& [k, v] : e.figures) w.Key(k).Double(v);
  w.EndObject().Key("trace_ids").BeginArray();
  for (const auto& t : e.trace_ids) w.String(t);
  w.EndArray().Key("log_templates").BeginArray();
  for (const auto& t : e.log_templates) w.String(t);
  w.EndArray().EndObject();
}

void StringOrNull(JsonWriter& w, const std::string& s) {
  if (s.empty()) {
    w.Null();
  } else {
    w.String(s);
  }
}

std::string SuspectName(const RcaSuspect& s) {
  if (!s.instance.empty()) return s.service + " @ " + s.instance;
  if (!s.attribute.empty()) return s.service + " @ " + s.attribute;
  if (!s.operation.empty()) return s.service + " (" + s.operation + ")";
  return s.service;
}

std::string WindowLine(const RcaWindowInfo& w) {
  return fmt::format("window {} .. {} ({}); baseline {} .. {}; {} traces, {} anomalous "
                     "(baseline {} / {}); {} logs (baseline {})",
                     FormatRfc3339(w.start_ns), FormatRfc3339(w.end_ns),
                     w.detected ? "detected" : (w.reason == "given" ? "given" : "not detected"),
                     FormatRfc3339(w.baseline_start_ns), FormatRfc3339(w.baseline_end_ns),
                     w.window_traces, w.anomalous_traces, w.baseline_anomalous_traces,
                     w.baseline_traces, w.window_logs, w.baseline_logs);
}

}  // namespace

std::string RcaReportJson(const RcaReport& report) {
  std::string out;
  JsonWriter w(&out);
  const RcaWindowInfo& win = report.window;
  w.BeginObject().Key("window").BeginObject();
  w.Key("start").String(FormatRfc3339(win.start_ns)).Key("end").String(FormatRfc3339(win.end_ns));
  w.Key("baseline_start").String(FormatRfc3339(win.baseline_start_ns));
  w.Key("baseline_end").String(FormatRfc3339(win.baseline_end_ns));
  w.Key("detected").Bool(win.detected).Key("reason").String(win.reason);
  w.Key("traces").Uint(win.window_traces).Key("anomalous_traces").Uint(win.anomalous_traces);
  w.Key("baseline_traces").Uint(win.baseline_traces);
  w.Key("baseline_anomalous_traces").Uint(win.baseline_anomalous_traces);
  w.Key("logs").Uint(win.window_logs).Key("baseline_logs").Uint(win.baseline_logs);
  w.Key("sampled").Bool(win.sampled).EndObject();
  w.Key("suspects").BeginArray();
  for (const RcaSuspect& s : report.suspects) {
    w.BeginObject().Key("rank").Int(s.rank).Key("kind").String(s.kind);
    w.Key("service").String(s.service).Key("operation");
    StringOrNull(w, s.operation);
    w.Key("instance");
    StringOrNull(w, s.instance);
    w.Key("attribute");
    StringOrNull(w, s.attribute);
    w.Key("confidence").Double(s.confidence).Key("score").Double(s.score);
    w.Key("evidence").BeginArray();
    for (const RcaEvidence& e : s.evidence) WriteEvidence(w, e);
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  out.push_back('\n');
  return out;
}

std::string RcaReportTable(const RcaReport& report) {
  std::string out = WindowLine(report.window) + "\n";
  if (!report.window.reason.empty() && report.window.reason != "given") {
    out += "why this window: " + report.window.reason + "\n";
  }
  if (report.suspects.empty()) return out + "no suspects\n";
  out += fmt::format("\n{:>4}  {:>5}  {:<9}  {}\n", "rank", "conf", "kind", "suspect");
  for (const RcaSuspect& s : report.suspects) {
    out += fmt::format("{:>4}  {:>5.2f}  {:<9}  {}\n", s.rank, s.confidence, s.kind, SuspectName(s));
    for (const RcaEvidence& e : s.evidence) {
      out += fmt::format("{:>24} {:<8} {:.2f}  {}\n", "", e.signal, e.score, e.summary);
      if (!e.trace_ids.empty()) out += fmt::format("{:>34}traces: {}\n", "", fmt::join(e.trace_ids, " "));
    }
  }
  return out;
}

std::string RcaReportMarkdown(const RcaReport& report) {
  std::string out = "## Root-cause suspects\n\n" + WindowLine(report.window) + "\n\n";
  if (!report.window.reason.empty() && report.window.reason != "given") {
    out += "Why this window: " + report.window.reason + "\n\n";
  }
  if (report.suspects.empty()) return out + "No suspects.\n";
  out += "| rank | confidence | kind | suspect | evidence |\n|---:|---:|---|---|---|\n";
  for (const RcaSuspect& s : report.suspects) {
    std::string ev;
    for (const RcaEvidence& e : s.evidence) {
      if (!ev.empty()) ev += "<br>";
      ev += fmt::format("**{}** {:.2f}: {}", e.signal, e.score, e.summary);
    }
    std::string name = SuspectName(s);
    for (std::string* t : {&name, &ev}) {
      for (size_t p = t->find('|'); p != std::string::npos; p = t->find('|', p + 2)) t->replace(p, 1, "\\|");
    }
    out += fmt::format("| {} | {:.2f} | {} | `{}` | {} |\n", s.rank, s.confidence, s.kind, name, ev);
  }
  return out;
}

}  // namespace ddbg

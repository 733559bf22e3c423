#include "cli/logs_output.h"

#include <fmt/format.h>

#include <cstdio>

#include "util/json_writer.h"
#include "util/time_format.h"

namespace ddbg::cli {
namespace {

std::string Csv(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

std::string JsonList(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += Json(v[i]);
  }
  return out + "]";
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += ',';
    out += v[i];
  }
  return out;
}

std::string Clip(std::string_view s, size_t n) {
  std::string out;
  for (char c : s.substr(0, n)) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  return s.size() > n ? out + "…" : out;
}

std::string SeverityMix(const logs::PatternStats& p) {
  static const char* kNames[] = {"unset", "trace", "debug", "info", "warn", "error", "fatal"};
  std::string out;
  for (size_t i = 0; i < p.by_severity.size(); ++i) {
    if (p.by_severity[i] == 0) continue;
    out += fmt::format("{}{}:{}", out.empty() ? "" : " ", kNames[i], p.by_severity[i]);
  }
  return out;
}

std::string PatternJson(const logs::PatternStats& p, uint64_t total) {
  return fmt::format(
      "{{\"templateId\":{},\"template\":{},\"count\":{},\"share\":{:.4f},\"severity\":{},"
      "\"firstSeen\":{},\"lastSeen\":{},\"example\":{},\"services\":{}}}",
      p.template_id, Json(p.text), p.count, total ? double(p.count) / total : 0.0,
      Json(SeverityMix(p)), Json(FormatRfc3339(p.first_seen_ns)),
      Json(FormatRfc3339(p.last_seen_ns)), Json(p.example), JsonList(p.services));
}

}  // namespace

ParsedWriter::ParsedWriter(const logs::TemplateMiner& miner, bool json)
    : text_(miner.size() + 1), canonical_(miner.size() + 1), json_(json) {
  for (uint32_t id = 1; id < text_.size(); ++id) {
    logs::TemplateInfo t = miner.Template(id);
    canonical_[id] = t.id;
    text_[id] = std::move(t.text);
  }
  if (!json_) out_ = "LineId,Content,EventId,EventTemplate\n";
}

ParsedWriter::~ParsedWriter() { std::fwrite(out_.data(), 1, out_.size(), stdout); }

void ParsedWriter::Row(uint64_t line_id, std::string_view content, uint32_t id) {
  if (id >= text_.size()) id = 0;
  const std::string& text = text_[id];
  id = canonical_[id];
  if (json_) {
    out_ += fmt::format("{{\"LineId\":{},\"Content\":{},\"EventId\":\"E{}\",\"EventTemplate\":{}}}\n",
                        line_id, Json(content), id, Json(text));
  } else {
    out_ += fmt::format("{},{},E{},{}\n", line_id, Csv(content), id, Csv(text));
  }
  if (out_.size() > (1 << 20)) {
    std::fwrite(out_.data(), 1, out_.size(), stdout);
    out_.clear();
  }
}

void PrintPatterns(const std::vector<logs::PatternStats>& patterns, bool json) {
  uint64_t total = 0;
  for (const auto& p : patterns) total += p.count;
  if (json) {
    std::string out = "[";
    for (size_t i = 0; i < patterns.size(); ++i) {
      if (i) out += ',';
      out += PatternJson(patterns[i], total);
    }
    fmt::print("{}]\n", out);
    return;
  }
  fmt::print("{:>6} {:>8} {:>6}  {:<24} {:<24} {:<24} {}\n", "ID", "COUNT", "SHARE", "SEVERITY",
             "FIRST SEEN", "LAST SEEN", "SERVICES / TEMPLATE / EXAMPLE");
  for (const auto& p : patterns) {
    fmt::print("{:>6} {:>8} {:>5.1f}%  {:<24} {:<24} {:<24} {}\n", p.template_id, p.count,
               total ? 100.0 * p.count / total : 0.0, SeverityMix(p), FormatRfc3339(p.first_seen_ns),
               FormatRfc3339(p.last_seen_ns), Join(p.services));
    fmt::print("{:>8}{}\n{:>8}e.g. {}\n", "", Clip(p.text, 160), "", Clip(p.example, 160));
  }
}

void PrintIssues(const std::vector<logs::LogIssue>& issues, bool json) {
  if (json) {
    std::string out = "[";
    for (size_t i = 0; i < issues.size(); ++i) {
      const auto& s = issues[i];
      out += fmt::format(
          "{}{{\"rule\":{},\"severity\":{},\"occurrences\":{},\"firstSeen\":{},\"lastSeen\":{},"
          "\"lastMessage\":{},\"services\":{},\"action\":{}}}",
          i ? "," : "", Json(s.rule->name), Json(logs::RuleSeverityName(s.rule->severity)),
          s.occurrences, Json(FormatRfc3339(s.first_seen_ns)), Json(FormatRfc3339(s.last_seen_ns)),
          Json(s.last_message), JsonList(s.services), Json(s.rule->action));
    }
    fmt::print("{}]\n", out);
    return;
  }
  if (issues.empty()) fmt::print("no rule matched\n");
  for (const auto& s : issues) {
    fmt::print("{:<9} {:<28} {:>7}x  {} .. {}  services: {}\n", logs::RuleSeverityName(s.rule->severity),
               s.rule->name, s.occurrences, FormatRfc3339(s.first_seen_ns),
               FormatRfc3339(s.last_seen_ns), Join(s.services));
    fmt::print("          last: {}\n          action: {}\n", Clip(s.last_message, 160), s.rule->action);
  }
}

void PrintChanges(const std::vector<logs::PatternChange>& changes, bool json) {
  if (json) {
    std::string out = "[";
    for (size_t i = 0; i < changes.size(); ++i) {
      const auto& c = changes[i];
      const auto& p = c.target.count ? c.target : c.baseline;
      out += fmt::format(
          "{}{{\"kind\":\"{}\",\"templateId\":{},\"template\":{},\"baselineCount\":{},"
          "\"targetCount\":{},\"baselinePerMin\":{:.3f},\"targetPerMin\":{:.3f},\"score\":{:.2f},"
          "\"example\":{},\"services\":{}}}",
          i ? "," : "", logs::PatternChangeName(c.kind), p.template_id, Json(p.text),
          c.baseline.count, c.target.count, c.baseline_rate, c.target_rate, c.score,
          Json(p.example), JsonList(p.services));
    }
    fmt::print("{}]\n", out);
    return;
  }
  if (changes.empty()) fmt::print("no significant change\n");
  for (const auto& c : changes) {
    const auto& p = c.target.count ? c.target : c.baseline;
    fmt::print("{:<9} id {:<5} {:>7} -> {:<7} ({:.2f}/min -> {:.2f}/min, z={:.1f})  {}\n",
               logs::PatternChangeName(c.kind), p.template_id, c.baseline.count, c.target.count,
               c.baseline_rate, c.target_rate, c.score, Join(p.services));
    fmt::print("          {}\n          e.g. {}\n", Clip(p.text, 160), Clip(p.example, 160));
  }
}

void PrintLogLine(const LogBatch& b, size_t i, bool json) {
  std::string_view body = b.dict.Get(b.body[i]);
  if (json) {
    fmt::print("{{\"time\":{},\"service\":{},\"severity\":\"{}\",\"body\":{},\"traceId\":{}}}\n",
               Json(FormatRfc3339(b.time_ns[i])), Json(b.dict.Get(b.service[i])),
               SeverityShortName(b.severity_number[i]), Json(body),
               Json(b.trace_id[i].empty() ? "" : TraceIdToHex(b.trace_id[i])));
  } else {
    fmt::print("{} {:<5} {} {}\n", FormatRfc3339(b.time_ns[i]), SeverityShortName(b.severity_number[i]),
               b.dict.Get(b.service[i]), Clip(body, 400));
  }
  std::fflush(stdout);
}

}  // namespace ddbg::cli

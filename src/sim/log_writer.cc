#include "sim/log_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "sim/span_writer.h"

namespace ddbg::sim {
namespace {

constexpr size_t kOtlpRecordsPerLine = 512;

const char* UpperLevel(Severity s) {
  switch (s) {
    case kDebug:
      return "DEBUG";
    case kInfo:
      return "INFO";
    case kWarn:
      return "WARN";
    case kError:
      return "ERROR";
  }
  return "INFO";
}

const char* LowerLevel(Severity s) {
  switch (s) {
    case kDebug:
      return "debug";
    case kInfo:
      return "info";
    case kWarn:
      return "warn";
    case kError:
      return "error";
  }
  return "info";
}

}  // namespace

LogWriter::LogWriter(const Topology* topology, std::string out_dir)
    : topology_(topology), out_dir_(std::move(out_dir)) {
  service_files_.resize(topology->services.size());
  for (const Service& s : topology->services) {
    std::string scope = "{\"name\":";
    AppendJsonString(scope, s.name + ".logger");
    scope += "}";
    scope_json_.push_back(std::move(scope));
  }
}

Status LogWriter::Open() {
  std::error_code ec;
  std::filesystem::create_directories(out_dir_ + "/logs", ec);
  if (ec) {
    return Status::IOError(fmt::format("{}/logs: cannot create: {}", out_dir_, ec.message()));
  }
  return otlp_.Open(out_dir_ + "/logs.otlp.jsonl");
}

void LogWriter::Add(int64_t time_ns, uint32_t resource, Severity severity, TraceId trace,
                    SpanId span, std::string_view message, std::string_view order_id) {
  Entry e;
  e.time_ns = time_ns;
  e.seq = seq_++;
  e.resource = resource;
  e.severity = severity;
  e.trace = trace;
  e.span = span;
  e.msg_off = static_cast<uint32_t>(arena_.size());
  e.msg_len = static_cast<uint32_t>(message.size());
  arena_.append(message);
  e.order_off = static_cast<uint32_t>(arena_.size());
  e.order_len = static_cast<uint32_t>(order_id.size());
  arena_.append(order_id);
  entries_.push_back(e);
  ++total_;
}

OutputFile* LogWriter::ServiceFile(int service) {
  std::unique_ptr<OutputFile>& f = service_files_[service];
  if (!f) {
    f = std::make_unique<OutputFile>();
    const Service& s = topology_->services[service];
    std::string path =
        out_dir_ + "/logs/" + s.name + (s.sink == LogSink::kText ? ".log" : ".jsonl");
    // An open failure is reported by Close() through the file's status.
    Status st = f->Open(path, 64 << 10);
    (void)st;
  }
  return f.get();
}

void LogWriter::WriteText(OutputFile* f, const Service& s, const Entry& e) {
  std::string& out = f->buffer();
  time_text_.Append(out, e.time_ns, 3);
  out.push_back(' ');
  out += UpperLevel(e.severity);
  out += " [";
  out += s.name;
  out += "] ";
  if (!e.trace.empty()) {
    out += "trace_id=";
    AppendHex128(out, e.trace.hi, e.trace.lo);
    out += " span_id=";
    AppendHex64(out, e.span);
    out.push_back(' ');
  }
  out += Text(e.msg_off, e.msg_len);
  out.push_back('\n');
  f->Commit(1);
}

void LogWriter::WriteJson(OutputFile* f, const Service& s, const Entry& e) {
  std::string& out = f->buffer();
  out += "{\"timestamp\":\"";
  time_text_.Append(out, e.time_ns, 6);
  out += "\",\"level\":\"";
  out += LowerLevel(e.severity);
  out += "\",\"service\":\"";
  out += s.name;
  out += "\",\"instance\":\"";
  out += topology_->resources[e.resource].instance_id;
  out += "\",\"message\":";
  AppendJsonString(out, Text(e.msg_off, e.msg_len));
  if (!e.trace.empty()) {
    out += ",\"trace_id\":\"";
    AppendHex128(out, e.trace.hi, e.trace.lo);
    out += "\",\"span_id\":\"";
    AppendHex64(out, e.span);
    out.push_back('"');
  }
  if (e.order_len > 0) {
    out += ",\"order_id\":";
    AppendJsonString(out, Text(e.order_off, e.order_len));
  }
  out += "}\n";
  f->Commit(1);
}

void LogWriter::WriteOtlp(const std::vector<uint32_t>& ready) {
  // Group by resource (stable: time order within a resource), a bounded number per line.
  for (size_t begin = 0; begin < ready.size(); begin += kOtlpRecordsPerLine) {
    size_t end = std::min(ready.size(), begin + kOtlpRecordsPerLine);
    by_resource_.assign(ready.begin() + begin, ready.begin() + end);
    std::stable_sort(by_resource_.begin(), by_resource_.end(), [&](uint32_t a, uint32_t b) {
      return entries_[a].resource < entries_[b].resource;
    });
    std::string& out = otlp_.buffer();
    out += "{\"resourceLogs\":[";
    for (size_t i = 0; i < by_resource_.size(); ++i) {
      const Entry& e = entries_[by_resource_[i]];
      bool first_of_resource = i == 0 || entries_[by_resource_[i - 1]].resource != e.resource;
      if (first_of_resource) {
        if (i > 0) out += "]}]},";
        const Resource& r = topology_->resources[e.resource];
        out += "{\"resource\":";
        out += r.json;
        out += ",\"scopeLogs\":[{\"scope\":";
        out += scope_json_[r.service];
        out += ",\"logRecords\":[";
      } else {
        out.push_back(',');
      }
      out += "{\"timeUnixNano\":\"";
      AppendInt(out, e.time_ns);
      out += "\",\"observedTimeUnixNano\":\"";
      AppendInt(out, e.time_ns + 1000000 + static_cast<int64_t>(e.seq * 7919 % 3000) * 1000);
      out += "\",\"severityNumber\":";
      AppendUint(out, e.severity);
      out += ",\"severityText\":\"";
      out += UpperLevel(e.severity);
      out += "\",\"body\":{\"stringValue\":";
      AppendJsonString(out, Text(e.msg_off, e.msg_len));
      out += "},\"attributes\":[";
      if (e.order_len > 0) {
        out += "{\"key\":\"business.order_id\",\"value\":{\"stringValue\":";
        AppendJsonString(out, Text(e.order_off, e.order_len));
        out += "}}";
      }
      out += "]";
      if (!e.trace.empty()) {
        out += ",\"traceId\":\"";
        AppendHex128(out, e.trace.hi, e.trace.lo);
        out += "\",\"spanId\":\"";
        AppendHex64(out, e.span);
        out.push_back('"');
      }
      out.push_back('}');
    }
    out += "]}]}]}\n";
    otlp_.Commit(by_resource_.size());
  }
}

void LogWriter::FlushBefore(int64_t cutoff_ns) {
  ready_.clear();
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].time_ns < cutoff_ns) ready_.push_back(i);
  }
  if (ready_.empty()) return;
  std::sort(ready_.begin(), ready_.end(), [&](uint32_t a, uint32_t b) {
    const Entry& x = entries_[a];
    const Entry& y = entries_[b];
    return x.time_ns != y.time_ns ? x.time_ns < y.time_ns : x.seq < y.seq;
  });
  std::vector<uint32_t> otlp_ready;
  otlp_ready.reserve(ready_.size());
  for (uint32_t i : ready_) {
    const Entry& e = entries_[i];
    int service = topology_->resources[e.resource].service;
    const Service& s = topology_->services[service];
    switch (s.sink) {
      case LogSink::kOtlp:
        otlp_ready.push_back(i);
        break;
      case LogSink::kText:
        WriteText(ServiceFile(service), s, e);
        break;
      case LogSink::kJson:
        WriteJson(ServiceFile(service), s, e);
        break;
    }
  }
  WriteOtlp(otlp_ready);
  // Keep the records not yet due, with their text moved to a fresh arena.
  std::string kept_arena;
  size_t kept = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry e = entries_[i];
    if (e.time_ns < cutoff_ns) continue;
    uint32_t off = static_cast<uint32_t>(kept_arena.size());
    kept_arena.append(Text(e.msg_off, e.msg_len));
    kept_arena.append(Text(e.order_off, e.order_len));
    e.msg_off = off;
    e.order_off = off + e.msg_len;
    entries_[kept++] = e;
  }
  entries_.resize(kept);
  arena_.swap(kept_arena);
}

Status LogWriter::Close(std::vector<SimFile>* files) {
  FlushBefore(INT64_MAX);
  Status first;
  Status st = otlp_.Close();
  if (!st.ok() && first.ok()) first = st;
  files->push_back({"logs.otlp.jsonl", "otlp-json", otlp_.records(), otlp_.bytes()});
  for (size_t i = 0; i < service_files_.size(); ++i) {
    if (!service_files_[i]) continue;
    OutputFile& f = *service_files_[i];
    st = f.Close();
    if (!st.ok() && first.ok()) first = st;
    const Service& s = topology_->services[i];
    bool text = s.sink == LogSink::kText;
    files->push_back({"logs/" + s.name + (text ? ".log" : ".jsonl"),
                      text ? "text-logs" : "json-logs", f.records(), f.bytes()});
  }
  return first;
}

}  // namespace ddbg::sim

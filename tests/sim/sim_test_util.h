// Helpers of the simulator tests: a scratch directory, running a small simulation, and
// reading its output back with simdjson (independently of ddbg's decoders) into plain
// structs that the statistical checks can filter.
#pragma once

#include "common/scratch_dir.h"

#include <gtest/gtest.h>
#include <simdjson.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "ddbg/sim.h"
#include "util/time_parse.h"

namespace ddbg::sim_test {

using ::ddbg::test::ScratchDir;

inline std::string ReadAll(const std::string& path) { return ::ddbg::test::ReadFile(path); }

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

inline int64_t Time(const char* rfc3339) {
  int64_t ns = 0;
  EXPECT_TRUE(ParseRfc3339(rfc3339, &ns)) << rfc3339;
  return ns;
}

// Runs a simulation into `dir` and expects it to succeed.
inline SimSummary RunSim(const std::string& dir, int services, uint64_t traces, uint64_t seed,
                         const std::vector<std::string>& faults = {}) {
  SimOptions o;
  o.out_dir = dir;
  o.services = services;
  o.traces = traces;
  o.seed = seed;
  for (const std::string& f : faults) {
    Result<FaultSpec> spec = ParseFaultSpec(f);
    EXPECT_TRUE(spec.ok()) << spec.status().ToString();
    if (spec.ok()) o.faults.push_back(*spec);
  }
  SimSummary s;
  Status st = Simulate(o, &s);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return s;
}

struct TSpan {
  std::string trace, span, parent, service, instance, version, name;
  int kind = 0;
  int64_t start = 0, end = 0;
  int status = 0;
  std::string message;
  std::map<std::string, std::string> attrs;  // values as text
  bool has_exception = false;
  bool has_link = false;
  double ms() const { return static_cast<double>(end - start) / 1e6; }
  bool error() const { return status == 2; }
};

inline std::string ValueText(simdjson::dom::object value) {
  for (auto field : value) {
    simdjson::dom::element v = field.value;
    if (v.is_string()) return std::string(std::string_view(v));
    if (v.is_bool()) return bool(v) ? "true" : "false";
    if (v.is_double()) return std::to_string(double(v));
    if (v.is_int64()) return std::to_string(int64_t(v));
    return simdjson::minify(v);
  }
  return "";
}

inline std::vector<TSpan> ReadSpans(const std::string& dir) {
  std::vector<TSpan> out;
  simdjson::dom::parser parser;
  for (const std::string& line : Lines(ReadAll(dir + "/traces.otlp.jsonl"))) {
    simdjson::dom::element doc = parser.parse(line);
    for (simdjson::dom::object rs : doc["resourceSpans"].get_array()) {
      std::map<std::string, std::string> res;
      for (simdjson::dom::object a : rs["resource"]["attributes"].get_array()) {
        res[std::string(std::string_view(a["key"]))] = ValueText(a["value"].get_object());
      }
      for (simdjson::dom::object ss : rs["scopeSpans"].get_array()) {
        for (simdjson::dom::object s : ss["spans"].get_array()) {
          TSpan t;
          t.service = res["service.name"];
          t.instance = res["service.instance.id"];
          t.version = res["service.version"];
          t.trace = std::string(std::string_view(s["traceId"]));
          t.span = std::string(std::string_view(s["spanId"]));
          std::string_view parent;
          if (s["parentSpanId"].get(parent) == simdjson::SUCCESS) t.parent = std::string(parent);
          t.name = std::string(std::string_view(s["name"]));
          t.kind = static_cast<int>(int64_t(s["kind"]));
          t.start = std::stoll(std::string(std::string_view(s["startTimeUnixNano"])));
          t.end = std::stoll(std::string(std::string_view(s["endTimeUnixNano"])));
          simdjson::dom::object status = s["status"];
          int64_t code = 0;
          if (status["code"].get(code) == simdjson::SUCCESS) t.status = static_cast<int>(code);
          std::string_view msg;
          if (status["message"].get(msg) == simdjson::SUCCESS) t.message = std::string(msg);
          for (simdjson::dom::object a : s["attributes"].get_array()) {
            t.attrs[std::string(std::string_view(a["key"]))] = ValueText(a["value"].get_object());
          }
          simdjson::dom::array arr;
          t.has_exception = s["events"].get(arr) == simdjson::SUCCESS && arr.size() > 0;
          t.has_link = s["links"].get(arr) == simdjson::SUCCESS && arr.size() > 0;
          out.push_back(std::move(t));
        }
      }
    }
  }
  return out;
}

struct TEvent {
  std::string stream, id, type, service, correlation, causation, trace, timestamp;
  uint64_t version = 0;
  int64_t time = 0;
  std::map<std::string, std::string> payload;  // scalar fields as text
};

inline std::vector<TEvent> ReadEvents(const std::string& dir) {
  std::vector<TEvent> out;
  simdjson::dom::parser parser;
  for (const std::string& line : Lines(ReadAll(dir + "/events.jsonl"))) {
    simdjson::dom::object e = parser.parse(line).get_object();
    TEvent t;
    t.stream = std::string(std::string_view(e["stream_id"]));
    t.version = uint64_t(e["version"]);
    t.id = std::string(std::string_view(e["event_id"]));
    t.type = std::string(std::string_view(e["type"]));
    t.service = std::string(std::string_view(e["service"]));
    t.timestamp = std::string(std::string_view(e["timestamp"]));
    t.time = Time(t.timestamp.c_str());
    simdjson::dom::object meta = e["metadata"];
    t.correlation = std::string(std::string_view(meta["correlation_id"]));
    t.causation = std::string(std::string_view(meta["causation_id"]));
    t.trace = std::string(std::string_view(meta["trace_id"]));
    for (auto field : simdjson::dom::object(e["payload"])) {
      simdjson::dom::element v = field.value;
      std::string key(field.key);
      if (v.is_string()) {
        t.payload[key] = std::string(std::string_view(v));
      } else if (!v.is_array() && !v.is_object()) {
        t.payload[key] = simdjson::minify(v);
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

// ground_truth.json as a DOM (the parser must outlive the element).
inline simdjson::dom::element ReadTruth(simdjson::dom::parser& parser, const std::string& dir,
                                        std::string* storage) {
  *storage = ReadAll(dir + "/ground_truth.json");
  return parser.parse(*storage);
}

}  // namespace ddbg::sim_test

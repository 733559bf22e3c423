// Collects the simulated log records and writes them in time order, each service to the sink
// its "logging library" uses: OTLP JSON lines (logs.otlp.jsonl, ExportLogsServiceRequest per
// line grouped by resource), plain text (logs/<service>.log) or JSON lines
// (logs/<service>.jsonl). Records wait in memory until FlushBefore(t) says no record older
// than t can still arrive. Thread-safety: one owner thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ddbg/model.h"
#include "ddbg/sim.h"
#include "sim/json_out.h"
#include "sim/output_file.h"
#include "sim/topology.h"

namespace ddbg::sim {

enum Severity : uint8_t { kDebug = 5, kInfo = 9, kWarn = 13, kError = 17 };

class LogWriter {
 public:
  LogWriter(const Topology* topology, std::string out_dir);

  // Creates logs.otlp.jsonl and the logs/ directory.
  Status Open();
  // A buffer for composing a message; pass it (or any view) to Add.
  std::string& scratch() {
    scratch_.clear();
    return scratch_;
  }
  // What was composed in scratch().
  std::string_view scratch_view() const { return scratch_; }
  // Queues one record. `trace`/`span` may be empty (background logs); `order_id` may be empty.
  void Add(int64_t time_ns, uint32_t resource, Severity severity, TraceId trace, SpanId span,
           std::string_view message, std::string_view order_id);
  // Writes every queued record older than `cutoff_ns`, in time order.
  void FlushBefore(int64_t cutoff_ns);
  // Writes what is left and closes the files; appends them to `files`.
  Status Close(std::vector<SimFile>* files);
  uint64_t total() const { return total_; }

 private:
  struct Entry {
    int64_t time_ns;
    uint64_t seq;
    uint32_t resource;
    Severity severity;
    TraceId trace;
    SpanId span;
    uint32_t msg_off, msg_len;
    uint32_t order_off, order_len;
  };
  std::string_view Text(uint32_t off, uint32_t len) const {
    return std::string_view(arena_).substr(off, len);
  }
  OutputFile* ServiceFile(int service);
  void WriteOtlp(const std::vector<uint32_t>& ready);
  void WriteText(OutputFile* f, const Service& s, const Entry& e);
  void WriteJson(OutputFile* f, const Service& s, const Entry& e);

  const Topology* topology_;
  std::string out_dir_;
  OutputFile otlp_;
  std::vector<std::unique_ptr<OutputFile>> service_files_;
  std::vector<std::string> scope_json_;
  std::vector<Entry> entries_;
  std::string arena_;
  std::string scratch_;
  std::vector<uint32_t> ready_;
  std::vector<uint32_t> by_resource_;
  TimeText time_text_;
  uint64_t seq_ = 0;
  uint64_t total_ = 0;
};

}  // namespace ddbg::sim

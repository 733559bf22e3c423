// Simulate(): builds the system, resolves the faults, generates the traces in arrival order
// and writes every output file and the ground truth.
#include <fmt/format.h>

#include <filesystem>
#include <system_error>

#include "ddbg/sim.h"
#include "sim/event_gen.h"
#include "sim/faults.h"
#include "sim/ground_truth.h"
#include "sim/log_writer.h"
#include "sim/output_file.h"
#include "sim/span_writer.h"
#include "sim/topology.h"
#include "sim/trace_gen.h"

namespace ddbg {
namespace {

constexpr int kMinServices = 3;
constexpr int kMaxServices = 500;
constexpr size_t kSpansPerLine = 400;
constexpr uint64_t kFlushEveryTraces = 256;
constexpr uint64_t kArrivalStream = 0xA5517A1ULL;

Status CheckOptions(const SimOptions& o) {
  if (o.out_dir.empty()) return Status::InvalidArgument("simulate: an output directory is needed");
  if (o.services < kMinServices || o.services > kMaxServices) {
    return Status::InvalidArgument(fmt::format("simulate: --services must be in {}..{}, got {}",
                                               kMinServices, kMaxServices, o.services));
  }
  if (o.traces == 0) return Status::InvalidArgument("simulate: --traces must be at least 1");
  if (o.duration_ns <= 0) return Status::InvalidArgument("simulate: --duration must be > 0");
  return Status::Ok();
}

}  // namespace

Status Simulate(const SimOptions& options, SimSummary* summary) {
  DDBG_RETURN_IF_ERROR(CheckOptions(options));
  *summary = SimSummary();
  sim::Topology topology = sim::BuildTopology(options.services);
  Result<sim::FaultPlan> plan_or = sim::FaultPlan::Resolve(options.faults, options, &topology);
  if (!plan_or.ok()) return plan_or.status();
  sim::FaultPlan plan = std::move(plan_or).value();

  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) {
    return Status::IOError(fmt::format("{}: cannot create: {}", options.out_dir, ec.message()));
  }
  const std::string& dir = options.out_dir;
  sim::OutputFile traces_file;
  DDBG_RETURN_IF_ERROR(traces_file.Open(dir + "/traces.otlp.jsonl"));
  sim::OtlpSpanWriter spans(&topology, &traces_file);
  sim::LogWriter logs(&topology, dir);
  DDBG_RETURN_IF_ERROR(logs.Open());
  sim::EventGenerator events(&topology, &plan);
  DDBG_RETURN_IF_ERROR(events.Open(dir + "/events.jsonl"));
  sim::TraceGenerator generator(&topology, &plan, &spans, &logs, &events, options.seed);

  // Arrivals are stratified over the range: trace i starts in the i-th slice, at a random
  // point of it, so starts are increasing and records older than a start are final.
  const double slice =
      static_cast<double>(options.duration_ns) / static_cast<double>(options.traces);
  for (uint64_t i = 0; i < options.traces; ++i) {
    sim::Rng arrival(sim::MixSeed(options.seed ^ kArrivalStream, i));
    int64_t start = options.start_ns +
                    static_cast<int64_t>(slice * (static_cast<double>(i) + arrival.Uniform()));
    if (i % kFlushEveryTraces == 0) {
      logs.FlushBefore(start);
      events.FlushBefore(start);
    }
    generator.Generate(i, start);
    if (spans.pending() >= kSpansPerLine) spans.FlushLine();
  }
  spans.FlushLine();

  Status first = traces_file.Close();
  summary->files.push_back(
      {"traces.otlp.jsonl", "otlp-json", traces_file.records(), traces_file.bytes()});
  Status st = logs.Close(&summary->files);
  if (first.ok()) first = st;
  summary->events = events.events();
  st = events.Close(&summary->files);
  if (first.ok()) first = st;
  DDBG_RETURN_IF_ERROR(first);

  for (const sim::Service& s : topology.services) summary->services.push_back(s.name);
  summary->traces = options.traces;
  summary->error_traces = generator.error_traces();
  summary->spans = generator.spans();
  summary->logs = logs.total();
  summary->streams = events.streams();
  summary->start_ns = options.start_ns;
  summary->end_ns = options.start_ns + options.duration_ns;
  for (const sim::ActiveFault& f : plan.faults()) summary->faults.push_back(f.truth);

  std::string truth = sim::RenderGroundTruth(options, *summary);
  sim::OutputFile truth_file;
  DDBG_RETURN_IF_ERROR(truth_file.Open(dir + "/ground_truth.json"));
  truth_file.buffer() = truth;
  truth_file.Commit(summary->faults.size());
  DDBG_RETURN_IF_ERROR(truth_file.Close());
  summary->files.push_back(
      {"ground_truth.json", "ground-truth", truth_file.records(), truth_file.bytes()});
  return Status::Ok();
}

}  // namespace ddbg

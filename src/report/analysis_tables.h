// The trace analyses as report tables (table/csv/md/json), plus the topology as DOT and
// Mermaid and one trace's critical path as its JSON document. Pure functions.
#pragma once

#include <string>
#include <vector>

#include "ddbg/bottlenecks.h"
#include "ddbg/critical_path.h"
#include "ddbg/errors.h"
#include "ddbg/perf.h"
#include "ddbg/regress.h"
#include "ddbg/timing.h"
#include "ddbg/topology.h"
#include "report/report_table.h"

namespace ddbg {

std::vector<ReportTable> TopologyTables(const Topology& topo);
std::string TopologyDot(const Topology& topo);
std::string TopologyMermaid(const Topology& topo);

std::vector<ReportTable> CriticalPathTables(const CriticalPath& cp);
// {"traceID","segments":[{"spanID","service","operation","startUnixNano","endUnixNano"}]}
std::string CriticalPathJson(const CriticalPath& cp);
std::vector<ReportTable> CriticalPathSummaryTables(const CriticalPathSummary& sum);

std::vector<ReportTable> BottleneckTables(const Bottlenecks& b);
std::vector<ReportTable> ErrorTables(const ErrorAnalysis& e);
std::vector<ReportTable> PerfTables(const PerfReport& p);
std::vector<ReportTable> RegressTables(const RegressReport& r);

}  // namespace ddbg

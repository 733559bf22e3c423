#include "analysis/rca/log_collector.h"

#include <algorithm>
#include <unordered_map>

#include "decode/log_line_header.h"
#include "ddbg/log_templates.h"

namespace ddbg::rca {
namespace {

// The severity of a record: its own field, else the level word in the body's header.
uint8_t Severity(const LogBatch& b, size_t i, std::unordered_map<StrId, int8_t>* body_cache) {
  if (b.severity_number[i] != 0) return b.severity_number[i];
  auto [it, inserted] = body_cache->try_emplace(b.body[i], 0);
  int8_t& cached = it->second;
  if (inserted) {
    LogLineHeader header;
    cached = ParseLogLineHeader(b.dict.Get(b.body[i]), 1970, &header)
                 ? static_cast<int8_t>(header.severity_number)
                 : 0;
  }
  return static_cast<uint8_t>(cached);
}

}  // namespace

Status LogCollector::Collect(Store& store) {
  Result<logs::TemplateMiner> miner = logs::RestoredMiner(store);
  if (!miner.ok()) return miner.status();
  std::unordered_map<uint32_t, StrId> template_names;
  ScanFilter filter;
  filter.time.min_ns = std::min(window_.min_ns, baseline_.min_ns);
  filter.time.max_ns = std::max(window_.max_ns, baseline_.max_ns);
  uint64_t untraced = 0;
  return store.ScanLogs(filter, [&](const LogBatch& b) {
    std::unordered_map<StrId, int8_t> sev_cache;  // per body; batches' dicts are large
    std::unordered_map<StrId, StrId> svc_cache;
    uint64_t threshold = max_threshold_->load(std::memory_order_relaxed);
    for (size_t i = 0; i < b.size(); ++i) {
      RawLog log;
      log.time_ns = b.time_ns[i];
      log.in_window = window_.Contains(log.time_ns);
      if (!log.in_window && !baseline_.Contains(log.time_ns)) continue;
      log.trace = b.trace_id[i];
      log.hash = log.trace.empty()
                     ? TraceSampleHash({static_cast<uint64_t>(log.time_ns), ++untraced})
                     : TraceSampleHash(log.trace);
      if (!log.trace.empty() && log.hash > threshold) continue;
      log.span = b.span_id[i];
      auto [svc, new_service] = svc_cache.try_emplace(b.service[i], kEmptyStr);
      if (new_service) svc->second = names_.Intern(b.dict.Get(b.service[i]));
      log.service = svc->second;
      uint32_t id = b.template_id[i] != 0 ? b.template_id[i] : miner->Add(logs::MinedText(b, i));
      auto [it, inserted] = template_names.try_emplace(id, kEmptyStr);
      if (inserted) it->second = names_.Intern(miner->Template(id).text);
      log.tmpl = it->second;
      log.error = Severity(b, i, &sev_cache) >= 17;
      logs_.push_back(log);
    }
    return Status::Ok();
  });
}

}  // namespace ddbg::rca

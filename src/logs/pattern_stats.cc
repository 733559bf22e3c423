#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "ddbg/log_patterns.h"
#include "ddbg/log_templates.h"

namespace ddbg::logs {
namespace {

size_t SeverityClass(uint8_t n) { return n == 0 ? 0 : std::min<size_t>(6, (n - 1) / 4 + 1); }

bool ServiceWanted(const ScanFilter& f, std::string_view s) {
  return f.services.empty() || std::find(f.services.begin(), f.services.end(), s) != f.services.end();
}

}  // namespace

Result<std::vector<PatternStats>> CollectPatterns(Store& store, const ScanFilter& filter) {
  Result<TemplateMiner> restored = RestoredMiner(store);
  if (!restored.ok()) return restored.status();
  TemplateMiner& miner = *restored;
  std::unordered_map<uint32_t, PatternStats> by_id;
  std::unordered_map<uint32_t, std::set<std::string>> services;
  ScanFilter bodies = filter;
  bodies.log_columns = LogColumns::kBody;  // no attributes or template parameters
  Status st = store.ScanLogs(bodies, [&](const LogBatch& b) {
    for (size_t i = 0; i < b.size(); ++i) {
      std::string_view service = b.dict.Get(b.service[i]);
      if (!filter.time.Contains(b.time_ns[i]) || !ServiceWanted(filter, service)) continue;
      uint32_t id = b.template_id[i] != 0 ? b.template_id[i] : miner.Add(MinedText(b, i));
      PatternStats& p = by_id[id];
      int64_t t = b.time_ns[i];
      if (p.count == 0 || t < p.first_seen_ns) {
        p.first_seen_ns = t;
        p.example = b.dict.Get(b.body[i]);
      }
      if (p.count == 0 || t > p.last_seen_ns) p.last_seen_ns = t;
      ++p.count;
      ++p.by_severity[SeverityClass(b.severity_number[i])];
      services[id].emplace(service);
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  std::vector<PatternStats> out;
  for (auto& [id, p] : by_id) {
    p.template_id = id;
    p.text = miner.Template(id).text;
    p.services.assign(services[id].begin(), services[id].end());
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](const PatternStats& a, const PatternStats& b) {
    return a.count != b.count ? a.count > b.count : a.template_id < b.template_id;
  });
  return out;
}

const char* PatternChangeName(PatternChangeKind kind) {
  switch (kind) {
    case PatternChangeKind::kNew: return "new";
    case PatternChangeKind::kSpiking: return "spiking";
    case PatternChangeKind::kDropping: return "dropping";
    case PatternChangeKind::kVanished: return "vanished";
  }
  return "new";
}

Result<std::vector<PatternChange>> DiffPatterns(Store& store, const ScanFilter& baseline,
                                                const ScanFilter& target) {
  if (baseline.time.unbounded() || target.time.unbounded()) {
    return Status::InvalidArgument("diff needs a bounded baseline and target window");
  }
  Result<std::vector<PatternStats>> base = CollectPatterns(store, baseline);
  if (!base.ok()) return base.status();
  Result<std::vector<PatternStats>> tgt = CollectPatterns(store, target);
  if (!tgt.ok()) return tgt.status();
  double base_min = std::max(1.0, (baseline.time.max_ns - baseline.time.min_ns) / 60e9);
  double tgt_min = std::max(1.0, (target.time.max_ns - target.time.min_ns) / 60e9);
  std::map<uint32_t, std::pair<const PatternStats*, const PatternStats*>> joined;
  for (const PatternStats& p : *base) joined[p.template_id].first = &p;
  for (const PatternStats& p : *tgt) joined[p.template_id].second = &p;
  std::vector<PatternChange> out;
  for (const auto& [id, pair] : joined) {
    PatternChange c;
    if (pair.first) c.baseline = *pair.first;
    if (pair.second) c.target = *pair.second;
    c.baseline_rate = c.baseline.count / base_min;
    c.target_rate = c.target.count / tgt_min;
    double expected = c.baseline_rate * tgt_min;
    c.score = std::fabs(c.target.count - expected) / std::sqrt(expected + 1.0);
    if (c.baseline.count == 0) {
      c.kind = PatternChangeKind::kNew;
    } else if (c.target.count == 0) {
      if (expected < 3) continue;
      c.kind = PatternChangeKind::kVanished;
    } else if (c.score >= 3 && c.target_rate >= 2 * c.baseline_rate) {
      c.kind = PatternChangeKind::kSpiking;
    } else if (c.score >= 3 && c.target_rate * 2 <= c.baseline_rate) {
      c.kind = PatternChangeKind::kDropping;
    } else {
      continue;
    }
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const PatternChange& a, const PatternChange& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    if (a.kind == PatternChangeKind::kNew && a.target.count != b.target.count) {
      return a.target.count > b.target.count;
    }
    if (a.score != b.score) return a.score > b.score;
    return a.target.template_id + a.baseline.template_id < b.target.template_id + b.baseline.template_id;
  });
  return out;
}

}  // namespace ddbg::logs

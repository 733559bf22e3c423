#include "analysis/rca/log_collector.h"

#include <algorithm>
#include <unordered_map>

#include "decode/log_line_header.h"

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

bool IsLocationName(std::string_view name) {
  bool letter = false;
  for (char c : name) {
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    letter = letter || alpha;
    if (!alpha && !(c >= '0' && c <= '9') && c != '.' && c != '_' && c != '$' && c != '/') return false;
  }
  return letter;
}

// `name#123`, or `file.ext:123` with a dotted file name.
bool IsCodeLocation(std::string_view token) {
  size_t sep = token.find_last_of("#:");
  if (sep == std::string_view::npos || sep < 2 || sep + 1 == token.size()) return false;
  for (size_t i = sep + 1; i < token.size(); ++i) {
    if (token[i] < '0' || token[i] > '9') return false;
  }
  std::string_view name = token.substr(0, sep);
  if (!IsLocationName(name)) return false;
  return token[sep] == '#' || name.find('.') != std::string_view::npos;
}

constexpr int kStatementTokens = 6;  // a location is in the line's header, not its message

}  // namespace

std::string_view StatementOf(std::string_view tmpl) {
  size_t pos = 0;
  for (int n = 0; n < kStatementTokens && pos < tmpl.size(); ++n) {
    size_t end = tmpl.find(' ', pos);
    if (end == std::string_view::npos) end = tmpl.size();
    std::string_view token = tmpl.substr(pos, end - pos);
    while (!token.empty() && (token.back() == ',' || token.back() == ']' || token.back() == ')' ||
                              token.back() == ':')) {
      token.remove_suffix(1);
    }
    while (!token.empty() && (token.front() == '[' || token.front() == '(')) token.remove_prefix(1);
    if (IsCodeLocation(token)) return token;
    pos = tmpl.find_first_not_of(' ', end);
    if (pos == std::string_view::npos) break;
  }
  return tmpl;
}

std::string_view NamedPeer(std::string_view body, std::string_view self,
                           const std::unordered_set<std::string_view>& services) {
  auto name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
  };
  size_t i = 0;
  while (i < body.size()) {
    while (i < body.size() && !name_char(body[i])) ++i;
    size_t start = i;
    while (i < body.size() && name_char(body[i])) ++i;
    std::string_view token = body.substr(start, i - start);
    if (token.size() >= 2 && token != self && services.count(token)) return token;
  }
  return {};
}

Status LogCollector::Begin(Store& store) {
  Result<logs::TemplateMiner> miner = logs::RestoredMiner(store);
  if (!miner.ok()) return miner.status();
  miner_.emplace(std::move(*miner));
  Result<StoreStats> stats = store.Stats();
  if (!stats.ok()) return stats.status();
  service_names_ = stats->services;
  services_ = {service_names_.begin(), service_names_.end()};
  threshold_ = max_threshold_->load(std::memory_order_relaxed);
  return Status::Ok();
}

ScanFilter LogCollector::Filter() const {
  ScanFilter filter;
  filter.time.min_ns = std::min(window_.min_ns, baseline_.min_ns);
  filter.time.max_ns = std::max(window_.max_ns, baseline_.max_ns);
  filter.log_columns = LogColumns::kBody;
  return filter;
}

Status LogCollector::Collect(Store& store) {
  DDBG_RETURN_IF_ERROR(Begin(store));
  return store.ScanLogs(Filter(), [&](const LogBatch& b) {
    Add(b);
    return Status::Ok();
  });
}

void LogCollector::Add(const LogBatch& b) {
  std::unordered_map<StrId, int8_t> sev_cache;  // per body; batches' dicts are large
  std::unordered_map<StrId, StrId> svc_cache;
  std::unordered_map<StrId, StrId> peer_cache;  // per body of an error record
  for (size_t i = 0; i < b.size(); ++i) {
    RawLog log;
    log.time_ns = b.time_ns[i];
    log.in_window = window_.Contains(log.time_ns);
    if (!log.in_window && !baseline_.Contains(log.time_ns)) continue;
    log.trace = b.trace_id[i];
    log.hash = log.trace.empty()
                   ? TraceSampleHash({static_cast<uint64_t>(log.time_ns), ++untraced_})
                   : TraceSampleHash(log.trace);
    if (!log.trace.empty() && log.hash > threshold_) continue;
    log.span = b.span_id[i];
    auto [svc, new_service] = svc_cache.try_emplace(b.service[i], kEmptyStr);
    if (new_service) svc->second = names_.Intern(b.dict.Get(b.service[i]));
    log.service = svc->second;
    uint32_t id = b.template_id[i] != 0 ? b.template_id[i] : miner_->Add(logs::MinedText(b, i));
    auto [it, inserted] = template_names_.try_emplace(id, kEmptyStr, kEmptyStr);
    if (inserted) {
      const std::string& text = miner_->Template(id).text;
      it->second = {names_.Intern(text), names_.Intern(StatementOf(text))};
    }
    log.tmpl = it->second.first;
    log.statement = it->second.second;
    log.error = Severity(b, i, &sev_cache) >= 17;
    if (log.error) {
      auto [peer, new_body] = peer_cache.try_emplace(b.body[i], kEmptyStr);
      if (new_body) {
        std::string_view named = NamedPeer(b.dict.Get(b.body[i]), b.dict.Get(b.service[i]), services_);
        if (!named.empty()) peer->second = names_.Intern(named);
      }
      log.peer = peer->second;
    }
    logs_.push_back(log);
  }
}

}  // namespace ddbg::rca

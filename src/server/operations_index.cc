#include "server/operations_index.h"

namespace ddbg::server {

void OperationsIndex::AddBatch(const SpanBatch& b, KeySet* out) {
  std::set<std::tuple<StrId, StrId, SpanKind>> local;  // by id first: few strings per batch
  for (size_t i = 0; i < b.size(); ++i) local.emplace(b.service[i], b.name[i], b.kind[i]);
  for (const auto& [service, name, kind] : local) {
    out->emplace(std::string(b.dict.Get(service)), std::string(b.dict.Get(name)), kind);
  }
}

Status OperationsIndex::Update() {
  std::map<uint64_t, KeySet> head;
  uint64_t last = 0;
  DDBG_RETURN_IF_ERROR(store_.ScanSpansSince(
      last_segment_, &last,
      [this](const SpanBatch& b) {
        AddBatch(b, &sealed_);
        return Status::Ok();
      },
      [this, &head](const HeadChunk& c) {
        auto cached = head_.find(c.lsn);
        KeySet& keys = head[c.lsn];
        if (cached != head_.end()) {
          keys = std::move(cached->second);
        } else if (c.spans) {
          AddBatch(*c.spans, &keys);
        }
      }));
  last_segment_ = last;
  head_ = std::move(head);  // chunks sealed since the last call drop out here
  return Status::Ok();
}

template <typename Fn>
void OperationsIndex::ForEachKey(Fn fn) const {
  for (const Key& k : sealed_) fn(k);
  for (const auto& [lsn, keys] : head_) {
    for (const Key& k : keys) fn(k);
  }
}

Result<std::vector<std::string>> OperationsIndex::Services() {
  std::lock_guard<std::mutex> l(mu_);
  DDBG_RETURN_IF_ERROR(Update());
  std::set<std::string> names;
  ForEachKey([&names](const Key& k) { names.insert(std::get<0>(k)); });
  names.erase("");
  return std::vector<std::string>(names.begin(), names.end());
}

Result<std::vector<Operation>> OperationsIndex::Operations(const std::string& service) {
  std::lock_guard<std::mutex> l(mu_);
  DDBG_RETURN_IF_ERROR(Update());
  std::set<Operation> ops;
  ForEachKey([&](const Key& k) {
    const auto& [svc, name, kind] = k;
    if (!service.empty() && svc != service) return;
    ops.insert({name, kind == SpanKind::kUnspecified ? "" : SpanKindName(kind)});
  });
  return std::vector<Operation>(ops.begin(), ops.end());
}

}  // namespace ddbg::server

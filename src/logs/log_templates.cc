#include "ddbg/log_templates.h"

#include <charconv>

#include <fmt/format.h>

namespace ddbg::logs {
namespace {

constexpr std::string_view kTableHeader = "ddbg-templates 1";

bool ParseUint(std::string_view s, uint64_t* out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string FormatTemplateTable(const std::vector<TemplateInfo>& templates) {
  std::string out(kTableHeader);
  out += '\n';
  for (const TemplateInfo& t : templates) {
    if (t.id != 0) out += fmt::format("{}\t{}\t{}\n", t.id, t.count, t.text);
  }
  return out;
}

Result<std::vector<TemplateInfo>> ParseTemplateTable(std::string_view text) {
  std::vector<TemplateInfo> out(1);
  if (text.empty()) return out;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (++line_no == 1) {
      if (line != kTableHeader) return Status::Corruption("log_templates:1: unknown header");
      continue;
    }
    size_t t1 = line.find('\t'), t2 = t1 == std::string_view::npos ? t1 : line.find('\t', t1 + 1);
    uint64_t id = 0, count = 0;
    if (t2 == std::string_view::npos || !ParseUint(line.substr(0, t1), &id) || id == 0 ||
        id > UINT32_MAX || !ParseUint(line.substr(t1 + 1, t2 - t1 - 1), &count)) {
      return Status::Corruption(fmt::format("log_templates:{}: malformed entry", line_no));
    }
    if (out.size() <= id) out.resize(id + 1);
    out[id] = {static_cast<uint32_t>(id), std::string(line.substr(t2 + 1)), count};
  }
  return out;
}

Result<std::vector<TemplateInfo>> LoadTemplates(Store& store) {
  Result<std::string> blob = store.ReadBlob(kTemplatesBlob);
  if (!blob.ok()) return blob.status();
  return ParseTemplateTable(*blob);
}

Result<TemplateMiner> RestoredMiner(Store& store, const MinerOptions& options) {
  Result<std::vector<TemplateInfo>> table = LoadTemplates(store);
  if (!table.ok()) return table.status();
  TemplateMiner miner(options);
  for (const TemplateInfo& t : *table) {
    if (t.id != 0) miner.Restore(t.id, t.text, t.count);
  }
  return miner;
}

std::string_view MinedText(const LogBatch& batch, size_t row) {
  return StripLogHeader(batch.dict.Get(batch.body[row]));
}

Result<TemplateSession> TemplateSession::Open(Store& store, const MinerOptions& options) {
  TemplateSession session(store, options);
  Result<std::vector<TemplateInfo>> table = LoadTemplates(store);
  if (!table.ok()) return table.status();
  for (const TemplateInfo& t : *table) {
    if (t.id == 0) continue;
    session.miner_.Restore(t.id, t.text, t.count);
    session.stored_id_[t.id] = t.id;
    session.restored_ = t.id;
  }
  return session;
}

Status TemplateSession::MineBatch(LogBatch* batch) {
  std::vector<std::string_view> texts(batch->size());
  for (size_t i = 0; i < batch->size(); ++i) texts[i] = MinedText(*batch, i);
  std::vector<uint32_t> ids = miner_.MineMessages(texts);
  for (uint32_t& id : ids) {
    id = miner_.CanonicalId(id);
    ++unpublished_count_[id];
  }
  DDBG_RETURN_IF_ERROR(Publish());
  // Parameters against the template as it stands now.
  std::vector<std::string> template_text(miner_.size() + 1);
  batch->params.clear();
  batch->param_off.Truncate(0);
  for (size_t i = 0; i < batch->size(); ++i) {
    uint32_t local = ids[i];
    std::string& text = template_text[local];
    if (text.empty()) text = miner_.Template(local).text;
    for (std::string_view p : ExtractParams(text, texts[i])) {
      batch->params.push_back(batch->dict.Intern(p));
    }
    batch->param_off.Close(batch->params.size());
    batch->template_id[i] = stored_id_[local];
  }
  return Status::Ok();
}

// Merges this session's templates into the stored table under the store's lock: a template
// already known by text keeps its stored id, a new one gets the next free id.
Status TemplateSession::Publish() {
  return store_->UpdateBlob(kTemplatesBlob, [&](std::string* blob) -> Status {
    Result<std::vector<TemplateInfo>> table = ParseTemplateTable(*blob);
    if (!table.ok()) return table.status();
    std::unordered_map<std::string, uint32_t> by_text;
    for (const TemplateInfo& t : *table) {
      if (t.id != 0) by_text.emplace(t.text, t.id);
    }
    for (auto& [local, added] : unpublished_count_) {
      TemplateInfo info = miner_.Template(local);
      auto known = stored_id_.find(local);
      uint32_t id;
      if (known != stored_id_.end()) {
        id = known->second;
      } else if (auto same = by_text.find(info.text); same != by_text.end()) {
        id = same->second;
      } else {
        id = static_cast<uint32_t>(table->size());
        table->push_back({id, info.text, 0});
        by_text.emplace(info.text, id);
      }
      stored_id_[local] = id;
      if (table->size() <= id) table->resize(id + 1);
      (*table)[id].id = id;
      (*table)[id].text = info.text;
      (*table)[id].count += added;
    }
    unpublished_count_.clear();
    *blob = FormatTemplateTable(*table);
    return Status::Ok();
  });
}

}  // namespace ddbg::logs

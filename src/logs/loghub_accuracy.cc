#include "logs/loghub_accuracy.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "ddbg/logmine.h"

namespace ddbg::logs {
namespace {

std::string CollapseSpaces(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

int ColumnIndex(const std::vector<std::string>& header, std::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

Accuracy MineAndScore(const std::vector<std::string>& messages, const LabelledLines& truth,
                      const LabelledLines& corrected, Accuracy* corrected_out) {
  TemplateMiner miner;
  std::vector<std::string_view> views(messages.begin(), messages.end());
  std::vector<uint32_t> ids = miner.MineMessages(views);
  std::vector<std::string> texts(ids.size());
  std::vector<std::string> by_id(miner.size() + 1);
  for (const TemplateInfo& t : miner.Templates()) by_id[t.id] = t.text;
  for (size_t i = 0; i < ids.size(); ++i) {
    ids[i] = miner.CanonicalId(ids[i]);
    texts[i] = by_id[ids[i]];
  }
  *corrected_out = ScoreLoghub(corrected, ids, texts);
  return ScoreLoghub(truth, ids, texts);
}

}  // namespace

bool SplitCsvRecord(std::string_view line, std::vector<std::string>* fields) {
  fields->clear();
  std::string cur;
  bool quoted = false, field_started = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      fields->push_back(std::move(cur));
      cur.clear();
      field_started = false;
    } else {
      cur += c;
      field_started = true;
    }
  }
  fields->push_back(std::move(cur));
  return !quoted;
}

Result<std::vector<std::string>> ReadTextLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("{}: cannot open", path));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

Result<LabelledLines> ReadLoghubStructured(const std::string& path) {
  Result<std::vector<std::string>> lines = ReadTextLines(path);
  if (!lines.ok()) return lines.status();
  if (lines->empty()) return Status::InvalidArgument(fmt::format("{}: empty file", path));
  std::vector<std::string> fields;
  SplitCsvRecord((*lines)[0], &fields);
  int content = ColumnIndex(fields, "Content"), id = ColumnIndex(fields, "EventId"),
      tmpl = ColumnIndex(fields, "EventTemplate");
  if (content < 0 || id < 0 || tmpl < 0) {
    return Status::InvalidArgument(
        fmt::format("{}:1: needs Content, EventId and EventTemplate columns", path));
  }
  LabelledLines out;
  for (size_t i = 1; i < lines->size(); ++i) {
    if ((*lines)[i].empty()) continue;
    if (!SplitCsvRecord((*lines)[i], &fields) ||
        fields.size() <= static_cast<size_t>(std::max({content, id, tmpl}))) {
      return Status::InvalidArgument(fmt::format("{}:{}: malformed CSV record", path, i + 1));
    }
    out.content.push_back(fields[content]);
    out.event_id.push_back(fields[id]);
    out.event_template.push_back(fields[tmpl]);
  }
  return out;
}

Accuracy ScoreLoghub(const LabelledLines& truth, const std::vector<uint32_t>& predicted_id,
                     const std::vector<std::string>& predicted_template) {
  Accuracy acc;
  size_t n = std::min(truth.event_id.size(), predicted_id.size());
  if (n == 0) return acc;
  std::unordered_map<std::string, size_t> truth_size;
  for (size_t i = 0; i < n; ++i) ++truth_size[truth.event_id[i]];
  // Per predicted group: its size and whether all its lines share one true event.
  struct Group {
    size_t size = 0;
    const std::string* truth = nullptr;
    bool pure = true;
  };
  std::unordered_map<uint32_t, Group> groups;
  for (size_t i = 0; i < n; ++i) {
    Group& g = groups[predicted_id[i]];
    ++g.size;
    if (g.truth == nullptr) g.truth = &truth.event_id[i];
    else if (*g.truth != truth.event_id[i]) g.pure = false;
  }
  size_t grouped = 0, parsed = 0;
  for (const auto& [id, g] : groups) {
    if (g.pure && truth_size[*g.truth] == g.size) grouped += g.size;
  }
  for (size_t i = 0; i < n; ++i) {
    if (CollapseSpaces(predicted_template[i]) == CollapseSpaces(truth.event_template[i])) ++parsed;
  }
  acc.grouping = static_cast<double>(grouped) / n;
  acc.parsing = static_cast<double>(parsed) / n;
  return acc;
}

Result<std::vector<SystemAccuracy>> EvaluateLoghub(const std::string& loghub_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> systems;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(loghub_dir, ec)) {
    if (e.is_directory()) systems.push_back(e.path().filename().string());
  }
  if (ec) return Status::NotFound(fmt::format("{}: {}", loghub_dir, ec.message()));
  std::sort(systems.begin(), systems.end());
  std::vector<SystemAccuracy> out;
  for (const std::string& s : systems) {
    std::string base = fmt::format("{}/{}/{}_2k.log", loghub_dir, s, s);
    Result<LabelledLines> truth = ReadLoghubStructured(base + "_structured.csv");
    if (!truth.ok()) return truth.status();
    Result<LabelledLines> corrected = ReadLoghubStructured(base + "_structured_corrected.csv");
    if (!corrected.ok()) return corrected.status();
    Result<std::vector<std::string>> raw = ReadTextLines(base);
    if (!raw.ok()) return raw.status();
    std::vector<std::string> contents;
    for (const std::string& line : *raw) contents.emplace_back(StripLogHeader(line));
    SystemAccuracy sa;
    sa.system = s;
    sa.content = MineAndScore(truth->content, *truth, *corrected, &sa.content_corrected);
    sa.raw = MineAndScore(contents, *truth, *corrected, &sa.raw_corrected);
    out.push_back(std::move(sa));
  }
  return out;
}

}  // namespace ddbg::logs
